"""Error reporting to Sentry, only when the service is given a DSN."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sentry_sdk

from .settings import Settings

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

    No tracing (traces_sample_rate 0) and no personal data (`NO_PERSONAL_DATA`); events carry the
    environment (SENTRY_ENVIRONMENT, else ROSE_ENVIRONMENT) and the system and service as tags.
    """
    if not settings.sentry_dsn:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_environment or settings.environment,
        release=None,
        traces_sample_rate=0.0,
        data_collection=NO_PERSONAL_DATA,
    )
    scope = sentry_sdk.get_global_scope()  # tags for every event of the process, whatever task reports it
    scope.set_tag("system", settings.system)
    scope.set_tag("service", settings.service)
    return True
