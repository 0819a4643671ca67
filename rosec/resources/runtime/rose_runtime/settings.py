"""Service settings from the environment variables rosec wires into every service."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import overload
from urllib.parse import quote, urlsplit, urlunsplit

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_VERSION = "dev"  # SERVICE_VERSION of an image built without one (the Dockerfile's build argument)


class SettingsError(ValueError):
    """The environment does not describe a runnable service; lists every problem at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid service environment:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    jwks_url: str
    audience: str
    callers: tuple[str, ...] = ()  # client ids of the services that call this one (OIDC_CALLERS)
    callers_only: bool = False  # an internal service: tokens of its callers only (OIDC_CALLERS_ONLY)


@dataclass(frozen=True)
class OidcClientSettings:
    """This service's own client, to obtain tokens for the services it calls (client credentials)."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class PostgresSettings:
    dsn: str  # postgresql://user@host:port/database, without the password
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PeerSettings:
    url: str | None  # base URL of the peer's REST API
    grpc_target: str | None  # host:port of the peer's gRPC server


@dataclass(frozen=True)
class Settings:
    system: str
    service: str
    environment: str
    port: int
    grpc_port: int | None = None
    amqp_url: str | None = None
    amqp_password: str | None = field(default=None, repr=False)
    oidc: OidcSettings | None = None
    oidc_client: OidcClientSettings | None = None
    sentry_dsn: str | None = field(default=None, repr=False)
    sentry_environment: str | None = None
    sentry_traces_sample_rate: float = 0.0
    version: str = DEFAULT_VERSION
    log_dataset: str | None = None  # event.dataset of the service's lines: <system>.<service> (LOG_DATASET)
    log_level: str = "INFO"
    bind_host: str = "0.0.0.0"
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        env = dict(environ)
        problems: list[str] = []

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                problems.append(f"{name} is required")
            return value

        def optional(name: str) -> str | None:
            return env.get(name, "").strip() or None

        def port(name: str, value: str | None) -> int | None:
            if value is None:
                return None
            if not value.isdigit() or not 0 < int(value) < 65536:
                problems.append(f"{name} must be a TCP port (1-65535), not {value!r}")
                return None
            return int(value)

        system, service, environment = required("ROSE_SYSTEM"), required("SERVICE_NAME"), required("ROSE_ENVIRONMENT")
        http_port = port("PORT", required("PORT") or None)
        grpc_port = port("GRPC_PORT", optional("GRPC_PORT"))

        amqp_url = optional("AMQP_URL")
        if amqp_url and urlsplit(amqp_url).scheme not in ("amqp", "amqps"):
            problems.append(f"AMQP_URL must be an amqp:// or amqps:// URL, not {amqp_url!r}")

        def complete(*names: str) -> list[str] | None:
            """The values of variables that go together: all of them, none (None), or a problem."""
            values = {name: optional(name) for name in names}
            if any(values.values()) and not all(values.values()):
                missing = ", ".join(name for name, value in values.items() if not value)
                problems.append(f"OIDC settings are incomplete: {missing} missing")
            return [v or "" for v in values.values()] if all(values.values()) else None

        callers_only = (optional("OIDC_CALLERS_ONLY") or "false").lower()
        if callers_only not in ("true", "false"):
            problems.append(f"OIDC_CALLERS_ONLY must be true or false, not {callers_only!r}")
        callers = tuple(c.strip() for c in (optional("OIDC_CALLERS") or "").split(",") if c.strip())
        oidc = oidc_client = None
        verified = complete("OIDC_ISSUER_URL", "OIDC_JWKS_URL", "OIDC_AUDIENCE")
        if verified:
            issuer, jwks_url, audience = verified
            oidc = OidcSettings(issuer, jwks_url, audience, callers, callers_only == "true")
        own = complete("OIDC_GRANT_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
        if own:
            token_url, client_id, client_secret = own
            oidc_client = OidcClientSettings(token_url, client_id, client_secret)

        log_level = (optional("LOG_LEVEL") or "INFO").upper()
        if log_level not in _LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {log_level!r}")

        sample_rate = _sample_rate(optional("SENTRY_TRACES_SAMPLE_RATE"), problems)

        if problems:
            raise SettingsError(problems)
        assert http_port is not None
        return cls(
            system=system,
            service=service,
            environment=environment,
            port=http_port,
            grpc_port=grpc_port,
            amqp_url=amqp_url,
            amqp_password=optional("AMQP_PASSWORD"),
            oidc=oidc,
            oidc_client=oidc_client,
            sentry_dsn=optional("SENTRY_DSN"),
            bind_host=optional("BIND_HOST") or "0.0.0.0",
            sentry_environment=optional("SENTRY_ENVIRONMENT"),
            sentry_traces_sample_rate=sample_rate,
            version=optional("SERVICE_VERSION") or DEFAULT_VERSION,
            log_dataset=optional("LOG_DATASET"),
            log_level=log_level,
            environ=env,
        )

    @property
    def amqp_connection_url(self) -> str | None:
        """AMQP_URL with AMQP_PASSWORD injected as the password (the URL itself carries none)."""
        if self.amqp_url is None or self.amqp_password is None:
            return self.amqp_url
        return with_password(self.amqp_url, self.amqp_password)

    @overload
    def get(self, name: str, default: str) -> str: ...
    @overload
    def get(self, name: str, default: None = None) -> str | None: ...
    def get(self, name: str, default: str | None = None) -> str | None:
        """A plain config value or secret of this service (`config:` and `secrets:` in the spec)."""
        value = self.environ.get(name)
        return default if value is None else value

    def require(self, name: str) -> str:
        value = self.environ.get(name)
        if value is None or value == "":
            raise SettingsError([f"{name} is required"])
        return value

    def postgres(self, name_prefix: str) -> PostgresSettings:
        """A postgres datastore's `<PREFIX>_URL` and `<PREFIX>_PASSWORD` (prefix ORDERS_DB, or orders-db)."""
        prefix = env_prefix(name_prefix)
        return PostgresSettings(self.require(f"{prefix}_URL"), self.environ.get(f"{prefix}_PASSWORD") or None)

    def volume_path(self, name_prefix: str) -> str:
        """Mount path of a volume datastore from `<PREFIX>_PATH`."""
        return self.require(f"{env_prefix(name_prefix)}_PATH")

    def peer(self, name_prefix: str) -> PeerSettings:
        """Where a called service is reached: `<PREFIX>_URL` and `<PREFIX>_GRPC_TARGET`."""
        prefix = env_prefix(name_prefix)
        return PeerSettings(
            self.environ.get(f"{prefix}_URL") or None, self.environ.get(f"{prefix}_GRPC_TARGET") or None
        )


def _sample_rate(value: str | None, problems: list[str]) -> float:
    """SENTRY_TRACES_SAMPLE_RATE: a share between 0 and 1 (0, no tracing, when unset)."""
    if value is None:
        return 0.0
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        problems.append(f"SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1, not {value!r}")
        return 0.0
    return rate


def env_prefix(name: str) -> str:
    """orders-db -> ORDERS_DB (the rule rosec derives env var names with)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name).upper()


def with_password(url: str, password: str) -> str:
    """The URL with its password replaced, percent-encoded."""
    parts = urlsplit(url)
    if parts.hostname is None:
        raise ValueError(f"URL without a host: {url!r}")
    user = parts.username or ""  # kept as written (already percent-encoded if needed)
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
