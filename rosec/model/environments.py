"""Environments of the model: where the system runs, and each service's shape and variables there."""

from __future__ import annotations

from dataclasses import dataclass, field

from rosec.model.aws_settings import AwsSettings
from rosec.model.cluster import KubernetesSettings
from rosec.model.identity import DevUser
from rosec.model.services import Resources, Scaling


@dataclass(frozen=True)
class EnvVar:
    """One environment variable of a service: a plain value, or a secret known only by name."""

    name: str
    value: str | None = None
    secret: str | None = None  # name of the secret that holds the value
    optional: bool = False  # a secret that may be left unset (e.g. SENTRY_DSN)

    @property
    def is_secret(self) -> bool:
        return self.secret is not None


@dataclass(frozen=True)
class ServiceDeployment:
    """A service's shape in one environment."""

    replicas: int
    resources: Resources
    autoscaling: Scaling | None
    env: tuple[EnvVar, ...]


@dataclass(frozen=True)
class Redis:
    """The Redis that every gateway node of an environment counts rate-limited requests in."""

    host: str
    port: int
    tls: bool
    password_env: str | None  # the secret that holds its password


@dataclass(frozen=True)
class GatewayNodes:
    """The gateway (Kong) of an environment: how many nodes, and where they count requests."""

    replicas: int
    redis: Redis | None = None


@dataclass(frozen=True)
class Environment:
    name: str
    hosting: str  # compose | kubernetes | aws
    domain: str
    region: str | None
    public_url: str  # base URL of the gateway as users reach it
    identity_url: str | None  # base URL of the identity provider as users reach it (the issuer's host)
    oidc_issuer: str | None
    oidc_jwks_url: str | None
    log_retention_days: int  # the ILM policy of the services' log data streams deletes older indices
    traces_sample_rate: float  # Sentry: share of requests, RPCs and messages traced
    deployments: dict[str, ServiceDeployment] = field(compare=False)
    oidc_token_url: str | None = None  # the token endpoint as services reach it
    cors_origins: tuple[str, ...] = ()
    gateway: GatewayNodes = GatewayNodes(1)
    dev_users: tuple[DevUser, ...] = ()
    kubernetes: KubernetesSettings | None = None  # kubernetes hosting only
    aws: AwsSettings | None = None  # hosting aws only

    @property
    def is_local(self) -> bool:
        """Runs on one machine (compose): ports published on the loopback, no autoscaling."""
        return self.hosting == "compose"
