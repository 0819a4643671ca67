"""Language of the edge in an environment: the gateway's nodes and rate-limit store, browser origins, dev users."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rosec.spec import names
from rosec.spec.base import EnvVarName, Name, RoleName, Spec

Origin = Name(names.ORIGIN, "A browser origin: scheme://host[:port], e.g. https://app.example.com.", 255)
Username = Name(names.USERNAME, "A user name: lowercase letters, digits, '.', '_' and '-'.", 63)


class RedisSpec(Spec):
    host: Annotated[str, Field(pattern=names.HOST, max_length=253)]
    """Host name of the Redis server that keeps the rate-limit counters every gateway node shares."""
    port: Annotated[int, Field(ge=1, le=65535)] = 6379
    """Port of the Redis server."""
    tls: bool = True
    """Connect with TLS (and verify the server's certificate)."""
    password: EnvVarName | None = None
    """The secret that holds the Redis password (its name, never the password); none: no AUTH."""


class EnvironmentGatewaySpec(Spec):
    replicas: Annotated[int, Field(ge=1, le=100)] | None = None
    """Gateway (Kong) nodes in this environment; default 1 with compose hosting, 2 elsewhere. Without `redis`,
    each node counts requests alone, so every rate limit is divided among them."""
    redis: RedisSpec | None = None
    """Redis that every gateway node counts requests in (rate-limit policy redis); absent: policy local."""


class DevUserSpec(Spec):
    name: Username
    """Login name of the user."""
    roles: list[RoleName] = []
    """Realm roles the user holds (declared in identity.roles)."""
    password: EnvVarName
    """The secret that holds the user's password: its name, never the password."""
