"""Target registry: name -> pure function from the System model to {relative path: bytes}.

Built-in targets are listed here; third-party targets register under the
`rosec.targets` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from rosec.model.system import Layout, System
from rosec.targets import compose, logs, messaging, runtime, services, terraform

Render = Callable[[System], dict[str, bytes]]

# What each built-in target writes: files, or directories ending in "/", relative to the output directory. The
# compose target bind-mounts a generated file into a container only when a target here writes it (Docker would
# create an empty directory in place of a missing source); a test checks the declarations against the output.
OUTPUTS: dict[str, Callable[[Layout], tuple[str, ...]]] = {
    "compose": compose.outputs,
    "runtime": runtime.outputs,
    "services": services.outputs,
    "messaging": messaging.outputs,
    "logs": logs.outputs,
    "terraform": terraform.outputs,
}


def written_by_a_target(system: System, path: str) -> bool:
    """Whether some built-in target writes `path`: a file, or files under it when it ends in "/"."""
    declared = [out for outputs in OUTPUTS.values() for out in outputs(system.layout)]
    return any(path == out or path.startswith(out) if out.endswith("/") else path == out or
               (path.endswith("/") and out.startswith(path)) for out in declared)


def _compose(system: System) -> dict[str, bytes]:
    return compose.render(system, mountable=lambda path: written_by_a_target(system, path))


BUILTIN_TARGETS: dict[str, Render] = {
    "compose": _compose,
    "runtime": runtime.render,
    "services": services.render,
    "messaging": messaging.render,
    "logs": logs.render,
    "terraform": terraform.render,
}


def available_targets() -> dict[str, Render]:
    targets = dict(BUILTIN_TARGETS)
    for entry in sorted(entry_points(group="rosec.targets"), key=lambda e: e.name):
        targets.setdefault(entry.name, entry.load())
    return targets
