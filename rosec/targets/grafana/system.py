"""The system dashboard: the service graph (synchronous calls and events, from the model) with each service's
health, and the shared infrastructure: gateway, broker queues, datastores, identity provider."""

from __future__ import annotations

from typing import Any

from rosec.model.dashboards import DashboardRef
from rosec.model.metrics import METRICS
from rosec.model.scrape import POSTGRES_JOB, RABBITMQ_QUEUES_JOB, SERVICES_JOB
from rosec.model.system import System
from rosec.targets.grafana.panels import (
    ENVIRONMENT,
    PROMETHEUS,
    RATE,
    Layout,
    dashboard,
    link,
    stat,
    target,
    timeseries,
)
from rosec.targets.prometheus.promql import quoted, selector

ENV = ("environment", "=~", ENVIRONMENT)


def system_dashboard(system: System, ref: DashboardRef, refs: tuple[DashboardRef, ...]) -> dict[str, Any]:
    layout = Layout()
    layout.add(_service_graph(system), width=24, height=12)
    layout.add(stat("Services up", [target(f"max by (service) ({selector('up', ('job', '=', SERVICES_JOB), ENV)})",
                                           "{{service}}")], "none"), width=24, height=4)
    if system.has_gateway:
        _gateway(layout)
    if system.messaging:
        layout.row("Broker")
        depth = selector("rabbitmq_detailed_queue_messages", ("job", "=", RABBITMQ_QUEUES_JOB),
                         ("vhost", "=", system.messaging.vhost), ENV)
        layout.add(timeseries("Messages per queue", [target(f"sum by (queue) ({depth})", "{{queue}}")], "short"))
    if any(d.is_postgres for d in system.datastores):
        layout.row("Datastores")
        size = selector("pg_database_size_bytes", ("job", "=", POSTGRES_JOB), ENV)
        layout.add(timeseries("Database size", [target(f"max by (datastore, datname) ({size})",
                                                       "{{datastore}} {{datname}}")], "bytes"))
        layout.add(stat("Exporter reaches its database", [target(
            f"max by (datastore) ({selector('pg_up', ('job', '=', POSTGRES_JOB), ENV)})", "{{datastore}}")], "none"))
    if system.identity:
        layout.row("Identity provider")
        requests = selector("http_server_requests_seconds_count", ("job", "=", "keycloak"), ENV)
        layout.add(timeseries("Keycloak requests per second", [
            target(f"sum by (status) (rate({requests}[{RATE}]))", "{{status}}")], "reqps"))
    links = [link(r.title, r.uid) for r in refs if r.service]
    return dashboard(ref, system.name, layout.panels, f"{system.name}: services, calls, events and infrastructure",
                     links)


def _gateway(layout: Layout) -> None:
    layout.row("Gateway")
    kong = ("job", "=", "kong")
    layout.add(timeseries("Gateway requests per second", [target(
        f"sum by (service, code) (rate({selector('kong_http_requests_total', kong, ENV)}[{RATE}]))",
        "{{service}} {{code}}")], "reqps"))
    buckets = selector("kong_request_latency_ms_bucket", kong, ENV)
    layout.add(timeseries("Gateway latency p99", [target(
        f"histogram_quantile(0.99, sum by (service, le) (rate({buckets}[{RATE}])))", "{{service}}")], "ms"))
    layout.add(stat("Healthy upstream targets", [target(
        f"sum by (upstream) ({selector('kong_upstream_target_health', kong, ('state', '=', 'healthy'), ENV)})",
        "{{upstream}}")], "none"))


def _labelled(expr: str, **labels: str) -> str:
    """`expr` with constant labels added (label_replace on an empty source label matches and sets them)."""
    for name, value in labels.items():
        expr = f'label_replace({expr}, "{name}", {quoted(value)}, "", "")'
    return expr


def _service_graph(system: System) -> dict[str, Any]:
    """A node graph: nodes are the services (arc: up), edges the calls (1) and events (messages consumed per
    second); Grafana takes the frame with a `source` field for the edges."""
    up = selector("up", ("job", "=", SERVICES_JOB), ENV)
    nodes = " or ".join(_labelled(f"max({selector('up', ('job', '=', SERVICES_JOB), ('service', '=', s.name), ENV)})",
                                  id=s.name, title=s.name) for s in system.services) or f"max({up})"
    edges = [_labelled("vector(1)", id=f"{s.name}->{peer}", source=s.name, target=peer, detail__kind="call")
             for s in system.services for peer in s.calls]
    for event in system.events:
        for publisher in event.publishers:
            for consumer in event.consumers:
                consumed = selector(METRICS.messages_consumed, ("service", "=", consumer), ("event", "=", event.name),
                                    ENV)
                edges.append(_labelled(f"(sum(rate({consumed}[{RATE}])) or vector(0))",
                                       id=f"{publisher}->{consumer}:{event.name}", source=publisher, target=consumer,
                                       detail__kind=f"event {event.name}"))
    targets = [target(nodes, ref="nodes", table=True)]
    if edges:
        targets.append(target(" or ".join(edges), ref="edges", table=True))
    return {
        "type": "nodeGraph", "title": "Service graph", "datasource": PROMETHEUS, "targets": targets,
        "description": "Services and their calls and events; a full arc means Prometheus scrapes the service",
        "fieldConfig": {"defaults": {}, "overrides": []},
        "transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "service": True},
            "renameByName": {"Value #nodes": "arc__up", "Value #edges": "mainstat"}}}],
        "options": {},
    }
