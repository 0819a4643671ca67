"""Docker Compose target (placeholder until implemented)."""

from __future__ import annotations

from rosec.emit.serialize import to_yaml
from rosec.model.system import System


def render(system: System) -> dict[str, bytes]:
    return {system.layout.compose_file: to_yaml({"name": system.name}, system.header())}
