"""Messages and enums of the model: the types of bodies, RPCs and events."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.spec.models import EnumSpec, RecordSpec, RoseSpec
from rosec.spec.types import TypeRef, parse_type


@dataclass(frozen=True)
class MessageField:
    name: str
    type: TypeRef
    optional: bool


@dataclass(frozen=True)
class Message:
    name: str
    fields: tuple[MessageField, ...]
    description: str


@dataclass(frozen=True)
class EnumType:
    name: str
    values: tuple[str, ...]
    description: str


def build_messages(spec: RoseSpec) -> tuple[Message, ...]:
    return tuple(_message(n, m) for n, m in spec.messages.items() if isinstance(m, RecordSpec))


def build_enums(spec: RoseSpec) -> tuple[EnumType, ...]:
    return tuple(EnumType(n, tuple(m.enum), m.description) for n, m in spec.messages.items()
                 if isinstance(m, EnumSpec))


def _message(name: str, spec: RecordSpec) -> Message:
    fields = []
    for field_name, text in spec.fields.items():
        ref = parse_type(text)
        optional = ref.kind == "optional"
        fields.append(MessageField(field_name, ref.item if optional else ref, optional))
    return Message(name, tuple(fields), spec.description)
