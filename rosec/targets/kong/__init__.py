"""Kong target: the declarative configuration (DB-less, `_format_version: "3.0"`) of the gateway, per environment.

`kong_config(system, environment)` is the public, pure builder that Compose, Helm and Terraform deploy; this
target writes it to config/kong/<environment>/kong.yaml for every environment (the one with compose hosting is
bind-mounted by compose.yaml). No key material: the realm's public key is a placeholder that the gateway's start
command fills in from the environment (rosec.targets.kong.start).
"""

from __future__ import annotations

from rosec.emit.serialize import to_yaml
from rosec.model.environments import Environment
from rosec.model.system import Layout, System
from rosec.targets.kong.config import kong_config

__all__ = ["kong_config", "kong_file", "outputs", "render"]


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.kong_dir}/",)


def render(system: System) -> dict[str, bytes]:
    if not system.has_gateway:
        return {}
    return {system.layout.kong_config(env.name): kong_file(system, env) for env in system.environments}


def kong_file(system: System, environment: Environment) -> bytes:
    """kong.yaml of the environment, as every target that deploys it writes it (rendered once per build)."""
    return system.once(("kong.yaml", environment.name),
                       lambda: to_yaml(kong_config(system, environment), system.header()))
