"""Error reporting to Sentry, only when the service is given a DSN."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import sentry_sdk
from sentry_sdk.types import SamplingContext

from .settings import Settings
from .tracing import INFRASTRUCTURE

if TYPE_CHECKING:
    from sentry_sdk.types import DataCollectionUserOptions

# What the SDK may attach to events (sentry-sdk's `data_collection`, which replaces `send_default_pii`): no user
# identity, cookies, bodies, query data or message payloads; request headers and query parameters without the
# ones that identify a client (the terms the SDK itself strips when personal data is off).
_CLIENT_IDENTITY = ["forwarded", "-ip", "remote-", "via", "-user", "authorization", "cookie"]
NO_PERSONAL_DATA: DataCollectionUserOptions = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": _CLIENT_IDENTITY}},
    "http_bodies": [],
    "url_query_params": {"mode": "denylist", "terms": _CLIENT_IDENTITY},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
}


def init_sentry(settings: Settings) -> bool:
    """Initialise the Sentry SDK when SENTRY_DSN is set; returns whether error reporting is enabled.

    Events carry the environment (SENTRY_ENVIRONMENT, else ROSE_ENVIRONMENT), the release
    `<service>@<SERVICE_VERSION>` and the system and service as tags; no personal data (`NO_PERSONAL_DATA`).
    Transactions are sampled by `traces_sampler` at SENTRY_TRACES_SAMPLE_RATE. The runtime traces HTTP, gRPC
    and AMQP itself (rose_runtime.tracing), so the SDK's auto-enabled framework integrations stay off (they
    would open a second transaction per request); its default ones (logging: error log lines become events,
    with their exception) stay on.
    """
    if not settings.sentry_dsn:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_environment or settings.environment,
        release=release(settings),
        traces_sampler=traces_sampler(settings.sentry_traces_sample_rate),
        data_collection=NO_PERSONAL_DATA,
        auto_enabling_integrations=False,
    )
    scope = sentry_sdk.get_global_scope()  # tags for every event of the process, whatever task reports it
    scope.set_tag("system", settings.system)
    scope.set_tag("service", settings.service)
    return True


def release(settings: Settings) -> str:
    """`<service>@<version>`: the version is SERVICE_VERSION, set when the image is built (else "dev")."""
    return f"{settings.service}@{settings.version}"


def traces_sampler(rate: float) -> Callable[[SamplingContext], float]:
    """Never a health check or metrics scrape; a call continues its caller's decision; anything else at `rate`."""

    def sample(context: SamplingContext) -> float:
        if context.get(INFRASTRUCTURE):
            return 0.0
        parent_sampled = context.get("parent_sampled")
        if isinstance(parent_sampled, bool):
            return 1.0 if parent_sampled else 0.0
        return rate

    return sample
