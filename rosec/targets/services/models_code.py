"""models.py of a service: pydantic models of the records and enums it uses, strict, with pinned JSON forms."""

from __future__ import annotations

import re
from typing import Any

from rosec.model.messages import Message
from rosec.model.services import Service
from rosec.model.system import System
from rosec.spec.types import TypeRef
from rosec.targets.services import python_types
from rosec.targets.services.json_schema import DECIMAL_PATTERN
from rosec.targets.services.templating import Imports, render

MODEL_BASES = ("BaseModel", "ConfigDict")
# Scalars whose JSON form the models pin down beyond pydantic's strict mode (see models.py.jinja), by alias.
JSON_ALIASES = {"int": "JsonInt", "decimal": "JsonDecimal", "bytes": "JsonBytes"}
_ALIAS_WORD = re.compile(rf"\b(?:{'|'.join(JSON_ALIASES.values())})\b")
# Names a class body could shadow with a field of the same name (scalar and container annotations).
_SHADOWABLE = frozenset({*python_types.SCALAR_ANNOTATIONS.values(), "list", "dict"})


def models_module(system: System, service: Service) -> bytes:
    records = system.messages_by_name
    enums = system.enums_by_name
    items: list[dict[str, Any]] = []
    aliases: set[str] = set()
    refs: list[TypeRef] = []
    for name in service.messages:
        if name in enums:
            enum = enums[name]
            items.append({"kind": "enum", "name": name, "doc": enum.description or f"The {name} enum.",
                          "members": [(m.python_name, m.wire_name) for m in enum.members]})
            continue
        message = records[name]
        fields = _record_fields(message)
        aliases |= {alias for f in fields for alias in f["aliases"]}
        refs += [f.type for f in message.fields]
        items.append({"kind": "record", "name": name, "doc": message.description or f"The {name} message.",
                      "fields": fields})
    imports = Imports().add_lines(python_types.scalar_imports(refs))
    if any(i["kind"] == "record" for i in items):
        imports.add("pydantic", *MODEL_BASES)
    if any(f["alias"] for i in items if i["kind"] == "record" for f in i["fields"]):
        imports.add("pydantic", "Field")
    if enums.keys() & set(service.messages):
        imports.add("enum", "StrEnum")
    used = {alias for i in items if i["kind"] == "record" for f in i["fields"]
            for alias in _ALIAS_WORD.findall(f["annotation"])}
    if used:
        imports.add("typing", "Annotated")
    if used & {"JsonInt", "JsonDecimal"}:
        imports.add("pydantic", "BeforeValidator", "ValidationInfo")
    if "JsonInt" in used:
        imports.add("pydantic", "Field")
    if used & {"JsonDecimal", "JsonBytes"}:
        imports.add("pydantic", "PlainSerializer")
    if "JsonDecimal" in used:
        imports.add("re")
    if "JsonBytes" in used:
        imports.add("base64")
    record_names = [i["name"] for i in items if i["kind"] == "record"]
    return render("models.py.jinja", header=system.header(), service=service,
                  imports=imports.render(service.python_name),
                  names=list(service.messages), items=items, json_aliases=used, decimal_pattern=DECIMAL_PATTERN,
                  aliases=[(f"_{a}", a) for a in sorted(aliases)],
                  records=_tuple_text(record_names) if record_names else "")


def model_annotation(ref: TypeRef) -> str:
    """The annotation of a model field: python_types.annotation with the JSON aliases for int, decimal and bytes."""
    return python_types.annotation(ref, JSON_ALIASES)


def _record_fields(message: Message) -> list[dict[str, Any]]:
    """Fields with their annotations; a field named like a type it mentions makes the record use `_<type>`."""
    field_names = {f.python_name for f in message.fields}
    raw = [model_annotation(f.type) + (" | None" if f.optional else "") for f in message.fields]
    used = {token for text in raw for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}
    clashes = sorted(field_names & used & _SHADOWABLE)
    fields = []
    for f, annotation in zip(message.fields, raw, strict=True):
        for clash in clashes:
            annotation = re.sub(rf"\b{clash}\b", f"_{clash}", annotation)
        fields.append({"name": f.python_name, "alias": f.alias, "annotation": annotation, "optional": f.optional,
                       "aliases": clashes})
    return fields


def _tuple_text(names: list[str]) -> str:
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"
