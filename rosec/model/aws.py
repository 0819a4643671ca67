"""AWS names and values of an environment hosted on AWS, derived once from the System.

`aws_environment(system, environment)` (cached) gives everything the Terraform target writes: resource names,
the ECS tasks (the system's services and the platform's gateway, identity provider and metrics agent) with their
Fargate sizes, variables and secrets, the RDS databases with their instance classes, the EFS volumes with an
access point per service, the Secrets Manager secrets, the security-group graph, the WAF rate rules and the DNS
names. Where branch edge/metrics will own a value (client secrets, the realm key pair, the gateway rate limits),
a small function here derives it from the model as it is: see `client_secret_names`, `realm_key_pair_names`,
`gateway_rate_limits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rosec.model import aws_catalog as catalog
from rosec.model import infrastructure
from rosec.model.aws_catalog import WafRate
from rosec.model.aws_firewall import Ingress, security_graph
from rosec.model.aws_settings import AwsSettings
from rosec.model.aws_tasks import Task, platform_tasks, service_tasks
from rosec.model.environments import Environment
from rosec.model.naming import bounded
from rosec.model.system import System

__all__ = ["AwsEnvironment", "Database", "Ingress", "RateRule", "Secret", "Task", "Volume", "aws_environment"]

SECRET_SUPPLIED, SECRET_GENERATED, SECRET_OPTIONAL = "supplied", "generated", "optional"
ORIGIN_SECRET = "CLOUDFRONT_ORIGIN_SECRET"  # the header value CloudFront sends and the load balancer requires
ORIGIN_HEADER = "X-Origin-Verify"


@dataclass(frozen=True)
class Secret:
    name: str  # as the variable that carries it, e.g. PAYMENT_PROVIDER_API_KEY
    secret_name: str  # in Secrets Manager: <system>/<environment>/<name>
    origin: str  # supplied (the operator puts the value), generated (random, written once), optional (blank)
    description: str


@dataclass(frozen=True)
class Database:
    key: str  # datastore name, or `identity` for the identity provider's own database
    identifier: str  # RDS instance identifier
    database: str
    username: str
    engine_version: str
    instance_class: str
    storage_gb: int


@dataclass(frozen=True)
class Volume:
    name: str  # datastore name
    file_system: str  # EFS creation token / Name tag
    mount_path: str
    users: tuple[str, ...]  # services that mount it (one access point each)


@dataclass(frozen=True)
class RateRule:
    name: str  # WAF rule name and metric name
    path: str  # the gateway prefix it guards
    rate: WafRate
    spec_rate: str  # as the spec writes it, e.g. 100/minute


@dataclass(frozen=True)
class AwsEnvironment:
    name: str
    prefix: str  # <system>-<environment>: the start of every resource name
    settings: AwsSettings
    domain: str
    identity_domain: str | None  # auth.<domain> when the system has identity
    cluster: str
    namespace: str  # Service Connect namespace
    discovery_namespace: str  # private DNS namespace where tasks register for scraping
    load_balancer: str
    config_bucket: str  # followed by the account id (bucket names are global)
    log_group_prefix: str  # /<system>/<environment>
    tasks: tuple[Task, ...]
    databases: tuple[Database, ...]
    volumes: tuple[Volume, ...]
    secrets: tuple[Secret, ...]
    groups: dict[str, str]  # security group key -> description
    ingress: tuple[Ingress, ...]
    rate_rules: tuple[RateRule, ...]
    repositories: tuple[tuple[str, str], ...]  # (service, ECR repository name)
    broker: bool
    broker_name: str
    metrics_workspace: str | None

    def task(self, name: str) -> Task:
        return next(t for t in self.tasks if t.name == name)


@cache
def aws_environment(system: System, environment: Environment) -> AwsEnvironment:
    settings = environment.aws
    assert settings is not None, f"environment {environment.name} is not hosted on aws"
    prefix = f"{system.name}-{environment.name}"
    identity_secrets = (*(n for n, _ in client_secret_names(system)), *realm_key_pair_names(system))
    tasks = (*service_tasks(system, environment, prefix),
             *platform_tasks(system, environment, prefix, identity_secrets))
    secrets = _secrets(system, environment.name, tasks)
    groups, ingress = security_graph(system, tasks)
    return AwsEnvironment(
        name=environment.name,
        prefix=prefix,
        settings=settings,
        domain=environment.domain,
        identity_domain=f"auth.{environment.domain}" if system.identity else None,
        cluster=prefix,
        namespace=prefix,
        discovery_namespace=f"{environment.name}.{system.name}.internal",
        load_balancer=bounded(prefix, 32),
        config_bucket=f"{prefix}-config-",
        log_group_prefix=f"/{system.name}/{environment.name}",
        tasks=tasks,
        databases=_databases(system, settings, prefix),
        volumes=tuple(Volume(d.name, bounded(f"{prefix}-{d.name}", 64), d.mount_path, tuple(
            s.name for s in system.services if d.name in s.uses)) for d in system.datastores if not d.is_postgres),
        secrets=secrets,
        groups=groups,
        ingress=ingress,
        rate_rules=gateway_rate_limits(system),
        repositories=tuple((s.name, s.image) for s in system.services),
        broker=system.messaging is not None,
        broker_name=prefix,
        metrics_workspace=prefix if system.observability.metrics else None,
    )


def _databases(system: System, settings: AwsSettings, prefix: str) -> tuple[Database, ...]:
    sizes = dict(settings.database_sizes)
    found = [(d.name, d.database, d.user, d.version, sizes[d.name], d.size_gb)
             for d in system.datastores if d.is_postgres]
    if system.identity:
        found.append(("identity", "keycloak", "keycloak", "16", settings.identity_database_size, 20))
    return tuple(Database(
        key=key, identifier=bounded(f"{prefix}-{key}", 63), database=database, username=user,
        engine_version=version, instance_class=catalog.DATABASE_CLASSES[size],
        storage_gb=max(storage, catalog.RDS_MIN_STORAGE_GB),
    ) for key, database, user, version, size, storage in found)


def _secrets(system: System, environment: str, tasks: tuple[Task, ...]) -> tuple[Secret, ...]:
    """Every secret of the environment, by name: the services' own, the broker's, Sentry's DSN, the identity
    provider's, the origin header, and any other a task reads (a secret variable the model adds gets its secret
    here without further ado); each in Secrets Manager as <system>/<environment>/<name>."""
    found: dict[str, tuple[str, str]] = {}
    for service in system.services:
        for name in service.secrets:
            found.setdefault(name, (SECRET_SUPPLIED, f"{name} of {service.name}"))
    if system.messaging:
        found[system.messaging.password_env] = (SECRET_GENERATED, "the broker user's password")
    if system.observability.sentry:
        found["SENTRY_DSN"] = (SECRET_OPTIONAL, "Sentry DSN: blank turns error reporting off")
    if system.identity:
        found[infrastructure.KEYCLOAK_ADMIN_PASSWORD_ENV] = (SECRET_GENERATED, "Keycloak's bootstrap admin")
        for name, client in client_secret_names(system):
            found[name] = (SECRET_GENERATED, f"client secret of {client}")
        for name in realm_key_pair_names(system):
            found[name] = (SECRET_SUPPLIED, "the realm's signing key pair (PEM)")
    if system.has_gateway:
        found[ORIGIN_SECRET] = (SECRET_GENERATED, f"the {ORIGIN_HEADER} header CloudFront sends to the load balancer")
    for task in tasks:
        for secret in task.secrets:
            if secret.ref.kind == "secret":
                found.setdefault(secret.ref.name, (SECRET_SUPPLIED, f"{secret.ref.name}, read by {task.name}"))
    return tuple(Secret(name, f"{system.name}/{environment}/{name}", origin, description)
                 for name, (origin, description) in sorted(found.items()))


# -- values owned by other branches, derived here from the model as it is until they land ---------------------
def client_secret_names(system: System) -> tuple[tuple[str, str], ...]:
    """(variable, client id) of every confidential client's secret. Re-point to rosec.model.identity's client
    secret variables when branch edge lands."""
    return tuple((f"{s.env_prefix}_CLIENT_SECRET", s.client_id) for s in system.services)


def realm_key_pair_names(system: System) -> tuple[str, ...]:
    """The variables of the realm's signing key pair. Re-point to rosec.model.identity when branch edge lands."""
    return ("REALM_PRIVATE_KEY", "REALM_CERTIFICATE") if system.identity else ()


def gateway_rate_limits(system: System) -> tuple[RateRule, ...]:
    """One WAF rate rule per gateway route with a rate limit. Re-point to rosec.model.gateway's per-service and
    per-endpoint limits when branch edge lands (a per-endpoint limit becomes a rule on the endpoint's path)."""
    rules = []
    for s in system.services:
        if s.gateway and s.gateway.rate_limit:
            limit = s.gateway.rate_limit
            rules.append(RateRule(f"rate-{s.name}", s.gateway.path, catalog.waf_rate(limit.count, limit.unit),
                                  f"{limit.count}/{limit.unit}"))
    return tuple(rules)
