"""Checks of wire names: JSON keys, enum values, path and query parameters as the API writes them.

Any name valid on the wire is accepted; the Python and protobuf names are derived from it in the model
(messages.py, services.py, messaging.py). What can still go wrong is reported here, after derivation: a name
from which no identifier can be derived, and two names that derive the same identifier where both must live
(one pydantic model, one handler signature, one Python Enum, one protobuf package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.model import naming
from rosec.model.messages import MessageField, build_enum, message_field, proto_json_name
from rosec.model.service_build import messages_used
from rosec.model.services import param
from rosec.spec.loader import PathKey
from rosec.spec.models import RecordSpec
from rosec.spec.types import TypeRef, TypeSyntaxError, parse_type

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
            check_parameters(checker, ("services", service_name, "rest", i), endpoint.path, endpoint.query)
    check_proto_packages(checker)


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


def check_parameters(checker: CheckContext, path: PathKey, route: str, query: dict[str, str]) -> None:
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


def check_proto_packages(checker: CheckContext) -> None:
    """The records and enums of a gRPC service go into its protobuf package (each finding is reported once, for
    the first service whose package holds it)."""
    position = {name: i for i, name in enumerate(checker.spec.messages)}
    checked: set[str] = set()
    for service_name, service in checker.spec.services.items():
        if not service.grpc:
            continue
        used = sorted(messages_used(checker.spec, service), key=position.__getitem__)
        _check_enum_values(checker, service_name, [n for n in used if n in checker.enums], checked)
        for name in used:
            if name in checker.records and name not in checked:
                checked.add(name)
                _check_proto_fields(checker, name, checker.records[name], service_name)


def _check_enum_values(checker: CheckContext, service: str, enums: list[str], checked: set[str]) -> None:
    """Enum values are siblings of their enum in the package scope: every value name must be unique there."""
    values: dict[str, str] = {}
    for name in enums:
        enum = build_enum(name, checker.enums[name])
        values.setdefault(enum.proto_zero, f"the zero value of {name}")
        for i, member in enumerate(enum.members):
            owner = values.setdefault(member.proto_name, f"value '{member.wire_name}' of {name}")
            key = f"{name}[{i}]"
            if not owner.endswith(f" of {name}") and key not in checked:
                checked.add(key)
                checker.error(("messages", name, "enum", i), f"enum value '{member.wire_name}' becomes "
                              f"{member.proto_name} in the protobuf package of service '{service}', which is "
                              f"already {owner}", "rename the value or one of the enums")


def _check_proto_fields(checker: CheckContext, name: str, record: RecordSpec, service: str) -> None:
    """What protoc and protobuf's runtime (upb) reject in the fields of one message: two default JSON names alike
    (line_1, line1), and a JSON name (the wire name) that is the name of another field before it or of the
    synthetic oneof `_<field>` that proto3 gives every `optional` scalar or enum field."""
    fields = [(message_field(wire, _ANY, False), text) for wire, text in record.fields.items()]
    where = f"(the message is part of the gRPC API of service '{service}')"
    taken = {f"_{field.proto_name}": f"the presence (synthetic oneof) of the optional field '{field.wire_name}'"
             for field, text in fields if _has_optional_label(checker, text)}
    defaults: dict[str, MessageField] = {}
    for field, _ in fields:
        default = proto_json_name(field.proto_name)
        first = defaults.setdefault(default, field)
        if first is not field and first.python_name != field.python_name:  # else reported by check_record
            checker.error(("messages", name, "fields", field.wire_name), f"fields '{first.wire_name}' and "
                          f"'{field.wire_name}' of {name} both have the protobuf JSON name '{default}', which protoc "
                          f"rejects {where}", "rename one of them on the wire", at_key=True)
        elif field.wire_name != field.proto_name and field.wire_name in taken:
            checker.error(("messages", name, "fields", field.wire_name), f"field '{field.wire_name}' of {name} "
                          "cannot keep its wire name as protobuf JSON name: protobuf gives that name to "
                          f"{taken[field.wire_name]} {where}", "rename it on the wire", at_key=True)
        taken.setdefault(field.proto_name, f"the field '{field.wire_name}'")


def _has_optional_label(checker: CheckContext, text: str) -> bool:
    """optional[T] of a scalar other than datetime, or of an enum: proto3's `optional`, with a synthetic oneof."""
    try:
        ref = parse_type(text)
    except TypeSyntaxError:
        return False
    inner = ref.item if ref.kind == "optional" else None
    return inner is not None and ((inner.kind == "scalar" and inner.name != "datetime") or inner.name in checker.enums)
