"""The shared service runtime `rose_runtime`: static modules plus names.py generated from the model."""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.resources import files
from importlib.resources.abc import Traversable

from rosec.emit.serialize import text
from rosec.model.metrics import LATENCY_BUCKETS, METRICS
from rosec.model.system import Layout, System

PACKAGE = "rose_runtime"


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.services_dir}/{PACKAGE}/",)


def render(system: System) -> dict[str, bytes]:
    if not system.services:
        return {}
    base = f"{system.layout.services_dir}/{PACKAGE}"
    out = {f"{base}/{name}": _with_header(system, content) for name, content in _static_modules()}
    out[f"{base}/names.py"] = _names_module(system)
    return out


def _static_modules() -> list[tuple[str, bytes]]:
    root: Traversable = files("rosec.resources").joinpath("runtime", PACKAGE)
    return sorted((entry.name, entry.read_bytes()) for entry in root.iterdir()
                  if entry.name.endswith(".py") and entry.name != "names.py")


def _with_header(system: System, content: bytes) -> bytes:
    return system.header().encode("utf-8") + content


def _names_module(system: System) -> bytes:
    lines = [system.header().rstrip("\n"), '"""Metric names and buckets, derived once in the rosec model."""', ""]
    lines += [f"{name.upper()} = {json.dumps(value)}" for name, value in asdict(METRICS).items()]
    lines.append(f"LATENCY_BUCKETS = {LATENCY_BUCKETS!r}")
    lines += ["", "# Request latency buckets of the services whose SLO threshold is not one of LATENCY_BUCKETS."]
    own = [s for s in system.services if s.latency_buckets != LATENCY_BUCKETS]
    if not own:
        lines.append("SERVICE_LATENCY_BUCKETS: dict[str, tuple[float, ...]] = {}")
        return text("\n".join(lines))
    lines.append("SERVICE_LATENCY_BUCKETS: dict[str, tuple[float, ...]] = {")
    for service in own:  # one bucket a line, as ruff format keeps a tuple with a trailing comma
        lines += [f"    {json.dumps(service.name)}: (", *(f"        {b!r}," for b in service.latency_buckets), "    ),"]
    lines.append("}")
    return text("\n".join(lines))
