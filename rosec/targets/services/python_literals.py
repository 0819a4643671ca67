"""String literals of generated Python as `ruff format` writes them."""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring  # type: ignore[attr-defined]


def py_str(value: str) -> str:
    """A Python string literal for any text from the spec, quoted as `ruff format` quotes it: double quotes, unless
    the text holds more double than single quotes."""
    literal = encode_basestring(value) if type(value) is str else json.dumps(value, ensure_ascii=False)
    if '"' in value and value.count('"') > value.count("'"):
        return "'" + _ESCAPE.sub(_single_quoted, literal[1:-1]) + "'"
    return literal  # encode_basestring: what json.dumps(value, ensure_ascii=False) returns, without its overhead


_ESCAPE = re.compile(r"\\.|'")


def _single_quoted(match: re.Match[str]) -> str:
    """An escape of a JSON string body as it reads between single quotes."""
    return {'\\"': '"', "'": "\\'"}.get(match.group(0), match.group(0))


def literal_measure(text: str) -> tuple[int, int, int]:
    """What py_str_length adds up for a piece of text: its length escaped between double quotes, and how many
    double and single quotes it holds."""
    return len(encode_basestring(text)) - 2, text.count('"'), text.count("'")


def py_str_length(escaped: int, doubles: int, singles: int) -> int:
    """len(py_str(text)), from the sums of literal_measure over the pieces of text (every escape stands for one
    character, so the sums add up): between single quotes, a double quote needs no escape and a single one does."""
    return 2 + escaped + (singles - doubles if doubles > singles else 0)
