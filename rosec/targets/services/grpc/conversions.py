"""Python expressions converting between pydantic model values and protobuf message values.

Used to generate <svc>/convert.py. `to_pb` builds what a protobuf constructor accepts from a model
attribute; `from_pb` builds what the pydantic model accepts from a message attribute. Text-carried
scalars (uuid, decimal, date) and Timestamps go through small helpers of convert.py, which raise
ConversionError naming the field (`where`) when the wire value does not parse.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from rosec.model.messages import EnumType, Message, MessageField, upper_snake
from rosec.model.services import Service
from rosec.model.system import System
from rosec.spec.types import TypeRef
from rosec.targets.services.grpc import naming

# By scalar: (to_pb format, from_pb helper of the generated module); None means the value passes as is.
SCALAR_CONVERSIONS: dict[str, tuple[str | None, str | None]] = {
    "string": (None, None),
    "int": (None, None),
    "float": (None, None),
    "bool": (None, None),
    "bytes": (None, None),
    "uuid": ("str({})", "_uuid"),
    "decimal": ("_decimal_text({})", "_decimal"),
    "date": ("{}.isoformat()", "_date"),
    "datetime": ("_timestamp({})", "_datetime"),
}
# The helper groups of the generated module, by helper.
HELPER_KINDS = {"_required": "required", "_uuid": "uuid", "_decimal": "decimal", "_date": "date",
                "_datetime": "datetime"}
# Helpers whose from_pb form reports the field it failed on.
NEEDS_WHERE = frozenset({"_uuid", "_decimal", "_date"})


@dataclass(frozen=True)
class FieldConversion:
    pb_argument: str  # `name=<expression over model>` (or `**{"from": ...}` for a Python keyword) for pb.<Message>
    model_argument: str  # `python_name=<expression over message>` for models.<Message>


@dataclass(frozen=True)
class RecordConversion:
    name: str
    suffix: str  # to_pb_<suffix> / from_pb_<suffix>
    fields: tuple[FieldConversion, ...]


@dataclass(frozen=True)
class EnumConversion:
    name: str
    suffix: str
    constant: str  # _ORDER_STATUS: the value table's name
    zero: str  # ORDER_STATUS_UNSPECIFIED
    values: tuple[tuple[str, str], ...]  # (spec value, proto value name)


class Conversions:
    """The conversion code of one service; records which helpers the expressions use."""

    def __init__(self, service: Service, system: System) -> None:
        records, enums = system.messages_by_name, system.enums_by_name
        self.enum_names = enums.keys()
        self.records = [records[n] for n in service.messages if n in records]  # spec order, as in the system
        self.enums = [enums[n] for n in service.messages if n in enums]
        self.order = list(service.messages)
        self.helpers: set[str] = set()

    # -- per-type expressions ----------------------------------------------------------
    def to_pb(self, ref: TypeRef, expr: str) -> str | None:
        """Expression converting `expr` (a model value) for the protobuf constructor; None when it passes as is."""
        if ref.kind == "scalar":
            form, helper = SCALAR_CONVERSIONS[ref.name]
            if form is None:
                return None
            if helper is not None:
                self.helpers.add(helper)  # the kind's helpers are emitted together
            return form.format(expr)
        if ref.kind == "ref":
            return f"to_pb_{naming.function_suffix(ref.name)}({expr})"
        if ref.kind == "list":
            item = self.to_pb(ref.item, "item")
            return None if item is None else f"[{item} for item in {expr}]"
        if ref.kind == "map":
            value = self.to_pb(ref.item, "v")  # short names: the `for` clause fits a line with the longest field
            return None if value is None else f"{{k: {value} for k, v in {expr}.items()}}"
        raise ValueError(f"no conversion for {ref}")

    def from_pb(self, ref: TypeRef, expr: str, where: str) -> str | None:
        """Expression converting `expr` (a message value) for the pydantic model; None when it passes as is."""
        if ref.kind == "scalar":
            helper = SCALAR_CONVERSIONS[ref.name][1]
            if helper is None:
                return None
            self.helpers.add(helper)
            return f'{helper}({expr}, "{where}")' if helper in NEEDS_WHERE else f"{helper}({expr})"
        if ref.kind == "ref":
            suffix = naming.function_suffix(ref.name)
            if ref.name in self.enum_names:
                return f'from_pb_{suffix}({expr}, "{where}")'
            return f"from_pb_{suffix}({expr})"
        if ref.kind == "list":
            item = self.from_pb(ref.item, "item", f"{where}[]")
            return f"list({expr})" if item is None else f"[{item} for item in {expr}]"
        if ref.kind == "map":
            value = self.from_pb(ref.item, "v", f"{where}[]")
            return f"dict({expr})" if value is None else f"{{k: {value} for k, v in {expr}.items()}}"
        raise ValueError(f"no conversion for {ref}")

    # -- fields -------------------------------------------------------------------------
    def is_message_typed(self, ref: TypeRef) -> bool:
        return (ref.kind == "ref" and ref.name not in self.enum_names) or (
            ref.kind == "scalar" and ref.name == "datetime")

    def field(self, message: Message, field: MessageField) -> FieldConversion:
        ref, proto = field.type, field.proto_name
        where = f"{message.name}.{field.wire_name}"
        attribute = f"model.{field.python_name}"
        to_pb = self.to_pb(ref, attribute)
        if to_pb is None:
            to_pb = attribute  # None leaves an optional field unset
        elif field.optional:
            to_pb = f"None if {attribute} is None else {to_pb}"
        value = f'getattr(message, "{proto}")' if keyword.iskeyword(proto) else f"message.{proto}"
        if not field.optional and self.is_message_typed(ref):
            self.helpers.add("_required")
            from_pb = self.from_pb(ref, f'_required(message, "{proto}")', where)
        else:
            from_pb = self.from_pb(ref, value, where) or value
        if field.optional:
            if ref.kind == "ref" and ref.name in self.enum_names:
                from_pb = f"{from_pb} if {value} else None"  # absent and UNSPECIFIED both mean None
            else:
                from_pb = f'{from_pb} if message.HasField("{proto}") else None'
        pb_argument = f'**{{"{proto}": {to_pb}}}' if keyword.iskeyword(proto) else f"{proto}={to_pb}"
        return FieldConversion(pb_argument, f"{field.python_name}={from_pb}")

    def record(self, message: Message) -> RecordConversion:
        return RecordConversion(message.name, naming.function_suffix(message.name),
                                tuple(self.field(message, f) for f in message.fields))

    def enum(self, enum: EnumType) -> EnumConversion:
        return EnumConversion(enum.name, naming.function_suffix(enum.name), f"_{upper_snake(enum.name)}",
                              enum.proto_zero, tuple((m.wire_name, m.proto_name) for m in enum.members))

    @property
    def kinds(self) -> set[str]:
        """Helper groups the expressions built so far use: required, uuid, decimal, date, datetime."""
        return {HELPER_KINDS[h] for h in self.helpers}

    def definitions(self) -> list[RecordConversion | EnumConversion]:
        """Every record and enum of the service, in spec order."""
        by_name: dict[str, RecordConversion | EnumConversion] = {}
        for enum in self.enums:
            by_name[enum.name] = self.enum(enum)
        for record in self.records:
            by_name[record.name] = self.record(record)
        return [by_name[name] for name in self.order]
