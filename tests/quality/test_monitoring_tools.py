"""The generated monitoring passes the real tools: promtool checks prometheus.yml and every rule file and runs the
generated unit tests (which fail when an alert's threshold is wrong), amtool checks alertmanager.yml, and every
dashboard passes the Grafana dashboard JSON schema and `tsc --strict` against @grafana/schema's Dashboard type."""

from __future__ import annotations

import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from conftest import shared_schema
from monitoring_support import tool
from ruamel.yaml import YAML

from quality.tools import NPM_BIN, NPM_HINT, executable, report, run
from quality.trees import SPECS, Tree, build_tree

DASHBOARD_SCHEMA = "grafana-dashboard.schema.json"


def prometheus_dir(tree: Tree) -> Path:
    return tree.out / tree.system.layout.prometheus_dir


def test_promtool_accepts_the_configuration_and_every_rule_file(tree: Tree) -> None:
    directory = prometheus_dir(tree)
    config = directory / "prometheus.yml"
    assert config.exists(), "every example has a compose environment"
    result = run([tool("promtool"), "check", "config", str(config)], cwd=directory)
    assert result.returncode == 0, report(result)
    rules = sorted(directory.glob("rules/*.yml"))
    assert rules
    result = run([tool("promtool"), "check", "rules", *map(str, rules)])
    assert result.returncode == 0, report(result)
    assert "FAILED" not in result.stdout + result.stderr, report(result)


def test_the_configuration_and_rules_match_their_published_schemas(tree: Tree) -> None:
    yaml = YAML(typ="safe")
    directory = prometheus_dir(tree)
    jsonschema.Draft7Validator(shared_schema("prometheus.schema.json")).validate(
        yaml.load((directory / "prometheus.yml").read_text("utf-8")))
    rules_schema = jsonschema.Draft7Validator(shared_schema("prometheus-rules.schema.json"))
    for path in sorted(directory.glob("rules/*.yml")):
        rules_schema.validate(yaml.load(path.read_text("utf-8")))


def unit_test_files() -> list[tuple[str, str]]:
    """(spec, test file) of every generated promtool unit test, to run them in parallel."""
    from rosec.pipeline import load_system
    from rosec.targets.prometheus import rule_tests

    return [(name, path) for name in sorted(SPECS) for path in rule_tests(load_system(SPECS[name]))]


@pytest.mark.parametrize(("spec", "path"), unit_test_files())
def test_the_generated_promtool_unit_tests_pass(spec: str, path: str, built_trees) -> None:
    directory = prometheus_dir(built_trees(spec))
    result = run([tool("promtool"), "test", "rules", path], cwd=directory)
    assert result.returncode == 0 and "SUCCESS" in result.stdout, report(result)


@pytest.fixture(scope="module")
def shop_tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """A shop tree of this module's own, whose rules the tests below may break."""
    return build_tree("shop", tmp_path_factory.mktemp("breakable"))


# orders: 99.9 % availability, a budget of 0.001; the thresholds of its four burn rates and the scenario that
# each one alone decides.
BROKEN_THRESHOLDS = [("0.0144", "20x"), ("0.006", "8x"), ("0.001", "slow burn")]


@pytest.mark.parametrize(("threshold", "scenario"), BROKEN_THRESHOLDS)
def test_the_unit_tests_fail_when_a_burn_rate_threshold_is_wrong(shop_tree: Tree, tmp_path: Path,
                                                                  threshold: str, scenario: str) -> None:
    directory = tmp_path / "prometheus"
    shutil.copytree(prometheus_dir(shop_tree), directory)
    rules = directory / "rules" / "slo-orders.yml"
    pattern = re.compile(rf"> {re.escape(threshold)}(?![0-9])")
    text = rules.read_text("utf-8")
    assert len(pattern.findall(text)) >= 2, f"orders' rules compare with {threshold}"
    rules.write_text(pattern.sub(f"> {Decimal(threshold) * 2}", text), "utf-8")
    result = run([tool("promtool"), "test", "rules", "tests/slo-orders.test.yml"], cwd=directory)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "FAILED" in output, report(result)
    failed = [line for line in output.splitlines() if line.strip().startswith("name:")]  # the failing scenarios
    assert any(scenario in line for line in failed), report(result)


def test_amtool_accepts_alertmanager_yml(tree: Tree) -> None:
    config = tree.out / tree.system.layout.alertmanager_dir / "alertmanager.yml"
    result = run([tool("amtool"), "check-config", str(config)])
    assert result.returncode == 0 and "SUCCESS" in result.stdout, report(result)


def dashboards(tree: Tree) -> list[Path]:
    return sorted((tree.out / tree.system.layout.grafana_dashboards_dir).rglob("*.json"))


def test_dashboards_match_the_grafana_dashboard_schema(tree: Tree) -> None:
    validator = jsonschema.Draft7Validator(shared_schema(DASHBOARD_SCHEMA))
    boards = dashboards(tree)
    assert len(boards) >= 1 + len(tree.system.services)
    for path in boards:
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(json.loads(
            path.read_text("utf-8")))]
        assert not errors, f"{path}:\n" + "\n".join(errors[:10])


def typescript_of(boards: list[Path]) -> str:
    lines = ['import type { Dashboard } from "@grafana/schema";', ""]
    for i, path in enumerate(boards):
        lines += [f"// {path.name}", f"export const dashboard{i} = {path.read_text('utf-8').strip()} satisfies "
                  "Dashboard;", ""]
    return "\n".join(lines)


def tsc(source: str, directory: Path) -> tuple[bool, str]:
    """`tsc --strict --noEmit` over `source`, with .tools/node_modules (where @grafana/schema is) resolvable."""
    compiler = executable("tsc", NPM_HINT, NPM_BIN)
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / "node_modules"
    if not link.exists():
        os.symlink(NPM_BIN.parent, link)
    (directory / "dashboards.ts").write_text(source, "utf-8")
    result = run([compiler, "--strict", "--noEmit", "--target", "es2022", "--module", "nodenext",
                  "--moduleResolution", "nodenext", "dashboards.ts"], cwd=directory)
    return result.returncode == 0, report(result)


def test_dashboards_satisfy_the_grafana_schema_typescript_types(tree: Tree, tmp_path: Path) -> None:
    ok, output = tsc(typescript_of(dashboards(tree)), tmp_path / "ts")
    assert ok, output


def test_tsc_rejects_a_misspelt_dashboard_key(built_trees, tmp_path: Path) -> None:
    """The check can fail: a key the JSON schema lets through (templating variables allow any keys) is caught."""
    board = dashboards(built_trees("minimal"))[0]
    source = typescript_of([board]).replace('"refresh": 2', '"refesh": 2', 1)
    assert '"refesh": 2' in source
    ok, output = tsc(source, tmp_path / "ts")
    assert not ok and "refesh" in output, output
