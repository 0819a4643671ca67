"""The field type language: scalars, message/enum references, list, map, optional."""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALARS = ("string", "int", "float", "bool", "uuid", "decimal", "datetime", "date", "bytes")
MAP_KEY_SCALARS = ("string", "int")
_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\[|\]|,)")


class TypeSyntaxError(ValueError):
    """A malformed type expression."""


@dataclass(frozen=True)
class TypeRef:
    """A parsed type expression.

    kind is one of: scalar, ref (message or enum), list, map, optional.
    """

    kind: str
    name: str = ""
    args: tuple[TypeRef, ...] = ()

    @property
    def item(self) -> TypeRef:
        return self.args[-1]

    def references(self) -> list[str]:
        if self.kind == "ref":
            return [self.name]
        return [name for arg in self.args for name in arg.references()]

    def __str__(self) -> str:
        if self.kind in ("scalar", "ref"):
            return self.name
        return f"{self.kind}[{', '.join(str(a) for a in self.args)}]"


_ARITY = {"list": 1, "optional": 1, "map": 2}


def parse_type(text: str) -> TypeRef:
    tokens = _tokenize(text)
    parsed, rest = _parse(tokens, text)
    if rest:
        raise TypeSyntaxError(f"unexpected '{rest[0]}' in type '{text}'")
    return parsed


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match:
            raise TypeSyntaxError(f"unexpected character '{stripped[position:].strip()[0]}' in type '{text}'")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _parse(tokens: list[str], text: str) -> tuple[TypeRef, list[str]]:
    if not tokens or tokens[0] in "[],":
        raise TypeSyntaxError(f"expected a type name in '{text}'")
    head, rest = tokens[0], tokens[1:]
    if head in _ARITY:
        if not rest or rest[0] != "[":
            raise TypeSyntaxError(f"'{head}' needs type arguments, e.g. {head}[string] in '{text}'")
        args: list[TypeRef] = []
        rest = rest[1:]
        while True:
            arg, rest = _parse(rest, text)
            args.append(arg)
            if rest and rest[0] == ",":
                rest = rest[1:]
                continue
            if rest and rest[0] == "]":
                rest = rest[1:]
                break
            raise TypeSyntaxError(f"missing ']' in type '{text}'")
        if len(args) != _ARITY[head]:
            raise TypeSyntaxError(f"'{head}' takes {_ARITY[head]} type argument(s), got {len(args)} in '{text}'")
        return _checked(TypeRef(head, args=tuple(args)), text), rest
    if rest and rest[0] == "[":
        raise TypeSyntaxError(f"'{head}' takes no type arguments in '{text}'")
    return TypeRef("scalar" if head in SCALARS else "ref", name=head), rest


def _checked(ref: TypeRef, text: str) -> TypeRef:
    if ref.kind == "map" and (ref.args[0].kind != "scalar" or ref.args[0].name not in MAP_KEY_SCALARS):
        raise TypeSyntaxError(f"map keys must be string or int, got '{ref.args[0]}' in '{text}'")
    if ref.kind == "optional" and ref.item.kind == "optional":
        raise TypeSyntaxError(f"optional[optional[...]] is redundant in '{text}'")
    if ref.kind == "optional" and ref.item.kind in ("list", "map"):
        raise TypeSyntaxError(f"optional[{ref.item.kind}[...]] is not allowed; an empty {ref.item.kind} means absent in '{text}'")
    if ref.kind in ("list", "map") and ref.item.kind == "optional":
        raise TypeSyntaxError(f"{ref.kind} items cannot be optional (protobuf has no null items) in '{text}'")
    if ref.kind in ("list", "map") and ref.item.kind in ("list", "map"):
        raise TypeSyntaxError(
            f"{ref.kind} of {ref.item.kind} cannot map onto protobuf; wrap the inner one in a message in '{text}'")
    return ref
