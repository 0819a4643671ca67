"""Checks of wire names: JSON keys, enum values, path and query parameters as the API writes them.

Any name valid on the wire is accepted; the Python and protobuf names are derived from it in the model
(messages.py, services.py, messaging.py). What can still go wrong is reported here, after derivation: a name
from which no identifier can be derived, and two names that derive the same identifier where both must live
(one pydantic model, one handler signature, one Python Enum, one protobuf package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.model import naming
from rosec.model.messages import build_enum, message_field, proto_json_name
from rosec.model.services import messages_used, param
from rosec.spec.loader import PathKey
from rosec.spec.models import RecordSpec
from rosec.spec.types import TypeRef

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

_ANY = TypeRef("scalar", name="string")  # the type does not matter to the names
_NO_IDENTIFIER = "has no letter or digit, so no Python or protobuf name can be derived from it"


def check_wire_names(checker: CheckContext) -> None:
    for name, record in checker.records.items():
        check_record(checker, name, record)
    for name in checker.enums:
        check_enum(checker, name)
    for service_name, service in checker.spec.services.items():
        for i, endpoint in enumerate(service.rest):
            check_parameters(checker, ("services", service_name, "rest", i), endpoint.path, endpoint.params,
                             endpoint.query)
        if service.grpc:
            check_proto_package(checker, service_name)


def check_record(checker: CheckContext, name: str, record: RecordSpec) -> None:
    """Fields of one pydantic model: each needs its own Python attribute."""
    owners: dict[str, str] = {}
    for wire_name in record.fields:
        path = ("messages", name, "fields", wire_name)
        field = message_field(wire_name, _ANY, False)
        if not field.proto_name:
            checker.error(path, f"field name '{wire_name}' {_NO_IDENTIFIER}", "use a name with letters, e.g. "
                          "'value'", at_key=True)
            continue
        first = owners.setdefault(field.python_name, wire_name)
        if first != wire_name:
            checker.error(path, f"fields '{first}' and '{wire_name}' of {name} both become the Python attribute "
                          f"'{field.python_name}'", "rename one of them on the wire", at_key=True)


def check_enum(checker: CheckContext, name: str) -> None:
    """Values of one enum: each needs its own Python member and protobuf value."""
    enum = build_enum(name, checker.enums[name])
    python: dict[str, str] = {}
    for i, member in enumerate(enum.members):
        path = ("messages", name, "enum", i)
        value = member.wire_name
        if not naming.wire_words(value):
            checker.error(path, f"enum value '{value}' {_NO_IDENTIFIER}", "use a value with letters, e.g. 'unknown'")
        elif member.proto_name == enum.proto_zero:
            checker.error(path, f"enum value '{value}' would become {member.proto_name}, the protobuf zero value "
                          "that rosec generates for every enum (no value)", "rename the value, e.g. 'unknown'")
        elif python.setdefault(member.python_name, value) != value:
            checker.error(path, f"enum values '{python[member.python_name]}' and '{value}' of {name} both become "
                          f"the Python member '{member.python_name}'", "rename one of them on the wire")


def check_parameters(checker: CheckContext, path: PathKey, route: str, params: dict[str, str],
                     query: dict[str, str]) -> None:
    """Path and query parameters of one endpoint become parameters of one handler: their Python names differ."""
    entries: list[tuple[PathKey, str, str, bool]] = [
        ((*path, "path"), p, f"path parameter '{p}'", False) for p in naming.path_params(route)]
    entries += [((*path, "query", q), q, f"query parameter '{q}'", True) for q in query]
    owners: dict[str, str] = {}
    for where, wire_name, what, at_key in entries:
        derived = param(wire_name, "string").python_name
        if not naming.wire_words(wire_name):
            checker.error(where, f"{what} {_NO_IDENTIFIER}", "use a name with letters, e.g. 'id'", at_key=at_key)
        elif derived in owners:
            checker.error(where, f"{what} becomes the Python parameter '{derived}', like {owners[derived]}",
                          "rename one of them on the wire", at_key=at_key)
        owners.setdefault(derived, what)


def check_proto_package(checker: CheckContext, service: str) -> None:
    """The records and enums of a gRPC service share its protobuf package: enum values are siblings of their
    enum there, and protoc rejects two fields of one message with the same default JSON name (line_1, line1)."""
    values: dict[str, str] = {}
    order = list(checker.spec.messages)
    for name in sorted(messages_used(checker.spec, checker.spec.services[service]), key=order.index):
        if name in checker.enums:
            enum = build_enum(name, checker.enums[name])
            values.setdefault(enum.proto_zero, f"the zero value of {name}")
            for i, member in enumerate(enum.members):
                owner = values.setdefault(member.proto_name, f"value '{member.wire_name}' of {name}")
                if not owner.endswith(f" of {name}"):
                    checker.error(("messages", name, "enum", i), f"enum value '{member.wire_name}' becomes "
                                  f"{member.proto_name} in the protobuf package of service '{service}', which "
                                  f"is already {owner}", "rename the value or one of the enums")
        elif name in checker.records:
            _check_json_names(checker, name, checker.records[name], service)


def _check_json_names(checker: CheckContext, name: str, record: RecordSpec, service: str) -> None:
    seen: dict[str, tuple[str, str]] = {}  # JSON name -> (wire name, Python name) of the first field
    for wire_name in record.fields:
        field = message_field(wire_name, _ANY, False)
        json_name = proto_json_name(field.proto_name)
        first, python = seen.setdefault(json_name, (wire_name, field.python_name))
        if first != wire_name and python != field.python_name:  # the same attribute is reported by check_record
            checker.error(("messages", name, "fields", wire_name), f"fields '{first}' and '{wire_name}' of {name} "
                          f"both have the protobuf JSON name '{json_name}', which protoc rejects (the message is "
                          f"part of the gRPC API of service '{service}')", "rename one of them on the wire",
                          at_key=True)
