"""Metric names, defined once: the services expose them, Prometheus rules and Grafana panels query them."""

from __future__ import annotations

from dataclasses import dataclass


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


METRICS = MetricNames()

# Histogram buckets (seconds) shared by services and the latency SLO rules.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
