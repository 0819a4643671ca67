"""How the system is deployed in each environment: URLs, replicas, resources and every service's variables.

Also the variables of a service run as a local process (`rosec run`), derived by the same function as those of
a container so that the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import infrastructure
from rosec.model.aws_settings import build_aws_settings
from rosec.model.environments import Environment, EnvVar, ServiceDeployment
from rosec.model.logs import log_dataset
from rosec.model.services import Service, build_resources
from rosec.model.system import System
from rosec.spec.models import EnvironmentSpec, RoseSpec

LOCAL_ENVIRONMENT = "local"  # ROSE_ENVIRONMENT of services run as local processes (`rosec run`)
LOCAL_TRACES_SAMPLE_RATE = 1.0  # a developer who gives a local process a SENTRY_DSN wants every trace
_LOCAL_ISSUER_BASE = f"http://localhost:{infrastructure.KEYCLOAK.published_port}"  # as users reach Keycloak


def build_environments(spec: RoseSpec, system: System) -> tuple[Environment, ...]:
    return tuple(_environment(spec, system, n, e) for n, e in spec.environments.items())


def _environment(spec: RoseSpec, system: System, name: str, env: EnvironmentSpec) -> Environment:
    hosting = env.hosting.value
    domain = env.domain or spec.system.domain
    local = hosting == "compose"
    public_url = f"http://localhost:{infrastructure.KONG.published_port}" if local else f"https://{domain}"
    issuer = jwks = issuer_base = None
    if system.identity:
        issuer_base = _LOCAL_ISSUER_BASE if local else f"https://auth.{domain}"
        backchannel = f"http://{infrastructure.KEYCLOAK.host}:{infrastructure.KEYCLOAK.port}" if local else issuer_base
        issuer, jwks = _oidc_urls(system.identity.realm, issuer_base, backchannel)
    deployments = {}
    for service in system.services:
        override = env.services.get(service.name)
        replicas = next(v for v in (override.replicas if override else None, env.replicas,
                                    service.scaling.min if not local else None, 1) if v is not None)
        resources = build_resources(override.resources) if override and override.resources else service.resources
        autoscaling = service.scaling if not local and service.scaling.max > service.scaling.min else None
        env_vars = _service_env(system, service, name, issuer, jwks, traces_sample_rate=env.sentry.traces_sample_rate)
        deployments[service.name] = ServiceDeployment(replicas, resources, autoscaling, env_vars)
    aws = None
    if hosting == "aws" and env.region:
        postgres = tuple(d.name for d in system.datastores if d.is_postgres)
        aws = build_aws_settings(env.aws, system.name, name, env.region, domain, postgres)
    return Environment(name, hosting, domain, env.region, public_url, issuer_base, issuer, jwks,
                       env.logs.retention_days, env.sentry.traces_sample_rate, deployments, aws)


def _oidc_urls(realm: str, issuer_base: str, backchannel: str) -> tuple[str, str]:
    """The issuer (as tokens name it) and the JWKS URL (as services fetch it) of a realm."""
    return f"{issuer_base}/realms/{realm}", f"{backchannel}/realms/{realm}/protocol/openid-connect/certs"


@dataclass(frozen=True)
class _Placement:
    """Where a service runs: in a container (peers and infrastructure by host name), or as a local process
    (everything on 127.0.0.1 at the same ports; `port_offset` shifts the ports of the system's services)."""

    local: bool = False
    port_offset: int = 0

    def host(self, name: str) -> str:
        return infrastructure.LOCAL_BIND if self.local else name

    def port(self, service_port: int) -> int:
        return service_port + self.port_offset


_IN_CONTAINER = _Placement()


def local_service_env(system: System, service_name: str, port_offset: int = 0) -> tuple[EnvVar, ...]:
    """The env of a service run as a local process against infrastructure on 127.0.0.1 (`rosec run`).

    The variables of the compose environment's env with the same ports, host names replaced by 127.0.0.1,
    ROSE_ENVIRONMENT `local`, the compose environment's OIDC issuer with Keycloak's keys on its published port,
    and volumes in directories under the project root (Layout.local_volume). `port_offset` shifts the HTTP and
    gRPC ports of every service of the system (and so the peer URLs), e.g. to run two systems side by side.
    """
    issuer = jwks = None
    if system.identity:
        backchannel = f"http://{infrastructure.LOCAL_BIND}:{infrastructure.KEYCLOAK.published_port}"
        issuer, jwks = _oidc_urls(system.identity.realm, _LOCAL_ISSUER_BASE, backchannel)
    return _service_env(system, system.service(service_name), LOCAL_ENVIRONMENT, issuer, jwks,
                        _Placement(local=True, port_offset=port_offset), LOCAL_TRACES_SAMPLE_RATE)


def _service_env(system: System, service: Service, environment: str, issuer: str | None,
                 jwks: str | None, where: _Placement = _IN_CONTAINER,
                 traces_sample_rate: float = LOCAL_TRACES_SAMPLE_RATE) -> tuple[EnvVar, ...]:
    env = [
        EnvVar("ROSE_SYSTEM", system.name),
        EnvVar("SERVICE_NAME", service.name),
        EnvVar("ROSE_ENVIRONMENT", environment),
        EnvVar("LOG_DATASET", log_dataset(system.name, service.name)),
        EnvVar("PORT", str(where.port(service.port))),
    ]
    if where.local:  # a local process listens on loopback only; in a container it must take every interface
        env.append(EnvVar("BIND_HOST", infrastructure.LOCAL_BIND))
    if service.grpc_port:
        env.append(EnvVar("GRPC_PORT", str(where.port(service.grpc_port))))
    if service.needs_broker and system.messaging:
        m = system.messaging
        env += [EnvVar("AMQP_URL", f"amqp://{m.user}@{where.host(m.host)}:{m.port}/{m.vhost}"),
                EnvVar("AMQP_PASSWORD", secret=m.password_env)]
    for store_name in service.uses:
        store = system.datastore(store_name)
        if store.engine == "postgres":
            env += [EnvVar(store.url_env,
                           f"postgresql://{store.user}@{where.host(store.host)}:{store.port}/{store.database}"),
                    EnvVar(store.password_env, secret=store.password_env)]
        else:
            path = system.layout.local_volume(system.name, store.name) if where.local else store.mount_path
            env.append(EnvVar(store.url_env, path))
    for peer_name in service.calls:
        peer = system.service(peer_name)
        env.append(EnvVar(peer.url_env, f"http://{where.host(peer.host)}:{where.port(peer.port)}"))
        if peer.grpc_port:
            env.append(EnvVar(peer.grpc_target_env, f"{where.host(peer.host)}:{where.port(peer.grpc_port)}"))
    if issuer and jwks:
        env += [EnvVar("OIDC_ISSUER_URL", issuer), EnvVar("OIDC_JWKS_URL", jwks),
                EnvVar("OIDC_AUDIENCE", service.client_id)]
    if system.observability.sentry:
        env += [EnvVar("SENTRY_DSN", secret="SENTRY_DSN", optional=True), EnvVar("SENTRY_ENVIRONMENT", environment),
                EnvVar("SENTRY_TRACES_SAMPLE_RATE", format(traces_sample_rate, "g"))]
    env += [EnvVar(k, v) for k, v in service.config]
    env += [EnvVar(s, secret=s) for s in service.secrets]
    return tuple(env)

