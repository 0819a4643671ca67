"""Rendering the targets of a large system in two processes.

Rendering is pure Python and bound by the CPU, so threads would take turns on one interpreter lock. For a large
system the targets are split between this process and a forked child, which inherits the resolved System (nothing
is sent to it) and sends its files back through a pipe. The split keeps together the targets that share rendered
files (System.once): the child renders the services' code and what stands beside it (the runtime, the messaging
topology, the log pipeline, Alertmanager); this process renders the platform targets, which embed each other's
files (Prometheus rules, Grafana dashboards, the Kong config and the realm, in Helm and Terraform), Compose and any
third-party target. At 1000 services the two halves take about the same time (4.5 s each here); the process that
finishes first waits for the other.

Everything renders here, in order, when fork is missing (Windows), with one CPU, below PARALLEL_FROM_SERVICES
(forking costs more than it saves), when other threads run (a fork copies their locks, held or not), or with
ROSEC_RENDER_PROCESSES=1. The files are the same either way. A child that fails sends nothing: its targets are
then rendered here, so that its error is raised in this process as it would be without the child.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from rosec.model.system import System

Render = Callable[["System"], dict[str, bytes]]
Rendered = dict[str, dict[str, bytes]]

CHILD_TARGETS = frozenset({"services", "runtime", "messaging", "logs", "alertmanager"})
PARALLEL_FROM_SERVICES = 50
PROCESSES_VARIABLE = "ROSEC_RENDER_PROCESSES"


def render_targets(system: System, chosen: Sequence[str], registry: Mapping[str, Render]) -> Rendered:
    """{target: its files} of every chosen target, in the order chosen."""
    in_child = [name for name in chosen if name in CHILD_TARGETS]
    here = [name for name in chosen if name not in CHILD_TARGETS]
    if not (in_child and here and in_parallel(system)):
        return _render(system, chosen, registry)
    try:
        read_end, write_end = os.pipe()
    except OSError:  # out of file descriptors: one process will do
        return _render(system, chosen, registry)
    try:
        pid = os.fork()
    except OSError:  # out of memory or processes: one process will do
        os.close(read_end)
        os.close(write_end)
        return _render(system, chosen, registry)
    if pid == 0:
        os.close(read_end)
        _child(system, in_child, registry, write_end)
    os.close(write_end)
    try:
        rendered = _render(system, here, registry)
    except BaseException:
        _stop(pid, read_end)
        raise
    from_child = _collect(pid, read_end)
    if from_child is None:
        from_child = _render(system, in_child, registry)
    rendered |= from_child
    return {name: rendered[name] for name in chosen}


def in_parallel(system: System) -> bool:
    """Whether render_targets forks for this system, on this machine, now."""
    setting = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if setting == "1" or not hasattr(os, "fork") or threading.active_count() > 1 or usable_cpus() < 2:
        return False
    return setting == "2" or len(system.services) >= PARALLEL_FROM_SERVICES


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _render(system: System, names: Sequence[str], registry: Mapping[str, Render]) -> Rendered:
    return {name: registry[name](system) for name in names}


def _child(system: System, names: Sequence[str], registry: Mapping[str, Render], write_end: int) -> NoReturn:
    """Render `names` and send them through write_end; never returns. Exit status 0 only once all is sent."""
    status = 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(_render(system, names, registry), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


def _collect(pid: int, read_end: int) -> Rendered | None:
    """What the child sent, or None when it failed."""
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    rendered: Rendered = pickle.loads(data)
    return rendered


def _stop(pid: int, read_end: int) -> None:
    os.close(read_end)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
