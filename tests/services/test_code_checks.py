"""The resolver rejects specs whose generated service code could not work (rosec/model/code_checks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, errors_of

MINIMAL = (EXAMPLES / "minimal" / "rose.yaml").read_text("utf-8")


def test_a_token_protected_endpoint_needs_an_identity_provider(tmp_path: Path) -> None:
    spec = MINIMAL.replace("response: Greeting, public: true }", "response: Greeting }")
    [error] = errors_of(tmp_path, spec)
    assert "services.hello.rest[0].public: GET /hello/{name} requires a token, but no identity provider" in error
    assert "set `public: true`" in error


@pytest.mark.parametrize("name", ["json", "email", "logging", "grpc", "fastapi", "pydantic", "jwt", "handlers",
                                  "rose-runtime", "google", "aio-pika"])
def test_service_names_that_shadow_imports_are_rejected(tmp_path: Path, name: str) -> None:
    errors = errors_of(tmp_path, MINIMAL.replace("  hello:\n", f"  {name}:\n"))
    assert any(f"service '{name}' would become the Python package" in e for e in errors), errors


def test_the_examples_pass(tmp_path: Path) -> None:
    for spec in sorted(EXAMPLES.glob("*/rose.yaml")):
        assert errors_of(tmp_path, spec.read_text("utf-8")) == []
