"""Checks that keep every message and enum expressible in protobuf (the gRPC contract)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rosec.spec.models import EnumSpec, RecordSpec

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

# The generated zero value of every enum is <ENUM>_UNSPECIFIED.
RESERVED_ENUM_VALUES = frozenset({"unspecified"})


def json_name(field: str) -> str:
    """protoc's JSON name of a field: line_1 -> line1, unit_price -> unitPrice."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), field)


def check_proto_compatibility(checker: CheckContext) -> None:
    for name, message in checker.spec.messages.items():
        if isinstance(message, EnumSpec):
            for i, value in enumerate(message.enum):
                if value in RESERVED_ENUM_VALUES:
                    checker.error(("messages", name, "enum", i),
                                  f"enum value '{value}' is reserved: protobuf enums get a generated "
                                  f"{value.upper()} zero value", "rename the value, e.g. 'unknown'")
        elif isinstance(message, RecordSpec):
            seen: dict[str, str] = {}
            for field in message.fields:
                key = json_name(field).lower()
                if key in seen:
                    checker.error(("messages", name, "fields", field),
                                  f"field '{field}' clashes with '{seen[key]}' in protobuf's JSON names "
                                  f"(both become '{json_name(field)}')", "rename one of them", at_key=True)
                seen.setdefault(key, field)
