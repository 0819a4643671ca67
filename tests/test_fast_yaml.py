"""rosec.spec.fast_yaml: composing with libyaml must load every spec exactly as ruamel.yaml's composer does.

Same data (types included), same positions (asked at every path of the data), same diagnostics, for the
invalid-spec corpus, the valid specs, the examples and a bounded, seeded set of mutations of them; and the alias
limit counts what aliases add.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT

from rosec.diagnostics import SpecError
from rosec.spec import fast_yaml, guards, loader

CORPUS = sorted((ROOT / "tests" / "invalid").glob("*.yaml")) + sorted((ROOT / "tests" / "valid").glob("*.yaml")) \
    + sorted(EXAMPLES.glob("*/rose.yaml"))
# Pieces a mutation inserts: YAML syntax, look-alikes of other types, anchors, tags, odd characters.
PIECES = [
    *":-[]{}\"'#  \n|>?,&*@`%\\~.0123456789eE+_xob",
    "\n  ", "\n    ", ": ", "- ", "---\n", "...\n", "&a ", "*a", "<<: ", "true", "yes", "null", "0o17", "1_0",
    ".inf", "2024-01-01", "=", "é", "\u2028", "\x85", "\r\n", "\r", "\ufeff", "!", "!!str ", "|\n", ">-\n", "\t",
]


def canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return ("map", [(k, canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [canonical(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def outcome(raw: bytes, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(fast_yaml, "compose", lambda text: None)
        try:
            spec = loader.load_bytes(raw, "rose.yaml")
        except SpecError as error:
            return "error", error.diagnostics
        return ("loaded", canonical(spec.data), positions_of(spec), sorted(spec.errors), sorted(spec.broken))


def positions_of(spec: loader.LoadedSpec) -> dict[loader.PathKey, tuple[tuple[int, int], tuple[int, int]]]:
    """(position of the value, of the key) at every path of the data, and at a missing key and index under each
    mapping and list (they answer with the nearest enclosing node)."""
    found = {}
    for path in data_paths(spec.data, ()):
        found[path] = spec.positions.of_value(path), spec.positions.of_key(path)
    return found


def data_paths(value: Any, path: loader.PathKey) -> list[loader.PathKey]:
    paths = [path]
    if isinstance(value, dict):
        paths.append((*path, "missing key"))
        for key, item in value.items():
            paths += data_paths(item, (*path, key))
    elif isinstance(value, list):
        paths.append((*path, len(value)))
        for index, item in enumerate(value):
            paths += data_paths(item, (*path, index))
    return paths


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_loads_as_with_ruamel(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = path.read_bytes()
    assert outcome(raw, True, monkeypatch) == outcome(raw, False, monkeypatch)


def test_mutated_specs_load_as_with_ruamel(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20240601)
    seeds = [p.read_text("utf-8") for p in CORPUS
             if p.stem in ("demo", "rose", "yaml-alias-bomb", "yaml-duplicate-key")]
    for _ in range(250):
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.6:
                text = text[:at] + rng.choice(PIECES) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 5):]
        raw = text.encode("utf-8")
        assert outcome(raw, True, monkeypatch) == outcome(raw, False, monkeypatch), text


def test_what_looks_like_a_tag_or_header_loads_as_with_ruamel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `!` after a space is a tag, or text that only looks like one (`status != 200`, `# now !`); so is a `|`
    or `>` a block scalar header, or text (`price >= 5`): libyaml's parser tells them apart, and either way the
    spec loads as ruamel loads it."""
    rng = random.Random(20261203)
    seeds = [p.read_text("utf-8") for p in CORPUS if p.stem in ("demo", "rose")]
    pieces = [" !", " != ", " !x", "! ", " !!str ", " !local ", "# now !\n", " >=", " >2ms", " |x", " |#", " |\n\n"]
    fast = 0
    for _ in range(60):
        text = rng.choice(seeds)
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(pieces) + text[at:]
        fast += not fast_yaml.pure_only(text)
        raw = text.encode("utf-8")
        assert outcome(raw, True, monkeypatch) == outcome(raw, False, monkeypatch), text
    assert 10 < fast < 60  # both kinds were tried: text that libyaml reads, and tags that go to ruamel


def test_tabs_load_as_with_ruamel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tab in a comment or in a one-line quoted scalar reads alike in both parsers; elsewhere (a separator, inside
    a plain or a multi-line scalar) ruamel reports an error or may fold it differently, so ruamel decides."""
    rng = random.Random(20261204)
    seeds = [p.read_text("utf-8") for p in CORPUS if p.stem in ("demo", "rose")]
    pieces = ["\t", " # a\tnote", "\t# c", " 'a\tb'", ' "a\tb"', " #\t", "\t\n", "#\t\n", ' "x\n\ty"']
    fast = 0
    for _ in range(60):
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 2)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(pieces) + text[at:]
        fast += "\t" in text and not fast_yaml.pure_only(text)
        raw = text.encode("utf-8")
        assert outcome(raw, True, monkeypatch) == outcome(raw, False, monkeypatch), text
    assert 10 < fast < 60  # both kinds were tried: tabs that libyaml shows alike, and tabs that go to ruamel


@pytest.mark.parametrize("value", [
    "", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "yes", "no", "on", "off", "y", "n",
    "0", "-0", "+12", "012", "0o17", "0o8", "0x1F", "0b101", "1_000", "_1", "1.5", ".5", "5.", "1e3", "1.0e+3",
    "-.inf", ".NaN", ".nan", "1:30", "2024-01-01", "2024-01-01 10:00:00", "2024-1-1", "=", "<<", "uuid", "list[Order]",
])
def test_plain_scalars_resolve_and_construct_as_with_ruamel(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = f"value: {value}\n".encode()
    assert outcome(raw, True, monkeypatch) == outcome(raw, False, monkeypatch)


def test_resolver_table_is_ruamels() -> None:
    from ruamel.yaml.resolver import implicit_resolvers

    ruamel = [(tag, regexp.pattern, first) for versions, tag, regexp, first in implicit_resolvers if (1, 2) in versions]
    ours = [(tag, regexp.pattern, first) for tag, regexp, first in fast_yaml.IMPLICIT_RESOLVERS_1_2]
    assert ours == ruamel


@pytest.mark.parametrize(("text", "pure"), [
    ("a: b\n", False),
    ("a: [x, y]\nb: {c: d}\n", False),
    ("a: Hello!\nb: 'it is'\n", False),
    ("a: !!int 5\n", True),
    ("a: [!x 1]\n", True),
    ("a: ! b\n", True),
    ("!m\na: 1\n", True),
    ("a: Hello !\nb: 'x !y'\n", False),  # a `!` that starts no tag: text, and libyaml parses no tag in it
    ("# keep it simple !\nexpr: status != 200\n", False),
    ("# keep it simple !\nexpr: !!str 200\n", True),
    ("%YAML 1.1\n---\na: b\n", True),
    ("a:\tb\n", True),  # a tab as a separator: ruamel reports an error, libyaml reads it
    ("a: value\t# note\n", True),
    ("a: x\ty\n", True),  # in a plain scalar: an error for ruamel too
    ('a: "x\n\ty"\n', True),  # in a multi-line scalar
    ("a: |\n  x\ty\n", True),
    ("# a\tnote\na: 1  # b\tc\n", False),  # in comments
    ("a: 'x\ty'\n\"k\tl\": \"m\tn\"  #\to\n", False),  # in one-line quoted scalars, keys too
    ("a: x#\ty\n", True),  # a `#` inside a plain scalar starts no comment
    ("a: 'x # y'\tz\n", True),
    ("a: |\n  text\n", False),
    ("a: |#\n  text\n", True),
    ("a: |\n\n    text\n", True),
    ("# latency >200ms\na: price >= 5\n", False),  # what looks like such a header is text: libyaml parses none
    ("# latency >200ms\na: |\n  text\nb: >-\n  more\n", False),  # block scalars, each with a plain header
    ("# latency >200ms\na: |#\n  text\n", True),
    ("a: 'x |y'\nb: >\n\n    text\n", True),
    ("a: &x 1\nb: *x\n", False),
    ("a: &x: 1\n", True),
    ('schedule: "0 3 * * *"\n', False),  # `*"` would end an alias name differently, but it is text: no alias
    ("# see *this* and &that:\na: 1\n", False),
    ('a: &x 1\nb: *x\nc: "0 3 * * *"\n', True),  # anchors and aliases, and names in doubt: ruamel decides
    ("a: *x\n", False),  # no name in doubt; libyaml fails on the undefined alias, and then ruamel reports it

    ("a: b\u2028c\n", True),
])
def test_what_goes_to_ruamel(text: str, pure: bool) -> None:
    assert fast_yaml.pure_only(text) is pure


def test_a_large_spec_without_aliases_is_no_alias_bomb() -> None:
    items = ", ".join(["x"] * (guards.MAX_NODES + 10_000))
    spec = loader.load_bytes(f"rose: 1\nbig: [{items}]\n".encode(), "rose.yaml")
    assert len(spec.data["big"]) == guards.MAX_NODES + 10_000


def test_aliases_may_add_up_to_the_limit_to_a_large_spec() -> None:
    big = ", ".join(["x"] * guards.MAX_NODES)
    block = ", ".join(["y"] * 1000)
    adds = ", ".join(["*a"] * 150)  # 150 x 1001 nodes: below the limit
    spec = loader.load_bytes(f"big: [{big}]\na: &a [{block}]\nb: [{adds}]\n".encode(), "rose.yaml")
    assert len(spec.data["b"]) == 150
    too_many = ", ".join(["*a"] * 250)
    with pytest.raises(SpecError, match=re.escape(f"expand this value to more than {guards.MAX_NODES} nodes")):
        loader.load_bytes(f"big: [{big}]\na: &a [{block}]\nb: [{too_many}]\n".encode(), "rose.yaml")
