"""The jinja2 environment of rosec's code templates (rosec.emit.templates): a plain dict's keys are looked up
directly, and everything else reads as jinja2 reads it."""

from __future__ import annotations

import pytest
from jinja2 import Environment, StrictUndefined, UndefinedError

from rosec.emit.templates import CodeEnvironment

TEMPLATE = "{{ d.name }}|{{ d['items'] }}|{{ d.items() | list | length }}|{{ o.real }}|{{ d.get('name') }}"


class Named:
    name = "attribute"


@pytest.mark.parametrize("environment", [CodeEnvironment, Environment])
def test_lookups_read_as_in_jinja2(environment: type[Environment]) -> None:
    env = environment(undefined=StrictUndefined)
    data = {"d": {"name": "key", "items": "an items key"}, "o": 3}
    assert env.from_string(TEMPLATE).render(data) == "key|an items key|2|3|key"
    assert env.from_string("{{ n.name }}").render(n=Named()) == "attribute", "objects keep their attributes"
    with pytest.raises(UndefinedError):
        env.from_string("{{ d.missing }}").render(d={"name": "key"})


def test_a_dict_key_named_like_a_dict_method_leaves_the_method() -> None:
    env = CodeEnvironment(undefined=StrictUndefined)
    assert env.from_string("{{ d.keys() | list }}").render(d={"keys": "shadow", "a": 1}) == "['keys', 'a']"


def test_docstring_paragraphs_wrap_as_textwrap_wraps_them() -> None:
    """py_doc leaves a paragraph that fits as it is instead of asking textwrap: the lines must be textwrap's."""
    import random
    import textwrap

    from rosec.targets.services.templating import _wrap

    pieces = ["a", "bb", " ", "  ", "-", "x" * 30, "\t", "\r", "\v", "\f", ".", "é", "\u00a0", "\u2003", "\x1c", "\x85"]
    rng = random.Random(11)
    for _ in range(20000):
        paragraph = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if not paragraph.strip():
            continue
        taken, width = " " * rng.choice([0, 3, 6]), rng.choice([20, 60, 116])
        assert _wrap(paragraph, width, taken) == textwrap.wrap(
            paragraph, width, initial_indent=taken, break_long_words=False, break_on_hyphens=False), paragraph
