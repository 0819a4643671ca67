"""The type language mapped onto Python annotations for the generated pydantic models."""

from __future__ import annotations

from collections.abc import Mapping

from rosec.spec.types import TypeRef

SCALAR_ANNOTATIONS = {
    "string": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "uuid": "UUID",
    "decimal": "Decimal",
    "datetime": "AwareDatetime",
    "date": "date",
    "bytes": "bytes",
}

# What a generated module must import for each scalar annotation.
SCALAR_IMPORTS = {
    "UUID": "from uuid import UUID",
    "Decimal": "from decimal import Decimal",
    "AwareDatetime": "from pydantic import AwareDatetime",
    "date": "from datetime import date",
}


def annotation(ref: TypeRef, scalars: Mapping[str, str] | None = None) -> str:
    """list[OrderLine] -> list[OrderLine]; optional[uuid] -> UUID | None; map[string, int] -> dict[str, int]

    `scalars` overrides the annotation of some scalars (not of map keys, which JSON always writes as strings).
    """
    if ref.kind == "scalar":
        return (scalars or {}).get(ref.name) or SCALAR_ANNOTATIONS[ref.name]
    if ref.kind == "ref":
        return ref.name
    if ref.kind == "list":
        return f"list[{annotation(ref.item, scalars)}]"
    if ref.kind == "map":
        return f"dict[{annotation(ref.args[0])}, {annotation(ref.args[1], scalars)}]"
    return f"{annotation(ref.item, scalars)} | None"


def scalar_imports(refs: list[TypeRef]) -> list[str]:
    """The import lines the annotations of these types need, sorted."""
    needed: set[str] = set()
    for ref in refs:
        needed |= _scalars(ref)
    return sorted(SCALAR_IMPORTS[a] for a in needed if a in SCALAR_IMPORTS)


def _scalars(ref: TypeRef) -> set[str]:
    if ref.kind == "scalar":
        return {SCALAR_ANNOTATIONS[ref.name]}
    return {a for arg in ref.args for a in _scalars(arg)}
