"""jinja2 for generated Python and Dockerfiles: StrictUndefined, filters that escape spec values, imports."""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment

from rosec.emit.serialize import text
from rosec.emit.templates import code_environment
from rosec.targets.services.python_layout import LINE_LENGTH, lay_out, lay_out_code_line
from rosec.targets.services.python_literals import py_str as py_str  # re-exported: the filter the modules share

TEMPLATES = "templates/services"
LINE_WIDTH = 116
_WRAP_REPLACES = re.compile(r"[\t\v\f\r]")  # whitespace that textwrap turns into spaces (and \n, not in a paragraph)


@lru_cache(maxsize=4096)  # the same descriptions come back in the modules of every service
def py_doc(value: str, indent: int | None = None, first: int = 3) -> str:
    """Text safe inside a triple-quoted docstring, without the whitespace around it (which `ruff format` strips).

    With `indent` (the docstring's indentation), lines are wrapped at LINE_WIDTH; `first` is the number of
    columns already taken on the docstring's first line (the opening quotes, or more).
    """
    escaped = value.strip().replace("\\", "\\\\").replace('"', '\\"')
    if indent is None:
        return escaped
    lines: list[str] = []
    for i, paragraph in enumerate(escaped.split("\n")):
        if not paragraph.strip():
            lines.append("")
            continue
        taken = " " * (first if i == 0 else 0)
        wrapped = _wrap(paragraph, LINE_WIDTH - indent, taken)
        lines += [wrapped[0][len(taken):], *wrapped[1:]]
    return "\n".join(lines[:1] + [" " * indent + line if line else "" for line in lines[1:]])


def _wrap(paragraph: str, width: int, taken: str) -> list[str]:
    """textwrap.wrap of a paragraph (no line break in it) after `taken`, without splitting words. Most paragraphs
    fit on their line as they are, which textwrap finds out only after cutting them into words."""
    if len(taken) + len(paragraph) <= width and paragraph == paragraph.strip() and not _WRAP_REPLACES.search(paragraph):
        return [taken + paragraph]
    return textwrap.wrap(paragraph, width, initial_indent=taken, break_long_words=False, break_on_hyphens=False)


def laid_out(code: str, indent: int) -> str:
    """A statement that the template writes at `indent` (the template writes that first indentation), laid out
    as `lay_out` would lay it out (python_layout.lay_out_code_line)."""
    return lay_out_code_line(" " * indent + code)[indent:]


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
    return python_environment(TEMPLATES)


def python_environment(directory: str) -> Environment:
    """The environment of templates that write Python: escaping filters, and the layout helpers as globals."""
    env = code_environment(directory, {"py": py_value, "doc": py_doc, "laid_out": laid_out})
    env.globals.update(bracketed=bracketed, dunder_all=dunder_all)
    return env


def render(template: str, **context: Any) -> bytes:
    return rendered(template, environment().get_template(template).render(**context))


def rendered(template: str, content: str) -> bytes:
    """The bytes of a rendered template; Python (`*.py.jinja`) with its long lines laid out (python_layout)."""
    return text(lay_out(content) if template.endswith(".py.jinja") else content)


def bracketed(opening: str, items: Iterable[str], closing: str, indent: int = 0) -> str:
    """`opening` + items + `closing` on one line when it fits in LINE_LENGTH, else one item per line with a
    trailing comma: the two layouts `ruff format` keeps as they are (a trailing comma keeps a list exploded)."""
    items = list(items)
    line = f"{opening}{', '.join(items)}{closing}"
    if indent + len(line) <= LINE_LENGTH or not items:
        return line
    inner = " " * (indent + 4)
    return opening + "".join(f"\n{inner}{item}," for item in items) + "\n" + " " * indent + closing


@lru_cache(maxsize=1 << 14)  # sort keys of the same names, module after module
def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order (v2 before v10), as ruff's isort and RUF022 sort."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


@cache
def member_key(name: str) -> tuple[object, ...]:
    """ruff isort's order of imported names, and RUF022's of __all__: CONSTANTS, Classes, then the rest."""
    bare = name.split(" as ")[0]
    kind = 0 if len(bare) > 1 and bare.isupper() else 1 if bare[:1].isupper() else 2
    return kind, natural(bare.lower()), natural(bare)


def dunder_all(names: Iterable[str]) -> str:
    """`__all__ = [...]` sorted as RUF022 wants it."""
    return bracketed("__all__ = [", [py_str(n) for n in sorted(names, key=member_key)], "]")


@dataclass
class Imports:
    """Import statements of a generated module, as ruff's isort (default settings) orders them: standard library,
    third party (which includes rose_runtime and the other services: ruff finds them nowhere in `src`), then the
    module's own package (first party for ruff: the package the file is in), then relative imports."""

    modules: set[str] = field(default_factory=set)  # `import x`
    names: dict[str, set[str]] = field(default_factory=dict)  # `from x import a, b` (and `a as b`)

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

    def render(self, own_package: str = "") -> str:
        sections: list[list[tuple[Any, str]]] = [[], [], [], []]
        for module in self.modules:
            sections[_section(module, own_package)].append(_import_statement(module))
        for module, names in self.names.items():
            sections[_section(module, own_package)] += _from_statements(module, frozenset(names))
        return "\n\n".join("\n".join(line for _, line in sorted(lines)) for lines in sections if lines)


# The same imports recur in every service's modules: each statement is laid out and given its sort key once.
@lru_cache(maxsize=1 << 12)
def _import_statement(module: str) -> tuple[Any, str]:
    return (0, _module_key(module)), f"import {module}"


@lru_cache(maxsize=1 << 12)
def _from_statements(module: str, names: frozenset[str]) -> tuple[tuple[Any, str], ...]:
    """`from module import ...` of the names (a name `a as b` in a statement of its own), with their sort keys."""
    plain = sorted((n for n in names if " as " not in n), key=member_key)
    statements = [plain] if plain else []
    statements += [[n] for n in sorted((n for n in names if " as " in n), key=member_key)]
    found = []
    for members in statements:
        key = (1, _module_key(module), member_key(members[0]))
        line = bracketed(f"from {module} import ", members, "")
        if "\n" in line:
            line = bracketed(f"from {module} import (", members, ")")
        found.append((key, line))
    return tuple(found)


def _module_key(module: str) -> tuple[object, ...]:
    return natural(module.lower()), natural(module)


def _section(module: str, own_package: str) -> int:
    top = module.split(".")[0]
    if module.startswith("."):
        return 3
    if top == own_package:
        return 2
    if top in sys.stdlib_module_names:
        return 0
    return 1
