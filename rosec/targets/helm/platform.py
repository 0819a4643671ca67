"""The platform chart (stub)."""
from __future__ import annotations
from rosec.model.environments import Environment
from rosec.model.system import System

def platform_chart(system: System, environments: tuple[Environment, ...]) -> dict[str, bytes]:
    return {}
