"""A small, fast block-style YAML emitter for plain data: what rosec.emit.serialize.to_yaml writes.

It writes the output ruamel.yaml's round-trip emitter wrote for rosec (mapping indent 2, sequence indent 4
with offset 2: `  - item`, literal `|` blocks for multi-line strings, single quotes for strings that a
YAML 1.1 or 1.2 reader would take for something else, `{}` / `[]` when empty) at a fraction of the cost: the
style of every scalar is decided by the rules of ruamel's Emitter.analyze_scalar and choose_scalar_style,
reduced to what plain data needs. Where ruamel's output would not load back as the same string (other line
breaks than \\n, control characters), a double-quoted scalar with escapes is written instead.

Data it does not cover raises UnsupportedError, and to_yaml falls back to ruamel: types other than dict, list,
str, int, float, bool and None (subclasses included), keys other than str and int, and keys of 128 characters
or more (ruamel writes them as `? key`). A scalar is never folded, however long: ruamel is set up with no width
(rosec.emit.serialize), so that a long description in a large document costs no fallback to ruamel's emitter,
which took 24 s for the AsyncAPI document of 1000 services with one such description.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from rosec.spec.fast_yaml import STR_TAG, resolve_plain

MAX_SIMPLE_KEY = 128  # ruamel's MAX_SIMPLE_KEY_LENGTH: longer keys become `? key`
INDENT = "  "

# Strings that a YAML 1.1 reader (Helm, PyYAML, older tools) would take for a bool, null or number.
YAML11_AMBIGUOUS = re.compile(
    r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|"
    r"[-+]?[0-9_.,:]+([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+)$"
)
# Characters ruamel writes as they are (allow_unicode); \n is handled by the caller.
_PRINTABLE = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_ASCII_NOT_PRINTABLE_OR_LF = re.compile("[^\n\x20-\x7e]")  # the same for an ASCII string
_ESCAPES = {
    "\0": "0", "\x07": "a", "\x08": "b", "\x09": "t", "\x0a": "n", "\x0b": "v", "\x0c": "f", "\x0d": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}
# Most strings are plain at once: printable ASCII starting with a letter (so no indicator, number or date; of the
# bools and nulls of YAML 1.1 and 1.2, only words of up to five letters, which _style sends to the full analysis).
# _style checks the rest of what _plain_allowed checks; anything else is analysed.
_PLAIN_AT_ONCE = re.compile(r"[A-Za-z][ -~]*")
_LEADING_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")


# The classes of all of Unicode take 20 ms to compile, before anything else can run: compiled when first needed
# (most builds write ASCII only).
@cache
def _needs_escape() -> re.Pattern[str]:
    return re.compile(f"[^{_PRINTABLE}]|[\"\\\\]")


@cache
def _not_printable() -> re.Pattern[str]:
    return re.compile(f"[^{_PRINTABLE}]")


@cache
def _not_printable_or_lf() -> re.Pattern[str]:
    return re.compile(f"[^\n{_PRINTABLE}]")


# The YAML of every str key and one-line str value seen, looked up inline by _mapping and _sequence: a build
# writes a million scalars, most of them seen before, and a dict's get costs less than a call through lru_cache.
# Only keys and values of type str exactly are stored and used (True, 1 and 1.0 are equal as dict keys, and a
# str subclass such as an Enum member can equal a stored string).
_KEYS: dict[str, str] = {}
_STRINGS: dict[str, str] = {}
_CACHE_LIMIT = 1 << 18  # both are emptied when one grows past this (checked once per document)


def reset_caches() -> None:
    _KEYS.clear()
    _STRINGS.clear()


class UnsupportedError(Exception):
    """The data holds something this emitter leaves to ruamel.yaml."""


def dump(data: Any) -> str:
    """YAML text of a dict or list, in insertion order, ending with a newline."""
    if len(_STRINGS) > _CACHE_LIMIT or len(_KEYS) > _CACHE_LIMIT:
        reset_caches()
    lines: list[str] = []
    if type(data) is dict:
        if not data:
            return "{}\n"
        _mapping(data, 0, "", lines)
    elif type(data) is list:
        if not data:
            return "[]\n"
        _sequence(data, 0, "", lines)
    else:
        raise UnsupportedError(type(data).__name__)
    if _ends_open(data):
        lines.append("...")  # as ruamel: a document that ends in a `|+` block gets an explicit end
    lines.append("")
    return "\n".join(lines)


def _ends_open(data: Any) -> bool:
    """Whether the last scalar of the document is a literal block that keeps its final line breaks."""
    while type(data) in (dict, list) and data:
        data = next(reversed(data.values())) if type(data) is dict else data[-1]
    if type(data) is not str or "\n" not in data:
        return False
    literal = _literal(data)
    return literal is not None and literal[0].endswith("+")


def _mapping(data: dict[Any, Any], column: int, first: str, lines: list[str]) -> None:
    """Keys at `column`; the first line starts with `first` (as long as column: a parent's `- `)."""
    pad = " " * column
    prefix = first
    append = lines.append
    key_of = _KEYS.get
    string_of = _STRINGS.get
    for key, value in data.items():
        text = key_of(key)
        if text is None or type(key) is not str:
            text = _key(key)
        kind = type(value)
        if kind is str:
            scalar = string_of(value)
            if scalar is None:
                if "\n" in value:
                    _scalar_into(value, f"{prefix}{text}: ", column + 2, lines)
                    prefix = pad
                    continue
                scalar = _string(value)
            append(f"{prefix}{text}: {scalar}")
        elif kind is dict:
            if value:
                append(f"{prefix}{text}:")
                _mapping(value, column + 2, pad + INDENT, lines)
            else:
                append(f"{prefix}{text}: {{}}")
        elif kind is list:
            if value:
                append(f"{prefix}{text}:")
                _sequence(value, column, pad, lines)
            else:
                append(f"{prefix}{text}: []")
        else:
            _scalar_into(value, f"{prefix}{text}: ", column + 2, lines)
        prefix = pad


def _sequence(data: list[Any], column: int, first: str, lines: list[str]) -> None:
    """Dashes at column + 2, items at column + 4; the first line starts with `first` (as long as column)."""
    head = first + "  - "
    later = " " * column + "  - "
    string_of = _STRINGS.get
    for item in data:
        kind = type(item)
        if kind is str:
            scalar = string_of(item)
            if scalar is None:
                if "\n" in item:
                    _scalar_into(item, head, column + 4, lines)
                    head = later
                    continue
                scalar = _string(item)
            lines.append(head + scalar)
        elif kind is dict:
            if item:
                _mapping(item, column + 4, head, lines)
            else:
                lines.append(head + "{}")
        elif kind is list:
            if item:
                _sequence(item, column + 4, head, lines)
            else:
                lines.append(head + "[]")
        else:
            _scalar_into(item, head, column + 4, lines)
        head = later


def _scalar_into(value: Any, head: str, block_column: int, lines: list[str]) -> None:
    """Append `head` + the scalar; a literal block's lines are indented to block_column."""
    kind = type(value)
    if kind is str:
        if "\n" in value:
            literal = _literal(value)
            if literal is not None:
                hints, body = literal
                lines.append(head + hints)
                pad = " " * block_column
                lines.extend(pad + line if line else "" for line in body)
                return
            lines.append(head + _double_quoted(value))
            return
        lines.append(head + _string(value))
    elif value is None:
        lines.append(head + "null")
    elif kind is bool:
        lines.append(head + ("true" if value else "false"))
    elif kind is int:
        lines.append(head + str(value))
    elif kind is float:
        lines.append(head + _float(value))
    else:
        raise UnsupportedError(kind.__name__)


def _key(key: Any) -> str:
    kind = type(key)
    if kind is str:
        if len(key) >= MAX_SIMPLE_KEY or "\n" in key:
            raise UnsupportedError("long or multi-line key")
        text = _KEYS[key] = _string(key)  # in a simple key: as a value, since it is neither empty nor multi-line
        return text
    if kind is int:
        return str(key)
    raise UnsupportedError(f"{kind.__name__} key")


def _float(value: float) -> str:
    if value != value:
        return ".nan"
    if value == float("inf"):
        return ".inf"
    if value == float("-inf"):
        return "-.inf"
    return repr(value).lower()


def _string(value: str) -> str:
    """One line of YAML for a string without \\n, styled as ruamel would (remembered in _STRINGS)."""
    text = _STRINGS[value] = _style(value)
    return text


def _style(value: str) -> str:
    if (_PLAIN_AT_ONCE.fullmatch(value) and ": " not in value and " #" not in value and value[-1] not in " :"
            and not (len(value) <= 5 and value.isalpha())):
        return value  # the full analysis makes these plain too (a test holds the two together)
    return _analysed(value)


def _analysed(value: str) -> str:
    if value == "":
        return "''"
    # tabs, control characters, NEL/LS/PS, BOM: escapes are needed (for ASCII, str.isprintable says it at once)
    if not value.isprintable() if value.isascii() else _not_printable().search(value):
        return _double_quoted(value)
    if YAML11_AMBIGUOUS.match(value):
        return _single_quoted(value)
    if resolve_plain(value) == STR_TAG and _plain_allowed(value):
        return value
    return _double_quoted(value) if "'" in value else _single_quoted(value)


def _plain_allowed(value: str) -> bool:
    """ruamel's allow_block_plain for a non-empty, one-line string of printable characters."""
    if value[0] == " " or value[-1] == " " or value.startswith(("---", "...")):
        return False
    first = value[0]
    if first in _LEADING_INDICATORS:
        return False
    if first in "?:-" and (len(value) == 1 or value[1] == " "):
        return False
    return not (": " in value or value.endswith(":") or " #" in value)


def _single_quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _double_quoted(value: str) -> str:
    return '"' + _needs_escape().sub(_escape, value) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return "\\" + _ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _literal(value: str) -> tuple[str, list[str]] | None:
    """The `|` header and the lines of a literal block for a multi-line string, or None when only a
    double-quoted scalar keeps it exactly (characters that need escapes)."""
    if (_ASCII_NOT_PRINTABLE_OR_LF if value.isascii() else _not_printable_or_lf()).search(value):
        return None
    lines = value.split("\n")
    if value.endswith("\n"):
        lines.pop()
        chomp = "+" if value == "\n" or value.endswith("\n\n") else ""
    else:
        chomp = "-"
    hint = "2" if value[0] in " \n" else ""
    return f"|{hint}{chomp}", lines
