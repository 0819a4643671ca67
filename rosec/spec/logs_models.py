"""The environment's log and error-reporting settings: how long logs are kept, how many requests are traced."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rosec.spec.base import Spec


class LogsSpec(Spec):
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 14
    """Days Elasticsearch keeps a log line: the ILM policy deletes the services' log indices older than this."""


class SentrySpec(Spec):
    traces_sample_rate: Annotated[float, Field(ge=0, le=1)] = 0.1
    """Share of requests, RPCs and messages traced (0 to 1); health checks and metric scrapes never are. A call
    continues the caller's decision."""
