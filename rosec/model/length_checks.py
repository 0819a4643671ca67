"""Names short enough for the generated code to fit in lines of 120 columns (docs/language.md, "Name lengths").

Generated Python passes the linters teams run over what they commit (ruff's E501 at 120 columns). rosec lays out
long statements over several lines, but a line still holds an identifier with a few words around it: a handler is
called as `response = await self.handlers.<name>(` and a field is converted as `<name>=(`. Names from the spec
(messages, events, environment variables) are bounded by the schema; the identifiers below are derived from
free-form parts of the spec (paths, method names) or have no bound of their own, and are checked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.model import naming

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext
    from rosec.spec.loader import PathKey

MAX_IDENTIFIER = 80  # characters of a handler, field, enum value or parameter name in the generated code


def check_name_lengths(checker: CheckContext) -> None:
    for name, record in checker.records.items():
        for field in record.fields:
            _check(checker, ("messages", name, "fields", field), field, "field name", "shorten it", True)
    for name, enum in checker.enums.items():
        for i, value in enumerate(enum.enum):
            _check(checker, ("messages", name, "enum", i), value, "enum value", "shorten it")
    for name, service in checker.spec.services.items():
        base = ("services", name)
        for i, endpoint in enumerate(service.rest):
            _check(checker, (*base, "rest", i, "path"), naming.operation_id(endpoint.method.value, endpoint.path),
                   f"the handler of {endpoint.method.value} {endpoint.path} would be named",
                   "shorten the path: the handler is named after the method and the path's segments")
            for kind, params in (("params", endpoint.params), ("query", endpoint.query)):
                for param in params:
                    _check(checker, (*base, "rest", i, kind, param), param, "parameter", "shorten it", True)
        for i, method in enumerate(service.grpc):
            _check(checker, (*base, "grpc", i, "name"), naming.grpc_handler(method.name),
                   f"the handler of gRPC method {method.name} would be named", "shorten the method name")
        for i, event in enumerate(service.consumes):
            _check(checker, (*base, "consumes", i), naming.consumer_handler(event),
                   f"the handler of event {event} would be named", "shorten the event name")


def _check(checker: CheckContext, path: PathKey, identifier: str, subject: str, hint: str,
           at_key: bool = False) -> None:
    """`subject` says what `identifier` is: "field name", or "the handler of ... would be named"."""
    if len(identifier) > MAX_IDENTIFIER:
        length = len(identifier)
        size = f"({length} characters)" if subject.endswith("named") else f"is {length} characters long"
        checker.error(path, f"{subject} '{identifier}' {size}; generated code allows at most {MAX_IDENTIFIER}", hint,
                      at_key=at_key)
