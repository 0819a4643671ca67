"""Semantic checks of the edge: gateway exposure and rate limits, internal services, browser origins, the
gateway nodes of each environment, dev users, and the names the realm derives (docs/language.md)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rosec.model import identity, infrastructure, naming
from rosec.spec.models import EnvironmentSpec, ServiceSpec

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

_RESERVED_SCOPES = frozenset({identity.BASIC_SCOPE, identity.ROLES_SCOPE, "openid", "offline_access"})


def check_edge(c: CheckContext) -> None:
    for name, service in c.spec.services.items():
        _check_internal(c, name, service)
        _check_gateway_limits(c, name, service)
        _check_shadowed(c, name, service)
    for name, env in c.spec.environments.items():
        _check_environment(c, name, env)
    _check_scopes(c)


def _check_internal(c: CheckContext, name: str, service: ServiceSpec) -> None:
    if not service.internal:
        return
    path = ("services", name)
    if service.gateway is not None:
        c.error((*path, "gateway"), f"service '{name}' is internal but has a gateway",
                "remove `gateway` (internal services are called only by other services), or `internal: true`")
    for kind, operations in (("rest", service.rest), ("grpc", service.grpc)):
        for i, operation in enumerate(operations):
            if operation.public:
                c.error((*path, kind, i, "public"), f"service '{name}' is internal, so nothing it serves is public",
                        "remove `public: true`; its callers present their own tokens")
    if c.spec.identity is None and not c.left_out("identity"):
        c.error((*path, "internal"), "an internal service accepts only its callers' tokens, which needs an "
                "identity provider", "declare `identity: {realm: ...}` at the top level")


def _check_shadowed(c: CheckContext, name: str, service: ServiceSpec) -> None:
    """An endpoint whose every path an earlier one of the same method matches is never reached: the service
    and the gateway take the first declared match (/items/{id} before /items/special)."""
    seen: list[tuple[str, list[str], str]] = []
    for i, endpoint in enumerate(service.rest):
        segments = endpoint.path.strip("/").split("/")
        for method, earlier, shown in seen:
            if method == endpoint.method.value and _covers(earlier, segments) and _shape(earlier) != _shape(segments):
                c.error(("services", name, "rest", i, "path"), f"{endpoint.method.value} {endpoint.path} is never "
                        f"reached: {shown}, declared before it, matches every such path",
                        f"declare {endpoint.method.value} {endpoint.path} before {shown}")
                break
        seen.append((endpoint.method.value, segments, f"{endpoint.method.value} {endpoint.path}"))


def _shape(segments: list[str]) -> list[str]:
    """Parameter names do not make paths different (that case is a duplicate route, reported as such)."""
    return ["{}" if s.startswith("{") else s for s in segments]


def _covers(earlier: list[str], later: list[str]) -> bool:
    return len(earlier) == len(later) and all(a.startswith("{") or a == b for a, b in zip(earlier, later, strict=True))


def _check_gateway_limits(c: CheckContext, name: str, service: ServiceSpec) -> None:
    path = ("services", name)
    gateway = service.gateway
    exposed = gateway is not None or c.left_out(*path, "gateway")
    for i, endpoint in enumerate(service.rest):
        if endpoint.rate_limit and not exposed:
            c.error((*path, "rest", i, "rate_limit"), "a rate limit applies at the gateway, and this service has "
                    "no gateway", f"add `gateway: {{path: /api/{name}}}` to the service, or remove `rate_limit`")
    grpc_exposed = bool(gateway and gateway.grpc) or c.left_out(*path, "gateway")
    for i, method in enumerate(service.grpc):
        if method.rate_limit and not grpc_exposed:
            c.error((*path, "grpc", i, "rate_limit"), "a rate limit applies at the gateway, and the gateway does "
                    "not expose this service's gRPC methods", "set `grpc: true` in the service's `gateway`, "
                    "or remove `rate_limit`")
    if gateway and gateway.grpc and not service.grpc and not c.left_out(*path, "grpc"):
        c.error((*path, "gateway", "grpc"), "the gateway cannot expose gRPC methods: the service has none",
                "remove `grpc: true`, or add gRPC methods")
    _check_local_shares(c, name, service)


def _check_local_shares(c: CheckContext, name: str, service: ServiceSpec) -> None:
    """With the local policy each gateway node allows limit / replicas, rounded up to a whole request: a limit
    below the number of nodes lets through more than it says."""
    limits = [(("services", name, "gateway", "rate_limit"), service.gateway.rate_limit)] if service.gateway else []
    limits += [(("services", name, "rest", i, "rate_limit"), e.rate_limit) for i, e in enumerate(service.rest)]
    limits += [(("services", name, "grpc", i, "rate_limit"), m.rate_limit) for i, m in enumerate(service.grpc)]
    for env_name, env in c.spec.environments.items():
        replicas = infrastructure.gateway_replicas(env.hosting.value, env.gateway.replicas)
        if env.gateway.redis is not None or replicas == 1:
            continue
        for path, text in limits:
            if text is None:
                continue
            count = int(text.split("/")[0])
            if count < replicas:
                c.warn(path, f"in environment '{env_name}' each of the {replicas} gateway nodes counts alone, so "
                       f"{text} lets through up to {replicas * math.ceil(count / replicas)} per "
                       f"{text.split('/')[1]}", f"declare `gateway.redis` in environment '{env_name}' to count "
                       "in one place, or raise the limit")


def _check_environment(c: CheckContext, name: str, env: EnvironmentSpec) -> None:
    path = ("environments", name)
    c.duplicates((*path, "cors_origins"), env.cors_origins, "origin")
    if env.hosting.value == "compose" and (env.gateway.replicas or 1) > 1:
        c.error((*path, "gateway", "replicas"), "compose runs one gateway node",
                "remove `replicas` here; set it in kubernetes and aws environments")
    if env.gateway.redis and env.gateway.redis.password:
        _check_secret_name(c, (*path, "gateway", "redis", "password"), env.gateway.redis.password)
    if not env.dev_users:
        if env.allow_dev_users:
            c.warn((*path, "allow_dev_users"), f"environment '{name}' allows dev users but declares none",
                   "remove `allow_dev_users`")
        return
    if env.hosting.value != "compose" and not env.allow_dev_users:
        c.error((*path, "dev_users"), f"dev users in environment '{name}' (hosting {env.hosting.value}): their "
                "passwords are shared secrets that grant real roles", f"remove them, or set `allow_dev_users: true` in "
                f"environment '{name}' if it is a shared test environment", at_key=True)
    if c.spec.identity is None:
        if not c.left_out("identity"):
            c.error((*path, "dev_users"), "dev users need an identity provider",
                    "declare `identity: {realm: ..., roles: [...]}`", at_key=True)
        return
    c.duplicates((*path, "dev_users"), [u.name for u in env.dev_users], "user")
    for i, user in enumerate(env.dev_users):
        c.check_roles((*path, "dev_users", i, "roles"), user.roles)
        _check_secret_name(c, (*path, "dev_users", i, "password"), user.password)


def _check_secret_name(c: CheckContext, path: tuple[str | int, ...], secret: str) -> None:
    """A secret named by the spec must not be one that rosec fills itself (compose reads both from one .env)."""
    owned = _owned_secrets(c)
    if secret in owned:
        c.error(path, f"'{secret}' is already the secret of {owned[secret]}", "name a secret of its own")


def _owned_secrets(c: CheckContext) -> dict[str, str]:
    owned = {identity.SIGNING_PRIVATE_KEY_ENV: "the realm's signing key",
             identity.SIGNING_PUBLIC_KEY_ENV: "the gateway's verification key",
             infrastructure.KEYCLOAK_ADMIN_PASSWORD_ENV: "the Keycloak administrator",
             infrastructure.GRAFANA_ADMIN_PASSWORD_ENV: "the Grafana administrator",
             "RABBITMQ_PASSWORD": "the message broker", "SENTRY_DSN": "Sentry"}
    owned |= {f"{naming.env_prefix(n)}_PASSWORD": f"datastore '{n}'" for n in c.spec.datastores}
    owned |= {f"{naming.env_prefix(n)}_CLIENT_SECRET": f"the client of service '{n}'" for n in c.spec.services}
    owned |= {s: f"service '{n}'" for n, service in c.spec.services.items() for s in service.secrets}
    return owned


def _check_scopes(c: CheckContext) -> None:
    """A client scope of the spec must not take the name of a scope that the realm defines itself: the two
    built-in scopes, and the audience scope of every service (named like its client id)."""
    if c.spec.identity is None:
        return
    audiences = {f"{c.spec.system.name}-{n}": n for n in c.spec.services}
    for i, scope in enumerate(c.spec.identity.scopes):
        if scope in _RESERVED_SCOPES:
            c.error(("identity", "scopes", i), f"scope '{scope}' is defined by the realm itself",
                    "rename the scope")
        elif scope in audiences:
            c.error(("identity", "scopes", i), f"scope '{scope}' is the audience scope of service "
                    f"'{audiences[scope]}' (a caller requests it to call that service)", "rename the scope")
