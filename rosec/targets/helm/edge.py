"""The edge in the platform chart's values: the gateway (Kong, DB-less, running the Kong target's configuration,
files/<environment>/kong.yaml), Keycloak with the realm of the Keycloak target (files/<environment>/realm.json)
and its placeholders' Secrets, and how users reach both (rosec.model.kubernetes_edge)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rosec.model import infrastructure as infra
from rosec.model import kubernetes as k8s
from rosec.model import kubernetes_names as names
from rosec.model.environments import Environment
from rosec.model.kubernetes_edge import (
    CERTIFICATE_DIR,
    gateway_nodes,
    keycloak_options,
    keycloak_proxy_headers,
)
from rosec.model.kubernetes_secrets import SecretRef, realm_placeholders
from rosec.model.system import System


def edge_values(system: System) -> dict[str, Any]:
    """What every environment shares (values.yaml)."""
    return {
        "identity": {"enabled": system.identity is not None, "instances": 2, "image": infra.KEYCLOAK.image,
                     "database": names.KEYCLOAK_DATABASE, "podLabels": dict(names.KEYCLOAK_POD_LABELS),
                     "hostname": "", "httpPort": names.KEYCLOAK_HTTP_PORT,
                     "managementPort": infra.KEYCLOAK_MANAGEMENT_PORT, "proxyHeaders": "", "options": [],
                     "realm": {"enabled": False, "placeholders": {}}},
        "gateway": {"enabled": False, "replicas": infra.KONG_REPLICAS, "image": infra.KONG.image,
                    "proxyPort": infra.KONG.port, "statusPort": infra.KONG_STATUS_PORT, "grpcPort": 0,
                    "certificateDir": CERTIFICATE_DIR, "command": [], "env": {},
                    "secretEnv": [], "upstreams": [], "grpcPaths": [], "redisPort": 0},
        "exposure": {"host": "", "authHost": "", "loadBalancer": False, "ingress": {"enabled": False, "className": ""},
                     "tls": {"secret": "", "issuer": {"name": "", "kind": "ClusterIssuer"}}},
    }


def edge_environment_values(system: System, environment: Environment) -> dict[str, Any]:
    values = {"gateway": _gateway(system, environment), "exposure": _exposure(system, environment)}
    if system.identity:
        values["identity"] = _identity(system, environment)
    return values


def _secret(ref: SecretRef) -> dict[str, str]:
    return {"secret": ref.secret, "key": ref.key}


def _identity(system: System, environment: Environment) -> dict[str, Any]:
    return {
        "instances": k8s.settings(environment).keycloak_instances,
        "hostname": environment.identity_url,
        "proxyHeaders": keycloak_proxy_headers(environment) or "",
        "options": [{"name": name, "value": value} for name, value in keycloak_options(environment)],
        "realm": {"enabled": True, "placeholders": {variable: _secret(ref) for variable, ref
                                                    in realm_placeholders(system, environment).items()}},
    }


def _gateway(system: System, environment: Environment) -> dict[str, Any]:
    if not system.has_gateway:
        return {"enabled": False}
    nodes = gateway_nodes(system, environment)
    return {
        "enabled": True,
        "replicas": nodes.replicas,
        "grpcPort": nodes.grpc_port or 0,
        "command": list(nodes.command),
        "env": dict(nodes.settings),
        "secretEnv": [{"name": name, **_secret(ref)} for name, ref in nodes.secrets],
        "upstreams": [{"service": p.service, "ports": list(p.ports)} for p in nodes.upstreams],
        "grpcPaths": list(nodes.grpc_paths),
        "redisPort": nodes.redis_port or 0,
    }


def _exposure(system: System, environment: Environment) -> dict[str, Any]:
    settings = k8s.settings(environment)
    tls = settings.tls
    return {
        "host": _host(environment.public_url) if system.has_gateway else "",
        "authHost": _host(environment.identity_url) if environment.identity_url else "",
        "loadBalancer": settings.load_balancer,
        "ingress": {"enabled": settings.ingress_class is not None, "className": settings.ingress_class or ""},
        "tls": {"secret": tls.secret if tls else "",
                "issuer": {"name": (tls.issuer or "") if tls else "",
                           "kind": tls.issuer_kind if tls else "ClusterIssuer"}},
    }


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""
