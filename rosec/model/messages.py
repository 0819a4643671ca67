"""Messages and enums of the model: the types of bodies, RPCs and events, with the names derived from their
wire names (JSON keys and enum values as the spec writes them): the Python and protobuf names, once, here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rosec.model import naming
from rosec.spec.models import EnumSpec, RecordSpec, RoseSpec
from rosec.spec.types import TypeRef, parse_type

# Attributes of pydantic's BaseModel (of the version the generated services pin) that a generated model field
# must not shadow: such a field gets a trailing '_' (json -> json_, alias "json"). Written out rather than read
# from the installed pydantic, so that the output does not depend on it; tests/test_wire_names.py checks the list.
# "fields" was an attribute of older pydantic versions; "mro" comes from BaseModel's metaclass (type).
PYDANTIC_RESERVED = frozenset({
    "construct", "copy", "dict", "fields", "from_orm", "json", "mro", "parse_file", "parse_obj", "parse_raw",
    "schema", "schema_json", "update_forward_refs", "validate",
})
# Every other attribute starts with this prefix, which pydantic protects: such a field is prefixed instead.
PYDANTIC_PROTECTED_PREFIX = "model_"
# Member names that Python's Enum refuses.
ENUM_RESERVED = frozenset({"mro"})
FIELD_DIGIT_PREFIX = "field"  # 1st -> field_1st, as datamodel-code-generator names such fields
ENUM_DIGIT_PREFIX = "value"


@dataclass(frozen=True)
class MessageField:
    """A field of a record. `wire_name` is the JSON key (OpenAPI, AsyncAPI, every JSON body); the pydantic
    attribute is `python_name` (with alias `wire_name` when they differ); protobuf's field is `proto_name`,
    with `proto_json_name` as its json_name option where protoc's default JSON name is not the wire name."""

    wire_name: str
    python_name: str
    proto_name: str
    proto_json_name: str | None
    type: TypeRef
    optional: bool

    @property
    def alias(self) -> str | None:
        """The pydantic alias: the wire name where it is not the Python name."""
        return None if self.wire_name == self.python_name else self.wire_name


@dataclass(frozen=True)
class Message:
    name: str
    fields: tuple[MessageField, ...]
    description: str


@dataclass(frozen=True)
class EnumMember:
    """A value of an enum: `wire_name` in JSON, `python_name` as the member of the generated Enum, `proto_name`
    as the protobuf enum value (prefixed with the enum's name, as buf lint wants)."""

    wire_name: str
    python_name: str
    proto_name: str


@dataclass(frozen=True)
class EnumType:
    name: str
    members: tuple[EnumMember, ...]
    description: str
    proto_zero: str  # ORDER_STATUS_UNSPECIFIED: the generated zero value, "no value"

    @property
    def values(self) -> tuple[str, ...]:
        """The wire values, in order."""
        return tuple(m.wire_name for m in self.members)


def build_messages(spec: RoseSpec) -> tuple[Message, ...]:
    return tuple(_message(n, m) for n, m in spec.messages.items() if isinstance(m, RecordSpec))


def build_enums(spec: RoseSpec) -> tuple[EnumType, ...]:
    return tuple(build_enum(n, m) for n, m in spec.messages.items() if isinstance(m, EnumSpec))


def build_enum(name: str, spec: EnumSpec) -> EnumType:
    prefix = upper_snake(name)
    return EnumType(name, tuple(enum_member(prefix, value) for value in spec.enum), spec.description,
                    f"{prefix}_UNSPECIFIED")


def enum_member(prefix: str, wire_name: str) -> EnumMember:
    """IN_PROGRESS of OrderStatus -> in_progress, ORDER_STATUS_IN_PROGRESS; class -> class_, ..._CLASS"""
    identifier = naming.wire_identifier(wire_name, ENUM_DIGIT_PREFIX)
    return EnumMember(wire_name, naming.python_name(identifier, ENUM_RESERVED),
                      f"{prefix}_{'_'.join(naming.wire_words(wire_name)).upper()}")


def message_field(wire_name: str, ref: TypeRef, optional: bool) -> MessageField:
    return MessageField(wire_name, *_field_names(wire_name), ref, optional)


@lru_cache(maxsize=1 << 14)  # the same field names recur in message after message
def _field_names(wire_name: str) -> tuple[str, str, str | None]:
    """The Python attribute, the protobuf field and its json_name option (None: protoc's default is right)."""
    identifier = naming.wire_identifier(wire_name, FIELD_DIGIT_PREFIX)
    python = (f"{FIELD_DIGIT_PREFIX}_{identifier}" if identifier.startswith(PYDANTIC_PROTECTED_PREFIX)
              else naming.python_name(identifier, PYDANTIC_RESERVED))
    json_name = None if proto_json_name(identifier) == wire_name else wire_name
    return python, identifier, json_name


def _message(name: str, spec: RecordSpec) -> Message:
    fields = []
    for wire_name, text in spec.fields.items():
        ref = parse_type(text)
        optional = ref.kind == "optional"
        fields.append(message_field(wire_name, ref.item if optional else ref, optional))
    return Message(name, tuple(fields), spec.description)


def proto_json_name(proto_name: str) -> str:
    """protoc's default JSON name of a field: order_id -> orderId, line_1 -> line1 (ToJsonName in protoc)."""
    out, upper = "", False
    for char in proto_name:
        if char == "_":
            upper = True
        else:
            out += char.upper() if upper else char
            upper = False
    return out


def upper_snake(name: str) -> str:
    """OrderStatus -> ORDER_STATUS, HTTPStatus -> HTTP_STATUS: the enum value prefix `buf lint` expects.

    A transcription of buf's stringutil.ToUpperSnakeCase (rule ENUM_VALUE_PREFIX): an upper-case
    letter starts a new word after a lower-case letter, or before one (the last capital of an acronym).
    """
    out = ""
    for i, char in enumerate(name):
        if i == 0:
            out += char
            continue
        following = name[i + 1] if i + 1 < len(name) else ""
        starts_word = char.isupper() and out[-1] != "_" and (
            (following != "" and not following.isupper() and not following.isdigit() and following != "_")
            or name[i - 1].islower()
        )
        out += f"_{char}" if starts_word else char
    return out.upper()
