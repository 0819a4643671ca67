"""The .proto file of one service: the type language mapped onto proto3.

string -> string, int -> int64, float -> double, bool -> bool, bytes -> bytes,
uuid / decimal / date -> string (canonical text, see convert.py), datetime -> google.protobuf.Timestamp,
list[T] -> repeated T, map[K, V] -> map<K, V>, optional[T] -> `optional T` for scalars and enums
(message fields have presence already). Field numbers follow declaration order from 1.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rosec.model.messages import EnumType, Message, MessageField
from rosec.model.services import GrpcMethod, Service
from rosec.model.system import System
from rosec.spec.types import TypeRef
from rosec.targets.services.grpc import naming
from rosec.targets.services.grpc.templates import render

TIMESTAMP = "google.protobuf.Timestamp"
TIMESTAMP_IMPORT = "google/protobuf/timestamp.proto"

SCALAR_TYPES = {
    "string": "string",
    "int": "int64",
    "float": "double",
    "bool": "bool",
    "uuid": "string",
    "decimal": "string",
    "datetime": TIMESTAMP,
    "date": "string",
    "bytes": "bytes",
}

# Scalars carried as text: a trailing comment says which text.
TEXT_FORMATS = {
    "uuid": "uuid",
    "decimal": "decimal, e.g. \"12.50\"",
    "date": "date, ISO 8601 (YYYY-MM-DD)",
}

MAP_KEY_TYPES = {"string": "string", "int": "int64"}


@dataclass(frozen=True)
class ProtoField:
    label: str  # "", "optional " or "repeated "
    type: str
    name: str
    number: int
    comment: str


@dataclass(frozen=True)
class ProtoEnumValue:
    name: str
    number: int
    comment: str


@dataclass(frozen=True)
class ProtoRpc:
    name: str
    request: str
    response: str
    client_streaming: bool
    server_streaming: bool
    comment: str


class ProtoError(ValueError):
    """The spec cannot be expressed in proto3 as it stands (a gap the resolver should have caught)."""


def proto_type(ref: TypeRef) -> str:
    """The proto3 type of a field's type, without a label (lists and maps are handled by the caller)."""
    if ref.kind == "scalar":
        return SCALAR_TYPES[ref.name]
    if ref.kind == "ref":
        return ref.name
    if ref.kind == "map":
        return f"map<{MAP_KEY_TYPES[ref.args[0].name]}, {proto_type(ref.item)}>"
    raise ProtoError(f"type {ref} has no proto3 form here")


def has_presence(ref: TypeRef, system: System) -> bool:
    """Message-typed fields (records, Timestamp) track presence without the `optional` label."""
    return (ref.kind == "ref" and ref.name not in _enum_names(system)) or (
        ref.kind == "scalar" and ref.name == "datetime")


def proto_field(field: MessageField, number: int, system: System) -> ProtoField:
    ref = field.type
    if ref.kind == "list":
        label, type_ = "repeated ", proto_type(ref.item)
        shown = ref.item
    else:
        label = "optional " if field.optional and not has_presence(ref, system) else ""
        type_ = proto_type(ref)
        shown = ref.item if ref.kind == "map" else ref
    comment = TEXT_FORMATS.get(shown.name, "") if shown.kind == "scalar" else ""
    if field.optional and has_presence(ref, system):
        comment = "optional" + (f"; {comment}" if comment else "")
    return ProtoField(label, type_, field.name, number, comment)


def uses_timestamp(message: Message) -> bool:
    return any(_mentions(f.type, "datetime") for f in message.fields)


def _mentions(ref: TypeRef, scalar: str) -> bool:
    return (ref.kind == "scalar" and ref.name == scalar) or any(_mentions(a, scalar) for a in ref.args)


def _enum_names(system: System) -> Collection[str]:
    return system.enums_by_name.keys()


def enum_values(enum: EnumType) -> list[ProtoEnumValue]:
    zero = naming.enum_zero_value(enum)
    values = [ProtoEnumValue(zero, 0, "no value: absent where optional, rejected where required")]
    values += [ProtoEnumValue(naming.enum_value(enum, v), i, "") for i, v in enumerate(enum.values, start=1)]
    return values


def json_name(field: str) -> str:
    """protoc's JSON name of a field: order_id -> orderId, line_1 -> line1."""
    out, upper = "", False
    for char in field:
        if char == "_":
            upper = True
        else:
            out += char.upper() if upper else char
            upper = False
    return out


def check_names(service: Service, system: System) -> None:
    """Raise ProtoError for what protoc would reject with a less helpful message (gaps the resolver leaves open):
    enum values are siblings of their enum in the package scope, so every value name must be unique there
    (a spec value `unspecified` would collide with the zero value); proto3 forbids fields whose JSON names
    clash (line_1 and line1); and no message may take the service's name."""
    where = f"service '{service.name}' (proto package {service.proto_package})"
    seen: dict[str, str] = {}
    for enum in _service_enums(service, system):
        seen.setdefault(naming.enum_zero_value(enum), f"the zero value of {enum.name}")
        for value in enum.values:
            proto_name = naming.enum_value(enum, value)
            if proto_name in seen:
                raise ProtoError(f"{where}: value '{value}' of enum {enum.name} becomes {proto_name} in proto3, "
                                 f"which is already {seen[proto_name]}; rename the value")
            seen[proto_name] = f"value '{value}' of enum {enum.name}"
    for message in _service_records(service, system):
        names: dict[str, str] = {}
        for field in message.fields:
            other = names.setdefault(json_name(field.name), field.name)
            if other != field.name:
                raise ProtoError(f"{where}: fields {other} and {field.name} of {message.name} have the same "
                                 f"protobuf JSON name {json_name(field.name)}; rename one")
    if service.proto_service in service.messages:
        raise ProtoError(f"{where}: message {service.proto_service} has the name of the gRPC service; rename it")


def _service_records(service: Service, system: System) -> list[Message]:
    records = system.messages_by_name
    return [records[n] for n in service.messages if n in records]  # spec order, as in system.messages


def _service_enums(service: Service, system: System) -> list[EnumType]:
    enums = system.enums_by_name
    return [enums[n] for n in service.messages if n in enums]


def rpc(method: GrpcMethod) -> ProtoRpc:
    return ProtoRpc(method.name, method.request, method.response, method.client_streaming,
                    method.server_streaming, method.summary)


def render_proto(service: Service, system: System) -> bytes:
    check_names(service, system)
    records = _service_records(service, system)
    enums = _service_enums(service, system)
    by_name = {m.name: m for m in records} | {e.name: e for e in enums}
    definitions = []
    for name in service.messages:  # spec order, records and enums interleaved as declared
        item = by_name[name]
        if isinstance(item, Message):
            fields = [proto_field(f, i, system) for i, f in enumerate(item.fields, start=1)]
            definitions.append({"kind": "message", "name": item.name, "description": item.description,
                                "fields": fields})
        else:
            definitions.append({"kind": "enum", "name": item.name, "description": item.description,
                                "enum_values": enum_values(item)})
    return render(
        "service.proto.jinja",
        header=system.header("//"),
        package=service.proto_package,
        imports=[TIMESTAMP_IMPORT] if any(uses_timestamp(m) for m in records) else [],
        service_name=service.proto_service,
        service_description=service.description,
        rpcs=[rpc(m) for m in service.grpc_methods],
        definitions=definitions,
    )
