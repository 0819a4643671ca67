"""Observability of the model: which of metrics, logs and error reporting the system turns on."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.spec.models import RoseSpec

# The variable a service's log level comes from (a `config` key may set it), and the levels the runtime accepts
# (rose_runtime.settings, in any case).
LOG_LEVEL_VARIABLE = "LOG_LEVEL"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Observability:
    metrics: bool
    logs: bool
    sentry: bool


def build_observability(spec: RoseSpec) -> Observability:
    o = spec.observability
    return Observability(o.metrics, o.logs, o.sentry)
