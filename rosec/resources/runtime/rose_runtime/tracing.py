"""Distributed tracing: one trace follows a request through every service, over HTTP, gRPC and AMQP.

Each request, RPC and consumed message is handled inside `traced()`: a Sentry transaction that continues the
caller's trace (its `sentry-trace` and `baggage` headers, gRPC metadata or AMQP message headers) or starts a new
one, in a scope of its own; the trace id goes into every log line as `trace.id`. Outgoing calls and published
messages carry `trace_headers()`. Trace ids cross services with or without a SENTRY_DSN (without one nothing is
sent anywhere), so the log lines of one order can be found in every service by its `trace.id`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sentry_sdk
from sentry_sdk.tracing import Span, TransactionSource

from .logs import log_scope

SENTRY_TRACE = "sentry-trace"
BAGGAGE = "baggage"
TRACE_HEADERS = (SENTRY_TRACE, BAGGAGE)
INFRASTRUCTURE = "rose_infrastructure"  # sampling context key: a probe or scrape, never traced

# Transaction operations, as Sentry names them.
HTTP_SERVER = "http.server"
GRPC_SERVER = "grpc.server"
QUEUE_PROCESS = "queue.process"


@contextmanager
def traced(
    op: str, name: str, carrier: Mapping[str, str], correlation_id: str, *, infrastructure: bool = False
) -> Iterator[Span]:
    """Handle one request, RPC or message in a transaction of its own that continues the trace in `carrier`
    (lowercase header names to values); the traces sampler decides whether Sentry records it. Log lines inside
    carry the correlation id, trace id and transaction id; Sentry events the correlation id as a tag."""
    with sentry_sdk.isolation_scope() as scope:
        scope.set_tag("correlation_id", correlation_id)
        continued = sentry_sdk.continue_trace(dict(carrier), op=op, name=name, source=TransactionSource.ROUTE)
        sampling = {INFRASTRUCTURE: infrastructure}
        with (
            sentry_sdk.start_transaction(continued, custom_sampling_context=sampling) as transaction,
            log_scope(correlation_id=correlation_id, trace_id=transaction.trace_id, transaction_id=transaction.span_id),
        ):
            yield transaction


def rename_transaction(name: str) -> None:
    """Name the current transaction once the route is known (an HTTP request is routed after it started)."""
    sentry_sdk.get_current_scope().set_transaction_name(name, source=TransactionSource.ROUTE)


def trace_headers() -> dict[str, str]:
    """`sentry-trace` and `baggage` of the current trace, for an outgoing request, RPC or message."""
    headers = {SENTRY_TRACE: sentry_sdk.get_traceparent(), BAGGAGE: sentry_sdk.get_baggage()}
    return {key: value for key, value in headers.items() if value}


def trace_carrier(items: Iterable[tuple[Any, Any]] | None) -> dict[str, str]:
    """The trace headers among HTTP headers, gRPC metadata or AMQP headers (names and values str or bytes)."""
    found: dict[str, str] = {}
    for key, value in items or ():
        name = _text(key).lower()
        if name in TRACE_HEADERS:
            found[name] = _text(value)
    return found


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)
