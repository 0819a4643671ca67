"""Prometheus target: prometheus.yml of the compose environment, the rule files (recording rules, SLOs, messaging
and infrastructure alerts) and the promtool unit tests of the SLO alerts.

The rules are the same in every environment (they aggregate by `environment`); the Helm and Terraform targets
embed `prometheus_rules(system)` and `prometheus_config(system, environment)` as they are.
"""

from __future__ import annotations

from typing import Any

from rosec.emit.serialize import to_yaml
from rosec.model.system import Layout, System
from rosec.targets.prometheus.alerts import infrastructure_groups, messaging_groups
from rosec.targets.prometheus.config import agent_config, prometheus_config
from rosec.targets.prometheus.recording import recording_groups
from rosec.targets.prometheus.slo_rules import service_slo_groups
from rosec.targets.prometheus.unit_tests import unit_test_files

__all__ = ["agent_config", "outputs", "prometheus_config", "prometheus_rules", "render", "rule_files", "rule_tests"]

CONFIG_FILE = "prometheus.yml"


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.prometheus_dir}/",)


def prometheus_rules(system: System) -> dict[str, dict[str, Any]]:
    """Rule files by path relative to the Prometheus directory: `rules/<name>.yml` -> {"groups": [...]}."""
    files = {"rules/services.yml": recording_groups(system)}
    files |= {f"rules/slo-{service.name}.yml": service_slo_groups(system, service) for service in system.services}
    files["rules/messaging.yml"] = messaging_groups(system)
    files["rules/infrastructure.yml"] = infrastructure_groups(system)
    return {path: {"groups": groups} for path, groups in files.items() if groups}


def rule_files(system: System) -> dict[str, bytes]:
    """prometheus_rules as the files every target that deploys them writes (rendered once per build)."""
    header = system.header()
    return system.once(("prometheus rules",), lambda: {path: to_yaml(rules, header)
                                                       for path, rules in prometheus_rules(system).items()})


def rule_tests(system: System) -> dict[str, dict[str, Any]]:
    """promtool unit tests by path relative to the Prometheus directory: `tests/slo-<service>.test.yml`."""
    return {f"tests/slo-{service}.test.yml": test for service, test in unit_test_files(system).items()}


def render(system: System) -> dict[str, bytes]:
    if not system.observability.metrics:
        return {}
    base, header = system.layout.prometheus_dir, system.header()
    out = {f"{base}/{path}": content for path, content in rule_files(system).items()}
    out |= {f"{base}/{path}": to_yaml(document, header) for path, document in rule_tests(system).items()}
    environment = system.compose_environment
    if environment is not None:
        out[f"{base}/{CONFIG_FILE}"] = to_yaml(prometheus_config(system, environment), header)
    return dict(sorted(out.items()))
