"""The one way rosec renders code-like text with jinja2 (DESIGN.md: StrictUndefined, templates as package data)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def code_environment(directory: str, filters: Mapping[str, Callable[..., Any]]) -> Environment:
    """An environment over rosec/resources/<directory>; spec values reach the output only through `filters`."""
    env = Environment(
        loader=PackageLoader("rosec.resources", directory),
        undefined=StrictUndefined,
        autoescape=False,  # code, not HTML: values are identifiers checked by the resolver or pass a filter
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are package data: no stat() per get_template
    )
    env.filters.update(filters)
    return env
