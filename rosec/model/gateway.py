"""The gateway (Kong) of each environment, derived once: its services, one route per exposed endpoint and gRPC
method, which routes require a token, the rate-limit policy, browser origins, and the names of everything.

Kong, Helm and the AWS targets read this; the Kong declarative configuration is built from it by
rosec.targets.kong.config.kong_config. Computed on demand from the System and an Environment (pure); the
services, alike in every environment, once per system.

Routes match exactly the declared method and path: a regular expression anchored at both ends, whose named
group `path` is the path inside the service. Kong's router (traditional_compatible) strips the whole match of a
regex path, so the routes keep the path (`strip_path: false`) and the service's request-transformer sets the
upstream path to that group (`$(uri_captures.path)`). Of two routes that match the same request (a literal
segment and a parameter in the same place), the one declared first wins, as in the service itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rosec.model import identity
from rosec.model import infrastructure as infra
from rosec.model.environments import Environment, Redis
from rosec.model.services import Endpoint, GrpcMethod, RateLimit, Service
from rosec.model.system import System

TAG = "rosec"
HTTP_PROTOCOLS = ("http", "https")
GRPC_PROTOCOLS = ("grpc", "grpcs")
PATH_GROUP = "path"  # the named group of a route's regex that holds the path inside the service
UPSTREAM_PATH = f"$(uri_captures.{PATH_GROUP})"
CORRELATION_HEADER = "X-Request-ID"  # as the services propagate it (rose_runtime.logs.REQUEST_ID_HEADER)
ON_BEHALF_OF_HEADER = "X-Rose-On-Behalf-Of"  # a calling service names its own caller; never from outside
CORS_HEADERS = ("Accept", "Authorization", "Content-Type", CORRELATION_HEADER, "traceparent", "tracestate",
                "baggage", "sentry-trace")
CORS_EXPOSED_HEADERS = (CORRELATION_HEADER, "Retry-After", "RateLimit-Limit", "RateLimit-Remaining",
                        "RateLimit-Reset")
CORS_MAX_AGE_S = 600
CLOCK_SKEW_S = 60  # a token's remaining lifetime may exceed the realm's lifespan by this much
PUBLIC_KEY_PLACEHOLDER = f"${{{identity.SIGNING_PUBLIC_KEY_ENV}}}"  # written in at the gateway's start
# Kong requires no `secret` for an RS256 credential (it is generated), but decK and its JSON schema do; RS256
# verification never reads it (the plugin refuses a token whose `alg` differs from the credential's).
UNUSED_JWT_SECRET = "unused-with-rs256"


@dataclass(frozen=True)
class Route:
    name: str
    protocols: tuple[str, ...]
    methods: tuple[str, ...]  # empty for gRPC routes
    paths: tuple[str, ...]  # regular expressions, Kong's `~` prefix included
    regex_priority: int  # the highest wins among routes that match; first declared is highest
    authenticated: bool  # the jwt plugin verifies a token
    rate_limit: RateLimit | None  # instead of the service's limit
    operation: str | None  # "GET /orders/{id}" or "Reserve": what it serves; None for the CORS preflight route


@dataclass(frozen=True)
class KongService:
    name: str
    service: str  # the rose service
    protocol: str  # http | grpc
    host: str
    port: int
    routes: tuple[Route, ...]
    rate_limit: RateLimit | None
    max_body_kb: int | None  # HTTP only


@dataclass(frozen=True)
class RateLimitPolicy:
    """Where the gateway nodes count requests: each alone (local) or together in Redis."""

    policy: str  # local | redis
    nodes: int
    redis: Redis | None

    def per_node(self, limit: RateLimit) -> int:
        """What one node allows: all of it with a shared count, else its share (at least one request)."""
        return limit.count if self.policy == "redis" else math.ceil(limit.count / self.nodes)

    def redis_password_reference(self) -> str | None:
        """Kong's vault reference to the Redis password (the field is referenceable: Kong resolves it)."""
        if self.redis is None or self.redis.password_env is None:
            return None
        return f"{{vault://env/{self.redis.password_env.lower().replace('_', '-')}}}"


@dataclass(frozen=True)
class Gateway:
    environment: str
    tags: tuple[str, ...]
    services: tuple[KongService, ...]
    consumer: str  # the realm, as the consumer that owns the jwt credential
    issuer: str | None  # the jwt credential's key (`iss` of the tokens); None without identity
    realm: str | None
    cors_origins: tuple[str, ...]
    policy: RateLimitPolicy
    token_max_lifetime_s: int

    @property
    def grpc(self) -> bool:
        """Some service is exposed over gRPC: the gateway needs its HTTP/2 listener."""
        return any(s.protocol == "grpc" for s in self.services)

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(r for s in self.services for r in s.routes)

    @property
    def verifies_tokens(self) -> bool:
        """Some route needs a token: the configuration carries the realm's public key (a placeholder)."""
        return self.issuer is not None and any(r.authenticated for r in self.routes)

    def upstreams(self) -> dict[str, tuple[int, ...]]:
        """rose service -> the ports of it that the gateway proxies to."""
        found: dict[str, tuple[int, ...]] = {}
        for s in self.services:
            found[s.service] = (*found.get(s.service, ()), s.port)
        return found


def gateway(system: System, environment: Environment) -> Gateway:
    nodes = environment.gateway
    return Gateway(
        environment=environment.name,
        tags=(TAG, system.name),
        services=system.once(("gateway services",), lambda: _services(system)),
        consumer=f"{system.name}.issuer",
        issuer=environment.oidc_issuer,
        realm=system.identity.realm if system.identity else None,
        cors_origins=environment.cors_origins,
        policy=RateLimitPolicy("redis" if nodes.redis else "local", nodes.replicas, nodes.redis),
        token_max_lifetime_s=identity.ACCESS_TOKEN_LIFESPAN_S + CLOCK_SKEW_S,
    )


def start_script(template: str, rendered: str, start: str = "/docker-entrypoint.sh kong docker-start") -> str:
    """The gateway container's start: write the configuration at `template` to `rendered` with the realm's public
    key (variable SIGNING_PUBLIC_KEY_ENV, PEM, real or escaped line breaks) in place of PUBLIC_KEY_PLACEHOLDER,
    then start Kong. POSIX sh and awk (the image has both); an empty key stops the container."""
    variable = identity.SIGNING_PUBLIC_KEY_ENV
    program = (
        'BEGIN { n = split(ENVIRON["VARIABLE"], lines, "\\n"); key = "";'
        ' for (i = 1; i <= n; i++) { line = lines[i]; sub(/\\r$/, "", line);'
        ' if (line != "") key = key (key == "" ? "" : "\\\\n") line }'
        ' if (key == "") { print "VARIABLE is not set" > "/dev/stderr"; exit 1 } }'
        ' index($0, "PLACEHOLDER") { p = index($0, ": "); $0 = substr($0, 1, p + 1) "\\"" key "\\"" }'
        " { print }"
    ).replace("VARIABLE", variable).replace("PLACEHOLDER", PUBLIC_KEY_PLACEHOLDER)
    return f"set -eu; awk '{program}' {template} > {rendered}; exec {start}"


def node_settings(edge: Gateway, proxy_listen: str, configured: bool = True) -> dict[str, str]:
    """Kong's settings (KONG_* variables) in every hosting: DB-less, the declarative configuration as generated or,
    when it carries the public key's placeholder, as the start command rendered it (`configured`: mounted at
    all); the admin API on the node's loopback only, the Status API (health, the prometheus plugin's metrics) on
    every interface at KONG_STATUS_PORT, logs to stdout and stderr, no usage reports sent anywhere."""
    settings = {"KONG_DATABASE": "off"}
    if configured:
        settings["KONG_DECLARATIVE_CONFIG"] = (infra.KONG_RENDERED_CONFIG_PATH if edge.verifies_tokens
                                               else infra.KONG_CONFIG_PATH)
    return settings | {
        "KONG_PREFIX": infra.KONG_PREFIX_PATH,
        "KONG_PROXY_LISTEN": proxy_listen,
        "KONG_ADMIN_LISTEN": f"127.0.0.1:{infra.KONG_ADMIN_PORT}",
        "KONG_STATUS_LISTEN": infra.KONG_STATUS_LISTEN,
        "KONG_PROXY_ACCESS_LOG": "/dev/stdout",
        "KONG_ADMIN_ACCESS_LOG": "/dev/stdout",
        "KONG_PROXY_ERROR_LOG": "/dev/stderr",
        "KONG_ADMIN_ERROR_LOG": "/dev/stderr",
        "KONG_ANONYMOUS_REPORTS": "off",
    }


def start_command(edge: Gateway) -> tuple[str, ...]:
    """The gateway container's command: the start script when the configuration needs the public key, else the
    image's own (empty)."""
    if not edge.verifies_tokens:
        return ()
    return ("/bin/sh", "-c", start_script(infra.KONG_CONFIG_PATH, infra.KONG_RENDERED_CONFIG_PATH))


def kong_service_name(system: System, service: Service, grpc: bool = False) -> str:
    """<system>-<service>, and <system>-<service>.grpc for its gRPC methods (a dot: never a service's name)."""
    return f"{system.name}-{service.name}" + (".grpc" if grpc else "")


def _services(system: System) -> tuple[KongService, ...]:
    """The gateway's services, with their routes, alike in every environment: derived once per system (Kong,
    Compose, Helm and the AWS targets ask for the gateway of an environment eight times in a build)."""
    services: list[KongService] = []
    for service in system.services:
        if not service.gateway:
            continue
        services.append(_http_service(system, service))
        if service.gateway.grpc and service.grpc_methods:
            services.append(_grpc_service(system, service))
    return tuple(s for s in services if s.routes)


def _http_service(system: System, service: Service) -> KongService:
    assert service.gateway is not None
    name = kong_service_name(system, service)
    authenticated = service.gateway.auth == "authenticated"
    count = len(service.endpoints)
    routes = [Route(f"{name}.{e.operation_id.replace('_', '-')}", HTTP_PROTOCOLS, (e.method,),
                    (_http_path(service.gateway.path, e),), count - i, authenticated and not e.public, e.rate_limit,
                    f"{e.method} {e.path}")
              for i, e in enumerate(service.endpoints)]
    if routes:
        paths = tuple(dict.fromkeys(p for r in routes for p in r.paths))
        routes.append(Route(f"{name}.preflight", HTTP_PROTOCOLS, ("OPTIONS",), paths, 0, False, None, None))
    return KongService(name, service.name, "http", service.host, service.port, tuple(routes),
                       service.gateway.rate_limit, service.gateway.max_body_kb)


def _grpc_service(system: System, service: Service) -> KongService:
    assert service.gateway is not None and service.grpc_port is not None
    name = kong_service_name(system, service, grpc=True)
    authenticated = service.gateway.auth == "authenticated"
    routes = tuple(Route(f"{name}.{m.handler.replace('_', '-')}", GRPC_PROTOCOLS, (),
                         (_grpc_path(service, m),), 0, authenticated and not m.public, m.rate_limit, m.name)
                   for m in service.grpc_methods)
    return KongService(name, service.name, "grpc", service.host, service.grpc_port, routes,
                       service.gateway.rate_limit, None)


def _http_path(prefix: str, endpoint: Endpoint) -> str:
    """~<prefix>(?<path>/orders/[^/]+)$: the endpoint's path below the gateway prefix, parameters as one segment."""
    segments = ["[^/]+" if s.startswith("{") else _literal(s) for s in endpoint.path.strip("/").split("/") if s]
    inner = "/" + "/".join(segments)
    return f"~{_literal(prefix)}(?<{PATH_GROUP}>{inner})$"


def grpc_prefix(service: Service) -> str:
    """/inventory.v1.InventoryService: the path of every method of the service's gRPC API."""
    return f"/{service.proto_package}.{service.proto_service}"


def plain_pattern(path: str) -> str:
    """A route's path (Kong's `~` regex) as a plain regular expression anchored at both ends, without the named
    group: what another matcher of the request path applies (AWS WAF's regex match, PCRE without named groups)."""
    return "^" + path.removeprefix("~").replace(f"(?<{PATH_GROUP}>", "(?:")


def _grpc_path(service: Service, method: GrpcMethod) -> str:
    """~/inventory\\.v1\\.InventoryService/Reserve$: the method's full name, as gRPC clients send it."""
    return f"~{_literal(grpc_prefix(service))}/{method.name}$"


def _literal(text: str) -> str:
    """Path text as a regular expression that matches only itself. Paths hold [A-Za-z0-9._~/-] only, and of
    these only '.' means something in a regex; the others stay as they are (older releases of the Rust regex
    engine of Kong's router refuse escapes of characters that are not special)."""
    return re.sub(r"\.", r"\\.", text)
