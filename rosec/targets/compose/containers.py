"""How compose.yaml describes one infrastructure container: image, fields, network, health check, hardening."""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.targets.compose.common import Context, healthcheck, healthy
from rosec.targets.compose.hardening import Hardening, locked_down


def entry(ctx: Context, image: str, test: list[str] | None, startup_s: int, locked: Hardening,
          depends_on: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """One infrastructure container; `fields` (hostname, entrypoint, command, environment, ports, volumes,
    secrets) in that order."""
    found: dict[str, Any] = {"image": image}
    found |= {key: value for key, value in fields.items() if value}
    found["networks"] = [ctx.network]
    if depends_on:
        found["depends_on"] = healthy(list(depends_on))
    # No test: a one-shot container, run once to completion (nothing to probe, nothing to restart).
    found["healthcheck"] = healthcheck(test, start_period_s=startup_s) if test else {"disable": True}
    found["restart"] = "unless-stopped" if test else "no"
    return found | locked_down(locked)


def state(ctx: Context, component: infra.Component) -> str:
    assert component.volume and component.data_path, f"{component.host} keeps no state"
    return ctx.volume(component.volume, component.data_path)


def http_probe(port: int, path: str) -> list[str]:
    """A health check for the busybox-based Prometheus images, which have wget but no curl."""
    return ["CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{port}{path}"]
