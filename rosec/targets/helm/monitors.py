"""ServiceMonitors of the platform's components, from the scrape model (rosec.model.kubernetes.monitors); the
services' own are in their charts."""

from __future__ import annotations

from typing import Any

from rosec.model import kubernetes as k8s
from rosec.model.environments import Environment
from rosec.model.scrape import SERVICES_JOB
from rosec.model.system import System


def monitor_values(system: System, environment: Environment) -> list[dict[str, Any]]:
    found = []
    for m in k8s.monitors(system, environment):
        if m.job == SERVICES_JOB:
            continue
        endpoint: dict[str, Any] = {"port": m.port} if m.port else {"targetPort": m.target_port}
        endpoint["path"] = m.path
        if m.params:
            endpoint["params"] = {name: list(values) for name, values in m.params}
        if m.honor_labels:
            endpoint["honorLabels"] = True
        found.append({"name": m.name, "selector": dict(m.selector), "endpoint": endpoint,
                      "labels": {"job": m.job, "service": m.service, **dict(m.labels)}})
    return found
