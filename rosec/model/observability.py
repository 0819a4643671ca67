"""Observability of the model: which of metrics, logs and error reporting the system turns on."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.spec.models import RoseSpec


@dataclass(frozen=True)
class Observability:
    metrics: bool
    logs: bool
    sentry: bool


def build_observability(spec: RoseSpec) -> Observability:
    o = spec.observability
    return Observability(o.metrics, o.logs, o.sentry)
