"""Metric names that the pinned infrastructure exports and that rosec's rules and dashboards use, per version.

Read from the exporters' sources at the versions rosec.model.infrastructure pins, so a test can check every name
an expression uses against this list (these servers cannot run here):
- Kong 3.9.1: kong/plugins/prometheus/exporter.lua (prefix `kong_`); the request metrics need the prometheus
  plugin's status_code_metrics, latency_metrics, bandwidth_metrics and upstream_health_metrics options.
- RabbitMQ 4.1.4: deps/rabbitmq_prometheus/src/collectors/prometheus_rabbitmq_core_metrics_collector.erl; the
  per-queue series come from /metrics/detailed (prefix `rabbitmq_detailed_`) with the families requested.
- postgres_exporter 0.20.1: exporter/postgres_exporter.go (pg_up) and collector/pg_database.go,
  pg_stat_database.go, pg_setting.go (collectors enabled by default).
- Keycloak 26.4: the metrics guides (server/configuration-metrics, observability/metrics-for-troubleshooting-http)
  on the management port, with KC_METRICS_ENABLED=true.
"""

from __future__ import annotations


def _histogram(name: str) -> frozenset[str]:
    return frozenset({f"{name}_bucket", f"{name}_sum", f"{name}_count"})


KONG = frozenset({
    "kong_http_requests_total", "kong_bandwidth_bytes", "kong_datastore_reachable", "kong_node_info",
    "kong_upstream_target_health", "kong_nginx_connections_total", "kong_nginx_requests_total", "kong_nginx_timers",
    "kong_memory_workers_lua_vms_bytes", "kong_memory_lua_shared_dict_bytes", "kong_memory_lua_shared_dict_total_bytes",
    "kong_nginx_metric_errors_total",
}) | _histogram("kong_request_latency_ms") | _histogram("kong_upstream_latency_ms") | _histogram("kong_kong_latency_ms")

RABBITMQ = frozenset({
    "rabbitmq_detailed_queue_messages", "rabbitmq_detailed_queue_messages_ready",
    "rabbitmq_detailed_queue_messages_unacked", "rabbitmq_detailed_queue_consumers",
    "rabbitmq_detailed_queue_head_message_timestamp", "rabbitmq_detailed_queue_info",
    "rabbitmq_queues", "rabbitmq_connections", "rabbitmq_consumers", "rabbitmq_build_info",
})

POSTGRES_EXPORTER = frozenset({
    "pg_up", "pg_database_size_bytes", "pg_database_connection_limit", "pg_stat_database_numbackends",
    "pg_settings_max_connections",
})

KEYCLOAK = frozenset({
    "http_server_requests_seconds_count", "http_server_requests_seconds_sum", "http_server_active_requests",
    "jvm_memory_used_bytes", "agroal_active_count", "process_start_time_seconds",
})

# Series Prometheus writes itself for every target and rule.
PROMETHEUS_SYNTHETIC = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS"})

ALL = KONG | RABBITMQ | POSTGRES_EXPORTER | KEYCLOAK | PROMETHEUS_SYNTHETIC
