"""rosec.emit.yaml_emitter: what to_yaml writes must read back as exactly the data, and look as ruamel wrote it.

Property tests over random nested data with nasty strings (YAML indicators, quotes, unicode, leading and
trailing spaces, YAML 1.1 and 1.2 look-alikes of bools, nulls, numbers and dates, multi-line text with
leading spaces and trailing newlines, control characters), bounded so that they run in a few seconds.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from rosec.emit import yaml_emitter
from rosec.emit.serialize import _ruamel_yaml, to_json, to_yaml

ATOMS = [
    "a", "b c", "x", "-", "--", "- x", "-x", "?", "? x", ":", ": ", "x:y", "x: y", "a:", "#", " #", "x #c", "a#b",
    "'", '"', "''", "\\", "&", "*", "!", "%", "@", "`", "|", ">", "[", "]", "{", "}", ",", "---", "...", "<<", "=",
    "true", "True", "TRUE", "false", "yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "NULL",
    "0", "-0", "+1", "012", "0o17", "0x1F", "0b101", "1_000", "1.5", ".5", "1e3", "1.0e+3", "-.inf", ".NaN", ".nan",
    "1:30", "2024-01-01", "2024-01-01 10:00:00", "127.0.0.1:8080", "${VAR:-}",
    "é", "😀", "\xa0", "ü", "中", " ", "  ", "\n", "\n\n", "\n  ", "  \n", "\n\n\n",
]
EXOTIC = ["\t", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\ufeff", "\x07", "\x00", "\x1b", "\x7f"]

text = st.lists(st.sampled_from(ATOMS), max_size=5).map("".join)
nasty = st.lists(st.sampled_from(ATOMS + EXOTIC), max_size=5).map("".join)
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.booleans(), st.none(),
                    st.floats(allow_nan=True, allow_infinity=True))


def data_of(strings: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(strings, strings, numbers)
    keys = st.one_of(strings.map(lambda s: s.replace("\n", " ")), st.integers(min_value=-5, max_value=500))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


documents = st.one_of(st.dictionaries(text.map(lambda s: s.replace("\n", " ")), data_of(text), max_size=5),
                      st.lists(data_of(text), max_size=4))
nasty_documents = st.one_of(st.dictionaries(nasty.map(lambda s: s.replace("\n", " ")), data_of(nasty), max_size=5),
                            st.lists(data_of(nasty), max_size=4))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def canonical(value: Any) -> Any:
    """Comparable form: types matter (True is not 1), NaN equals NaN, key order matters."""
    if isinstance(value, dict):
        return ("map", [(canonical(k), canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [canonical(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def ruamel_dump(data: Any) -> str:
    stream = io.StringIO()
    _ruamel_yaml().dump(data, stream)
    return stream.getvalue()


@SETTINGS
@given(nasty_documents)
def test_output_loads_back_as_the_data(data: Any) -> None:
    try:
        text = yaml_emitter.dump(data)
    except yaml_emitter.UnsupportedError:
        return  # to_yaml hands these to ruamel
    assert canonical(load(text)) == canonical(data), text


@SETTINGS
@given(documents)
def test_output_is_what_ruamel_wrote(data: Any) -> None:
    """Without control characters and other line breaks than \\n, every byte is as before (ruamel.yaml)."""
    try:
        text = yaml_emitter.dump(data)
    except yaml_emitter.UnsupportedError:
        return
    assert text == ruamel_dump(data)


@pytest.mark.parametrize("data", [
    {"tuple": (1, 2)},  # not plain data
    {("a", "b"): 1},  # a key ruamel writes as a complex key
    {"k" * 200: 1},  # a key ruamel writes as `? key`
    "scalar document",
])
def test_what_the_emitter_leaves_to_ruamel(data: Any) -> None:
    with pytest.raises(yaml_emitter.UnsupportedError):
        yaml_emitter.dump(data)
    assert to_yaml(data) == ruamel_dump(data).encode("utf-8")


LONG = "word " * 1000 + "end"


@pytest.mark.parametrize("data", [
    {"a": LONG},  # plain
    {"a": {"b": [LONG, {"c": LONG}]}},  # at other columns, in a list
    {"a": "no: " + LONG},  # single-quoted
    {"a": "it's: " + LONG},  # double-quoted (a quote inside)
    {"a": "tab\t" + LONG},  # double-quoted (an escape)
    {"a": LONG.replace("word ", "word\n", 10)},  # a literal block with a long last line
    {"a": "x" * 10000},  # one word
])
def test_a_long_scalar_stays_on_its_line(data: Any) -> None:
    """However long, a scalar is written on one line (no folding at a width), as ruamel writes it with rosec's
    settings, and it reads back as the same string."""
    text = yaml_emitter.dump(data)
    assert text == ruamel_dump(data)
    assert canonical(load(text)) == canonical(data)
    assert max(len(line) for line in text.splitlines()) > 4096  # past the width ruamel had


def test_format() -> None:
    data = {"name": "shop", "on": "yes", "ports": ["127.0.0.1:80:80"], "empty": {}, "none": [], "null": None,
            "nested": [{"a": 1, "b": [True, 1.5]}, [["x"]]], "script": "line 1\n  line 2\n", "lead": "  x\ny"}
    assert yaml_emitter.dump(data) == (
        "name: shop\n"
        "'on': 'yes'\n"
        "ports:\n"
        "  - '127.0.0.1:80:80'\n"
        "empty: {}\n"
        "none: []\n"
        "'null': null\n"
        "nested:\n"
        "  - a: 1\n"
        "    b:\n"
        "      - true\n"
        "      - 1.5\n"
        "  -   -   - x\n"
        "script: |\n"
        "  line 1\n"
        "    line 2\n"
        "lead: |2-\n"
        "    x\n"
        "  y\n"
    )


@pytest.mark.parametrize("data", [
    {"b": [1, {}, [], {"z": None, "a": True}], "a": "x\u2028\"\\\t\x00é😀", "é": 2.5, "Z": -0.0},
    {"tiny": 1e-05, "tinier": -1e-7, "text": "1e-5 and 0.00001"},
    {"in a list": [1.5e-05, [-0.00001234], {"x": 3e-9}], "nested": {"deep": [{"v": 0.000099}]}},
    [1e-05, "b28c85db-7fd1-5329-a31e-5e8930c7dfa4", -2.5e-10],
    {"uuid": "b28c85db-7fd1-5329-a31e-5e8930c7dfa4", "version": "1.0e-5", "list": ["0.00001", "x 1e-5"]},
    {"big": 2**70, "floats": [1e16, 1e22, 123456789.123, 0.1]},
    {1: "non-str key"},
    [],
])
def test_to_json_is_what_json_dumps_writes(data: Any) -> None:
    assert to_json(data) == (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                         st.floats(allow_nan=False, allow_infinity=False),
                         st.floats(min_value=-1e-4, max_value=1e-4), text, st.text(max_size=12))
json_data = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@SETTINGS
@given(json_data)
def test_to_json_is_what_json_dumps_writes_for_any_data(data: Any) -> None:
    assert to_json(data) == (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def test_tiny_floats_are_written_as_json_writes_them_without_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson's output is mended where it writes a float below 1e-4 otherwise than json; json is not called."""
    documents = [
        {"tiny": 1e-05, "list": [1.5e-05, -1e-7, 3e-300, [9.9e-05]], "deep": {"x": [{"y": -0.00001234}]}},
        {"not a float": "0.00001 and 1e-7", "key 1e-5": 1e-5, 'a "quoted": 0.00001': [2e-8], "big": 1e22},
        [1e-05, "b28c85db-7fd1-5329-a31e-5e8930c7dfa4", -2.5e-10, 0.0001, 5e-324],
    ]
    expected = [(json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode() for d in documents]
    monkeypatch.setattr(json, "dumps", lambda *args, **kwargs: pytest.fail("json.dumps was called"))
    assert [to_json(d) for d in documents] == expected


def test_what_passes_for_a_tiny_float() -> None:
    from rosec.emit.serialize import tiny_float_values

    assert tiny_float_values(b'{\n  "id": "b28c85db-7fd1-5329-a31e-5e8930c7dfa4"\n}') == []
    assert tiny_float_values(b'{\n  "x": "1e-7",\n  "y": "a 0.00001"\n}') == []  # strings
    assert tiny_float_values(b'{\n  "x": 1e-7\n}') == [(9, 13)]
    out = b'{\n  "a\\": 1e-7": -1.5e-7,\n  "b": [\n    -0.00001\n  ]\n}'  # a key that holds `": 1e-7`
    assert [out[start:end] for start, end in tiny_float_values(out)] == [b"-1.5e-7", b"-0.00001"]


@SETTINGS
@given(st.one_of(nasty.map(lambda s: s.replace("\n", " ")), st.text(alphabet=st.characters(max_codepoint=0x7f))))
def test_the_quick_way_to_plain_strings_agrees_with_the_full_analysis(value: str) -> None:
    """_style takes a shortcut for most strings; it must style every one-line string as _analysed does."""
    if "\n" in value or not value:
        return
    try:
        expected = yaml_emitter._analysed(value)
    except yaml_emitter.UnsupportedError:
        with pytest.raises(yaml_emitter.UnsupportedError):
            yaml_emitter._style(value)
        return
    assert yaml_emitter._style(value) == expected


@pytest.mark.parametrize("value", ["yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "NULL", "Yes x",
                                   "a: b", "a:", "a #b", "a ", "ab:c", "x" * 5000, "Ünïcode"])
def test_the_quick_way_on_look_alikes(value: str) -> None:
    try:
        expected = yaml_emitter._analysed(value)
    except yaml_emitter.UnsupportedError:
        expected = "unsupported"
    try:
        styled = yaml_emitter._style(value)
    except yaml_emitter.UnsupportedError:
        styled = "unsupported"
    assert styled == expected


def test_equal_keys_of_other_types_are_not_taken_for_strings() -> None:
    """The emitter's caches hold str keys only: 1, True and an Enum member that equals a seen string."""
    import enum

    class Colour(enum.StrEnum):
        RED = "red"

    assert yaml_emitter.dump({"1": 1, "red": 2, "True": 3}) == "'1': 1\nred: 2\n'True': 3\n"  # now cached
    assert yaml_emitter.dump({1: "a"}) == "1: a\n"
    with pytest.raises(yaml_emitter.UnsupportedError):
        yaml_emitter.dump({True: 1})
    with pytest.raises(yaml_emitter.UnsupportedError):
        yaml_emitter.dump({Colour.RED: 1})
    with pytest.raises(yaml_emitter.UnsupportedError):
        yaml_emitter.dump({"k": Colour.RED})
