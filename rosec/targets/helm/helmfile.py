"""helmfile.yaml.gotmpl: every release of an environment, platform first (`helmfile -e <environment> apply`).

Helmfile renders the file as a Go template per environment: the namespace comes from the environment's values,
each chart reads its values-<environment>.yaml, and the services' image tag from IMAGE_TAG (the build's tag).
"""

from __future__ import annotations

from typing import Any

from rosec.model import kubernetes as k8s
from rosec.model.environments import Environment
from rosec.model.system import System

ENVIRONMENT = "{{ .Environment.Name }}"
NAMESPACE = "{{ .Environment.Values.namespace }}"
IMAGE_TAG = '{{ requiredEnv "IMAGE_TAG" }}'
TIMEOUT_S = 900  # operators create databases, the broker and Elasticsearch on the first install


def helmfile(system: System, environments: tuple[Environment, ...]) -> list[dict[str, Any]]:
    """Two documents: the environments, then the releases (Helmfile renders the second with the first's values)."""
    platform = k8s.platform_chart(system)
    releases: list[dict[str, Any]] = [_release(platform, {})]
    for service in system.services:
        releases.append(_release(service.name, {"needs": [f"{NAMESPACE}/{platform}"],
                                                "set": [{"name": "image.tag", "value": IMAGE_TAG}]}))
    return [
        {"environments": {e.name: {"values": [{"namespace": k8s.settings(e).namespace}]} for e in environments}},
        {"helmDefaults": {"wait": True, "timeout": TIMEOUT_S, "historyMax": 10}, "releases": releases},
    ]


def _release(chart: str, more: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": chart,
        "namespace": NAMESPACE,
        "chart": f"./charts/{chart}",
        "values": [f"./charts/{chart}/values-{ENVIRONMENT}.yaml"],
        **more,
    }
