"""A small deterministic HCL writer: Terraform configuration built as data, written as `terraform fmt` writes it.

Values: str (a literal string, escaped: `${` and `%{` never start a template), int, float, bool, None (null),
list, dict (an object), `Raw` (an expression as written, e.g. a reference), `Template` (a string with
interpolated expressions). Bodies are lists of `(name, value)` attributes, `Block`s and `Comment`s.

Layout follows hclwrite's formatter, so that `terraform fmt` leaves the output unchanged (a test checks this):
two-space indentation; the `=` of consecutive one-line attributes aligned one column after the longest name; a
line that opens a multi-line value, a block, a comment or a blank line ends such a run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Union

INDENT = "  "
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')  # what quote() escapes: most strings have none of it


@dataclass(frozen=True)
class Raw:
    """An HCL expression written as it is: `module.network.vpc_id`, `var.tags`, `jsonencode(local.x)`."""

    text: str


@dataclass(frozen=True)
class Template:
    """A quoted string whose Raw parts are interpolated: Template(("https://", Raw("aws_lb.this.dns_name")))."""

    parts: tuple[str | Raw, ...]


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass
class Block:
    type: str
    labels: tuple[str, ...] = ()
    body: list[BodyItem] = field(default_factory=list)


BodyItem = Union[tuple[str, Any], Block, Comment]  # noqa: UP007 - a runtime alias: `|` would not accept tuple


@lru_cache(maxsize=1 << 14)  # a configuration repeats names, tags and references many times
def quote(text: str) -> str:
    """A literal HCL string: escapes, and `$${` / `%%{` so that nothing in it is a template."""
    escaped = ("".join(_ESCAPES.get(ch, ch if ch >= " " else f"\\u{ord(ch):04x}") for ch in text)
               if _NEEDS_ESCAPE.search(text) else text)
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def _template(value: Template) -> str:
    inner = "".join(quote(p)[1:-1] if isinstance(p, str) else "${" + p.text + "}" for p in value.parts)
    return f'"{inner}"'


def _key(name: str | Raw) -> str:
    """An attribute or object key: an identifier as it is, anything else quoted; a Raw key as written (e.g. the
    `aws.us_east_1` of a module's providers map)."""
    if isinstance(name, Raw):
        return name.text
    key = _KEYS.get(name)  # looked up inline: a configuration writes 200,000 keys, a few hundred different ones
    if key is None:
        if len(_KEYS) > _KEYS_LIMIT:
            _KEYS.clear()
        key = _KEYS[name] = name if _IDENTIFIER.match(name) else quote(name)
    return key


_KEYS: dict[str, str] = {}  # the keys written so far, as written
_KEYS_LIMIT = 1 << 16


def _inline(value: Any) -> str | None:
    """The value on one line, or None when it is written over several (non-empty objects, lists of objects)."""
    kind = type(value)
    if kind is str:  # the commonest first
        return quote(value)
    if kind is dict:  # a block's nested objects: before the checks for the other kinds
        return "{}" if not value else None
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Template):
        return _template(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, dict):
        return "{}" if not value else None
    if isinstance(value, list | tuple):
        items = [_inline(v) for v in value]
        if None in items:
            return None
        return "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    raise TypeError(f"no HCL form for {type(value).__name__}")


def _value_lines(value: Any, depth: int) -> list[str]:
    """A multi-line value: its opening bracket ends the current line, its closing one gets a line of its own."""
    pad = INDENT * depth
    if isinstance(value, dict):
        return ["{", *_body_lines(list(value.items()), depth + 1), f"{pad}}}"]
    lines = ["["]
    for item in value:
        one = _inline(item)
        if one is not None:
            lines.append(f"{pad}{INDENT}{one},")
        else:
            inner = _value_lines(item, depth + 1)
            lines += [f"{pad}{INDENT}{inner[0]}", *inner[1:-1], f"{inner[-1]},"]
    return [*lines, f"{pad}]"]


def _body_lines(items: Sequence[BodyItem], depth: int) -> list[str]:
    pad = INDENT * depth
    lines: list[str] = []
    run: list[tuple[str, str]] = []  # (name, value) of the one-line attributes being aligned, not written yet
    width = 0  # of the longest name in the run
    after_block = False
    for item in items:
        if isinstance(item, (Block, Comment)):
            if run:
                lines += [f"{pad}{name.ljust(width)} = {text}" for name, text in run]
                run, width = [], 0
            if isinstance(item, Block):
                if lines:
                    lines.append("")
                lines += _block_lines(item, depth)
                after_block = True
            else:
                lines.append(f"{pad}# {item.text}")
                after_block = False
            continue
        name, value = item
        if after_block:
            lines.append("")
            after_block = False
        one = _inline(value)
        key = _key(name)
        if one is not None:
            run.append((key, one))
            if len(key) > width:
                width = len(key)
            continue
        if run:
            lines += [f"{pad}{name.ljust(width)} = {text}" for name, text in run]
            run, width = [], 0
        inner = _value_lines(value, depth)
        lines += [f"{pad}{key} = {inner[0]}", *inner[1:]]
    if run:
        lines += [f"{pad}{name.ljust(width)} = {text}" for name, text in run]
    return lines


def _block_lines(block: Block, depth: int) -> list[str]:
    pad = INDENT * depth
    head = " ".join([block.type, *(quote(label) for label in block.labels)])
    if not block.body:
        return [f"{pad}{head} {{", f"{pad}}}"]
    return [f"{pad}{head} {{", *_body_lines(block.body, depth + 1), f"{pad}}}"]


def dumps(blocks: Sequence[Block | Comment], header: str = "") -> str:
    """A .tf file: `header` (comment lines), then the top-level blocks separated by blank lines."""
    parts = ["\n".join(_block_lines(b, 0)) if isinstance(b, Block) else f"# {b.text}" for b in blocks]
    return header + "\n\n".join(parts) + "\n"
