"""Validate loaded data against the pydantic language models, errors located in the file; the invalid parts
are left out (rosec.spec.prune), so that the semantic checks can run over the rest."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from rosec.diagnostics import Diagnostic, did_you_mean, format_path
from rosec.spec.credential_checks import check_credentials
from rosec.spec.loader import LoadedSpec, PathKey
from rosec.spec.locations import DataLoc, allowed_fields, data_loc, drop_point
from rosec.spec.models import RoseSpec
from rosec.spec.name_hints import name_hint
from rosec.spec.prune import EMPTIED_STAND_INS, Pruned

_EXPECTED = {
    "string_type": "a string", "int_type": "an integer", "int_parsing": "an integer",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "list_type": "a list",
}
_UNION_LABELS = {"str": "a string", "int": "a number", "float": "a number", "bool": "a boolean"}
_LIMITS = {"greater_than_equal": ("ge", "at least", "raise it to {} or more"),
           "less_than_equal": ("le", "at most", "lower it to {} or less"),
           "greater_than": ("gt", "more than", "raise it above {}"),
           "less_than": ("lt", "less than", "lower it below {}")}
_TYPE_HINTS = {"int_type": "write a whole number, e.g. 8", "int_parsing": "write a whole number, e.g. 8",
               "int_from_float": "write a whole number, e.g. 8", "float_type": "write a number, e.g. 99.9",
               "float_parsing": "write a number, e.g. 99.9", "bool_type": "write true or false",
               "bool_parsing": "write true or false"}
_TYPED_MAPS = ("fields", "params", "query")  # maps whose values are type expressions
_SINGULAR = {"services": "service", "environments": "environment", "fields": "field", "enum": "value"}
_MISSING_EXAMPLES = {
    "rose": "rose: 1", "system": "system: {name: shop, domain: shop.example.com}",
    "environments": "environments: {dev: {hosting: compose}}", "hosting": "hosting: compose",
    "services": "services: {orders: {rest: [...]}}", "realm": "realm: shop", "engine": "engine: postgres",
    "method": "method: GET", "path": "path: /orders", "domain": "domain: shop.example.com",
    "name": "name: ...", "message": "message: Order", "availability": "availability: 99.9",
}


# Each round leaves out more; a spec needs a round per level of nesting at most (an endpoint, then its list).
MAX_ROUNDS = 16


@dataclass
class Validation:
    """The typed spec of everything that is valid, the loading and schema errors, and what was left out."""

    spec: RoseSpec
    errors: list[Diagnostic]
    pruned: Pruned


def validate_parts(loaded: LoadedSpec) -> Validation:
    """Validate the spec; when parts of it are invalid, report them and validate the rest without them.

    The errors are those of loading, of the schema, and credentials in the spec (rosec.spec.credential_checks);
    where a credential and a schema error point at the same token, the credential's error says what matters.
    """
    credentials = check_credentials(loaded)
    try:
        return Validation(RoseSpec.model_validate(loaded.data), [*loaded.errors, *credentials], Pruned())
    except ValidationError as exc:
        errors = exc.errors()
    at_credentials = {(d.line, d.column) for d in credentials}
    shape = [d for d in _diagnostics(loaded, errors) if (d.line, d.column) not in at_credentials]
    diagnostics = [*loaded.errors, *shape, *credentials]
    pruned = Pruned()
    for _ in range(MAX_ROUNDS):
        pruned.dropped |= {_drop_point(error, pruned) for error in errors}
        if () in pruned.dropped:
            break
        try:
            spec = RoseSpec.model_validate(pruned.apply(loaded.data))
        except ValidationError as exc:
            errors = exc.errors()
            continue
        emptied = {key: {} for key in EMPTIED_STAND_INS if (key,) in pruned.dropped}
        return Validation(spec.model_copy(update=emptied), diagnostics, pruned)
    # Not expected (every error lies in some top-level section), but never a traceback: nothing is checked further.
    everything = Pruned({(key,) for key in RoseSpec.model_fields})
    return Validation(RoseSpec.model_validate(everything.apply({})).model_copy(
        update={key: {} for key in EMPTIED_STAND_INS}), diagnostics, everything)


def _drop_point(error: Any, pruned: Pruned) -> PathKey:
    at_key = bool(error["loc"]) and error["loc"][-1] == "[key]"
    loc = data_loc(tuple(error["loc"][:-1] if at_key else error["loc"]))
    point = drop_point(loc, missing=error["type"] == "missing")
    return pruned.original(point)


def _diagnostics(loaded: LoadedSpec, errors: list[Any]) -> list[Diagnostic]:
    """One diagnostic per located problem; the branches of a plain union are merged into one."""
    found: list[Diagnostic] = []
    union_branches: dict[PathKey, list[tuple[str, Any]]] = {}
    misspelled = _misspelled_fields(errors)
    for error in errors:
        at_key = bool(error["loc"]) and error["loc"][-1] == "[key]"
        loc = data_loc(tuple(error["loc"][:-1] if at_key else error["loc"]))
        if loaded.is_broken(loc.path):
            continue
        if error["type"] == "missing" and loc.path in misspelled:
            continue
        if loc.union_label:
            union_branches.setdefault(loc.path, []).append((loc.union_label, error.get("input")))
            continue
        found.append(_diagnostic(loaded, error, loc, at_key))
    for path, branches in union_branches.items():
        found.append(_union_diagnostic(loaded, path, [label for label, _ in branches], branches[0][1]))
    return found


def _union_diagnostic(loaded: LoadedSpec, path: PathKey, labels: list[str], value: Any) -> Diagnostic:
    expected = list(dict.fromkeys(_UNION_LABELS.get(label, label) for label in labels))
    text = ", ".join(expected[:-1]) + f" or {expected[-1]}" if len(expected) > 1 else expected[0]
    hint = 'join the items into one string, e.g. "a,b"' if isinstance(value, list) else \
        _quote_hint(value) or "write a single value: text, a number or a boolean"
    if value is None:
        hint = "give it a value after the colon, or remove the key"
    return loaded.diagnostic(path, f"expected {text}, got {_describe(value)}", hint)


def _misspelled_fields(errors: list[Any]) -> set[PathKey]:
    """Paths of required fields that are missing only because an unknown field nearby misspells them."""
    found = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            close = difflib.get_close_matches(str(loc[-1]), allowed_fields(loc[:-1]), n=1, cutoff=0.6)
            if close:
                found.add((*data_loc(loc[:-1]).path, close[0]))
    return found


def _diagnostic(loaded: LoadedSpec, error: Any, loc: DataLoc, at_key: bool) -> Diagnostic:
    path, kind, value = loc.path, error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_field(loaded, error, path)
    if kind == "missing":
        return _missing(loaded, path)
    if at_key or kind in ("string_pattern_mismatch", "string_too_long", "string_too_short"):
        message, hint = name_hint(kind, value, path, ctx, at_key)
        return loaded.diagnostic(path, message, hint, at_key=at_key)
    if kind == "literal_error" and path == ("rose",):
        message = "the version must be the number 1, not text" if value == "1" else \
            f"unsupported language version {value!r}"
        return loaded.diagnostic(path, message, "this rosec understands version 1: write `rose: 1`")
    if kind in _LIMITS:
        key, words, hint = _LIMITS[kind]
        return loaded.diagnostic(path, f"must be {words} {ctx.get(key)}, got {_describe(value)}",
                                 hint.format(ctx.get(key)))
    if kind == "too_short":
        what = _SINGULAR.get(str(path[-1]) if path else "", "entry")
        return loaded.diagnostic(path, "must not be empty", f"declare at least one {what}")
    if kind == "enum":
        expected = ctx.get("expected", "")
        if value is None:
            return loaded.diagnostic(path, f"expected {expected}, got nothing (null)",
                                     "write one of them after the colon")
        return loaded.diagnostic(path, f"invalid value {value!r}: expected {expected}",
                                 did_you_mean(str(value), _quoted_words(expected), close_only=True) or
                                 "write one of the values listed, exactly as shown")
    if kind in _EXPECTED:
        return loaded.diagnostic(path, f"expected {_EXPECTED[kind]}, got {_describe(value)}",
                                 _type_hint(kind, value, path, loc))
    return loaded.diagnostic(path, _lower_first(error["msg"]) + _got(kind, value),
                             "`rosec schema` prints what every field accepts")


def _unknown_field(loaded: LoadedSpec, error: Any, path: PathKey) -> Diagnostic:
    name = str(path[-1])
    allowed = allowed_fields(tuple(error["loc"][:-1]))
    hint = did_you_mean(name, allowed)
    if (name == "fields" and "enum" in allowed) or (name == "enum" and "fields" in allowed):
        hint = "a message has either `fields:` (a record) or `enum:` (an enum), not both"
    return loaded.diagnostic(path, f"unknown field '{name}'", hint, at_key=True)


def _missing(loaded: LoadedSpec, path: PathKey) -> Diagnostic:
    parent, name = path[:-1], str(path[-1])
    where = f"to {format_path(parent)}" if parent else "at the top level"
    line, col = loaded.positions.of_key(parent)
    if parent[:1] == ("messages",) and len(parent) == 2 and name == "fields":
        return Diagnostic(loaded.file, line, col, format_path(parent), "a message needs `fields:` (a record) or "
                          "`enum:` (an enum)", f"add e.g. `fields: {{id: uuid}}` or `enum: [a, b]` {where}")
    example = _MISSING_EXAMPLES.get(name, f"{name}: ...")
    return Diagnostic(loaded.file, line, col, format_path(path), f"missing required field '{name}'",
                      f"add `{example}` {where}")


def _got(kind: str, value: Any) -> str:
    return f", got {_describe(value)}" if kind == "literal_error" else ""


def _type_hint(kind: str, value: Any, path: PathKey, loc: DataLoc) -> str:
    leaf = str(path[-1]) if path and isinstance(path[-1], str) else ""
    if value is None and kind in ("model_type", "dict_type", "list_type"):
        return "add entries under it, or remove the key"
    if value is None:
        return "give it a value after the colon, or remove the key"
    if kind == "string_type" and isinstance(value, list) and len(path) > 1 and path[-2] in _TYPED_MAPS:
        item = value[0] if len(value) == 1 and isinstance(value[0], str) else "T"
        return f'a type is written as text: "list[{item}]"'
    if kind == "string_type":
        return _quote_hint(value) or "write plain text here; quote it if it contains ': '"
    if kind in _TYPE_HINTS:
        return _TYPE_HINTS[kind]
    scalar = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "list_type":
        return f"write a list: `{leaf}: [{value if scalar else '...'}]`" if leaf else "write a list: [...]"
    model = loc.annotation if isinstance(loc.annotation, type) and issubclass(loc.annotation, BaseModel) else None
    required = [n for n, f in model.model_fields.items() if f.is_required()] if model else []
    inner = ", ".join(f"{n}: ..." for n in required) or "..."
    return f"write a mapping: `{leaf}: {{{inner}}}`" if leaf else f"write a mapping: {{{inner}}}"


def _quote_hint(value: Any) -> str:
    if isinstance(value, (bool, int, float, datetime.date)):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f'quote it: "{shown}"'
    return ""


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return f"the text {value!r}"
    return str(value)


def _quoted_words(text: str) -> list[str]:
    return text.split("'")[1::2]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
