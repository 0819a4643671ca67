"""Rendering the generated charts with the real Helm (helm-python-sdk, Helm 4) and validating what they render.

Each (spec, environment) is built, linted and rendered once per test process; the tests share the result.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SHARED_SCHEMAS

from rosec.model import kubernetes as k8s
from rosec.model.system import System
from rosec.targets import helm

KUBERNETES_VERSION = "1.33"  # kubernetes-validate's schemas of this release, strict
IMAGE_TAG = "3f2a9c1"
NAMESPACE = "rose-test"
HELM_HINT = "run `bash scripts/setup.sh` (the dev extra installs helm-python-sdk and kubernetes-validate)"


def helm_python() -> Any:
    try:
        import helm_python
    except ImportError:
        pytest.fail(f"helm-python-sdk is not installed: {HELM_HINT}")
    return helm_python


@dataclass
class Rendered:
    """Every chart of one environment of one system, linted and rendered like `helmfile apply` would."""

    system: System
    environment: str
    root: Path  # the helm/ directory, with the charts' dependencies built
    lint: dict[str, dict[str, Any]] = field(default_factory=dict)  # chart -> Helm's lint report
    manifests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # chart -> rendered objects

    def chart_values(self, chart: str) -> dict[str, Any]:
        values = yaml.safe_load((self.root / "charts" / chart / f"values-{self.environment}.yaml").read_text())
        if chart != k8s.platform_chart(self.system):
            values.setdefault("image", {})["tag"] = IMAGE_TAG  # what helmfile sets from IMAGE_TAG
        return values

    def objects(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        for objects in self.manifests.values():
            yield from (o for o in objects if kind is None or o["kind"] == kind)

    def named(self, kind: str, name: str) -> dict[str, Any]:
        found = [o for o in self.objects(kind) if o["metadata"]["name"] == name]
        assert len(found) == 1, f"{len(found)} {kind} named {name}"
        return found[0]


def write_tree(system: System, out: Path) -> Path:
    for path, content in helm.render(system).items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return out / system.layout.helm_dir


def render_environment(system: System, environment: str, out: Path) -> Rendered:
    h = helm_python()
    root = write_tree(system, out)
    result = Rendered(system, environment, root)
    for chart in sorted(p for p in (root / "charts").iterdir() if p.name != "rose-lib"):
        if "dependencies" in (chart / "Chart.yaml").read_text():
            h.dependency_update(chart)  # what helmfile does for a local chart (file://../rose-lib)
        values = result.chart_values(chart.name)
        result.lint[chart.name] = h.lint(chart, values, strict=True, namespace=NAMESPACE,
                                         kube_version=f"v{KUBERNETES_VERSION}.0")
        with h.Chart.load(chart) as loaded:
            rendered = loaded.render(values, name=chart.name, namespace=NAMESPACE, is_install=True)
        result.manifests[chart.name] = [o for text in rendered.values() for o in yaml.safe_load_all(text) if o]
    return result


# Custom resources: the operator's schema in ../shared/schemas/crds, strict (additionalProperties: false).
CRD_PLURALS = {
    "Cluster": "clusters", "Database": "databases", "RabbitmqCluster": "rabbitmqclusters", "Vhost": "vhosts",
    "User": "users", "Permission": "permissions", "Exchange": "exchanges", "Queue": "queues",
    "Binding": "bindings", "Keycloak": "keycloaks", "KeycloakRealmImport": "keycloakrealmimports",
    "ServiceMonitor": "servicemonitors", "PrometheusRule": "prometheusrules", "GrafanaDashboard": "grafanadashboards",
    "GrafanaDatasource": "grafanadatasources", "Elasticsearch": "elasticsearches", "Kibana": "kibanas",
    "Logstash": "logstashes", "ExternalSecret": "externalsecrets", "Certificate": "certificates",
}


def is_custom(resource: dict[str, Any]) -> bool:
    return "." in resource["apiVersion"].split("/")[0] and not resource["apiVersion"].startswith(
        ("apps/", "batch/", "policy/", "autoscaling/", "networking.k8s.io/"))


@cache
def crd_validator(api_version: str, kind: str) -> Any:
    import jsonschema

    group, version = api_version.split("/")
    path = SHARED_SCHEMAS / "crds" / f"{group}_{CRD_PLURALS[kind]}_{version}.strict.json"
    if not path.exists():
        pytest.fail(f"no schema for {kind} ({api_version}) in {path.parent}")
    return jsonschema.Draft7Validator(json.loads(path.read_text()))


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
