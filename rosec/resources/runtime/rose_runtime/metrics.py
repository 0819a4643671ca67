"""Prometheus metrics of one service, in a registry the service owns; names come from the rosec model."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .names import (
    DB_POOL_CONNECTIONS,
    DB_POOL_MAX_CONNECTIONS,
    GRPC_ERRORS,
    GRPC_LATENCY,
    GRPC_REQUESTS,
    HTTP_ERRORS,
    HTTP_LATENCY,
    HTTP_REQUESTS,
    LATENCY_BUCKETS,
    MESSAGE_LATENCY,
    MESSAGES_CONSUMED,
    MESSAGES_DEAD_LETTERED,
    MESSAGES_FAILED,
    MESSAGES_PUBLISHED,
    SERVICE_LATENCY_BUCKETS,
)

UNMATCHED_ROUTE = "<unmatched>"  # route label of requests no route matched (never the raw path)

PoolSizes = Callable[[], tuple[int, int, int]]  # (open connections, idle connections, maximum)


class ServiceMetrics:
    """The metrics rosec's Prometheus rules and Grafana dashboards query; labels as in rosec/model/metrics.py."""

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        self.service = service
        self.registry = registry
        http = ("service", "method", "route", "status")
        grpc_ = ("service", "method", "code")
        event = ("service", "event")
        # Each service's buckets contain its SLO latency threshold: the latency SLI reads the bucket at it.
        buckets = SERVICE_LATENCY_BUCKETS.get(service, LATENCY_BUCKETS)
        self.http_requests = Counter(HTTP_REQUESTS, "HTTP requests handled", http, registry=registry)
        self.http_errors = Counter(HTTP_ERRORS, "HTTP requests answered with a 5xx status", http, registry=registry)
        self.http_latency = Histogram(
            HTTP_LATENCY,
            "HTTP request duration in seconds",
            ("service", "method", "route"),
            buckets=buckets,
            registry=registry,
        )
        self.grpc_requests = Counter(GRPC_REQUESTS, "gRPC calls handled", grpc_, registry=registry)
        self.grpc_errors = Counter(GRPC_ERRORS, "gRPC calls ended with a code other than OK", grpc_, registry=registry)
        self.grpc_latency = Histogram(
            GRPC_LATENCY,
            "gRPC call duration in seconds",
            ("service", "method"),
            buckets=buckets,
            registry=registry,
        )
        self.messages_consumed = Counter(
            MESSAGES_CONSUMED, "Messages delivered to a consumer", event, registry=registry
        )
        self.messages_published = Counter(
            MESSAGES_PUBLISHED, "Messages published and confirmed by the broker", event, registry=registry
        )
        self.messages_failed = Counter(
            MESSAGES_FAILED, "Message deliveries whose handler raised", event, registry=registry
        )
        self.messages_dead_lettered = Counter(
            MESSAGES_DEAD_LETTERED, "Messages sent to the dead-letter queue", event, registry=registry
        )
        self.message_latency = Histogram(
            MESSAGE_LATENCY, "Message handler duration in seconds", event, buckets=LATENCY_BUCKETS, registry=registry
        )
        self._pools: dict[str, PoolSizes] = {}
        registry.register(_PoolCollector(service, self._pools))

    def declare_http_route(self, method: str, route: str) -> None:
        """Create the route's latency series before its first request: the SLIs and their absent() alerts read
        the histogram's count, which then exists (at zero) from the service's start."""
        self.http_latency.labels(self.service, method, route)

    def declare_grpc_method(self, method: str) -> None:
        self.grpc_latency.labels(self.service, method)

    def watch_pool(self, datastore: str, sizes: PoolSizes) -> None:
        """Export the connection pool of `datastore`: `sizes` is read at every scrape."""
        self._pools[datastore] = sizes

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (self.service, method, route, str(status))
        self.http_requests.labels(*labels).inc()
        if status >= 500:
            self.http_errors.labels(*labels).inc()
        self.http_latency.labels(self.service, method, route).observe(seconds)

    def observe_grpc(self, method: str, code: str, seconds: float) -> None:
        """`method` is the full method name (/pkg.Service/Method), `code` the status code name (OK, NOT_FOUND)."""
        self.grpc_requests.labels(self.service, method, code).inc()
        if code != "OK":
            self.grpc_errors.labels(self.service, method, code).inc()
        self.grpc_latency.labels(self.service, method).observe(seconds)

    def message_consumed(self, event: str) -> None:
        self.messages_consumed.labels(self.service, event).inc()

    def message_handled(self, event: str, seconds: float, *, failed: bool) -> None:
        self.message_latency.labels(self.service, event).observe(seconds)
        if failed:
            self.messages_failed.labels(self.service, event).inc()

    def message_published(self, event: str) -> None:
        self.messages_published.labels(self.service, event).inc()

    def message_dead_lettered(self, event: str) -> None:
        self.messages_dead_lettered.labels(self.service, event).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The registry in the Prometheus text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _PoolCollector(Collector):
    """Connection pool use per datastore, read when Prometheus scrapes."""

    def __init__(self, service: str, pools: dict[str, PoolSizes]) -> None:
        self._service = service
        self._pools = pools

    def collect(self) -> Iterator[GaugeMetricFamily]:
        connections = GaugeMetricFamily(
            DB_POOL_CONNECTIONS,
            "Connections of the datastore pool, in use or idle",
            labels=("service", "datastore", "state"),
        )
        maximum = GaugeMetricFamily(
            DB_POOL_MAX_CONNECTIONS, "Connections the datastore pool may open", labels=("service", "datastore")
        )
        for datastore, sizes in sorted(self._pools.items()):
            size, idle, max_size = sizes()
            connections.add_metric((self._service, datastore, "in_use"), size - idle)
            connections.add_metric((self._service, datastore, "idle"), idle)
            maximum.add_metric((self._service, datastore), max_size)
        yield connections
        yield maximum
