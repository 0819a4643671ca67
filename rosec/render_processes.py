"""Rendering the targets of a large system in two processes (rosec.forked).

The split keeps together the targets that share rendered files (System.once): the child renders the services'
code and what stands beside it (the runtime, the messaging topology, the log pipeline, Alertmanager); this process
renders the platform targets, which embed each other's files (Prometheus rules, Grafana dashboards, the Kong
config and the realm, in Helm and Terraform), Compose and any third-party target. At 1000 services the two halves
take about the same time (4.5 s each here); the process that finishes first waits for the other.

Everything renders here, in order, below PARALLEL_FROM_SERVICES (forking costs more than it saves), with
ROSEC_RENDER_PROCESSES=1, and wherever rosec.forked does not fork. The files are the same either way. A target
that fails in the child is rendered again here, so that its error is raised in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from rosec.emit.manifest import sha256
from rosec.forked import Forked, can_fork

if TYPE_CHECKING:
    from rosec.model.system import System

Render = Callable[["System"], dict[str, bytes]]
Rendered = dict[str, dict[str, tuple[bytes, str]]]  # target -> path -> (content, its SHA-256)

CHILD_TARGETS = frozenset({"services", "runtime", "messaging", "logs", "alertmanager"})
PARALLEL_FROM_SERVICES = 50
PROCESSES_VARIABLE = "ROSEC_RENDER_PROCESSES"


def render_targets(system: System, chosen: Sequence[str], registry: Mapping[str, Render]) -> Rendered:
    """{target: {path: (content, SHA-256)}} of every chosen target, in the order chosen: each file is hashed in
    the process that rendered it, for the manifest."""
    in_child = [name for name in chosen if name in CHILD_TARGETS]
    here = [name for name in chosen if name not in CHILD_TARGETS]
    if not (in_child and here and in_parallel(system)):
        return _render(system, chosen, registry)
    child = Forked(lambda: _render(system, in_child, registry))
    try:
        rendered = _render(system, here, registry)
    except BaseException:
        child.cancel()
        raise
    rendered |= child.result()
    return {name: rendered[name] for name in chosen}


def in_parallel(system: System) -> bool:
    """Whether work for this system is worth a second process, on this machine, now."""
    setting = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if setting == "1" or not can_fork():
        return False
    return setting == "2" or len(system.services) >= PARALLEL_FROM_SERVICES


def _render(system: System, names: Sequence[str], registry: Mapping[str, Render]) -> Rendered:
    return {name: {path: (content, sha256(content)) for path, content in registry[name](system).items()}
            for name in names}
