"""The jinja2 environment of the gRPC target: templates in rosec/resources/templates/grpc/."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment

from rosec.emit.templates import code_environment
from rosec.targets.services.templating import py_str, py_value, rendered


def one_line(value: str) -> str:
    """Free text from the spec (descriptions, summaries) as one line, safe inside a // or # comment."""
    return re.sub(r"\s+", " ", value).strip()


def py_tuple(values: tuple[str, ...] | list[str]) -> str:
    """A tuple literal of strings: () / ("admin",) / ("admin", "customer")."""
    return py_value(tuple(values))


def docstring_text(value: str) -> str:
    """Spec text on one line, safe inside a triple-quoted docstring."""
    return one_line(value).replace("\\", "\\\\").replace('"', '\\"')


@cache
def environment() -> Environment:
    filters = {"one_line": one_line, "py": py_str, "py_tuple": py_tuple, "doc": docstring_text}
    return code_environment("templates/grpc", filters)


def render(template: str, **context: Any) -> bytes:
    return rendered(template, environment().get_template(template).render(**context))
