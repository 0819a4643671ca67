"""The .proto file of one service: the type language mapped onto proto3.

string -> string, int -> int64, float -> double, bool -> bool, bytes -> bytes,
uuid / decimal / date -> string (canonical text, see convert.py), datetime -> google.protobuf.Timestamp,
list[T] -> repeated T, map[K, V] -> map<K, V>, optional[T] -> `optional T` for scalars and enums
(message fields have presence already). Field numbers follow declaration order from 1. Field names are the
model's proto_name, with json_name set to the wire name where protoc's default differs. Message and enum types
are referenced fully qualified (.orders.v1.Order), so that no RPC or other symbol of the service scope can
shadow them.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from rosec.model.messages import EnumType, Message, MessageField
from rosec.model.services import GrpcMethod, Service
from rosec.model.system import System
from rosec.spec.types import TypeRef
from rosec.targets.services.grpc.templates import render

TIMESTAMP = ".google.protobuf.Timestamp"
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
    json_name: str | None  # the json_name option, a proto string literal
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


def proto_type(ref: TypeRef, package: str) -> str:
    """The proto3 type of a field's type, without a label (lists and maps are handled by the caller)."""
    if ref.kind == "scalar":
        return SCALAR_TYPES[ref.name]
    if ref.kind == "ref":
        return qualified(ref.name, package)
    if ref.kind == "map":
        return f"map<{MAP_KEY_TYPES[ref.args[0].name]}, {proto_type(ref.item, package)}>"
    raise ProtoError(f"type {ref} has no proto3 form here")


def qualified(name: str, package: str) -> str:
    """Order in package orders.v1 -> .orders.v1.Order"""
    return f".{package}.{name}"


def has_presence(ref: TypeRef, system: System) -> bool:
    """Message-typed fields (records, Timestamp) track presence without the `optional` label."""
    return (ref.kind == "ref" and ref.name not in _enum_names(system)) or (
        ref.kind == "scalar" and ref.name == "datetime")


def proto_field(field: MessageField, number: int, system: System, package: str) -> ProtoField:
    ref = field.type
    if ref.kind == "list":
        label, type_ = "repeated ", proto_type(ref.item, package)
        shown = ref.item
    else:
        label = "optional " if field.optional and not has_presence(ref, system) else ""
        type_ = proto_type(ref, package)
        shown = ref.item if ref.kind == "map" else ref
    comment = TEXT_FORMATS.get(shown.name, "") if shown.kind == "scalar" else ""
    if field.optional and has_presence(ref, system):
        comment = "optional" + (f"; {comment}" if comment else "")
    json_name = None if field.proto_json_name is None else json.dumps(field.proto_json_name)
    return ProtoField(label, type_, field.proto_name, number, json_name, comment)


def uses_timestamp(message: Message) -> bool:
    return any(_mentions(f.type, "datetime") for f in message.fields)


def _mentions(ref: TypeRef, scalar: str) -> bool:
    return (ref.kind == "scalar" and ref.name == scalar) or any(_mentions(a, scalar) for a in ref.args)


def _enum_names(system: System) -> Collection[str]:
    return system.enums_by_name.keys()


def enum_values(enum: EnumType) -> list[ProtoEnumValue]:
    values = [ProtoEnumValue(enum.proto_zero, 0, "no value: absent where optional, rejected where required")]
    values += [ProtoEnumValue(m.proto_name, i, "") for i, m in enumerate(enum.members, start=1)]
    return values


def _service_records(service: Service, system: System) -> list[Message]:
    records = system.messages_by_name
    return [records[n] for n in service.messages if n in records]  # spec order, as in system.messages


def _service_enums(service: Service, system: System) -> list[EnumType]:
    enums = system.enums_by_name
    return [enums[n] for n in service.messages if n in enums]


def rpc(method: GrpcMethod, package: str) -> ProtoRpc:
    return ProtoRpc(method.name, qualified(method.request, package), qualified(method.response, package),
                    method.client_streaming, method.server_streaming, method.summary)


def render_proto(service: Service, system: System) -> bytes:
    records = _service_records(service, system)
    enums = _service_enums(service, system)
    by_name = {m.name: m for m in records} | {e.name: e for e in enums}
    definitions = []
    for name in service.messages:  # spec order, records and enums interleaved as declared
        item = by_name[name]
        if isinstance(item, Message):
            fields = [proto_field(f, i, system, service.proto_package) for i, f in enumerate(item.fields, start=1)]
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
        rpcs=[rpc(m, service.proto_package) for m in service.grpc_methods],
        definitions=definitions,
    )
