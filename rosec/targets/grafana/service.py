"""The dashboard of one service: HTTP and gRPC rate, errors and latency by route and method; consumed, failed
and dead-lettered messages per event; database pool use per datastore."""

from __future__ import annotations

from typing import Any

from rosec.model.dashboards import DashboardRef
from rosec.model.metrics import METRICS
from rosec.model.scrape import SERVICES_JOB
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.grafana.panels import ENVIRONMENT, RATE, Layout, dashboard, link, stat, target, timeseries
from rosec.targets.prometheus.promql import selector


def service_dashboard(system: System, service: Service, ref: DashboardRef,
                      slo: DashboardRef | None) -> dict[str, Any]:
    own = (("service", "=", service.name), ("environment", "=~", ENVIRONMENT))
    layout = Layout()
    layout.add(stat("Up", [target(f"{selector('up', ('job', '=', SERVICES_JOB), *own)}", "{{instance}}")], "none",
                    "1 when Prometheus scrapes the service"), width=6, height=4)
    if service.endpoints:
        _requests(layout, "HTTP", own, METRICS.http_requests, METRICS.http_errors, METRICS.http_latency,
                  "method, route", "{{method}} {{route}}")
    if service.grpc_methods:
        _requests(layout, "gRPC", own, METRICS.grpc_requests, METRICS.grpc_errors, METRICS.grpc_latency,
                  "method", "{{method}}")
    if service.consumers or service.publishes:
        _messages(layout, service, own)
    if any(system.datastore(name).is_postgres for name in service.uses):
        _pools(layout, own)
    links = [link(slo.title, slo.uid)] if slo else []
    return dashboard(ref, system.name, layout.panels, f"{service.name}: {service.description}".rstrip(": "), links)


def _rate(metric: str, own: tuple[Any, ...], by: str) -> str:
    return f"sum by ({by}) (rate({selector(metric, *own)}[{RATE}]))"


def _requests(layout: Layout, protocol: str, own: tuple[Any, ...], requests: str, errors: str, latency: str,
              by: str, legend: str) -> None:
    layout.row(f"{protocol} requests")
    status = "status" if protocol == "HTTP" else "code"
    layout.add(timeseries(f"{protocol} requests per second", [target(_rate(requests, own, f"{by}, {status}"),
                                                                     f"{legend} {{{{{status}}}}}")], "reqps"))
    layout.add(timeseries(f"{protocol} errors per second", [target(_rate(errors, own, f"{by}, {status}"),
                                                                   f"{legend} {{{{{status}}}}}")], "reqps",
                          "HTTP 5xx answers; gRPC calls ended with another code than OK"))
    buckets = f"sum by ({by}, le) (rate({selector(f'{latency}_bucket', *own)}[{RATE}]))"
    layout.add(timeseries(f"{protocol} latency p99", [target(f"histogram_quantile(0.99, {buckets})", legend)], "s"))
    layout.add(timeseries(f"{protocol} latency p50", [target(f"histogram_quantile(0.5, {buckets})", legend)], "s"))


def _messages(layout: Layout, service: Service, own: tuple[Any, ...]) -> None:
    layout.row("Messages")
    if service.consumers:
        layout.add(timeseries("Consumed per second", [target(_rate(METRICS.messages_consumed, own, "event"),
                                                             "{{event}}")], "ops"))
        layout.add(timeseries("Failed and dead-lettered per second", [
            target(_rate(METRICS.messages_failed, own, "event"), "failed {{event}}", "A"),
            target(_rate(METRICS.messages_dead_lettered, own, "event"), "dead-lettered {{event}}", "B"),
        ], "ops", "A failed delivery is retried; after the last attempt the message is dead-lettered"))
        buckets = f"sum by (event, le) (rate({selector(f'{METRICS.message_latency}_bucket', *own)}[{RATE}]))"
        layout.add(timeseries("Handling time p99", [target(f"histogram_quantile(0.99, {buckets})", "{{event}}")],
                              "s"))
    if service.publishes:
        layout.add(timeseries("Published per second", [target(_rate(METRICS.messages_published, own, "event"),
                                                              "{{event}}")], "ops"))


def _pools(layout: Layout, own: tuple[Any, ...]) -> None:
    layout.row("Database")
    layout.add(timeseries("Pool connections", [
        target(f"sum by (datastore, state) ({selector(METRICS.db_pool_connections, *own)})", "{{datastore}} {{state}}",
               "A"),
        target(f"max by (datastore) ({selector(METRICS.db_pool_max_connections, *own)})", "{{datastore}} max", "B"),
    ], "short", "Connections in use and idle, against the pool's maximum"))
