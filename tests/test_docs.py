"""The language reference documents every field the language accepts."""

from __future__ import annotations

import typing
from typing import Any

from conftest import ROOT
from pydantic import BaseModel

from rosec.spec.models import RoseSpec


def models_of(annotation: Any, found: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
        found.add(annotation)
        for field in annotation.model_fields.values():
            models_of(field.annotation, found)
    for arg in typing.get_args(annotation):
        models_of(arg, found)
    return found


def test_language_reference_has_a_row_for_every_field() -> None:
    reference = (ROOT / "docs" / "language.md").read_text("utf-8")
    models = models_of(RoseSpec, set())
    assert len(models) > 10
    undocumented = sorted(f"{model.__name__}.{name}" for model in models for name in model.model_fields
                          if f"| `{name}` |" not in reference)
    assert not undocumented, f"docs/language.md has no table row for: {', '.join(undocumented)}"


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = readme.split("```sh\n")[1:3]
    commands = [block.split("```")[0].strip() for block in blocks]
    assert commands[0].endswith("rosec build spec-examples/shop/rose.yaml")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert commands[1] in ci.splitlines(), "CI must run exactly the README's test command"
