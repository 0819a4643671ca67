"""Target registry: name -> pure function from the System model to {relative path: bytes}.

Built-in targets are listed here; third-party targets register under the
`rosec.targets` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from rosec.model.system import System
from rosec.targets import compose, messaging, runtime, services

Render = Callable[[System], dict[str, bytes]]

BUILTIN_TARGETS: dict[str, Render] = {
    "compose": compose.render,
    "runtime": runtime.render,
    "services": services.render,
    "messaging": messaging.render,
}


def available_targets() -> dict[str, Render]:
    targets = dict(BUILTIN_TARGETS)
    for entry in sorted(entry_points(group="rosec.targets"), key=lambda e: e.name):
        targets.setdefault(entry.name, entry.load())
    return targets
