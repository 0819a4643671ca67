"""The field type language: scalars, message/enum references, list, map, optional."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

SCALARS = ("string", "int", "float", "bool", "uuid", "decimal", "datetime", "date", "bytes")
MAP_KEY_SCALARS = ("string", "int")
_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\[|\]|,)")


class TypeSyntaxError(ValueError):
    """A malformed type expression; str() says what is wrong, hint how to write it instead."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


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

    def references(self) -> tuple[str, ...]:
        """The names of the messages and enums the type refers to, in order."""
        return self._references

    @cached_property  # checks, the model and the targets ask the same parsed types again and again
    def _references(self) -> tuple[str, ...]:
        if self.kind == "ref":
            return (self.name,)
        return tuple(name for arg in self.args for name in arg.references())

    def __str__(self) -> str:
        if self.kind in ("scalar", "ref"):
            return self.name
        return f"{self.kind}[{', '.join(str(a) for a in self.args)}]"


_ARITY = {"list": 1, "optional": 1, "map": 2}
_EXAMPLES = {"list": "list[Order]", "optional": "optional[string]", "map": "map[string, int]"}


@cache  # checks, the model and the targets parse the same texts again and again; TypeRef is immutable
def parse_type(text: str) -> TypeRef:
    tokens = _tokenize(text)
    parsed, rest = _parse(tokens)
    if rest:
        raise TypeSyntaxError(f"unexpected '{rest[0]}' after {parsed}")
    return parsed


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match:
            raise TypeSyntaxError(f"unexpected character '{stripped[position:].strip()[0]}'")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _parse(tokens: list[str]) -> tuple[TypeRef, list[str]]:
    if not tokens or tokens[0] in "[],":
        found = f"'{tokens[0]}'" if tokens else "the end"
        raise TypeSyntaxError(f"expected a type name, found {found}")
    head, rest = tokens[0], tokens[1:]
    if head not in _ARITY:
        if rest and rest[0] == "[":
            raise TypeSyntaxError(f"'{head}' takes no type arguments", "only list, map and optional take [...]")
        return TypeRef("scalar" if head in SCALARS else "ref", name=head), rest
    if not rest or rest[0] != "[":
        raise TypeSyntaxError(f"'{head}' needs type arguments", f"write e.g. {_EXAMPLES[head]}")
    args, rest = _arguments(head, rest[1:])
    return _checked(TypeRef(head, args=tuple(args))), rest


def _arguments(head: str, tokens: list[str]) -> tuple[list[TypeRef], list[str]]:
    args: list[TypeRef] = []
    rest = tokens
    while True:
        if not rest or rest[0] in "],":
            raise TypeSyntaxError(f"'{head}[...]' needs a type inside the brackets", f"write e.g. {_EXAMPLES[head]}")
        arg, rest = _parse(rest)
        args.append(arg)
        if rest and rest[0] == ",":
            rest = rest[1:]
        elif rest and rest[0] == "]":
            break
        else:
            raise TypeSyntaxError(f"missing ']' after the arguments of '{head}'", f"write e.g. {_EXAMPLES[head]}")
    if len(args) != _ARITY[head]:
        raise TypeSyntaxError(f"'{head}' takes {_ARITY[head]} type argument(s), got {len(args)}",
                              f"write e.g. {_EXAMPLES[head]}")
    return args, rest[1:]


def _checked(ref: TypeRef) -> TypeRef:
    if ref.kind == "map" and (ref.args[0].kind != "scalar" or ref.args[0].name not in MAP_KEY_SCALARS):
        raise TypeSyntaxError(f"map keys must be string or int, got '{ref.args[0]}'",
                              f"use map[string, {ref.item}] and convert the key to text")
    if ref.kind == "optional" and ref.item.kind == "optional":
        raise TypeSyntaxError("optional[optional[...]] is redundant", f"write {ref.item}")
    if ref.kind == "optional" and ref.item.kind in ("list", "map"):
        raise TypeSyntaxError(f"optional[{ref.item.kind}[...]] is not allowed",
                              f"write {ref.item}: an empty {ref.item.kind} means absent")
    if ref.kind in ("list", "map") and ref.item.kind == "optional":
        raise TypeSyntaxError(f"{ref.kind} items cannot be optional (protobuf has no null items)",
                              f"write {ref.kind}[{ref.item.item}]" if ref.kind == "list" else
                              f"write map[{ref.args[0]}, {ref.item.item}]")
    if ref.kind in ("list", "map") and ref.item.kind in ("list", "map"):
        raise TypeSyntaxError(f"a {ref.kind} of {ref.item.kind}s cannot map onto protobuf",
                              "wrap the inner one in a message, e.g. `Row: {fields: {cells: list[int]}}`")
    return ref
