"""Helpers shared by the compose modules: interpolation bookkeeping, escaping, healthchecks, ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rosec.model.environments import Environment
from rosec.model.infrastructure import LOCAL_BIND
from rosec.model.system import System

INFRA_INTERVAL_S = 10
INFRA_TIMEOUT_S = 5
INFRA_RETRIES = 10


@dataclass
class Variable:
    optional: bool
    users: list[str] = field(default_factory=list)  # compose services, in order of first use


@dataclass
class Interpolations:
    """Every `${VAR}` that compose.yaml reads from the env file, and which compose services read it."""

    variables: dict[str, Variable] = field(default_factory=dict)

    def required(self, name: str, user: str) -> str:
        self._record(name, user, optional=False)
        return f"${{{name}:?set {name} in .env}}"

    def secret(self, name: str, user: str) -> str:
        """A variable compose reads into a secret file (top-level `secrets:` with `environment:`), not into
        the compose file's text; listed in .env.example like the others."""
        self._record(name, user, optional=False)
        return name

    def optional(self, name: str, user: str) -> str:
        self._record(name, user, optional=True)
        return f"${{{name}:-}}"

    def _record(self, name: str, user: str, optional: bool) -> None:
        variable = self.variables.setdefault(name, Variable(optional))
        variable.optional = variable.optional and optional  # required as soon as one user requires it
        if user not in variable.users:
            variable.users.append(user)


@dataclass
class Context:
    """What one render accumulates besides the services: interpolated variables and named volumes."""

    system: System
    environment: Environment
    mountable: Callable[[str], bool]  # whether a target of the build writes this path of the output directory
    vars: Interpolations = field(default_factory=Interpolations)
    volumes: list[str] = field(default_factory=list)  # in order of first use
    secrets: list[str] = field(default_factory=list)  # compose secrets, filled from the variable of their name

    @property
    def network(self) -> str:
        return self.system.name

    def volume(self, name: str, target: str) -> str:
        """Mount the named volume `name` at `target`, declaring it once."""
        if name not in self.volumes:
            self.volumes.append(name)
        return f"{name}:{target}"

    def secret(self, name: str, user: str) -> str:
        """Mount the secret `name` (the env file's variable of that name) at /run/secrets/<name> in `user`."""
        self.vars.secret(name, user)
        if name not in self.secrets:
            self.secrets.append(name)
        return name

    def binds(self, *mounts: tuple[str, str]) -> list[str]:
        """Read-only bind mounts (source relative to compose.yaml, target in the container) of the generated
        files some target writes; a source no target writes is left out (Docker would create an empty directory)."""
        return [f"./{source}:{target}:ro" for source, target in mounts
                if self.mountable(source) or self.mountable(source.rstrip("/") + "/")]


def literal(value: str) -> str:
    """A literal string for compose: `$` would start an interpolation, `$$` is a plain dollar sign."""
    return value.replace("$", "$$")


def healthy(hosts: list[str]) -> dict[str, Any]:
    """depends_on: start after each of these compose services reports healthy (a fresh dict each, no YAML aliases)."""
    return {host: {"condition": "service_healthy"} for host in dict.fromkeys(hosts)}


def duration(seconds: int) -> str:
    return f"{seconds}s"


def healthcheck(test: list[str], interval_s: int = INFRA_INTERVAL_S, timeout_s: int = INFRA_TIMEOUT_S,
                retries: int = INFRA_RETRIES, start_period_s: int = 30) -> dict[str, Any]:
    return {
        "test": [literal(part) for part in test],
        "interval": duration(interval_s),
        "timeout": duration(timeout_s),
        "retries": retries,
        "start_period": duration(start_period_s),
    }


def publish(host_port: int, container_port: int | None = None, protocol: str = "") -> str:
    """Short port syntax, bound to the loopback interface only."""
    suffix = f"/{protocol}" if protocol else ""
    return f"{LOCAL_BIND}:{host_port}:{container_port or host_port}{suffix}"
