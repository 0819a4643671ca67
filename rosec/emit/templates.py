"""The one way rosec renders code-like text with jinja2 (DESIGN.md: StrictUndefined, templates as package data)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from rosec.emit.template_cache import UserBytecodeCache

_DICT_ATTRIBUTES = frozenset(dir(dict))
# The options that shape the code jinja2 compiles a template into (part of the bytecode cache's key).
_CODE_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "autoescape": False,  # code, not HTML: values are identifiers checked by the resolver or pass a filter
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


class CodeEnvironment(Environment):
    """jinja2's Environment, with `x.name` on a plain dict looked up as the key first when dicts have no attribute
    of that name: jinja2 tries the attribute first, and the AttributeError it raises and catches for every such
    lookup cost 0.2 s of rendering the services of 1000 services. The result is jinja2's: the rest is its
    Environment.getattr (3.1), written out here because calling it costs a frame per lookup (600,000 of them)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def code_environment(directory: str, filters: Mapping[str, Callable[..., Any]]) -> Environment:
    """An environment over rosec/resources/<directory>; spec values reach the output only through `filters`."""
    env = CodeEnvironment(
        loader=PackageLoader("rosec.resources", directory),
        bytecode_cache=UserBytecodeCache(_CODE_OPTIONS),  # compiled once per machine (rosec.emit.template_cache)
        auto_reload=False,  # templates are package data: no stat() per get_template
        **_CODE_OPTIONS,
    )
    env.filters.update(filters)
    return env
