"""Infrastructure the system runs on: fixed host names, ports, pinned images and in-container paths.

One table, so Compose, Helm and the other targets agree on every value.
"""

from __future__ import annotations

from dataclasses import dataclass

LOCAL_BIND = "127.0.0.1"  # local environments publish ports on the loopback interface only


@dataclass(frozen=True)
class Component:
    host: str
    image: str
    port: int
    published_port: int | None = None  # on 127.0.0.1 in local environments
    volume: str | None = None  # named volume that holds the component's state
    data_path: str | None = None  # where that volume is mounted in the container
    startup_s: int = 30  # how long the component may take to become healthy


RABBITMQ = Component("rabbitmq", "rabbitmq:4.1.4-management-alpine", 5672, 15672,
                     "rabbitmq-data", "/var/lib/rabbitmq", 30)
KONG = Component("kong", "kong:3.9.1", 8000, 8000, startup_s=20)
KEYCLOAK = Component("keycloak", "quay.io/keycloak/keycloak:26.4.7", 8080, 8080, startup_s=90)
PROMETHEUS = Component("prometheus", "prom/prometheus:v3.5.0", 9090, 9090, "prometheus-data", "/prometheus", 20)
ALERTMANAGER = Component("alertmanager", "prom/alertmanager:v0.28.1", 9093, 9093, "alertmanager-data",
                         "/alertmanager", 20)
GRAFANA = Component("grafana", "grafana/grafana:12.3.3", 3000, 3000, "grafana-data", "/var/lib/grafana", 30)
ELASTICSEARCH = Component("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.19.7", 9200, None,
                          "elasticsearch-data", "/usr/share/elasticsearch/data", 90)
LOGSTASH = Component("logstash", "docker.elastic.co/logstash/logstash:8.19.7", 12201, 12201, startup_s=90)
KIBANA = Component("kibana", "docker.elastic.co/kibana/kibana:8.19.7", 5601, 5601, startup_s=120)
POSTGRES_PORT = 5432
POSTGRES_DEFAULT_VERSION = "16"
POSTGRES_STARTUP_S = 20
KEYCLOAK_MANAGEMENT_PORT = 9000
LOGSTASH_API_PORT = 9600
KONG_ADMIN_PORT = 8001  # on the container's loopback only: never published
# Kong 3.x serves the prometheus plugin's /metrics on its Status API. Its default listener (127.0.0.1:8007) is not
# reachable from another container, so compose sets KONG_STATUS_LISTEN to this port on every interface (8100 is
# the port Kong's own documentation and Helm chart use); never published.
KONG_STATUS_PORT = 8100
KONG_STATUS_LISTEN = f"0.0.0.0:{KONG_STATUS_PORT}"
KONG_GRPC_PORT = 9080  # HTTP/2 cleartext proxy listener for gRPC routes (published when a gateway exposes gRPC)
KONG_LOCAL_REPLICAS = 1  # compose runs one gateway node
KONG_REPLICAS = 2  # elsewhere two by default, so that one may restart while the other serves
RABBITMQ_PROMETHEUS_PORT = 15692  # the rabbitmq_prometheus plugin, enabled in the official image
KEYCLOAK_METRICS_PATH = "/metrics"  # on KEYCLOAK_MANAGEMENT_PORT, with KC_METRICS_ENABLED=true
# One postgres exporter per postgres datastore, host `<datastore>-exporter` (rosec.model.scrape).
POSTGRES_EXPORTER_IMAGE = "prometheuscommunity/postgres-exporter:v0.20.1"
POSTGRES_EXPORTER_PORT = 9187
POSTGRES_EXPORTER_STARTUP_S = 10
RABBITMQ_MANAGEMENT_PORT = 15672

# Paths inside the infrastructure containers where generated configuration is mounted.
KONG_CONFIG_PATH = "/kong/kong.yaml"  # as generated, mounted read-only
KONG_RENDERED_CONFIG_PATH = "/tmp/kong.yaml"  # with the realm's public key, written at start (tmpfs)
KONG_PREFIX_PATH = "/kong_prefix"  # KONG_PREFIX: nginx configuration, pids, sockets (tmpfs or emptyDir)
KEYCLOAK_IMPORT_PATH = "/opt/keycloak/data/import"
PROMETHEUS_CONFIG_DIR = "/etc/prometheus"
PROMETHEUS_CONFIG_FILE = "prometheus.yml"
ALERTMANAGER_CONFIG_DIR = "/etc/alertmanager"
ALERTMANAGER_CONFIG_FILE = "alertmanager.yml"
GRAFANA_PROVISIONING_PATH = "/etc/grafana/provisioning"
GRAFANA_DASHBOARDS_PATH = "/etc/grafana/dashboards"
LOGSTASH_PIPELINE_PATH = "/usr/share/logstash/pipeline"

# Administrator accounts of infrastructure: fixed user names, passwords only as secrets known by name.
KEYCLOAK_ADMIN_USER = "admin"
KEYCLOAK_ADMIN_PASSWORD_ENV = "KEYCLOAK_ADMIN_PASSWORD"
GRAFANA_ADMIN_USER = "admin"
GRAFANA_ADMIN_PASSWORD_ENV = "GRAFANA_ADMIN_PASSWORD"

ELASTICSEARCH_HEAP = "512m"
LOGSTASH_HEAP = "256m"

# Elasticsearch, Logstash and Kibana with security on: the built-in superuser is used only by the one-shot setup
# container (users, role, templates, Kibana data view); Kibana connects as kibana_system, Logstash as the
# environment's writer user (rosec.model.logs). Passwords only as secrets known by name.
ELASTIC_SUPERUSER = "elastic"
ELASTIC_PASSWORD_ENV = "ELASTIC_PASSWORD"
KIBANA_SYSTEM_USER = "kibana_system"
KIBANA_SYSTEM_PASSWORD_ENV = "KIBANA_SYSTEM_PASSWORD"
LOGSTASH_WRITER_PASSWORD_ENV = "LOGSTASH_WRITER_PASSWORD"
GRAFANA_ELASTICSEARCH_PASSWORD_ENV = "GRAFANA_ELASTICSEARCH_PASSWORD"  # Grafana reads the logs as a reader user
ELASTICSEARCH_URL_ENV = "ELASTICSEARCH_URL"  # where Logstash's pipeline sends the lines
ELASTIC_SETUP_HOST = "elastic-setup"  # the one-shot setup container (image: ELASTICSEARCH's, for its curl)
ELASTIC_SETUP_PATH = "/setup"

COMPONENTS = (RABBITMQ, KONG, KEYCLOAK, PROMETHEUS, ALERTMANAGER, GRAFANA, ELASTICSEARCH, LOGSTASH, KIBANA)
RESERVED_HOSTS = frozenset(c.host for c in COMPONENTS) | {ELASTIC_SETUP_HOST}
RESERVED_PORTS = frozenset(
    {p for c in COMPONENTS for p in (c.port, c.published_port) if p}
    | {POSTGRES_PORT, KEYCLOAK_MANAGEMENT_PORT, LOGSTASH_API_PORT, KONG_ADMIN_PORT, KONG_STATUS_PORT, KONG_GRPC_PORT,
       RABBITMQ_MANAGEMENT_PORT, RABBITMQ_PROMETHEUS_PORT, POSTGRES_EXPORTER_PORT, 8443, 8444}
)


def gateway_replicas(hosting: str, declared: int | None) -> int:
    """Gateway nodes of an environment: as declared, else one with compose hosting and two elsewhere."""
    return declared or (KONG_LOCAL_REPLICAS if hosting == "compose" else KONG_REPLICAS)


def postgres_image(version: str) -> str:
    return f"postgres:{version}-alpine"


def postgres_data_path(version: str) -> str:
    """The official image keeps data in /var/lib/postgresql/data up to 17; from 18 the volume goes one level up."""
    return "/var/lib/postgresql" if int(version.split(".")[0]) >= 18 else "/var/lib/postgresql/data"

