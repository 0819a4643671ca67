"""The resolver rejects specs whose generated service code could not work (rosec/model/code_checks.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, errors_of

from rosec.model.code_checks import GENERATED_NAMES
from rosec.model.naming import GeneratedClass, generated_class
from rosec.pipeline import load_system, render
from rosec.spec.names import MESSAGE_NAME
from rosec.targets.services.scaffold import scaffold_module

VALID = ROOT / "tests" / "valid"

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


# The generated modules that import the models by their bare names: nothing else there may share a name with a
# message or enum.
_MODULES_WITH_MODEL_NAMES = ("models.py", "api.py", "handlers.py", "rest_client.py", "messaging.py")


def _top_level_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize("spec", [*sorted(EXAMPLES.glob("*/rose.yaml")), *sorted(VALID.glob("*.yaml"))],
                         ids=lambda p: p.parent.name if p.name == "rose.yaml" else p.stem)
def test_every_name_next_to_the_models_is_reserved_for_generated_code(spec: Path) -> None:
    """A message named like anything else a module that imports the models defines would shadow it or be shadowed:
    code_checks.GENERATED_NAMES must hold every such name that a message could have (PascalCase)."""
    system = load_system(spec)
    files = render(system, ["services"]).files
    scaffolds = [scaffold_module(system, s) for s in system.services]
    sources = [out.content for path, out in files.items() if path.rsplit("/", 1)[-1] in _MODULES_WITH_MODEL_NAMES]
    models = {m.name for m in system.messages} | {e.name for e in system.enums}
    classes = {generated_class(s.class_prefix, kind) for s in system.services for kind in GeneratedClass}
    found = set().union(*(_top_level_names(source.decode("utf-8")) for source in [*sources, *scaffolds]))
    possible = {n for n in found if re.fullmatch(MESSAGE_NAME, n)} - models - classes
    assert possible <= GENERATED_NAMES, f"add to code_checks.GENERATED_NAMES: {sorted(possible - GENERATED_NAMES)}"


def test_the_log_levels_the_resolver_accepts_are_the_runtimes() -> None:
    from rosec.model.observability import LOG_LEVELS

    source = (ROOT / "rosec" / "resources" / "runtime" / "rose_runtime" / "settings.py").read_text("utf-8")
    [levels] = [ast.literal_eval(node.value) for node in ast.parse(source).body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "_LOG_LEVELS" for t in node.targets)]
    assert levels == LOG_LEVELS
