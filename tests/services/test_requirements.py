"""The pins of generated services: one table, the same in services/requirements.txt and rosec's `services`
extra, and covering every third-party import of the generated code and rose_runtime."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, requires

from conftest import ROOT

from rosec.model.system import System
from rosec.pipeline import render
from rosec.targets.services.requirements import PINS, requirement_lines


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pyproject_services_extra_has_exactly_the_pins() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["optional-dependencies"]["services"] == requirement_lines()


def test_requirements_txt_lists_the_pins(shop: System) -> None:
    content = render(shop, ["services"]).files["services/requirements.txt"].content.decode("utf-8")
    lines = [line for line in content.splitlines() if line and not line.startswith("#")]
    assert lines == requirement_lines()
    assert all("==" in line for line in lines)


def test_pins_match_the_installed_versions() -> None:
    """The tests run against exactly what the services will run on."""
    from importlib.metadata import version
    for name, pinned in PINS:
        assert version(name.split("[")[0]) == pinned, name


def test_every_third_party_import_is_pinned_or_pulled_in_by_a_pin(shop: System) -> None:
    tree = render(shop, ["runtime", "services"])
    generated_roots = {s.python_name for s in shop.services} | {"rose_runtime", "handlers"}
    imported: set[str] = set()
    for path, output in tree.files.items():
        if not path.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(output.content)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - generated_roots - set(sys.stdlib_module_names) - {"__future__"}
    pinned = {_normalized(name.split("[")[0]) for name, _ in PINS}
    pulled_in = set(pinned)
    for name, _ in PINS:
        for requirement in requires(name.split("[")[0]) or []:
            pulled_in.add(_normalized(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0]))
    distributions = packages_distributions()
    for module in sorted(third_party):
        providers = {_normalized(d) for d in distributions.get(module, [])}
        assert providers & pulled_in, f"import {module} ({providers or 'not installed'}) is not covered by the pins"
