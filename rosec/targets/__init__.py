"""Target registry: name -> a pure function from the System model to {relative path: bytes}, with one line
saying what it writes.

Built-in targets are listed here; third-party targets register under the `rosec.targets` entry-point group,
either a render function or a `Target`. A plain function is described by its `description` attribute or the
first line of its docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from rosec.model.system import Layout, System
from rosec.render_processes import Parts
from rosec.targets import (
    alertmanager,
    compose,
    grafana,
    helm,
    keycloak,
    kong,
    logs,
    messaging,
    prometheus,
    runtime,
    services,
    terraform,
)

Render = Callable[[System], dict[str, bytes]]


@dataclass(frozen=True)
class Target:
    render: Render
    description: str  # one line: what the target writes, as `rosec targets` shows it
    tools: tuple[str, ...] = ()  # distributions whose version shows in the output (recorded in the manifest)
    # What the target writes: files, or directories ending in "/", relative to the output directory. The compose
    # target bind-mounts a generated file into a container only when a built-in target declares it (Docker would
    # create an empty directory in place of a missing source); a test checks the declarations against the output.
    outputs: Callable[[Layout], tuple[str, ...]] = lambda layout: ()
    # The render in independent parts whose union is render(system): two rendering processes share them out
    # for a large system, each taking the next part when it is free (rosec.render_processes).
    parts: Parts | None = None


def written_by_a_target(system: System, path: str) -> bool:
    """Whether some built-in target writes `path`: a file, or files under it when it ends in "/"."""
    declared = [out for target in BUILTIN_TARGETS.values() for out in target.outputs(system.layout)]
    return any(path == out or path.startswith(out) if out.endswith("/") else path == out or
               (path.endswith("/") and out.startswith(path)) for out in declared)


def _compose(system: System) -> dict[str, bytes]:
    return compose.render(system, mountable=lambda path: written_by_a_target(system, path))


BUILTIN_TARGETS: dict[str, Target] = {
    "compose": Target(_compose, "compose.yaml, .env.example: the system and its infrastructure, for Compose",
                      outputs=compose.outputs),
    "runtime": Target(runtime.render, "services/rose_runtime/: the runtime all services share (logs, metrics, auth)",
                      outputs=runtime.outputs),
    "services": Target(services.render, "services/<service>/: each service's contract, app, gRPC, events, Dockerfile",
                       tools=("grpcio-tools",), outputs=services.outputs, parts=services.parts),
    "messaging": Target(messaging.render, "messaging/: the RabbitMQ topology and the AsyncAPI document of the events",
                        outputs=messaging.outputs),
    "kong": Target(kong.render, "config/kong/<env>/kong.yaml: the gateway's declarative config, per environment",
                   outputs=kong.outputs),
    "keycloak": Target(keycloak.render, "config/keycloak/<env>/: the realm to import (clients, roles, users, keys)",
                       outputs=keycloak.outputs),
    "logs": Target(logs.render, "config/logstash/, config/elastic-setup/: log pipeline, index template, ILM",
                   outputs=logs.outputs),
    "prometheus": Target(prometheus.render, "config/prometheus/: scrape config, SLO and alert rules, promtool tests",
                         outputs=prometheus.outputs),
    "alertmanager": Target(alertmanager.render, "config/alertmanager/: routes by owner and severity, receivers",
                           outputs=alertmanager.outputs),
    "grafana": Target(grafana.render, "config/grafana/: datasources; dashboards per service, per SLO, for the system",
                      outputs=grafana.outputs),
    "helm": Target(helm.render, "helm/: a chart per service, the platform chart on operators, helmfile (kubernetes)",
                   outputs=helm.outputs),
    "terraform": Target(terraform.render, "terraform/: modules and a root per aws environment (ECS, RDS, EFS, edge)",
                        outputs=terraform.outputs),
}


@cache
def registered_targets() -> dict[str, Target]:
    """The built-in targets, then the entry points' (a built-in name wins)."""
    targets = dict(BUILTIN_TARGETS)
    for entry in sorted(entry_points(group="rosec.targets"), key=lambda e: e.name):
        if entry.name not in targets:
            targets[entry.name] = _plugin(entry)
    return targets


def available_targets() -> dict[str, Render]:
    return {name: target.render for name, target in registered_targets().items()}


def available_parts() -> dict[str, Parts]:
    """The targets that render in parts (Target.parts), by name."""
    return {name: target.parts for name, target in registered_targets().items() if target.parts is not None}


def _plugin(entry: EntryPoint) -> Target:
    loaded = entry.load()
    if isinstance(loaded, Target):
        return loaded
    distribution = entry.dist.name if entry.dist is not None else None
    doc = (getattr(loaded, "__doc__", None) or "").strip()
    description = getattr(loaded, "description", None) or (doc.splitlines()[0] if doc else None)
    if not isinstance(description, str):
        origin = f" from {distribution}" if distribution else ""
        description = f"third-party target{origin} ({entry.value}; it has no description)"
    return Target(loaded, description, tools=(distribution,) if distribution else ())
