"""rosec.spec.plain_walk: a spec it reads gives the data the loader's walker gives, with no error, and the same
position for every value and key the walker records (and for paths that lead nowhere); anything unusual is left
to the walker. Over the corpus of specs, the synthetic spec of the charts' tests and seeded mutations of them."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from charts.synthetic import SPEC as FLEET
from test_fast_yaml import CORPUS, PIECES, canonical

from rosec.diagnostics import SpecError
from rosec.spec import fast_yaml, guards, loader
from rosec.spec.plain_walk import NodePositions, UnusualSpecError, plain_data


def compared(text: str) -> str:
    """'plain' when plain_walk reads the text (and agrees with the walker), 'walker' when it or the loader leaves
    it to the walker (aliases), '' when neither reads it (not YAML for libyaml)."""
    if fast_yaml.pure_only(text):
        return ""
    root = fast_yaml.compose(text)
    if root is None:
        return ""
    if guards.shares_a_node(root):
        return "walker"
    walker = loader._Walker("rose.yaml")
    data = walker.walk(root, ())
    try:
        plain = plain_data(root, loader.MAX_DEPTH)
    except UnusualSpecError:
        return "walker"
    assert (walker.errors, walker.broken) == ([], set()), "plain_walk read a spec with problems"
    assert canonical(plain) == canonical(data)
    nodes, table = NodePositions(root), walker.positions
    paths = {*table.values, *table.keys}
    paths |= {(*path, "missing key") for path in paths} | {(*path, 10_000) for path in paths}
    for path in paths:
        assert nodes.of_value(path) == table.of_value(path), path
        assert nodes.of_key(path) == table.of_key(path), path
    return "plain"


def test_the_corpus_reads_as_with_the_walker() -> None:
    kinds = [compared(guards.decode(path.read_bytes(), path.name)) for path in CORPUS]
    assert kinds.count("plain") >= 40 and kinds.count("walker") >= 5, kinds


def test_a_spec_no_example_has_reads_as_with_the_walker() -> None:
    assert compared(FLEET) == "plain"


def test_mutated_specs_read_as_with_the_walker() -> None:
    rng = random.Random(20261203)
    seeds = [p.read_text("utf-8") for p in CORPUS
             if p.stem in ("demo", "rose", "yaml-duplicate-key", "yaml-alias-bomb", "yaml-recursive-alias")]
    pieces = [*PIECES, "\n  x:\n", ": ~\n", "<<: {a: 1}\n", "!!binary ", "1e999", "0x_"]
    kinds: list[str] = []
    for _ in range(400):
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(pieces) + text[at:] if rng.random() < 0.7 else \
                text[:at] + text[at + rng.randint(1, 5):]
        kinds.append(compared(text))
    assert kinds.count("plain") >= 50 and kinds.count("walker") >= 20, kinds


def test_a_value_left_out_is_at_its_key_and_a_path_that_leads_nowhere_at_its_nearest_node() -> None:
    text = "a:\n  b:\n  c: [1, 2]\nd: x\n"
    root = fast_yaml.compose(text)
    nodes = NodePositions(root)
    assert nodes.of_value(("a", "b")) == (2, 3), "the implicit null after `b:` is shown at b"
    assert nodes.of_value(("a", "c", 1)) == (3, 10)
    assert nodes.of_value(("a", "c", 7, "x")) == (3, 6), "no index 7: the list"
    assert nodes.of_key(("d",)) == (4, 1) and nodes.of_value(("d",)) == (4, 4)
    assert nodes.of_value(("d", "e")) == (4, 4), "below a scalar: the scalar"
    assert nodes.of_key(("a", "c", 0)) == (3, 7), "an item has no key: its value"


def test_a_spec_read_by_plain_walk_keeps_its_positions_in_diagnostics(tmp_path: Path) -> None:
    spec = loader.load_bytes(b"rose: 1\nsystem:\n  name: Not Valid\n", "rose.yaml")
    assert isinstance(spec.positions, NodePositions)
    diagnostic = spec.diagnostic(("system", "name"), "bad name")
    assert (diagnostic.line, diagnostic.column) == (3, 9)


def _unusual(text: str) -> Any:
    return plain_data(fast_yaml.compose(text), loader.MAX_DEPTH)


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "1: x\n", "<<: {a: 1}\n", "a: 2024-01-01\n", "a: [[[[x]]]]\n",
                                  "? [a]\n: 1\n"])
def test_what_plain_walk_leaves_to_the_walker(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_DEPTH", 3)
    with pytest.raises(UnusualSpecError):
        _unusual(text)


def test_a_spec_of_comments_and_blank_lines_is_found_as_by_splitting_every_line() -> None:
    """only_comments_or_blank stops at the first other line instead of splitting the whole text."""
    pieces = ["# c", "#", "  ", "x", "a: 1", "\n", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\u3000", " # y", "\t"]
    rng = random.Random(5)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        expected = all(guards.is_comment_or_blank(line) for line in guards.text_lines(text))
        assert guards.only_comments_or_blank(text) is expected, repr(text)


@pytest.mark.parametrize(("text", "plain"), [
    ("a: &a [*a, *a]\n", False),  # contains itself: read to the depth limit, 2^64 steps
    ("b: &b [1, 2]\nc: [*b, *b]\nd: {e: *b}\n", False),
    ("schedule: 0 3 * * *\nquoted: '*/5 * * * *'\n", True),
])
def test_a_spec_with_aliases_is_read_by_the_walker(text: str, plain: bool) -> None:
    """Aliases are rare in a spec, and a value that contains itself through one would take plain_data
    exponential time: only the walker reads them. A `*` that is text leaves the spec to plain_walk."""
    spec = loader.load_bytes(f"rose: 1\n{text}".encode(), "rose.yaml")
    assert isinstance(spec.positions, NodePositions) is plain


def _shares_a_node(root: Any) -> bool:
    """Whether aliases add nodes to the tree: its size once expanded exceeds its count of distinct nodes
    (guards._expanded_sizes, the alias-bomb check's count, as the oracle of shares_a_node)."""
    sizes = guards._expanded_sizes(root)
    return sizes[id(root)] > len(sizes)


@pytest.mark.parametrize(("text", "aliases"), [
    ("schedule: 0 3 * * *\n", False), ("doc: 'what 5 * 3 is'\n", False), ("glob: a/*.py\n", False),
    ("a: &x 1\nb: *x\n", True), ("a: [*x]\n", True), ('{"a":*b}\n', True), ("- *x\n", True), ("*x : 1\n", True),
    ("a:\n  *x : 1\n", True),
    # Read as an alias would be, and so counted as one (an anchor's name may hold quotes): the tree tells then.
    ("doc: 'see *this*'\n", True), ("schedule: '*/5 * * * *'\n", True),
])
def test_a_text_without_aliases_is_told_apart_without_composing(text: str, aliases: bool) -> None:
    assert guards.may_hold_aliases(text) is aliases


def test_no_alias_is_missed_in_the_corpus_or_its_mutations() -> None:
    """Where may_hold_aliases or shares_a_node says no, the loader skips the alias-bomb check and reads aliases
    as none: a composed tree that shares a node (an alias) must never get that answer. Mutations put aliases in every
    place a value can be (block and flow, keys, items) and text with stars around them."""
    rng = random.Random(31)
    texts = [p.read_text("utf-8") for p in CORPUS]
    values = ["*q", "[*q, *q]", "[*q,*q]", '{"k":*q}', "{k: *q}", "'a * b'", "0 3 * * *", "a*b", "x *q"]
    shared = 0
    for i in range(800):
        text = texts[i % len(texts)]
        if i >= len(texts):
            lines = ["qq: &q [1]", *rng.choice(texts).split("\n")]
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(1, len(lines))
                lines[at] = re.sub(r"^(\s*(?:- |[\w.-]+: ))\S.*$", lambda m: m.group(1) + rng.choice(values),
                                   lines[at])
            text = "\n".join(lines)
        try:
            root = loader._compose(text, "rose.yaml")
        except SpecError:
            continue
        assert guards.shares_a_node(root) is _shares_a_node(root), text
        if _shares_a_node(root):
            shared += 1
            assert guards.may_hold_aliases(text), text
    assert shared >= 100, shared
