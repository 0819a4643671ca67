"""Shared test fixtures: repository paths, the official schemas in ../shared, spec helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rosec.diagnostics import SpecError
from rosec.model.system import System
from rosec.pipeline import load_system

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "spec-examples"
GENERATED = ROOT / "generated"
SHARED_SCHEMAS = ROOT.parent / "shared" / "schemas"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite generated/<example>/ from the examples instead of comparing.")


def example_specs() -> list[Path]:
    return sorted(EXAMPLES.glob("*/rose.yaml"))


def shared_schema(name: str) -> dict[str, Any]:
    path = SHARED_SCHEMAS / name
    if not path.exists():
        pytest.fail(f"official schema {path} is missing: the tests read ../shared/schemas beside the repository")
    return json.loads(path.read_text("utf-8"))


def system_from_text(tmp_path: Path, text: str, name: str = "rose.yaml") -> System:
    spec = tmp_path / name
    spec.write_text(text, "utf-8")
    return load_system(spec)


def errors_of(tmp_path: Path, text: str | bytes) -> list[str]:
    """Rendered diagnostics for a spec given as text, or [] when it is valid."""
    spec = tmp_path / "rose.yaml"
    spec.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        load_system(spec)
    except SpecError as error:
        return [d.render() for d in error.diagnostics]
    return []


@pytest.fixture(scope="session")
def shop() -> System:
    return load_system(EXAMPLES / "shop" / "rose.yaml")


@pytest.fixture(scope="session")
def minimal() -> System:
    return load_system(EXAMPLES / "minimal" / "rose.yaml")
