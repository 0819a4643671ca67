"""Error reporting to Sentry, only when the service is given a DSN."""

from __future__ import annotations

import sentry_sdk

from .settings import Settings


def init_sentry(settings: Settings) -> bool:
    """Initialise the Sentry SDK when SENTRY_DSN is set; returns whether error reporting is enabled.

    No tracing (traces_sample_rate 0) and no personal data (send_default_pii False); events carry the
    environment (SENTRY_ENVIRONMENT, else ROSE_ENVIRONMENT) and the system and service as tags.
    """
    if not settings.sentry_dsn:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_environment or settings.environment,
        release=None,
        traces_sample_rate=0.0,
        send_default_pii=False,
    )
    scope = sentry_sdk.get_global_scope()  # tags for every event of the process, whatever task reports it
    scope.set_tag("system", settings.system)
    scope.set_tag("service", settings.service)
    return True
