"""Keycloak target: the realm import file (Keycloak 26, `start --import-realm`) of every environment.

`realm(system, environment)` is the public, pure builder that Compose, Helm and Terraform deploy; this target
writes it to config/keycloak/<environment>/<realm>-realm.json. No secret value: the signing key, client secrets
and dev users' passwords are `${VARIABLE}` placeholders that Keycloak fills in from its environment at import.
"""

from __future__ import annotations

from rosec.emit.serialize import to_json
from rosec.model.environments import Environment
from rosec.model.system import Layout, System
from rosec.targets.keycloak.realm import realm

__all__ = ["outputs", "realm", "realm_file", "render"]


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.keycloak_dir}/",)


def render(system: System) -> dict[str, bytes]:
    if system.identity is None:
        return {}
    return {system.layout.keycloak_realm(env.name, system.identity.realm): realm_file(system, env)
            for env in system.environments}


def realm_file(system: System, environment: Environment) -> bytes:
    """The realm import of the environment, as every target that deploys it writes it (rendered once per build)."""
    return system.once(("realm.json", environment.name), lambda: to_json(realm(system, environment)))
