"""The configuration of the edge that the Kong and Keycloak targets build, deployed as it is by the platform chart.

Each is one call of the builder of its target (the gateway's declarative configuration, the realm); until those
targets exist, None: the chart then leaves the gateway and the realm import out.
"""

from __future__ import annotations

from typing import Any

from rosec.model.environments import Environment
from rosec.model.system import System


def kong_configuration(system: System, environment: Environment) -> dict[str, Any] | None:
    """Kong's declarative configuration (kong.yaml) of the environment: rosec.targets.kong.kong_config."""
    return None


def keycloak_realm(system: System, environment: Environment) -> dict[str, Any] | None:
    """The realm of the environment (RealmRepresentation): rosec.targets.keycloak.realm."""
    return None
