"""Environments of the model: where the system runs, and each service's shape and variables there."""

from __future__ import annotations

from dataclasses import dataclass, field

from rosec.model.aws_settings import AwsSettings
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
    aws: AwsSettings | None = None  # hosting aws only

    @property
    def is_local(self) -> bool:
        """Runs on one machine (compose): ports published on the loopback, no autoscaling."""
        return self.hosting == "compose"
