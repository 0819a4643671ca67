"""Serializers for structured output: data in, deterministic bytes out."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from rosec.emit import yaml_emitter

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; json writes the same bytes, only slower
    orjson = None

# How orjson writes a float below 1e-4 (1e-7, 0.00001), or text that looks like one: tiny_float_values keeps the
# values among the matches.
# Each pattern starts with its literal text, so that the regex engine scans for that text quickly.
_TINY_FLOATS = (re.compile(rb"e-(?<=[0-9]e-)"), re.compile(rb"0\.0000(?<![0-9.]0\.0000)"))
_NUMBER_BYTES = frozenset(b"0123456789.-")
NO_FOLDING = 2**31 - 1  # ruamel's width: it folds no scalar at any column

# Strings that a YAML 1.1 reader (Helm, PyYAML, older tools) would take for a bool, null or number.
_YAML11_AMBIGUOUS = yaml_emitter.YAML11_AMBIGUOUS


def _represent_str(representer: Any, value: str) -> Any:
    if "\n" in value:
        style: str | None = "|"
    elif value == "" or _YAML11_AMBIGUOUS.match(value):
        style = "'"
    else:
        style = None
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _ruamel_yaml() -> Any:
    """ruamel.yaml set up as rosec's YAML was before yaml_emitter: the fallback for data it does not cover."""
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    class _Representer(RoundTripRepresenter):
        """Plain dicts and lists, block style; multi-line strings as literal blocks; never anchors."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    _Representer.add_representer(str, _represent_str)
    _Representer.add_representer(dict, RoundTripRepresenter.represent_dict)
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.width = NO_FOLDING  # a long scalar stays on its line, as yaml_emitter writes it
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def to_yaml(data: Any, header: str = "") -> bytes:
    """YAML text in insertion order (callers build dicts in a deterministic order)."""
    try:
        body = yaml_emitter.dump(data)
    except yaml_emitter.UnsupportedError:
        stream = io.StringIO()
        _ruamel_yaml().dump(data, stream)
        body = stream.getvalue()
    return (header + body).encode("utf-8")


def to_yaml_documents(documents: list[Any], header: str = "") -> bytes:
    """A YAML stream of several documents, each after a `---` line."""
    return (header.encode("utf-8") + b"".join(b"---\n" + to_yaml(document) for document in documents))


def to_json(data: Any) -> bytes:
    """JSON with 2-space indent and sorted keys, as json.dumps(indent=2, sort_keys=True, ensure_ascii=False)
    writes it. orjson writes the same bytes many times faster, except for floats under 1e-4, which it writes
    as 0.00001 or 1e-7 where json writes 1e-05: those are rewritten in orjson's output (json's indented
    encoder is pure Python: the Grafana dashboards of 1000 services with an SLO of 99.999 % took 1.4 s more).
    What orjson cannot encode (keys other than str, ints beyond 64 bits) is written by json."""
    if orjson is not None:
        try:
            out = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        except TypeError:
            pass
        else:
            return _as_json_writes_floats(out, tiny_float_values(out)) + b"\n"
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def tiny_float_values(out: bytes) -> list[tuple[int, int]]:
    """(start, end) of every float below 1e-4 in orjson's indented output, in order: a match of _TINY_FLOATS whose
    run of number characters is a value. A number is always the rest of its line (with a comma, if more follows),
    after the indentation and, in an object, a key and `: ` (no line of the output is inside a string)."""
    found: set[tuple[int, int]] = set()
    for pattern in _TINY_FLOATS:
        for match in pattern.finditer(out):
            start, end = match.start(), match.end()
            while start and out[start - 1] in _NUMBER_BYTES:
                start -= 1
            while end < len(out) and out[end] in _FLOAT_BYTES:
                end += 1
            line_start = out.rfind(b"\n", 0, start) + 1
            line_end = out.find(b"\n", end)
            rest = out[end : line_end if line_end != -1 else len(out)]
            if rest in (b"", b",") and _LINE_HEAD.fullmatch(out, line_start, start):
                found.add((start, end))
    return sorted(found)


_FLOAT_BYTES = frozenset(b"0123456789.eE+-")
_LINE_HEAD = re.compile(rb' *(?:"(?:[^"\\]|\\.)*": )?')  # indentation, and a key (a whole JSON string) with `: `


def _as_json_writes_floats(out: bytes, spans: list[tuple[int, int]]) -> bytes:
    """out with the number at each span written as json writes a float (float.__repr__: 1e-05)."""
    if not spans:
        return out
    pieces: list[bytes] = []
    done = 0
    for start, end in spans:
        pieces += [out[done:start], repr(float(out[start:end])).encode("ascii")]
        done = end
    pieces.append(out[done:])
    return b"".join(pieces)


def text(content: str) -> bytes:
    """Normalize code-like text: LF line ends and exactly one final newline."""
    return (content.replace("\r\n", "\n").rstrip("\n") + "\n").encode("utf-8")
