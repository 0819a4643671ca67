"""What the Helm charts of a kubernetes environment derive from the model: the network graph of every service, the
volume claims and the scrape monitors.

Pure functions of the System and an Environment with kubernetes hosting (computed on demand: cheap). Names of
what the operators create are in rosec.model.kubernetes_names, the Secrets in rosec.model.kubernetes_secrets, the
edge (gateway nodes, the realm's placeholders) in rosec.model.kubernetes_edge.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rosec.model import infrastructure as infra
from rosec.model import kubernetes_names as names
from rosec.model.cluster import KubernetesSettings
from rosec.model.environments import Environment
from rosec.model.scrape import POSTGRES_JOB, SERVICES_JOB, exporter_host, scrape_jobs
from rosec.model.services import Service
from rosec.model.system import System

APP_UID = 10001  # the user of the services' images (rosec.targets.services.dockerfile)
TMP_DIR = "/tmp"  # the only path the runtime writes besides its file volumes: an emptyDir


def settings(environment: Environment) -> KubernetesSettings:
    assert environment.kubernetes is not None, f"{environment.name} is not a kubernetes environment"
    return environment.kubernetes


def kubernetes_environments(system: System) -> tuple[Environment, ...]:
    return tuple(e for e in system.environments if e.hosting == "kubernetes")


def platform_chart(system: System) -> str:
    return f"{system.name}-platform"


def image_repository(environment: Environment, service: Service) -> str:
    return f"{settings(environment).registry}/{service.image}"


@dataclass(frozen=True)
class Peer:
    service: str
    ports: tuple[int, ...]


@dataclass(frozen=True)
class ServiceNetwork:
    """Whom a service's pods accept traffic from, and whom they may reach (besides DNS)."""

    from_gateway: bool
    callers: tuple[str, ...]  # services whose `calls` name it
    calls: tuple[Peer, ...]
    postgres: tuple[str, ...]  # CloudNativePG clusters (datastores it uses)
    broker: bool
    identity: bool  # fetches the realm's keys (and tokens) from Keycloak


def ports(service: Service) -> tuple[int, ...]:
    return tuple(p for p in (service.port, service.grpc_port) if p)


def network_shape(system: System, service: Service) -> ServiceNetwork:
    """The same in every kubernetes environment: the graph of the spec."""
    return ServiceNetwork(
        from_gateway=service.gateway is not None,
        callers=tuple(caller.name for caller in system.callers(service.name)),
        calls=tuple(Peer(p, ports(system.service(p))) for p in service.calls),
        postgres=tuple(d for d in service.uses if system.datastore(d).is_postgres),
        broker=service.needs_broker and system.messaging is not None,
        identity=system.identity is not None,  # every service verifies tokens with the realm's keys
    )


@dataclass(frozen=True)
class VolumeClaim:
    name: str
    datastore: str
    size_gb: int
    shared: bool  # used by several services: ReadWriteMany
    users: tuple[str, ...]


def volume_claims(system: System) -> tuple[VolumeClaim, ...]:
    found = []
    for store in system.datastores:
        if store.is_postgres:
            continue
        users = tuple(s.name for s in system.services if store.name in s.uses)
        found.append(VolumeClaim(store.volume, store.name, store.size_gb, len(users) > 1, users))
    return tuple(found)


@dataclass(frozen=True)
class Monitor:
    """A ServiceMonitor: which Service (labels) and port Prometheus scrapes, and the labels each series gets
    (`job` and `service` as in the scrape model, so that the generated rules and dashboards apply unchanged)."""

    name: str
    job: str
    service: str  # the `service` label
    selector: tuple[tuple[str, str], ...]
    port: str | None  # a named port of the Service, or
    target_port: int | None  # the container port (Services an operator creates)
    path: str = "/metrics"
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    honor_labels: bool = False
    labels: tuple[tuple[str, str], ...] = ()  # more target labels (datastore)


def service_labels(system: System, name: str) -> dict[str, str]:
    """The labels by which NetworkPolicies and ServiceMonitors select a service's (or component's) pods."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": system.name}


def monitors(system: System, environment: Environment) -> tuple[Monitor, ...]:
    """One monitor per scrape target of the environment's scrape model that runs in the namespace."""
    found = []
    for job in scrape_jobs(system, environment):
        for target in job.targets:
            where = _scraped(system, job.name, target.name)
            if where is None:
                continue
            selector, port, target_port = where
            found.append(Monitor(f"{target.name}-{job.name}" if job.name != SERVICES_JOB else target.name,
                                 job.name, target.name, tuple(selector.items()), port, target_port, job.metrics_path,
                                 job.params, job.honor_labels, target.labels))
    return tuple(found)


def _scraped(system: System, job: str, target: str) -> tuple[dict[str, str], str | None, int | None] | None:
    if job == SERVICES_JOB:
        return service_labels(system, target), "http", None
    if job == POSTGRES_JOB:
        return service_labels(system, exporter_host(system.datastore(target))), "metrics", None
    if target == infra.RABBITMQ.host:
        return dict(names.RABBITMQ_SERVICE_LABELS), None, infra.RABBITMQ_PROMETHEUS_PORT
    if target == infra.KONG.host:
        return service_labels(system, names.GATEWAY_STATUS_SERVICE), "status", None
    if target == infra.KEYCLOAK.host:
        return dict(names.KEYCLOAK_POD_LABELS), None, infra.KEYCLOAK_MANAGEMENT_PORT
    return None  # Prometheus and Alertmanager: the cluster's monitoring stack scrapes itself


_MAX_NAME = 63  # names double as label values (app.kubernetes.io/name), which allow 63 characters


def resource_name(*parts: str) -> str:
    """A Kubernetes name for a resource that stands for something named outside Kubernetes (a queue, a binding):
    lowercase, `_` as `-`, the parts joined by `-`; a name too long ends with a hash of the whole."""
    name = "-".join(parts).lower().replace("_", "-")
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:_MAX_NAME - 9].rstrip('.-')}-{digest}"
