"""The language reference documents every field the language accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from rosec.spec.field_docs import models_of
from rosec.spec.models import RoseSpec


def test_language_reference_has_a_row_for_every_field() -> None:
    reference = (ROOT / "docs" / "language.md").read_text("utf-8")
    models = models_of(RoseSpec).values()
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


# A copy of a repository file inside a document: `<!-- BEGIN path -->`, a fenced block holding the file's bytes,
# `<!-- END path -->`. The test compares each with the file; --update-goldens copies the file in.
_COPY = re.compile(r"<!-- BEGIN (?P<path>\S+) -->\n```(?P<lang>\w*)\n(?P<body>.*?)```\n<!-- END (?P=path) -->",
                   re.DOTALL)
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _copies(document: Path) -> list[re.Match[str]]:
    return list(_COPY.finditer(document.read_text("utf-8")))


def test_the_language_reference_holds_the_shop_example() -> None:
    copied = {m["path"] for m in _copies(ROOT / "docs" / "language.md")}
    assert "spec-examples/shop/rose.yaml" in copied, "docs/language.md lost its marked copy of the shop example"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_copies_of_files_in_the_docs_are_exact(document: Path, request: pytest.FixtureRequest) -> None:
    text = document.read_text("utf-8")
    if request.config.getoption("--update-goldens"):
        text = _COPY.sub(lambda m: f"<!-- BEGIN {m['path']} -->\n```{m['lang']}\n"
                                   f"{(ROOT / m['path']).read_text('utf-8')}```\n<!-- END {m['path']} -->", text)
        document.write_text(text, "utf-8")
    for match in _copies(document):
        source = (ROOT / match["path"]).read_text("utf-8")
        assert match["body"] == source, (
            f"{document.name}: the copy of {match['path']} differs from the file; "
            "run `.venv/bin/python -m pytest tests/test_docs.py --update-goldens`")
