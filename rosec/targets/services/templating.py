"""jinja2 for generated Python and Dockerfiles: StrictUndefined, filters that escape spec values, imports."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from jinja2 import Environment

from rosec.emit.serialize import text
from rosec.emit.templates import code_environment

TEMPLATES = "templates/services"
LINE_WIDTH = 116


def py_str(value: str) -> str:
    """A Python string literal (double quotes) for any text from the spec."""
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns, without its overhead
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=4096)  # the same descriptions come back in the modules of every service
def py_doc(value: str, indent: int | None = None, first: int = 3) -> str:
    """Text safe inside a triple-quoted docstring.

    With `indent` (the docstring's indentation), lines are wrapped at LINE_WIDTH; `first` is the number of
    columns already taken on the docstring's first line (the opening quotes, or more).
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if indent is None:
        return escaped
    lines: list[str] = []
    for i, paragraph in enumerate(escaped.split("\n")):
        if not paragraph.strip():
            lines.append("")
            continue
        taken = " " * (first if i == 0 else 0)
        wrapped = textwrap.wrap(paragraph, LINE_WIDTH - indent, initial_indent=taken, break_long_words=False,
                                break_on_hyphens=False)
        lines += [wrapped[0][len(taken):], *wrapped[1:]]
    return ("\n" + " " * indent).join(lines)


def py_value(value: Any) -> str:
    """A Python literal for str, int, bool, None, and tuples/lists of them (tuples stay tuples)."""
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, tuple):
        inner = ", ".join(py_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(py_value(v) for v in value) + "]"
    if value is None or isinstance(value, bool | int):
        return repr(value)
    raise TypeError(f"no Python literal for {value!r}")


@cache
def environment() -> Environment:
    return code_environment(TEMPLATES, {"py": py_value, "doc": py_doc})


def render(template: str, **context: Any) -> bytes:
    return text(environment().get_template(template).render(**context))


@dataclass
class Imports:
    """Import statements of a generated module, grouped like isort: stdlib, third party, generated root, local."""

    modules: set[str] = field(default_factory=set)  # `import x`
    names: dict[str, set[str]] = field(default_factory=dict)  # `from x import a, b`

    def add(self, module: str, *names: str) -> Imports:
        if names:
            self.names.setdefault(module, set()).update(names)
        else:
            self.modules.add(module)
        return self

    def add_lines(self, lines: Iterable[str]) -> Imports:
        """Lines of the form `from x import a` (as python_types.scalar_imports returns them)."""
        for line in lines:
            _, module, _, name = line.split(" ", 3)
            self.add(module, *(n.strip() for n in name.split(",")))
        return self

    def render(self, generated_roots: Iterable[str] = ()) -> str:
        """generated_roots: the top-level packages of the generated code (System.package_names, a frozenset
        that is used as it is: the modules of every service are rendered with it)."""
        roots = generated_roots if isinstance(generated_roots, frozenset) else frozenset(generated_roots)
        sections: list[list[str]] = [[], [], [], []]
        key = lambda m: (m.lstrip(".").lower(), m)  # noqa: E731
        for module in sorted(self.modules, key=key):
            sections[_section(module, roots)].append(f"import {module}")
        for module in sorted(self.names, key=key):
            names = ", ".join(sorted(self.names[module], key=_name_key))
            sections[_section(module, roots)].append(f"from {module} import {names}")
        return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _name_key(name: str) -> tuple[int, str]:
    """isort's order: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _section(module: str, roots: frozenset[str]) -> int:
    top = module.split(".")[0]
    if module.startswith("."):
        return 3
    if top in roots or top == "rose_runtime":
        return 2
    if top in sys.stdlib_module_names:
        return 0
    return 1
