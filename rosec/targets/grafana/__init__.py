"""Grafana target (placeholder until the dashboards land)."""

from __future__ import annotations

from rosec.model.system import Layout, System


def outputs(layout: Layout) -> tuple[str, ...]:
    return ()


def render(system: System) -> dict[str, bytes]:
    return {}
