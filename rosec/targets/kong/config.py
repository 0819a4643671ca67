"""The Kong declarative configuration of one environment, built as data from rosec.model.gateway.

Only open-source plugins: jwt (the realm's tokens, RS256, `exp`, keyed by the issuer), rate-limiting (policy
local or redis), cors, correlation-id, request-size-limiting, request-transformer and prometheus. Every entity is
tagged `rosec` and the system name, so that `deck sync --select-tag` touches only what rosec owns.
"""

from __future__ import annotations

from typing import Any

from rosec.model import identity
from rosec.model.environments import Environment
from rosec.model.gateway import (
    CORRELATION_HEADER,
    CORS_EXPOSED_HEADERS,
    CORS_HEADERS,
    CORS_MAX_AGE_S,
    GRPC_PROTOCOLS,
    HTTP_PROTOCOLS,
    ON_BEHALF_OF_HEADER,
    PUBLIC_KEY_PLACEHOLDER,
    UNUSED_JWT_SECRET,
    UPSTREAM_PATH,
    Gateway,
    KongService,
    Route,
    gateway,
)
from rosec.model.services import RateLimit
from rosec.model.system import System

FORMAT_VERSION = "3.0"
REDIS_TIMEOUT_MS = 2000


def kong_config(system: System, environment: Environment) -> dict[str, Any]:
    """The declarative configuration (kong.yaml) of the gateway in `environment`."""
    edge = gateway(system, environment)
    config: dict[str, Any] = {"_format_version": FORMAT_VERSION,
                              "services": [_service(edge, s) for s in edge.services]}
    if edge.verifies_tokens:
        config["consumers"] = [_consumer(edge)]
    config["plugins"] = _global_plugins(system, edge)
    return config


def _tags(edge: Gateway) -> list[str]:
    return list(edge.tags)


def _plugin(edge: Gateway, name: str, config: dict[str, Any], protocols: tuple[str, ...] = ()) -> dict[str, Any]:
    plugin: dict[str, Any] = {"name": name, "config": config}
    if protocols:
        plugin["protocols"] = list(protocols)
    plugin["tags"] = _tags(edge)
    return plugin


def _service(edge: Gateway, service: KongService) -> dict[str, Any]:
    grpc = service.protocol == "grpc"
    transform: dict[str, Any] = {"remove": {"headers": [ON_BEHALF_OF_HEADER]}}
    if not grpc:
        transform["replace"] = {"uri": UPSTREAM_PATH}
    plugins = [_plugin(edge, "request-transformer", transform, GRPC_PROTOCOLS if grpc else HTTP_PROTOCOLS)]
    if service.max_body_kb is not None:
        plugins.append(_plugin(edge, "request-size-limiting", {
            "allowed_payload_size": service.max_body_kb, "size_unit": "kilobytes", "require_content_length": False}))
    if service.rate_limit:
        plugins.append(_rate_limiting(edge, service.rate_limit))
    return {
        "name": service.name,
        "protocol": service.protocol,
        "host": service.host,
        "port": service.port,
        "tags": _tags(edge),
        "routes": [_route(edge, r) for r in service.routes],
        "plugins": plugins,
    }


def _route(edge: Gateway, route: Route) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": route.name, "protocols": list(route.protocols)}
    if route.methods:
        entry["methods"] = list(route.methods)
    entry |= {"paths": list(route.paths), "strip_path": False, "preserve_host": False,
              "regex_priority": route.regex_priority, "tags": _tags(edge)}
    plugins = []
    if route.authenticated:
        plugins.append(_jwt(edge))
    if route.rate_limit:
        plugins.append(_rate_limiting(edge, route.rate_limit))
    if plugins:
        entry["plugins"] = plugins
    return entry


def _jwt(edge: Gateway) -> dict[str, Any]:
    config: dict[str, Any] = {
        "key_claim_name": "iss",
        "claims_to_verify": ["exp"],
        "maximum_expiration": edge.token_max_lifetime_s,
        "header_names": ["authorization"],
        "uri_param_names": [],  # never a token in a URL: URLs end up in logs
        "cookie_names": [],
        "secret_is_base64": False,
        "run_on_preflight": False,
    }
    if edge.realm:
        config["realm"] = edge.realm
    return _plugin(edge, "jwt", config)


def _rate_limiting(edge: Gateway, limit: RateLimit) -> dict[str, Any]:
    policy = edge.policy
    config: dict[str, Any] = {limit.unit: policy.per_node(limit), "limit_by": "ip", "policy": policy.policy,
                              "fault_tolerant": True, "hide_client_headers": False}
    if policy.redis is not None:
        redis: dict[str, Any] = {"host": policy.redis.host, "port": policy.redis.port, "ssl": policy.redis.tls,
                                 "ssl_verify": policy.redis.tls, "timeout": REDIS_TIMEOUT_MS, "database": 0}
        if policy.redis.tls:
            redis["server_name"] = policy.redis.host
        password = policy.redis_password_reference()
        if password:
            redis["password"] = password
        config["redis"] = redis
    return _plugin(edge, "rate-limiting", config)


def _consumer(edge: Gateway) -> dict[str, Any]:
    assert edge.issuer is not None
    return {
        "username": edge.consumer,
        "tags": _tags(edge),
        "jwt_secrets": [{
            "key": edge.issuer,
            "algorithm": identity.ALGORITHM,
            "rsa_public_key": PUBLIC_KEY_PLACEHOLDER,
            "secret": UNUSED_JWT_SECRET,
            "tags": _tags(edge),
        }],
    }


def _global_plugins(system: System, edge: Gateway) -> list[dict[str, Any]]:
    plugins = [_plugin(edge, "correlation-id", {"header_name": CORRELATION_HEADER, "generator": "uuid",
                                                "echo_downstream": True})]
    if edge.cors_origins:
        methods = sorted({e.method for s in system.services if s.gateway for e in s.endpoints} | {"OPTIONS"})
        plugins.append(_plugin(edge, "cors", {
            "origins": list(edge.cors_origins),
            "methods": methods,
            "headers": list(CORS_HEADERS),
            "exposed_headers": list(CORS_EXPOSED_HEADERS),
            "credentials": False,  # bearer tokens, no cookies
            "max_age": CORS_MAX_AGE_S,
            "preflight_continue": False,
            "private_network": False,
        }, HTTP_PROTOCOLS))
    plugins.append(_plugin(edge, "prometheus", {
        "status_code_metrics": True,
        "latency_metrics": True,
        "upstream_health_metrics": True,
        "bandwidth_metrics": True,
        "per_consumer": False,  # one consumer (the realm): the label would say nothing
    }))
    return plugins
