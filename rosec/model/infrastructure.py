"""Infrastructure the system runs on: fixed host names, ports and pinned images.

One table, so Compose, Helm and the other targets agree on every value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    host: str
    image: str
    port: int
    published_port: int | None = None  # on 127.0.0.1 in local environments


RABBITMQ = Component("rabbitmq", "rabbitmq:4.1.4-management-alpine", 5672, 15672)
KONG = Component("kong", "kong:3.9.1", 8000, 8000)
KEYCLOAK = Component("keycloak", "quay.io/keycloak/keycloak:26.4.7", 8080, 8080)
PROMETHEUS = Component("prometheus", "prom/prometheus:v3.5.0", 9090, 9090)
GRAFANA = Component("grafana", "grafana/grafana:12.3.3", 3000, 3000)
ELASTICSEARCH = Component("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.19.7", 9200)
LOGSTASH = Component("logstash", "docker.elastic.co/logstash/logstash:8.19.7", 12201, 12201)
KIBANA = Component("kibana", "docker.elastic.co/kibana/kibana:8.19.7", 5601, 5601)
POSTGRES_PORT = 5432
POSTGRES_DEFAULT_VERSION = "16"
KEYCLOAK_MANAGEMENT_PORT = 9000
LOGSTASH_API_PORT = 9600
KONG_ADMIN_PORT = 8001

COMPONENTS = (RABBITMQ, KONG, KEYCLOAK, PROMETHEUS, GRAFANA, ELASTICSEARCH, LOGSTASH, KIBANA)
RESERVED_HOSTS = frozenset(c.host for c in COMPONENTS)
RESERVED_PORTS = frozenset(
    {p for c in COMPONENTS for p in (c.port, c.published_port) if p}
    | {POSTGRES_PORT, KEYCLOAK_MANAGEMENT_PORT, LOGSTASH_API_PORT, KONG_ADMIN_PORT, 8443, 8444}
)


def postgres_image(version: str) -> str:
    return f"postgres:{version}-alpine"
