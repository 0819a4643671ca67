"""Docker Compose target: compose.yaml for the local (compose-hosted) environment, and its .env.example.

compose.yaml runs every service and the infrastructure it needs on one network. Secrets are never written:
compose.yaml interpolates them from an env file, and .env.example lists every variable it reads, empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rosec.emit.serialize import text, to_yaml
from rosec.model.system import Layout, System
from rosec.targets.compose.common import Context, Interpolations
from rosec.targets.compose.infrastructure import infrastructure
from rosec.targets.compose.services import services


def outputs(layout: Layout) -> tuple[str, ...]:
    return layout.compose_file, layout.env_example


def render(system: System, mountable: Callable[[str], bool] = lambda path: False) -> dict[str, bytes]:
    """compose.yaml and .env.example; `mountable(path)` says whether a target writes that file of the output
    directory, so that a container may bind-mount it (rosec.targets.written_by_a_target)."""
    environment = system.compose_environment
    if environment is None:
        return {}
    ctx = Context(system, environment, mountable)
    own, infra = services(ctx), infrastructure(ctx)
    assert own.keys().isdisjoint(infra), "host names are unique (rosec.model.checks)"
    document: dict[str, Any] = {
        "name": system.name,
        "services": own | infra,
        "networks": {ctx.network: {}},
    }
    if ctx.volumes:
        document["volumes"] = {name: {} for name in ctx.volumes}
    if ctx.secrets:
        document["secrets"] = {name: {"environment": name} for name in ctx.secrets}
    layout = system.layout
    return {
        layout.compose_file: to_yaml(document, system.header()),
        layout.env_example: env_example(system, ctx.vars),
    }


def env_example(system: System, variables: Interpolations) -> bytes:
    layout = system.layout
    env_file = layout.from_project_root(system.name, layout.env_example)
    compose_file = layout.from_project_root(system.name, layout.compose_file)
    lines = [
        system.header().rstrip("\n"),
        f"# From the project root: `rosec env init SPEC` writes .env from this file with fresh values "
        f"(or cp {env_file} .env and fill in every value), then run "
        f"docker compose --env-file .env -f {compose_file} up",
    ]
    service_names = {s.name for s in system.services}
    for name in sorted(variables.variables):
        variable = variables.variables[name]
        infra = [u for u in variable.users if u not in service_names]
        own = [u for u in variable.users if u in service_names]
        users = ([", ".join(infra)] if infra else []) + ([f"services: {', '.join(own)}"] if own else [])
        note = " (optional, may stay empty)" if variable.optional else ""
        lines += ["", f"# secret of {'; '.join(users)}{note}", f"{name}="]
    return text("\n".join(lines))
