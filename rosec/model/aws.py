"""AWS names and values of an environment hosted on AWS, derived once from the System.

`aws_environment(system, environment)` (cached) gives everything the Terraform target writes: resource names,
the ECS tasks (the system's services and the platform's gateway, identity provider and metrics agent) with their
Fargate sizes, variables and secrets, the RDS databases with their instance classes, the EFS volumes with an
access point per service, the Secrets Manager secrets, the security-group graph, the WAF rate rules and the DNS
names. The names other domains own are theirs: the realm's secrets (rosec.model.identity), the WAF rate rules
(rosec.model.aws_rates, from the gateway's limits), the scrape targets (rosec.model.scrape).
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import aws_catalog as catalog
from rosec.model import identity, infrastructure
from rosec.model.aws_alarms import Alarm, database_alarms, queue_alarms
from rosec.model.aws_firewall import Ingress, security_graph, task_group
from rosec.model.aws_rates import RateRule, rate_rules
from rosec.model.aws_settings import AwsSettings
from rosec.model.aws_tasks import GATEWAY, IDENTITY, Task, platform_tasks, service_tasks
from rosec.model.environments import Environment
from rosec.model.gateway import gateway
from rosec.model.naming import bounded
from rosec.model.system import System

__all__ = ["Alarm", "AwsEnvironment", "Database", "Ingress", "OutsideEgress", "RateRule", "Secret", "Task", "Volume",
           "aws_environment"]

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
class OutsideEgress:
    """A connection a task opens to an address outside the environment on another port than HTTPS."""

    group: str
    port: int
    description: str


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
    scrape_names: tuple[tuple[str, str], ...]  # (scrape target name, DNS name of its tasks) for the metrics agent
    alert_receivers: tuple[str, ...]  # the spec's alert receivers: an SNS topic each (with a metrics workspace)
    outside_egress: tuple[OutsideEgress, ...]
    alarms: tuple[Alarm, ...]  # CloudWatch alarms of what Managed Prometheus cannot see (rosec.model.aws_alarms)

    def task(self, name: str) -> Task:
        return next(t for t in self.tasks if t.name == name)


def aws_environment(system: System, environment: Environment) -> AwsEnvironment:
    """Computed once per system and environment (System.once: a functools cache would hash the whole system on
    every call, 33,000 nested hashes at 1000 services, and keep every system alive)."""
    return system.once(("aws environment", environment.name), lambda: _aws_environment(system, environment))


def _aws_environment(system: System, environment: Environment) -> AwsEnvironment:
    settings = environment.aws
    assert settings is not None, f"environment {environment.name} is not hosted on aws"
    prefix = f"{system.name}-{environment.name}"
    tasks = (*service_tasks(system, environment, prefix), *platform_tasks(system, environment, prefix))
    secrets = _secrets(system, environment, tasks)
    groups, ingress = security_graph(system, tasks)
    discovery_namespace = f"{environment.name}.{system.name}.internal"
    metrics = system.observability.metrics
    databases, broker_name = _databases(system, settings, prefix), prefix
    alarms = database_alarms(system, prefix, tuple((d.key, d.identifier, d.storage_gb) for d in databases))
    if system.messaging is not None:
        alarms += queue_alarms(system, prefix, broker_name)
    return AwsEnvironment(
        name=environment.name,
        prefix=prefix,
        settings=settings,
        domain=environment.domain,
        identity_domain=f"auth.{environment.domain}" if system.identity else None,
        cluster=prefix,
        namespace=prefix,
        discovery_namespace=discovery_namespace,
        load_balancer=bounded(prefix, 32),
        config_bucket=f"{prefix}-config-",
        log_group_prefix=f"/{system.name}/{environment.name}",
        tasks=tasks,
        databases=databases,
        volumes=tuple(Volume(d.name, bounded(f"{prefix}-{d.name}", 64), d.mount_path, tuple(
            s.name for s in system.services if d.name in s.uses)) for d in system.datastores if not d.is_postgres),
        secrets=secrets,
        groups=groups,
        ingress=ingress,
        rate_rules=rate_rules(system, environment) if system.has_gateway else (),
        repositories=tuple((s.name, s.image) for s in system.services),
        broker=system.messaging is not None,
        broker_name=broker_name,
        metrics_workspace=prefix if metrics else None,
        scrape_names=tuple((_SCRAPE_NAMES.get(t.kind, t.name), f"{t.name}.{discovery_namespace}")
                           for t in tasks if t.metrics_port),
        alert_receivers=tuple(r.name for r in system.alerting.receivers) if metrics else (),
        outside_egress=_outside_egress(system, environment),
        alarms=alarms,
    )


# The scrape target names (rosec.model.scrape) of the platform's tasks; a service's is its own name.
_SCRAPE_NAMES = {GATEWAY: infrastructure.KONG.host, IDENTITY: infrastructure.KEYCLOAK.host}


def _outside_egress(system: System, environment: Environment) -> tuple[OutsideEgress, ...]:
    """The gateway's Redis (where its nodes count requests together) is the team's, outside the environment."""
    redis = environment.gateway.redis
    if not system.has_gateway or redis is None:
        return ()
    return (OutsideEgress(task_group(GATEWAY, GATEWAY), redis.port,
                          f"gateway to its Redis {redis.host} (rate-limit counters)"),)


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


def _secrets(system: System, environment: Environment, tasks: tuple[Task, ...]) -> tuple[Secret, ...]:
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
        verifies = system.has_gateway and gateway(system, environment).verifies_tokens
        found |= _realm_secrets(system.identity, environment, verifies)
    if system.has_gateway:
        found[ORIGIN_SECRET] = (SECRET_GENERATED, f"the {ORIGIN_HEADER} header CloudFront sends to the load balancer")
    for task in tasks:
        for secret in task.secrets:
            if secret.ref.kind == "secret":
                found.setdefault(secret.ref.name, (SECRET_SUPPLIED, f"{secret.ref.name}, read by {task.name}"))
    return tuple(Secret(name, f"{system.name}/{environment.name}/{name}", origin, description)
                 for name, (origin, description) in sorted(found.items()))


def _realm_secrets(realm: identity.Identity, environment: Environment,
                   gateway_verifies: bool) -> dict[str, tuple[str, str]]:
    """The realm's secrets under rosec.model.identity's names: the signing key pair (supplied: the operator
    makes it; its public half when the gateway verifies tokens), the calling services' client secrets
    (generated: the realm and the service read the same secret) and the dev users' passwords (supplied)."""
    found = {identity.SIGNING_PRIVATE_KEY_ENV: (SECRET_SUPPLIED, "the realm's signing private key (PKCS#8 PEM)")}
    if gateway_verifies:
        found[identity.SIGNING_PUBLIC_KEY_ENV] = (SECRET_SUPPLIED, "the realm's signing public key (PEM), which "
                                                  "the gateway verifies tokens with")
    for client in realm.clients:
        if client.secret_env:
            found[client.secret_env] = (SECRET_GENERATED, f"client secret of {client.client_id}")
    for user in environment.dev_users:
        found[user.password_env] = (SECRET_SUPPLIED, f"password of the user {user.name}")
    return found
