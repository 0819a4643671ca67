"""The type language mapped onto JSON Schema, shared by the OpenAPI and AsyncAPI documents.

The schemas describe the JSON that the generated pydantic models accept and produce
(strict models, extra fields forbidden, decimals as strings, bytes as base64).
"""

from __future__ import annotations

from typing import Any

from rosec.model.messages import EnumType, Message
from rosec.model.system import System
from rosec.spec.types import TypeRef

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
INT_KEY_PATTERN = r"^-?[0-9]+$"

SCALAR_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int": {"type": "integer", "format": "int64"},
    "float": {"type": "number", "format": "double"},
    "bool": {"type": "boolean"},
    "uuid": {"type": "string", "format": "uuid"},
    "decimal": {"type": "string", "pattern": DECIMAL_PATTERN},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
}


def type_schema(ref: TypeRef, ref_prefix: str) -> dict[str, Any]:
    """JSON Schema of one type; message and enum references become $ref to ref_prefix + name."""
    if ref.kind == "scalar":
        return dict(SCALAR_SCHEMAS[ref.name])
    if ref.kind == "ref":
        return {"$ref": f"{ref_prefix}{ref.name}"}
    if ref.kind == "list":
        return {"type": "array", "items": type_schema(ref.item, ref_prefix)}
    if ref.kind == "map":
        schema: dict[str, Any] = {"type": "object", "additionalProperties": type_schema(ref.args[1], ref_prefix)}
        if ref.args[0].name == "int":
            schema["propertyNames"] = {"pattern": INT_KEY_PATTERN}
        return schema
    return {"anyOf": [type_schema(ref.item, ref_prefix), {"type": "null"}]}


def message_schema(message: Message, ref_prefix: str) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "title": message.name,
        "properties": {f.wire_name: _field_schema(f.type, f.optional, ref_prefix) for f in message.fields},
        "required": [f.wire_name for f in message.fields if not f.optional],
        "additionalProperties": False,
    }
    if message.description:
        schema["description"] = message.description
    return schema


def _field_schema(ref: TypeRef, optional: bool, ref_prefix: str) -> dict[str, Any]:
    schema = type_schema(ref, ref_prefix)
    return {"anyOf": [schema, {"type": "null"}]} if optional else schema


def enum_schema(enum: EnumType) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "title": enum.name, "enum": list(enum.values)}
    if enum.description:
        schema["description"] = enum.description
    return schema


def component_schemas(system: System, names: tuple[str, ...], ref_prefix: str) -> dict[str, dict[str, Any]]:
    """Schemas of the named records and enums, in the given order."""
    records = system.messages_by_name
    enums = system.enums_by_name
    return {name: message_schema(records[name], ref_prefix) if name in records else enum_schema(enums[name])
            for name in names}
