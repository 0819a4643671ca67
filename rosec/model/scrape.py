"""What Prometheus scrapes in an environment: every service's /metrics, the gateway, the broker, a postgres
exporter per postgres datastore, the identity provider, Prometheus and Alertmanager themselves.

Every target carries a `service` label (the rose service, datastore or infrastructure component it measures);
every job adds `system` and `environment`. Addresses are the hosts and ports the environment's containers have;
`addresses` overrides them by target name (tests point Prometheus at services run on free local ports).
`discovery` is for environments without fixed addresses (AWS): the DNS name of each target that runs there, whose
A records are its tasks (one target per task); what it does not name is not scraped (managed databases and
brokers are measured by their provider), Prometheus itself is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rosec.model import infrastructure as infra
from rosec.model.datastores import Datastore
from rosec.model.environments import Environment
from rosec.model.system import System

SERVICES_JOB = "services"
POSTGRES_JOB = "postgres"
RABBITMQ_QUEUES_JOB = "rabbitmq-queues"
# Families of rabbitmq_prometheus's /metrics/detailed endpoint with the per-queue depth, consumers and head
# message timestamp the messaging alerts need (the aggregated /metrics has no per-queue series).
RABBITMQ_QUEUE_FAMILIES = ("queue_coarse_metrics", "queue_metrics")


@dataclass(frozen=True)
class ScrapeTarget:
    name: str  # value of the `service` label
    address: str  # host:port
    labels: tuple[tuple[str, str], ...] = ()  # more target labels
    discovered: bool = False  # address is <DNS name>:<port>: one target per A record of the name


@dataclass(frozen=True)
class ScrapeJob:
    name: str
    targets: tuple[ScrapeTarget, ...]
    metrics_path: str = "/metrics"
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Kong's request metrics carry a `service` label of their own (the gateway's service); keep it instead of
    # renaming it to exported_service. Own services label their series with their own name, so it is the same.
    honor_labels: bool = False


def exporter_host(store: Datastore) -> str:
    """The compose service of a postgres datastore's exporter."""
    return f"{store.host}-exporter"


def scrape_jobs(system: System, environment: Environment, addresses: Mapping[str, str] | None = None,
                discovery: Mapping[str, str] | None = None) -> tuple[ScrapeJob, ...]:
    where = dict(addresses or {})

    def target(name: str, host: str, port: int, *labels: tuple[str, str]) -> ScrapeTarget:
        if discovery is not None and name in discovery:
            return ScrapeTarget(name, f"{discovery[name]}:{port}", labels, discovered=True)
        return ScrapeTarget(name, where.get(name, f"{host}:{port}"), labels)

    jobs = _jobs(system, environment, target)
    if discovery is None:
        return jobs
    kept = [ScrapeJob(j.name, tuple(t for t in j.targets if t.discovered or t.name == infra.PROMETHEUS.host),
                      j.metrics_path, j.params, j.honor_labels) for j in jobs]
    return tuple(j for j in kept if j.targets)


def _jobs(system: System, environment: Environment,
          target: Callable[..., ScrapeTarget]) -> tuple[ScrapeJob, ...]:
    running = [s for s in system.services if environment.deployments[s.name].replicas > 0]
    jobs = [ScrapeJob(SERVICES_JOB, tuple(target(s.name, s.host, s.port) for s in running), honor_labels=True)]
    stores = [d for d in system.datastores if d.is_postgres]
    if stores:
        jobs.append(ScrapeJob(POSTGRES_JOB, tuple(
            target(d.name, exporter_host(d), infra.POSTGRES_EXPORTER_PORT, ("datastore", d.name)) for d in stores)))
    if system.messaging:
        rabbitmq = target(infra.RABBITMQ.host, infra.RABBITMQ.host, infra.RABBITMQ_PROMETHEUS_PORT)
        jobs.append(ScrapeJob("rabbitmq", (rabbitmq,)))
        jobs.append(ScrapeJob(RABBITMQ_QUEUES_JOB, (rabbitmq,), "/metrics/detailed", (
            ("family", RABBITMQ_QUEUE_FAMILIES), ("vhost", (system.messaging.vhost,)))))
    if system.has_gateway:
        jobs.append(ScrapeJob("kong", (target(infra.KONG.host, infra.KONG.host, infra.KONG_STATUS_PORT),),
                              honor_labels=True))
    if system.identity:
        jobs.append(ScrapeJob("keycloak", (
            target(infra.KEYCLOAK.host, infra.KEYCLOAK.host, infra.KEYCLOAK_MANAGEMENT_PORT),),
            infra.KEYCLOAK_METRICS_PATH))
    prometheus, alertmanager = infra.PROMETHEUS, infra.ALERTMANAGER
    jobs.append(ScrapeJob("prometheus", (target(prometheus.host, "localhost", prometheus.port),)))
    jobs.append(ScrapeJob("alertmanager", (target(alertmanager.host, alertmanager.host, alertmanager.port),)))
    return tuple(jobs)


def alertmanager_address(addresses: Mapping[str, str] | None = None) -> str:
    alertmanager = infra.ALERTMANAGER
    return (addresses or {}).get(alertmanager.host, f"{alertmanager.host}:{alertmanager.port}")
