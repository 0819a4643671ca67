"""Validate loaded data against the pydantic language models, errors located in the file."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from rosec.diagnostics import Diagnostic, SpecError, did_you_mean
from rosec.spec.loader import LoadedSpec, PathKey
from rosec.spec.models import RoseSpec


def validate(loaded: LoadedSpec) -> RoseSpec:
    try:
        return RoseSpec.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecError([_diagnostic(loaded, error) for error in exc.errors()]) from None


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Drop the parts of a pydantic loc that are union tags, not keys in the data."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node and not path_is_tag(part):
            path.append(part)
            node = None
            continue
        else:
            continue
        path.append(part)
    return tuple(path)


def path_is_tag(part: str) -> bool:
    return part in ("record", "enum")


def _diagnostic(loaded: LoadedSpec, error: dict[str, Any]) -> Diagnostic:
    loc = tuple(error["loc"])
    at_key = bool(loc) and loc[-1] == "[key]"
    path = _data_path(loaded.data, loc[:-1] if at_key else loc)
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(error["loc"][:-1])
        return loaded.diagnostic(path, f"unknown field '{path[-1]}'", did_you_mean(str(path[-1]), allowed), at_key=True)
    if kind == "missing":
        parent, name = path[:-1], path[-1]
        return loaded.diagnostic(parent, f"missing required field '{name}'", f"add `{name}:` here")
    message = _message(kind, error["msg"], value, error.get("ctx") or {})
    if at_key:
        message = f"invalid name {value!r}"
    return loaded.diagnostic(path, message, _hint(kind, value, path), at_key=at_key)


def _message(kind: str, msg: str, value: Any, ctx: dict[str, Any]) -> str:
    if kind == "string_pattern_mismatch":
        return f"invalid value {value!r}"
    if kind == "literal_error":
        return f"{msg}, got {value!r}"
    if kind == "enum":
        return f"invalid value {value!r}; {msg[0].lower()}{msg[1:]}"
    if kind in ("string_type", "int_type", "float_type", "bool_type", "dict_type", "list_type", "model_type",
                "int_parsing", "float_parsing", "bool_parsing"):
        return f"{msg[0].lower()}{msg[1:]}, got {_describe(value)}"
    return f"{msg[0].lower()}{msg[1:]}"


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {value!r}"


_PATTERN_HINTS = {
    "services": "service names are lowercase DNS labels of at most 30 characters: letters, digits and '-'",
    "datastores": "datastore names are lowercase DNS labels: letters, digits and '-'",
    "environments": "environment names are lowercase DNS labels: letters, digits and '-'",
    "messages": "message names are PascalCase: a capital letter, then letters and digits",
    "events": "event names are dot-separated lowercase words, e.g. order.created",
    "enum": "enum values are snake_case: lowercase letters, digits and '_'",
    "params": "parameter names are snake_case: lowercase letters, digits and '_'",
    "query": "parameter names are snake_case: lowercase letters, digits and '_'",
    "fields": "field names are snake_case: lowercase letters, digits and '_'",
    "roles": "role names are lowercase: letters, digits, '-' and '_'",
    "calls": "a service name: lowercase DNS label",
    "uses": "a datastore name: lowercase DNS label",
    "publishes": "an event name, e.g. order.created",
    "consumes": "an event name, e.g. order.created",
    "path": "paths start with '/' and use {param} segments, e.g. /orders/{id}",
    "rate_limit": "write COUNT/UNIT with UNIT one of second, minute, hour, day, e.g. 100/minute",
    "cpu": "a Kubernetes CPU quantity such as 250m, 0.5 or 2",
    "memory": "a Kubernetes memory quantity such as 256Mi or 1Gi",
    "domain": "a lowercase DNS name such as shop.example.com",
    "region": "an AWS region such as eu-west-1",
    "config": "configuration keys are UPPER_SNAKE_CASE environment variable names",
    "secrets": "secret names are UPPER_SNAKE_CASE environment variable names",
    "name": "names are lowercase DNS labels: letters, digits and '-'",
    "version": 'a version number such as "16" or "16.4"',
}


def _hint(kind: str, value: Any, path: PathKey) -> str:
    if kind in ("string_pattern_mismatch", "string_too_long"):
        rule = next((_PATTERN_HINTS[p] for p in reversed(path[:-1] if path and path[-1] == value else path)
                     if isinstance(p, str) and p in _PATTERN_HINTS), "")
        suggestion = _suggest_name(value, rule)
        return f"{rule}; did you mean '{suggestion}'?" if suggestion else rule
    if kind == "string_type" and isinstance(value, (int, float)):
        return f'quote it: "{value}"'
    if kind == "literal_error" and path == ("rose",):
        return "this rosec understands language version 1: `rose: 1`"
    return ""


def _suggest_name(value: Any, rule: str) -> str:
    if not isinstance(value, str) or "DNS label" not in rule:
        return ""
    suggestion = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", value.lower())).strip("-")
    return suggestion if suggestion and suggestion != value and suggestion[0].isalpha() else ""


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model that sits at loc, for did-you-mean hints."""
    annotation: Any = RoseSpec
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _as_model(annotation)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: Any) -> Any:
    if part in ("record", "enum"):
        return _unwrap(annotation, part)
    annotation = _unwrap(annotation, part)
    model = _as_model(annotation)
    if model is not None:
        field = model.model_fields.get(part)
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    if origin in (dict, list):
        return typing.get_args(annotation)[-1]
    return None


def _unwrap(annotation: Any, part: Any = None) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            members = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
            tagged = [m for m in members if _as_model(m) and _tag_of(m) == part]
            with_field = [m for m in members if _as_model(m) and part in _as_model(m).model_fields]
            annotation = (tagged or with_field or members)[0]
        else:
            return annotation


def _tag_of(model: Any) -> str:
    return {"RecordSpec": "record", "EnumSpec": "enum"}.get(getattr(model, "__name__", ""), "")


def _as_model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
