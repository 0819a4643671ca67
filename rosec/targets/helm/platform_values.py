"""values.yaml and values-<environment>.yaml of the platform chart: the infrastructure of the system as resources
of the operators teams run (CloudNativePG, RabbitMQ cluster and messaging topology operators, ECK, Prometheus
Operator or Grafana, External Secrets), and the edge (rosec.targets.helm.edge: Kong, Keycloak, their exposure).
The RabbitMQ topology is the model's (Messaging.exchanges, Consumer.queues/bindings), the same that
messaging/definitions.json holds."""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model import kubernetes as k8s
from rosec.model import kubernetes_names as names
from rosec.model.dashboards import PROMETHEUS_DATASOURCE_UID
from rosec.model.environments import Environment
from rosec.model.kubernetes_secrets import (
    ProvidedSecret,
    logs_secret,
    messaging_user_secret,
    platform_provided_secrets,
)
from rosec.model.system import System
from rosec.targets.helm.edge import edge_environment_values, edge_values
from rosec.targets.helm.monitors import monitor_values
from rosec.targets.helm.service_values import PROMETHEUS_POD_LABELS
from rosec.targets.logs.setup import password_variables

CNPG_IMAGE = "ghcr.io/cloudnative-pg/postgresql"
ELASTIC_VERSION = infra.ELASTICSEARCH.image.rsplit(":", 1)[1]
KEYCLOAK_DB_SIZE_GB = 5
RABBITMQ_STORAGE = "10Gi"
ELASTICSEARCH_STORAGE = "30Gi"
GRAFANA_INSTANCE_LABELS = {"dashboards": "grafana"}  # grafana-operator's instanceSelector (its docs' example)
PROMETHEUS_URL = "http://prometheus-operated.{namespace}.svc:9090"


def _postgres_clusters(system: System) -> list[dict[str, Any]]:
    clusters = [{"name": d.name, "database": d.database, "owner": d.user, "image": f"{CNPG_IMAGE}:{d.version}",
                 "size": f"{d.size_gb}Gi", "exporter": system.observability.metrics}
                for d in system.datastores if d.is_postgres]
    if system.identity:
        clusters.append({"name": names.KEYCLOAK_DATABASE, "database": "keycloak", "owner": "keycloak",
                         "image": f"{CNPG_IMAGE}:{infra.POSTGRES_DEFAULT_VERSION}", "size": f"{KEYCLOAK_DB_SIZE_GB}Gi",
                         "exporter": False})
    return clusters


def _messaging(system: System) -> dict[str, Any]:
    messaging = system.messaging
    if messaging is None:
        return {"enabled": False}
    consumers = [c for s in system.services for c in s.consumers]
    return {
        "enabled": True,
        "image": infra.RABBITMQ.image.replace("-alpine", ""),
        "storage": RABBITMQ_STORAGE,
        "vhost": messaging.vhost,
        "vhostResource": k8s.resource_name("vhost", messaging.vhost),
        "user": {"name": messaging.user, "secret": messaging_user_secret(system),
                 "permission": k8s.resource_name(messaging.user, messaging.vhost)},
        "exchanges": [{"resource": k8s.resource_name("exchange", e.name), "name": e.name, "type": e.type}
                      for e in messaging.exchanges],
        "queues": [{"resource": k8s.resource_name("queue", q.name), "name": q.name, "arguments": dict(q.arguments)}
                   for c in consumers for q in c.queues],
        "bindings": [{"resource": k8s.resource_name("binding", b.queue, b.exchange), "source": b.exchange,
                      "destination": b.queue, "routingKey": b.routing_key} for c in consumers for b in c.bindings],
    }


def platform_values(system: System) -> dict[str, Any]:
    return {
        "global": {"system": system.name, "environment": ""},
        "storageClass": "",
        "postgres": {"instances": 2, "clusters": _postgres_clusters(system),
                     "exporter": {"image": infra.POSTGRES_EXPORTER_IMAGE, "port": infra.POSTGRES_EXPORTER_PORT}},
        "messaging": _messaging(system) | ({"replicas": 3} if system.messaging else {}),
        **edge_values(system),
        "volumes": [{"name": c.name, "size": f"{c.size_gb}Gi",
                     "accessMode": "ReadWriteMany" if c.shared else "ReadWriteOnce"}
                    for c in k8s.volume_claims(system)],
        "logs": {"enabled": False, "version": ELASTIC_VERSION, "nodes": 1, "storage": ELASTICSEARCH_STORAGE,
                 "setupImage": infra.ELASTICSEARCH.image, "caDir": names.ELASTICSEARCH_CA_DIR,
                 "passwords": _logs_passwords(system)},
        "monitoring": {"enabled": False, "labels": {}, "monitors": [],
                       "prometheus": {"namespace": "monitoring", "podLabels": PROMETHEUS_POD_LABELS}},
        "dashboards": {"mode": "none", "instanceLabels": GRAFANA_INSTANCE_LABELS, "prometheusUrl": "",
                       "datasourceUid": PROMETHEUS_DATASOURCE_UID},
        "externalSecrets": {"enabled": False, "store": {"name": "", "kind": "ClusterSecretStore"},
                            "refreshInterval": "1h", "secrets": []},
    }


def platform_environment_values(system: System, environment: Environment) -> dict[str, Any]:
    settings = k8s.settings(environment)
    values: dict[str, Any] = {
        "global": {"system": system.name, "environment": environment.name},
        "storageClass": settings.storage_class or "",
        "postgres": {"instances": settings.postgres_instances},
    }
    if system.messaging:
        values["messaging"] = {"replicas": settings.rabbitmq_replicas}
    values |= edge_environment_values(system, environment)
    values["logs"] = {"enabled": system.observability.logs}
    values["monitoring"] = {"enabled": settings.monitoring,
                            "labels": {"system": system.name, "environment": environment.name},
                            "monitors": monitor_values(system, environment),
                            "prometheus": {"namespace": settings.prometheus_namespace}}
    values["dashboards"] = {"mode": settings.dashboards,
                            "prometheusUrl": PROMETHEUS_URL.format(namespace=settings.prometheus_namespace)}
    if settings.secret_store:
        store = settings.secret_store
        values["externalSecrets"] = {"enabled": True, "store": {"name": store.name, "kind": store.kind},
                                     "secrets": [_external_secret(p, store.prefix)
                                                 for p in provided_secrets(system, environment)]}
    return values


def provided_secrets(system: System, environment: Environment) -> tuple[ProvidedSecret, ...]:
    """The Secrets of the platform chart that the team provides: the broker's user, the realm's key pair, client
    secrets and dev users' passwords, the gateway's Redis password, Sentry's DSN, the passwords the Elastic setup
    sets (those of the compose environment's .env)."""
    found = platform_provided_secrets(system, environment)
    if system.observability.logs:
        found += (ProvidedSecret(logs_secret(system), tuple((p, p) for p in _logs_passwords(system))),)
    return found


def _logs_passwords(system: System) -> list[str]:
    """The passwords of the Elastic setup but the superuser's (ECK writes that one)."""
    return [p for p in password_variables(system) if p != infra.ELASTIC_PASSWORD_ENV]


def _external_secret(secret: ProvidedSecret, prefix: str) -> dict[str, Any]:
    return {"name": secret.name, "data": [{"secretKey": key, "remoteKey": f"{prefix}{variable}"}
                                          for key, variable in secret.variables],
            "literals": dict(secret.literals)}
