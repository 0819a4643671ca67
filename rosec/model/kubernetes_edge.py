"""The edge of a kubernetes environment: how the gateway's nodes run the Kong target's configuration there, and
which addresses the gateway and Keycloak trust to name the client.

Exposed by an Ingress, TLS ends at the ingress controller, whose pods forward plain HTTP (and gRPC over h2c, on
a listener of its own) with the client's address in X-Forwarded-For: the gateway and Keycloak take the client's
address from that header, but only from peers in the private ranges a pod network uses (an address on the
internet never comes from them, so a client cannot name itself). Exposed by a load balancer, the gateway
terminates TLS itself with the environment's certificate and sees the client's own address (the Service keeps it:
externalTrafficPolicy Local); no header is trusted then.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import gateway as gw
from rosec.model import infrastructure as infra
from rosec.model.environments import Environment
from rosec.model.identity import SIGNING_PUBLIC_KEY_ENV
from rosec.model.kubernetes import Peer, settings
from rosec.model.kubernetes_secrets import SecretRef, gateway_secret, identity_secret_ref
from rosec.model.system import System

# RFC 1918, the shared address space (RFC 6598) some CNIs give pods, IPv6 unique local addresses.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
CERTIFICATE_DIR = "/certs"  # the environment's TLS Secret (tls.crt, tls.key), when the gateway terminates TLS


@dataclass(frozen=True)
class GatewayNodes:
    """The gateway's Deployment in one environment."""

    replicas: int  # the environment's gateway nodes: the local rate-limit policy divides each limit by them
    settings: tuple[tuple[str, str], ...]  # Kong's KONG_* variables
    secrets: tuple[tuple[str, SecretRef], ...]  # variables from Secrets: the public key, Redis's password
    command: tuple[str, ...]  # the start script that writes the public key in; empty: the image's own
    grpc_port: int | None  # the h2c listener the Ingress sends gRPC to
    grpc_paths: tuple[str, ...]  # the exposed gRPC APIs' paths (/<package>.<Service>), routed to grpc_port
    upstreams: tuple[Peer, ...]  # the services (and ports) the configuration proxies to
    redis_port: int | None  # where the nodes count requests together (outside the namespace)


def gateway_nodes(system: System, environment: Environment) -> GatewayNodes:
    edge = gw.gateway(system, environment)
    tls = settings(environment).load_balancer
    grpc_port = infra.KONG_GRPC_PORT if edge.grpc and not tls else None  # behind TLS, ALPN serves gRPC too
    listen = f"0.0.0.0:{infra.KONG.port}" + (" http2 ssl" if tls else "")
    if grpc_port:
        listen += f", 0.0.0.0:{grpc_port} http2"
    variables = gw.node_settings(edge, listen)
    if tls:
        variables |= {"KONG_SSL_CERT": f"{CERTIFICATE_DIR}/tls.crt", "KONG_SSL_CERT_KEY": f"{CERTIFICATE_DIR}/tls.key"}
    else:
        variables |= {"KONG_TRUSTED_IPS": ",".join(PRIVATE_NETWORKS), "KONG_REAL_IP_HEADER": CLIENT_ADDRESS_HEADER,
                      "KONG_REAL_IP_RECURSIVE": "on"}
    secrets = []
    if edge.verifies_tokens:
        secrets.append((SIGNING_PUBLIC_KEY_ENV, identity_secret_ref(system, SIGNING_PUBLIC_KEY_ENV)))
    redis = edge.policy.redis
    if redis is not None and redis.password_env:  # read by the plugins' {vault://env/...} reference
        secrets.append((redis.password_env, SecretRef(gateway_secret(system), redis.password_env)))
    return GatewayNodes(
        replicas=environment.gateway.replicas,
        settings=tuple(variables.items()),
        secrets=tuple(secrets),
        command=gw.start_command(edge),
        grpc_port=grpc_port,
        grpc_paths=tuple(gw.grpc_prefix(system.service(s.service)) for s in edge.services if s.protocol == "grpc")
        if grpc_port else (),
        upstreams=tuple(Peer(service, ports) for service, ports in edge.upstreams().items()),
        redis_port=redis.port if redis else None,
    )


def keycloak_proxy_headers(environment: Environment) -> str | None:
    """The headers Keycloak reads the client's address and the original scheme from: X-Forwarded-* behind the
    Ingress; none when users reach it directly (load balancer)."""
    return None if settings(environment).load_balancer else "xforwarded"


def keycloak_options(environment: Environment) -> tuple[tuple[str, str], ...]:
    """Keycloak's options besides its typed fields: health and metrics (on the management port), and behind the
    Ingress the peers whose forwarded headers it believes."""
    options = [("health-enabled", "true"), ("metrics-enabled", "true")]
    if keycloak_proxy_headers(environment):
        options.append(("proxy-trusted-addresses", ",".join(PRIVATE_NETWORKS)))
    return tuple(options)
