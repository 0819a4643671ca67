"""The security-group graph of an AWS environment: one group per task, database, volume, the broker and the load
balancer, and exactly the edges the spec implies (who calls whom, who uses what). The VPC endpoints' group lives
in the network module (HTTPS from the VPC)."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import infrastructure as infra
from rosec.model.aws_catalog import BROKER_PORT
from rosec.model.aws_tasks import GATEWAY, IDENTITY, METRICS, Task
from rosec.model.system import System

LOAD_BALANCER, BROKER = "load-balancer", "broker"
NFS = 2049


@dataclass(frozen=True)
class Ingress:
    """One rule: `source` may open connections to `target` on `port` (keys of the groups)."""

    target: str
    source: str
    port: int
    description: str


def task_group(task: str, kind: str = "service") -> str:
    return task if kind != "service" else f"service-{task}"


def database_group(key: str) -> str:
    return f"database-{key}"


def volume_group(name: str) -> str:
    return f"volume-{name}"


def security_graph(system: System, tasks: tuple[Task, ...]) -> tuple[dict[str, str], tuple[Ingress, ...]]:
    groups = {LOAD_BALANCER: "the load balancer: HTTPS from CloudFront only"}
    edges: list[Ingress] = []
    kinds = {t.name: t.kind for t in tasks}
    for task in tasks:
        group = task_group(task.name, task.kind)
        groups[group] = f"the {task.name} tasks" if task.kind == "service" else f"the {task.kind} tasks"
        if task.load_balancing:
            lb = task.load_balancing
            edges += [Ingress(group, LOAD_BALANCER, port, f"load balancer to {task.name}")
                      for port in dict.fromkeys((lb.port, lb.health_port))]
        if task.metrics_port and METRICS in kinds:
            edges.append(Ingress(group, METRICS, task.metrics_port, f"metrics agent scrapes {task.name}"))
    for service in system.services:
        group = task_group(service.name)
        ports = [service.port] + ([service.grpc_port] if service.grpc_port else [])
        if service.gateway and GATEWAY in kinds:
            edges.append(Ingress(group, GATEWAY, service.port, f"gateway to {service.name}"))
        for caller in system.callers(service.name):
            edges += [Ingress(group, task_group(caller.name), p, f"{caller.name} calls {service.name}")
                      for p in ports]
        if service.needs_broker and system.messaging:
            edges.append(Ingress(BROKER, group, BROKER_PORT, f"{service.name} to the broker"))
        for store in map(system.datastore, service.uses):
            target = database_group(store.name) if store.is_postgres else volume_group(store.name)
            port = store.port if store.is_postgres else NFS
            edges.append(Ingress(target, group, port, f"{service.name} uses {store.name}"))
    for store in system.datastores:
        key = database_group(store.name) if store.is_postgres else volume_group(store.name)
        groups[key] = f"the {store.name} {'database' if store.is_postgres else 'file system'}"
    if system.messaging:
        groups[BROKER] = "the message broker"
    if IDENTITY in kinds:
        groups[database_group("identity")] = "the identity provider's database"
        edges.append(Ingress(database_group("identity"), IDENTITY, infra.POSTGRES_PORT,
                             "identity provider uses its database"))
    return groups, tuple(edges)
