"""What a handler learns about the call it serves, and the caller's identity for outgoing calls."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass

from .auth import Principal
from .logs import current_correlation_id

Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]

# The principal of the request being served. Set by the HTTP dependency and the gRPC interceptor; read by
# clients.py to tell the services this one calls whom it serves (X-Rose-On-Behalf-Of).
current_principal: ContextVar[Principal | None] = ContextVar("rose_principal", default=None)


@dataclass(frozen=True)
class RequestContext:
    """Given to REST and gRPC handlers."""

    principal: Principal | None
    correlation_id: str
    logger: Logger


@dataclass(frozen=True)
class MessageContext:
    """Given to message consumers; `attempt` counts from 1."""

    event: str
    attempt: int
    correlation_id: str
    logger: Logger


def current_request_context(logger: Logger) -> RequestContext:
    """The context of the request being served, from the context variables the runtime set for it."""
    return RequestContext(current_principal.get(), current_correlation_id(), logger)
