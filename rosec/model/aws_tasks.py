"""The ECS tasks of an AWS environment: one per service of the system, plus the platform's gateway (Kong),
identity provider (Keycloak) and metrics agent (Prometheus in agent mode, writing to Amazon Managed Prometheus).

A task's variables are the model's (rosec.model.deployments) with the addresses only AWS knows filled in at
apply time: a `Ref` names the resource whose attribute Terraform puts there (the database's address, the
broker's host, a secret's ARN).
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import infrastructure as infra
from rosec.model.aws_catalog import BROKER_PORT, FargateSize, fargate_size
from rosec.model.environments import Environment, EnvVar
from rosec.model.naming import bounded
from rosec.model.services import Scaling
from rosec.model.system import System

SERVICE_USER = "10001"  # the uid the services' Dockerfiles run as; EFS access points write files as it
CONFIG_PATH = "/config"  # where an init container puts a task's configuration files from the config bucket
CONFIG_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.15.62"
GATEWAY, IDENTITY, METRICS = "gateway", "identity", "metrics"


@dataclass(frozen=True)
class Ref:
    """A value Terraform knows once AWS created the resource: kind database|broker|secret, its name, what of it."""

    kind: str
    name: str
    attribute: str


@dataclass(frozen=True)
class TaskVar:
    """A plain variable: `value`, or `value` + the referenced attribute + `after`."""

    name: str
    value: str
    ref: Ref | None = None
    after: str = ""


@dataclass(frozen=True)
class TaskSecret:
    name: str  # the variable
    ref: Ref  # a Secrets Manager secret (kind secret) or a database's RDS-managed secret (its password key)


@dataclass(frozen=True)
class Port:
    name: str  # http | grpc | management
    port: int
    discoverable: bool  # offered to other tasks under the task's name through Service Connect


@dataclass(frozen=True)
class LoadBalancing:
    target_group: str  # its name (at most 32 characters)
    host: str  # the host name the load balancer routes to this task
    port: int
    health_port: int
    health_path: str


@dataclass(frozen=True)
class Task:
    name: str  # the ECS service: the rose service's name, or gateway / identity / metrics
    kind: str  # service | gateway | identity | metrics
    family: str
    execution_role: str  # IAM role names (at most 64 characters)
    task_role: str
    image: str | None  # a pinned public image; None: the service's own ECR repository
    user: str
    size: FargateSize
    desired_count: int
    autoscaling: Scaling | None
    ports: tuple[Port, ...]
    command: tuple[str, ...]
    health_command: tuple[str, ...]
    env: tuple[TaskVar, ...]
    secrets: tuple[TaskSecret, ...]
    mounts: tuple[tuple[str, str], ...]  # (volume, container path)
    config_files: tuple[str, ...]  # files of the config bucket copied to config_dir before the task starts
    config_dir: str
    load_balancing: LoadBalancing | None
    scraped: bool  # the metrics agent scrapes its /metrics
    read_only: bool  # read-only root file system
    writable: tuple[str, ...]  # directories that get a task-local volume
    log_group: str


def _roles(prefix: str, name: str) -> dict[str, str]:
    return {"execution_role": bounded(f"{prefix}-{name}-execution", 64),
            "task_role": bounded(f"{prefix}-{name}-task", 64)}


def service_tasks(system: System, environment: Environment, prefix: str) -> tuple[Task, ...]:
    return tuple(_service_task(system, environment, prefix, s.name) for s in system.services)


def _service_task(system: System, environment: Environment, prefix: str, name: str) -> Task:
    service = system.service(name)
    deployment = environment.deployments[name]
    variables, secrets = _split(system, deployment.env)
    ports = [Port("http", service.port, True)]
    if service.grpc_port:
        ports.append(Port("grpc", service.grpc_port, True))
    probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{service.port}/healthz', timeout=3)"
    return Task(
        name=name, kind="service", family=f"{prefix}-{name}", **_roles(prefix, name), image=None,
        user=f"{SERVICE_USER}:{SERVICE_USER}",
        size=fargate_size(deployment.resources.cpu_millicores, deployment.resources.memory_mib),
        desired_count=deployment.replicas, autoscaling=deployment.autoscaling, ports=tuple(ports), command=(),
        health_command=("CMD", "python", "-c", probe), env=variables, secrets=secrets,
        mounts=tuple((d, system.datastore(d).mount_path) for d in service.uses if not system.datastore(d).is_postgres),
        config_files=(), config_dir=CONFIG_PATH, load_balancing=None, scraped=system.observability.metrics,
        read_only=True, writable=("/tmp",),
        log_group=f"/{system.name}/{environment.name}/{name}",
    )


def _split(system: System, env: tuple[EnvVar, ...]) -> tuple[tuple[TaskVar, ...], tuple[TaskSecret, ...]]:
    """The model's variables as task variables and secrets: databases and the broker at their AWS addresses
    (TLS required), database passwords from the RDS-managed secrets, other secrets from Secrets Manager."""
    stores = {d.url_env: d for d in system.datastores if d.is_postgres}
    passwords = {d.password_env: d for d in system.datastores if d.is_postgres}
    variables, secrets = [], []
    for var in env:
        if var.name in passwords:
            secrets.append(TaskSecret(var.name, Ref("database", passwords[var.name].name, "password")))
        elif var.secret:
            secrets.append(TaskSecret(var.name, Ref("secret", var.secret, "arn")))
        elif var.name in stores:
            store = stores[var.name]
            variables.append(TaskVar(var.name, f"postgresql://{store.user}@", Ref("database", store.name, "address"),
                                     f":{store.port}/{store.database}?sslmode=require"))
        elif var.name == "AMQP_URL" and system.messaging:
            # The environment's own broker: its default vhost, AMQP over TLS (Amazon MQ's only listener).
            variables.append(TaskVar(var.name, f"amqps://{system.messaging.user}@", Ref("broker", "broker", "host"),
                                     f":{BROKER_PORT}/"))
        else:
            variables.append(TaskVar(var.name, var.value or ""))
    return tuple(variables), tuple(secrets)


def platform_tasks(system: System, environment: Environment, prefix: str,
                   identity_secrets: tuple[str, ...]) -> tuple[Task, ...]:
    """The gateway, the identity provider (`identity_secrets`: the client secrets and key pair it reads) and the
    metrics agent, as far as the system needs them."""
    settings = environment.aws
    assert settings is not None
    count = len(settings.zones) if settings.production else 1
    found = []
    if system.has_gateway:
        found.append(_gateway(system, environment, prefix, count))
    if system.identity:
        found.append(_identity(system, environment, prefix, count, identity_secrets))
    if system.observability.metrics:
        found.append(_metrics(system, environment, prefix))
    return tuple(found)


def _platform(system: System, environment: Environment, prefix: str, name: str, **fields: object) -> Task:
    defaults: dict[str, object] = dict(
        name=name, family=f"{prefix}-{name}", **_roles(prefix, name), autoscaling=None, command=(), env=(),
        secrets=(), mounts=(), config_files=(), config_dir=CONFIG_PATH, load_balancing=None, scraped=False,
        read_only=True, writable=("/tmp",),
        log_group=f"/{system.name}/{environment.name}/{name}")
    return Task(**(defaults | fields))  # type: ignore[arg-type]


KONG_STATUS_PORT = 8100
KONG_PREFIX = "/usr/local/kong"  # the image's prefix, owned by its kong user: a task volume keeps it writable


def _gateway(system: System, environment: Environment, prefix: str, count: int) -> Task:
    kong = infra.KONG
    env = {
        "KONG_DATABASE": "off",
        "KONG_PREFIX": KONG_PREFIX,
        "KONG_DECLARATIVE_CONFIG": f"{CONFIG_PATH}/kong.yaml",
        "KONG_PROXY_LISTEN": f"0.0.0.0:{kong.port}",
        "KONG_ADMIN_LISTEN": "off",
        "KONG_STATUS_LISTEN": f"0.0.0.0:{KONG_STATUS_PORT}",
        "KONG_PROXY_ACCESS_LOG": "/dev/stdout",
        "KONG_PROXY_ERROR_LOG": "/dev/stderr",
        "KONG_TRUSTED_IPS": "0.0.0.0/0,::/0",
        "KONG_REAL_IP_HEADER": "X-Forwarded-For",
    }
    return _platform(
        system, environment, prefix, GATEWAY, kind=GATEWAY, image=kong.image, user="kong",
        size=FargateSize(512, 1024), desired_count=count, ports=(Port("http", kong.port, False),),
        health_command=("CMD", "kong", "health"), env=tuple(TaskVar(k, v) for k, v in env.items()),
        writable=("/tmp", KONG_PREFIX),
        config_files=("kong.yaml",),
        load_balancing=LoadBalancing(bounded(f"{prefix}-{GATEWAY}", 32), environment.domain, kong.port,
                                     KONG_STATUS_PORT, "/status"),
    )


def _identity(system: System, environment: Environment, prefix: str, count: int,
              identity_secrets: tuple[str, ...]) -> Task:
    keycloak, management = infra.KEYCLOAK, infra.KEYCLOAK_MANAGEMENT_PORT
    env = [
        TaskVar("KC_DB", "postgres"),
        TaskVar("KC_DB_URL", "jdbc:postgresql://", Ref("database", "identity", "address"),
                ":5432/keycloak?sslmode=require"),
        TaskVar("KC_DB_USERNAME", "keycloak"),
        TaskVar("KC_HOSTNAME", f"https://auth.{environment.domain}"),
        TaskVar("KC_PROXY_HEADERS", "xforwarded"),
        TaskVar("KC_HTTP_ENABLED", "true"),
        TaskVar("KC_HEALTH_ENABLED", "true"),
        TaskVar("KC_METRICS_ENABLED", "true"),
        TaskVar("KC_BOOTSTRAP_ADMIN_USERNAME", infra.KEYCLOAK_ADMIN_USER),
    ]
    secrets = [TaskSecret("KC_DB_PASSWORD", Ref("database", "identity", "password")),
               TaskSecret("KC_BOOTSTRAP_ADMIN_PASSWORD", Ref("secret", infra.KEYCLOAK_ADMIN_PASSWORD_ENV, "arn"))]
    secrets += [TaskSecret(n, Ref("secret", n, "arn")) for n in identity_secrets]
    probe = (f"exec 3<>/dev/tcp/127.0.0.1/{management} && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost"
             "\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ \"$status\" == *\" 200 \"* ]]")
    return _platform(
        system, environment, prefix, IDENTITY, kind=IDENTITY, image=keycloak.image, user="1000",
        size=FargateSize(1024, 2048), desired_count=count,
        ports=(Port("http", keycloak.port, False), Port("management", management, False)),
        command=("start", "--import-realm"), config_dir=infra.KEYCLOAK_IMPORT_PATH, read_only=False, writable=(),
        health_command=("CMD", "bash", "-c", probe), env=tuple(env), secrets=tuple(secrets),
        config_files=("realm.json",),
        load_balancing=LoadBalancing(bounded(f"{prefix}-{IDENTITY}", 32), f"auth.{environment.domain}",
                                     keycloak.port, management, "/health/ready"),
    )


def _metrics(system: System, environment: Environment, prefix: str) -> Task:
    prometheus = infra.PROMETHEUS
    return _platform(
        system, environment, prefix, METRICS, kind=METRICS, image=prometheus.image, user="65534",
        size=FargateSize(512, 1024), desired_count=1, ports=(Port("http", prometheus.port, False),),
        command=("--agent", f"--config.file={CONFIG_PATH}/prometheus.yml", "--storage.agent.path=/prometheus"),
        health_command=("CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{prometheus.port}/-/ready"),
        config_files=("prometheus.yml",), writable=("/prometheus",),
    )
