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
