"""The per-service Runtime object: settings, logger, metrics, token verifier and readiness checks."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping

from prometheus_client import CollectorRegistry

from .auth import TokenVerifier
from .logs import ServiceLogger, configure_logging
from .metrics import ServiceMetrics
from .sentry import init_sentry
from .settings import Settings
from .tokens import ClientCredentials, TokenSource

ReadinessCheck = Callable[[], Awaitable[bool | None]]  # False or an exception means "not ready"

READINESS_TIMEOUT = 2.0


class Runtime:
    """Everything one service shares: settings, logger, metrics registry, token verifier, the client credentials
    it calls other services with, readiness checks.

    The constructor has no process-wide effects, so tests may build several runtimes in one interpreter;
    `from_env` is for a service's entry point and also configures logging and Sentry.
    """

    def __init__(
        self, settings: Settings, *, registry: CollectorRegistry | None = None, verifier: TokenVerifier | None = None
    ) -> None:
        self.settings = settings
        self.registry = registry if registry is not None else CollectorRegistry()
        self.metrics = ServiceMetrics(settings.service, self.registry)
        oidc = settings.oidc
        if verifier is None and oidc is not None:
            verifier = TokenVerifier(
                oidc.issuer, oidc.audience, oidc.jwks_url, callers=oidc.callers, callers_only=oidc.callers_only
            )
        self.verifier = verifier
        client = settings.oidc_client
        self.tokens: TokenSource | None = None
        self._credentials: ClientCredentials | None = None
        if client is not None:
            self.tokens = self._credentials = ClientCredentials(
                client.token_url, client.client_id, client.client_secret
            )
        self.logger = self.logger_for(f"rose.{settings.service}")
        self.draining = False  # set when shutdown starts: /readyz then answers 503
        self._checks: dict[str, ReadinessCheck] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Runtime:
        settings = Settings.from_env(environ)
        configure_logging(
            settings.service,
            settings.environment,
            settings.log_level,
            version=settings.version,
            dataset=settings.log_dataset,
        )
        runtime = cls(settings)
        if init_sentry(settings):
            runtime.logger.info("error reporting to Sentry enabled")
        return runtime

    async def aclose(self) -> None:
        """Release what the runtime holds open (the token endpoint's connections); after the service stopped."""
        if self._credentials is not None:
            await self._credentials.aclose()

    def logger_for(self, name: str) -> ServiceLogger:
        return ServiceLogger(
            logging.getLogger(name),
            {"service.name": self.settings.service, "service.environment": self.settings.environment},
        )

    def add_readiness_check(self, name: str, check: ReadinessCheck) -> None:
        if name in self._checks:
            raise ValueError(f"readiness check {name!r} is already registered")
        self._checks[name] = check

    @property
    def readiness_checks(self) -> Mapping[str, ReadinessCheck]:
        return dict(self._checks)

    async def readiness(self, timeout: float = READINESS_TIMEOUT) -> dict[str, str]:
        """The state of every readiness check, "ok" or why not, checked concurrently."""

        async def state(name: str, check: ReadinessCheck) -> str:
            try:
                async with asyncio.timeout(timeout):
                    ok = await check()
            except TimeoutError:
                self.logger.warning("readiness check %s timed out", name)
                return "timeout"
            except Exception as error:
                self.logger.warning("readiness check %s failed: %r", name, error)
                return "failed"
            return "failed" if ok is False else "ok"

        names = list(self._checks)
        states = await asyncio.gather(*(state(n, self._checks[n]) for n in names))
        result = dict(zip(names, states, strict=True))
        if self.draining:
            result["shutdown"] = "draining"
        return result
