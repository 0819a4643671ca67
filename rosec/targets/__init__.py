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

from rosec.model.system import System
from rosec.targets import compose, messaging, runtime, services

Render = Callable[[System], dict[str, bytes]]


@dataclass(frozen=True)
class Target:
    render: Render
    description: str  # one line: what the target writes, as `rosec targets` shows it
    tools: tuple[str, ...] = ()  # distributions whose version shows in the output (recorded in the manifest)


BUILTIN_TARGETS: dict[str, Target] = {
    "compose": Target(compose.render, "compose.yaml, .env.example: the system and its infrastructure, for Compose"),
    "runtime": Target(runtime.render, "services/rose_runtime/: the runtime all services share (logs, metrics, auth)"),
    "services": Target(services.render, "services/<service>/: each service's contract, app, gRPC, events, Dockerfile",
                       tools=("grpcio-tools",)),
    "messaging": Target(messaging.render, "messaging/: the RabbitMQ topology and the AsyncAPI document of the events"),
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
