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
