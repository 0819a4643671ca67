"""How the system is deployed in each environment: URLs, replicas, resources and every service's variables.

Also the variables of a service run as a local process (`rosec run`), derived by the same function as those of
a container so that the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import infrastructure, kubernetes_names
from rosec.model.aws_settings import build_aws_settings
from rosec.model.cluster import build_kubernetes_settings
from rosec.model.datastores import Datastore
from rosec.model.environments import Environment, EnvVar, GatewayNodes, Redis, ServiceDeployment
from rosec.model.identity import ServiceClient, dev_users
from rosec.model.logs import log_dataset
from rosec.model.service_build import build_resources
from rosec.model.services import Service
from rosec.model.system import System
from rosec.spec.models import EnvironmentSpec, RoseSpec

LOCAL_ENVIRONMENT = "local"  # ROSE_ENVIRONMENT of services run as local processes (`rosec run`)

LOCAL_TRACES_SAMPLE_RATE = 1.0  # a developer who gives a local process a SENTRY_DSN wants every trace

def build_environments(spec: RoseSpec, system: System) -> tuple[Environment, ...]:
    return tuple(_environment(spec, system, n, e) for n, e in spec.environments.items())


def _environment(spec: RoseSpec, system: System, name: str, env: EnvironmentSpec) -> Environment:
    hosting = env.hosting.value
    domain = env.domain or spec.system.domain
    local = hosting == "compose"
    public_url = f"http://localhost:{infrastructure.KONG.published_port}" if local else f"https://{domain}"
    cluster = hosting == "kubernetes"
    oidc = issuer_base = None
    if system.identity:
        issuer_base = local_issuer_base() if local else f"https://auth.{domain}"
        backchannel = issuer_base
        if local:
            backchannel = f"http://{infrastructure.KEYCLOAK.host}:{infrastructure.KEYCLOAK.port}"
        elif cluster:  # inside the cluster, past the ingress: the issuer stays the public URL (Keycloak's hostname)
            backchannel = kubernetes_names.KEYCLOAK_BACKCHANNEL
        oidc = oidc_urls(system.identity.realm, issuer_base, backchannel)
    deployments = {}
    for service in system.services:
        override = env.services.get(service.name)
        replicas = next(v for v in (override.replicas if override else None, env.replicas,
                                    service.scaling.min if not local else None, 1) if v is not None)
        resources = build_resources(override.resources) if override and override.resources else service.resources
        autoscaling = service.scaling if not local and service.scaling.max > service.scaling.min else None
        env_vars = _service_env(system, service, name, oidc, _IN_CLUSTER if cluster else _IN_CONTAINER,
                                env.sentry.traces_sample_rate)
        deployments[service.name] = ServiceDeployment(replicas, resources, autoscaling, env_vars)
    aws = None
    if hosting == "aws" and env.region:
        postgres = tuple(d.name for d in system.datastores if d.is_postgres)
        aws = build_aws_settings(env.aws, system.name, name, env.region, domain, postgres)
    return Environment(name, hosting, domain, env.region, public_url, issuer_base,
                       oidc.issuer if oidc else None, oidc.jwks if oidc else None,
                       env.logs.retention_days, env.sentry.traces_sample_rate, deployments,
                       oidc_token_url=oidc.token if oidc else None,
                       cors_origins=tuple(env.cors_origins),
                       gateway=_gateway_nodes(env),
                       dev_users=dev_users(spec, env.dev_users, domain),
                       kubernetes=build_kubernetes_settings(env.kubernetes, system.name, name,
                                                            system.observability.metrics),
                       aws=aws)


def _gateway_nodes(env: EnvironmentSpec) -> GatewayNodes:
    redis = env.gateway.redis
    return GatewayNodes(infrastructure.gateway_replicas(env.hosting.value, env.gateway.replicas),
                        Redis(redis.host, redis.port, redis.tls, redis.password) if redis else None)


@dataclass(frozen=True)
class OidcUrls:
    issuer: str  # as tokens name it
    jwks: str  # as services fetch it
    token: str  # as services post to it (client credentials)


def oidc_urls(realm: str, issuer_base: str, backchannel: str) -> OidcUrls:
    """The URLs of a realm: the issuer under `issuer_base` (what users reach), the endpoints that services use
    under `backchannel`."""
    endpoints = f"{backchannel}/realms/{realm}/protocol/openid-connect"
    return OidcUrls(f"{issuer_base}/realms/{realm}", f"{endpoints}/certs", f"{endpoints}/token")


def local_issuer_base(port_offset: int = 0) -> str:
    """The issuer's base URL of the local environment: Keycloak's published port (compose), or the local
    development issuer of `rosec run`, which listens there (shifted by the run's port offset)."""
    return f"http://localhost:{local_issuer_port(port_offset)}"


def local_issuer_port(port_offset: int = 0) -> int:
    assert infrastructure.KEYCLOAK.published_port is not None
    return infrastructure.KEYCLOAK.published_port + port_offset


@dataclass(frozen=True)
class _Placement:
    """Where a service runs: in a container (peers and infrastructure by host name), as a local process
    (everything on 127.0.0.1 at the same ports; `port_offset` shifts the ports of the system's services), or in a
    Kubernetes namespace (databases behind the read-write Service of their CloudNativePG cluster)."""

    local: bool = False
    port_offset: int = 0
    cluster: bool = False

    def host(self, name: str) -> str:
        return infrastructure.LOCAL_BIND if self.local else name

    def datastore_host(self, store: Datastore) -> str:
        return kubernetes_names.postgres_rw_service(store.name) if self.cluster else self.host(store.host)

    def port(self, service_port: int) -> int:
        return service_port + self.port_offset


_IN_CONTAINER = _Placement()
_IN_CLUSTER = _Placement(cluster=True)


def local_service_env(system: System, service_name: str, port_offset: int = 0) -> tuple[EnvVar, ...]:
    """The env of a service run as a local process against infrastructure on 127.0.0.1 (`rosec run`).

    The variables of the compose environment's env with the same ports, host names replaced by 127.0.0.1,
    ROSE_ENVIRONMENT `local`, the compose environment's OIDC issuer with its endpoints on Keycloak's published port
    (where the local development issuer of `rosec run` listens), and volumes in directories under the project
    root (Layout.local_volume). `port_offset` shifts the HTTP and gRPC ports of every service of the system (and
    so the peer URLs) and the issuer's port, e.g. to run two systems side by side.
    """
    oidc = local_oidc_urls(system, port_offset)
    return _service_env(system, system.service(service_name), LOCAL_ENVIRONMENT, oidc,
                        _Placement(local=True, port_offset=port_offset), LOCAL_TRACES_SAMPLE_RATE)


def local_oidc_urls(system: System, port_offset: int = 0) -> OidcUrls | None:
    """The realm's URLs for services run as local processes and for `rosec token`."""
    if system.identity is None:
        return None
    backchannel = f"http://{infrastructure.LOCAL_BIND}:{local_issuer_port(port_offset)}"
    return oidc_urls(system.identity.realm, local_issuer_base(port_offset), backchannel)


def _service_env(system: System, service: Service, environment: str, oidc: OidcUrls | None,
                 where: _Placement = _IN_CONTAINER,
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
                           f"postgresql://{store.user}@{where.datastore_host(store)}:{store.port}/{store.database}"),
                    EnvVar(store.password_env, secret=store.password_env)]
        else:
            path = system.layout.local_volume(system.name, store.name) if where.local else store.mount_path
            env.append(EnvVar(store.url_env, path))
    for peer_name in service.calls:
        peer = system.service(peer_name)
        env.append(EnvVar(peer.url_env, f"http://{where.host(peer.host)}:{where.port(peer.port)}"))
        if peer.grpc_port:
            env.append(EnvVar(peer.grpc_target_env, f"{where.host(peer.host)}:{where.port(peer.grpc_port)}"))
    if oidc and system.identity:
        env += [EnvVar("OIDC_ISSUER_URL", oidc.issuer), EnvVar("OIDC_JWKS_URL", oidc.jwks),
                EnvVar("OIDC_AUDIENCE", service.client_id)]
        env += _client_env(system.identity.client(service.name), oidc)
    if system.observability.sentry:
        env += [EnvVar("SENTRY_DSN", secret="SENTRY_DSN", optional=True), EnvVar("SENTRY_ENVIRONMENT", environment),
                EnvVar("SENTRY_TRACES_SAMPLE_RATE", format(traces_sample_rate, "g"))]
    env += [EnvVar(k, v) for k, v in service.config]
    env += [EnvVar(s, secret=s) for s in service.secrets]
    return tuple(env)


def _client_env(client: ServiceClient | None, oidc: OidcUrls) -> list[EnvVar]:
    """A calling service's client credentials; the clients whose tokens a called service accepts."""
    if client is None:
        return []
    env = []
    if client.calls_services:
        env += [EnvVar("OIDC_GRANT_URL", oidc.token), EnvVar("OIDC_CLIENT_ID", client.client_id),
                EnvVar("OIDC_CLIENT_SECRET", secret=client.secret_env)]
    if client.callers:
        env.append(EnvVar("OIDC_CALLERS", ",".join(client.callers)))
    if client.internal:
        env.append(EnvVar("OIDC_CALLERS_ONLY", "true"))
    return env

