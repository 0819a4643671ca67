"""The jinja2 environment of the gRPC target: templates in rosec/resources/templates/grpc/."""

from __future__ import annotations

import json
import re
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from jinja2 import Environment

from rosec.emit.serialize import text
from rosec.emit.templates import code_environment


def one_line(value: str) -> str:
    """Free text from the spec (descriptions, summaries) as one line, safe inside a // or # comment."""
    return re.sub(r"\s+", " ", value).strip()


def py_string(value: str) -> str:
    """A double-quoted Python string literal; spec text reaches generated Python only through this filter."""
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns, without its overhead
    return json.dumps(value, ensure_ascii=False)


def py_tuple(values: tuple[str, ...] | list[str]) -> str:
    """A tuple literal of strings: () / ("admin",) / ("admin", "customer")."""
    items = [py_string(v) for v in values]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def docstring_text(value: str) -> str:
    """Spec text on one line, safe inside a triple-quoted docstring."""
    return one_line(value).replace("\\", "\\\\").replace('"', '\\"')


def def_line(indent: str, name: str, params: list[str], returns: str, *, is_async: bool = True,
             width: int = 120) -> str:
    """A def line, wrapped after the parenthesis when it is longer than `width`."""
    keyword = "async def" if is_async else "def"
    line = f"{indent}{keyword} {name}({', '.join(params)}) -> {returns}:"
    if len(line) <= width:
        return line
    inner = indent + "    "  # one parameter per line and a trailing comma: the layout `ruff format` keeps
    return f"{indent}{keyword} {name}(\n" + "".join(f"{inner}{p},\n" for p in params) + f"{indent}) -> {returns}:"


@cache
def environment() -> Environment:
    filters = {"one_line": one_line, "py": py_string, "py_tuple": py_tuple, "doc": docstring_text}
    return code_environment("templates/grpc", filters)


def render(template: str, **context: Any) -> bytes:
    return text(environment().get_template(template).render(**context))
