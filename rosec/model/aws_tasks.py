"""The ECS tasks of an AWS environment: one per service of the system, plus the platform's gateway (Kong),
identity provider (Keycloak) and metrics agent (Prometheus in agent mode, writing to Amazon Managed Prometheus).

A task's variables are the model's (rosec.model.deployments) with the addresses only AWS knows filled in at
apply time: a `Ref` names the resource whose attribute Terraform puts there (the database's address, the
broker's host, a secret's ARN).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from rosec.model import gateway as gw
from rosec.model import identity
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
    entry_point: tuple[str, ...]  # empty: the image's
    command: tuple[str, ...]
    health_command: tuple[str, ...]
    env: tuple[TaskVar, ...]
    secrets: tuple[TaskSecret, ...]
    mounts: tuple[tuple[str, str], ...]  # (volume, container path)
    config_files: tuple[str, ...]  # files of the config bucket copied to config_dir before the task starts
    config_dir: str
    load_balancing: LoadBalancing | None
    metrics_port: int | None  # where the metrics agent scrapes it (registered in the discovery namespace); None: not
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
        desired_count=deployment.replicas, autoscaling=deployment.autoscaling, ports=tuple(ports), entry_point=(),
        command=(),
        health_command=("CMD", "python", "-c", probe), env=variables, secrets=secrets,
        mounts=tuple((d, system.datastore(d).mount_path) for d in service.uses if not system.datastore(d).is_postgres),
        config_files=(), config_dir=CONFIG_PATH, load_balancing=None,
        metrics_port=service.port if system.observability.metrics else None,
        read_only=True, writable=("/tmp",),
        log_group=f"/{system.name}/{environment.name}/{name}",
    )


def _split(system: System, env: tuple[EnvVar, ...]) -> tuple[tuple[TaskVar, ...], tuple[TaskSecret, ...]]:
    """The model's variables as task variables and secrets: databases and the broker at their AWS addresses
    (TLS required), database passwords from the RDS-managed secrets, other secrets from Secrets Manager."""
    stores, passwords = system.postgres_by_url_env, system.postgres_by_password_env
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


def platform_tasks(system: System, environment: Environment, prefix: str) -> tuple[Task, ...]:
    """The gateway, the identity provider and the metrics agent, as far as the system needs them."""
    settings = environment.aws
    assert settings is not None
    count = len(settings.zones) if settings.production else 1
    found = []
    if system.has_gateway:
        found.append(_gateway(system, environment, prefix))
    if system.identity:
        found.append(_identity(system, environment, prefix, count))
    if system.observability.metrics:
        found.append(_metrics(system, environment, prefix))
    return tuple(found)


def _platform(system: System, environment: Environment, prefix: str, name: str, **fields: object) -> Task:
    defaults: dict[str, object] = dict(
        name=name, family=f"{prefix}-{name}", **_roles(prefix, name), autoscaling=None, entry_point=(), command=(),
        env=(), secrets=(), mounts=(), config_files=(), config_dir=CONFIG_PATH, load_balancing=None, metrics_port=None,
        read_only=True, writable=("/tmp",),
        log_group=f"/{system.name}/{environment.name}/{name}")
    return Task(**(defaults | fields))  # type: ignore[arg-type]


CLIENT_ADDRESS_HEADER = "X-Forwarded-For"


def _gateway(system: System, environment: Environment, prefix: str) -> Task:
    """Kong as in compose and Kubernetes: the Kong target's configuration (copied from the config bucket to where
    the other hostings mount it), the same node settings and start command, which writes the realm's public key
    (from Secrets Manager) into it; its nodes are the environment's gateway replicas (the local rate-limit
    policy divides each limit by them), the Redis password from Secrets Manager when they count together.

    The client's address: CloudFront appends the viewer's address to X-Forwarded-For, and the load balancer
    passes the header on unchanged (xff_header_processing_mode preserve, in the load_balancer module). Kong
    believes the header only from peers in the VPC (the load balancer's nodes; the security group admits no one
    else) and takes its last address, not recursively: the one CloudFront wrote, which a client cannot forge.
    So the gateway's rate limits by IP count per client, as the WAF's do."""
    kong, edge = infra.KONG, gw.gateway(system, environment)
    settings = environment.aws
    assert settings is not None
    env = gw.node_settings(edge, f"0.0.0.0:{kong.port}") | {
        "KONG_TRUSTED_IPS": settings.vpc_cidr,
        "KONG_REAL_IP_HEADER": CLIENT_ADDRESS_HEADER,
        "KONG_REAL_IP_RECURSIVE": "off",
    }
    secrets = [TaskSecret(identity.SIGNING_PUBLIC_KEY_ENV, Ref("secret", identity.SIGNING_PUBLIC_KEY_ENV, "arn"))
               ] if edge.verifies_tokens else []
    redis = edge.policy.redis
    if redis is not None and redis.password_env:  # read by the plugins' {vault://env/...} reference
        secrets.append(TaskSecret(redis.password_env, Ref("secret", redis.password_env, "arn")))
    return _platform(
        system, environment, prefix, GATEWAY, kind=GATEWAY, image=kong.image, user="kong",
        size=FargateSize(512, 1024), desired_count=environment.gateway.replicas,
        ports=(Port("http", kong.port, False),), entry_point=gw.start_command(edge),
        health_command=("CMD", "kong", "health"), env=tuple(TaskVar(k, v) for k, v in env.items()),
        secrets=tuple(secrets), writable=("/tmp", infra.KONG_PREFIX_PATH),
        config_files=(posixpath.basename(infra.KONG_CONFIG_PATH),),
        config_dir=posixpath.dirname(infra.KONG_CONFIG_PATH),
        metrics_port=infra.KONG_STATUS_PORT if system.observability.metrics else None,
        load_balancing=LoadBalancing(bounded(f"{prefix}-{GATEWAY}", 32), environment.domain, kong.port,
                                     infra.KONG_STATUS_PORT, "/status"),
    )


def _identity(system: System, environment: Environment, prefix: str, count: int) -> Task:
    """Keycloak importing the Keycloak target's realm, whose `${VARIABLE}` placeholders (rosec.model.identity's
    realm secrets) it reads from Secrets Manager."""
    assert system.identity is not None and environment.aws is not None
    keycloak, management = infra.KEYCLOAK, infra.KEYCLOAK_MANAGEMENT_PORT
    env = [
        TaskVar("KC_DB", "postgres"),
        TaskVar("KC_DB_URL", "jdbc:postgresql://", Ref("database", "identity", "address"),
                ":5432/keycloak?sslmode=require"),
        TaskVar("KC_DB_USERNAME", "keycloak"),
        TaskVar("KC_HOSTNAME", f"https://auth.{environment.domain}"),
        TaskVar("KC_PROXY_HEADERS", "xforwarded"),
        # Forwarded headers believed only from inside the VPC (the load balancer), as Kong's trusted IPs.
        TaskVar("KC_PROXY_TRUSTED_ADDRESSES", environment.aws.vpc_cidr),
        TaskVar("KC_HTTP_ENABLED", "true"),
        TaskVar("KC_HEALTH_ENABLED", "true"),
        TaskVar("KC_METRICS_ENABLED", "true"),
        TaskVar("KC_BOOTSTRAP_ADMIN_USERNAME", infra.KEYCLOAK_ADMIN_USER),
    ]
    secrets = [TaskSecret("KC_DB_PASSWORD", Ref("database", "identity", "password")),
               TaskSecret("KC_BOOTSTRAP_ADMIN_PASSWORD", Ref("secret", infra.KEYCLOAK_ADMIN_PASSWORD_ENV, "arn"))]
    secrets += [TaskSecret(n, Ref("secret", n, "arn"))
                for n in identity.realm_secrets(system.identity, environment.dev_users)]
    probe = (f"exec 3<>/dev/tcp/127.0.0.1/{management} && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost"
             "\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ \"$status\" == *\" 200 \"* ]]")
    return _platform(
        system, environment, prefix, IDENTITY, kind=IDENTITY, image=keycloak.image, user="1000",
        size=FargateSize(1024, 2048), desired_count=count,
        ports=(Port("http", keycloak.port, False), Port("management", management, False)),
        command=("start", "--import-realm"), config_dir=infra.KEYCLOAK_IMPORT_PATH, read_only=False, writable=(),
        health_command=("CMD", "bash", "-c", probe), env=tuple(env), secrets=tuple(secrets),
        config_files=("realm.json",),
        metrics_port=management if system.observability.metrics else None,
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
