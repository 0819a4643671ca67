"""values.yaml and values-<environment>.yaml of the platform chart: the edge and the infrastructure of the
system as resources of the operators teams run (CloudNativePG, RabbitMQ cluster and messaging topology
operators, Keycloak operator, ECK, Prometheus Operator or Grafana, cert-manager, External Secrets), and the
gateway (Kong, DB-less). The RabbitMQ topology is the model's (Messaging.exchanges, Consumer.queues/bindings),
the same that messaging/definitions.json holds."""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model import kubernetes as k8s
from rosec.model import kubernetes_names as names
from rosec.model.dashboards import PROMETHEUS_DATASOURCE_UID
from rosec.model.environments import Environment
from rosec.model.system import System
from rosec.targets.helm import edge
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
        "user": {"name": messaging.user, "secret": k8s.messaging_user_secret(system),
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
        "identity": {"enabled": system.identity is not None, "instances": 2, "image": infra.KEYCLOAK.image,
                     "database": names.KEYCLOAK_DATABASE, "hostname": "", "realm": {"enabled": False}},
        "gateway": {"enabled": False, "replicas": 2, "image": infra.KONG.image, "proxyPort": infra.KONG.port,
                    "statusPort": infra.KONG_STATUS_PORT, "serviceType": "ClusterIP", "upstreams": []},
        "exposure": {"host": "", "authHost": "", "ingress": {"enabled": False, "className": ""},
                     "tls": {"secret": "", "issuer": {"name": "", "kind": "ClusterIssuer"}}},
        "volumes": [{"name": c.name, "size": f"{c.size_gb}Gi",
                     "accessMode": "ReadWriteMany" if c.shared else "ReadWriteOnce"}
                    for c in k8s.volume_claims(system)],
        "logs": {"enabled": False, "version": ELASTIC_VERSION, "nodes": 1, "storage": ELASTICSEARCH_STORAGE,
                 "setupImage": infra.ELASTICSEARCH.image,
                 "passwords": [p for p in password_variables(system) if p != infra.ELASTIC_PASSWORD_ENV]},
        "monitoring": {"enabled": False, "labels": {}, "monitors": [],
                       "prometheus": {"namespace": "monitoring", "podLabels": PROMETHEUS_POD_LABELS}},
        "dashboards": {"mode": "none", "instanceLabels": GRAFANA_INSTANCE_LABELS, "prometheusUrl": "",
                       "datasourceUid": PROMETHEUS_DATASOURCE_UID},
        "externalSecrets": {"enabled": False, "store": {"name": "", "kind": "ClusterSecretStore"},
                            "refreshInterval": "1h", "secrets": []},
    }


def platform_environment_values(system: System, environment: Environment) -> dict[str, Any]:
    settings = k8s.settings(environment)
    identity = system.identity is not None
    values: dict[str, Any] = {
        "global": {"system": system.name, "environment": environment.name},
        "storageClass": settings.storage_class or "",
        "postgres": {"instances": settings.postgres_instances},
    }
    if system.messaging:
        values["messaging"] = {"replicas": settings.rabbitmq_replicas}
    if identity:
        values["identity"] = {"instances": settings.keycloak_instances, "hostname": environment.identity_url,
                              "realm": {"enabled": edge.keycloak_realm(system, environment) is not None}}
    gateway_on = system.has_gateway and edge.kong_configuration(system, environment) is not None
    values["gateway"] = {"enabled": gateway_on,
                         "serviceType": "LoadBalancer" if settings.load_balancer else "ClusterIP",
                         "upstreams": [{"service": s.name, "ports": list(k8s.ports(s))}
                                       for s in system.services if s.gateway]}
    values["exposure"] = _exposure(environment, gateway_on, identity)
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
                                                 for p in provided_secrets(system)]}
    return values


def _exposure(environment: Environment, gateway: bool, identity: bool) -> dict[str, Any]:
    settings = k8s.settings(environment)
    tls = settings.tls
    return {
        "host": environment.domain if gateway else "",
        "authHost": f"auth.{environment.domain}" if identity else "",
        "ingress": {"enabled": settings.ingress_class is not None, "className": settings.ingress_class or ""},
        "tls": {"secret": tls.secret if tls else "",
                "issuer": {"name": (tls.issuer or "") if tls else "",
                           "kind": tls.issuer_kind if tls else "ClusterIssuer"}},
    }


def provided_secrets(system: System) -> tuple[k8s.ProvidedSecret, ...]:
    """The Secrets of the platform chart that the team provides: the broker's user, Sentry's DSN, the passwords the
    Elastic setup sets (those of the compose environment's .env)."""
    found = k8s.platform_provided_secrets(system)
    if system.observability.logs:
        passwords = [p for p in password_variables(system) if p != infra.ELASTIC_PASSWORD_ENV]
        found += (k8s.ProvidedSecret(k8s.logs_secret(system), tuple((p, p) for p in passwords)),)
    return found


def _external_secret(secret: k8s.ProvidedSecret, prefix: str) -> dict[str, Any]:
    return {"name": secret.name, "data": [{"secretKey": key, "remoteKey": f"{prefix}{variable}"}
                                          for key, variable in secret.variables],
            "literals": dict(secret.literals)}
