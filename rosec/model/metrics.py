"""Metric names, defined once: the services expose them, Prometheus rules and Grafana panels query them.

Also the latency histogram buckets: every service's buckets contain its SLO latency threshold, so that the latency
SLI can be read from the bucket at the threshold (`le`), never interpolated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MetricNames:
    http_requests: str = "rose_http_requests_total"  # labels: service, method, route, status
    http_errors: str = "rose_http_request_errors_total"  # labels: service, method, route, status (5xx)
    http_latency: str = "rose_http_request_duration_seconds"  # histogram; labels: service, method, route
    grpc_requests: str = "rose_grpc_requests_total"  # labels: service, method, code
    grpc_errors: str = "rose_grpc_request_errors_total"  # labels: service, method, code (not OK)
    grpc_latency: str = "rose_grpc_request_duration_seconds"  # histogram; labels: service, method
    messages_consumed: str = "rose_messages_consumed_total"  # labels: service, event
    messages_published: str = "rose_messages_published_total"  # labels: service, event
    messages_failed: str = "rose_messages_failed_total"  # labels: service, event (handler raised)
    messages_dead_lettered: str = "rose_messages_dead_lettered_total"  # labels: service, event
    message_latency: str = "rose_message_handling_duration_seconds"  # histogram; labels: service, event
    db_pool_connections: str = "rose_db_pool_connections"  # gauge; labels: service, datastore, state (in_use|idle)
    db_pool_max_connections: str = "rose_db_pool_max_connections"  # gauge; labels: service, datastore


METRICS = MetricNames()
HISTOGRAMS = frozenset({METRICS.http_latency, METRICS.grpc_latency, METRICS.message_latency})

# Histogram buckets (seconds) every service has; a service's SLO latency threshold is added to them.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

# Failed gRPC calls for the availability SLI: the server's fault, not the caller's (NOT_FOUND, INVALID_ARGUMENT,
# PERMISSION_DENIED ... are answers, not failures).
GRPC_FAILURE_CODES = ("INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED", "UNKNOWN", "DATA_LOSS")


def latency_buckets(threshold_ms: int | None) -> tuple[float, ...]:
    """LATENCY_BUCKETS plus the SLO threshold (in seconds) when it is not one of them, in ascending order."""
    if threshold_ms is None:
        return LATENCY_BUCKETS
    return tuple(sorted({*LATENCY_BUCKETS, threshold_ms / 1000}))


def le_label(seconds: float) -> str:
    """The `le` label value of a bucket as the Python client writes it (and Prometheus 3 normalizes it):
    0.3 -> "0.3", 1.0 -> "1.0". SLO thresholds lie between 1 ms and 60 s, where repr() is exactly that."""
    return repr(float(seconds))


def exported_names() -> frozenset[str]:
    """Every metric name the runtime exposes, with the _bucket/_sum/_count series of its histograms (and the
    _created series the Python client adds to counters and histograms)."""
    names: set[str] = set()
    for name in asdict(METRICS).values():
        if name in HISTOGRAMS:
            names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count", f"{name}_created"}
        elif name.endswith("_total"):
            names |= {name, f"{name.removesuffix('_total')}_created"}
        else:
            names.add(name)
    return frozenset(names)
