"""Semantic checks of one service: endpoints, methods, references, gateway, environment names."""

from __future__ import annotations

import keyword
from typing import TYPE_CHECKING

from rosec.diagnostics import did_you_mean
from rosec.model import naming
from rosec.model.observability import LOG_LEVEL_VARIABLE, LOG_LEVELS
from rosec.spec.loader import PathKey
from rosec.spec.models import RestEndpoint, RoseSpec, ServiceSpec

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

_UNSAFE_SEGMENTS = frozenset({".", ".."})


class ServiceChecker:
    def __init__(self, checker: CheckContext, name: str, service: ServiceSpec) -> None:
        self.c = checker
        self.name = name
        self.s = service
        self.path: PathKey = ("services", name)

    def run(self) -> None:
        self.check_rest()
        self.check_grpc()
        self.check_references()
        self.check_gateway()
        if self.s.scaling.min > self.s.scaling.max:
            self.c.error((*self.path, "scaling"), f"scaling.min ({self.s.scaling.min}) exceeds scaling.max "
                         f"({self.s.scaling.max})", "set min <= max")
        self.check_env_names()

    # -- REST ---------------------------------------------------------------------------
    def check_rest(self) -> None:
        routes: dict[tuple[str, str], int] = {}
        handlers: dict[str, int] = {}
        for i, ep in enumerate(self.s.rest):
            path = (*self.path, "rest", i)
            self.check_endpoint(path, ep)
            route = (ep.method.value, naming.normalized_route(ep.path))
            handler = naming.operation_id(ep.method.value, ep.path)
            shown = f"route {ep.method.value} {ep.path}"
            if route in routes:
                first = self.s.rest[routes[route]]
                self.c.error((*path, "path"), f"{shown} is the same as rest[{routes[route]}] "
                             f"({first.method.value} {first.path})",
                             "parameter names do not make routes different; each method and path may appear once")
            elif handler in handlers:
                self.c.error((*path, "path"), f"{shown} clashes with rest[{handlers[handler]}] after normalization "
                             f"(both become handler {handler})", "rename a path segment")
            routes.setdefault(route, i)
            handlers.setdefault(handler, i)

    def check_endpoint(self, path: PathKey, ep: RestEndpoint) -> None:
        self.c.record_ref((*path, "request"), ep.request)
        self.c.record_ref((*path, "response"), ep.response)
        if ep.request and ep.method.value in ("GET", "DELETE"):
            self.c.error((*path, "request"), f"{ep.method.value} requests carry no body",
                         "use path or query parameters, or POST/PUT/PATCH")
        if ep.status == 204 and ep.response:
            self.c.error((*path, "status"), "status 204 means no content, but a response is declared",
                         "remove `response` or choose another status")
        segments = ep.path.strip("/").split("/")
        if any(segment in _UNSAFE_SEGMENTS for segment in segments):
            self.c.error((*path, "path"), f"path {ep.path} contains a '.' or '..' segment",
                         "use plain words as path segments")
        declared = naming.path_params(ep.path)
        self.c.duplicates((*path, "path"), declared, "path parameter")
        for param in ep.params:
            if param not in declared:
                self.c.error((*path, "params", param), f"parameter '{param}' does not appear in {ep.path}",
                             did_you_mean(param, declared, close_only=True) or
                             f"params only give types to the path's {{parameters}}; add {{{param}}} to the path "
                             "or rename it", at_key=True)
        for kind in ("params", "query"):
            for param, text in getattr(ep, kind).items():
                self.check_parameter((*path, kind, param), kind, text)
        self.c.check_roles((*path, "roles"), ep.roles)

    def check_parameter(self, path: PathKey, kind: str, text: str) -> None:
        ref = self.c.type_ref(path, text)
        if ref is None:
            return
        allowed = ("scalar", "ref", "optional", "list") if kind == "query" else ("scalar", "ref")
        inner = ref.item if ref.kind in ("optional", "list") else ref
        if ref.kind not in allowed or inner.kind not in ("scalar", "ref") or inner.name in self.c.records:
            what = "query parameters" if kind == "query" else "path parameters"
            self.c.error(path, f"{what} cannot have type {ref}", "use a scalar or an enum" +
                         (", optional[...] or list[...] of one" if kind == "query" else ""))

    # -- gRPC ---------------------------------------------------------------------------
    def check_grpc(self) -> None:
        handlers: dict[str, str] = {}
        for i, method in enumerate(self.s.grpc):
            path = (*self.path, "grpc", i)
            handler = naming.grpc_handler(method.name)
            if keyword.iskeyword(method.name):
                self.c.error((*path, "name"), f"gRPC method name '{method.name}' is a Python keyword, and protoc's "
                             "Python code names a method after it", f"rename it, e.g. '{method.name}Value'")
            if handler in handlers:
                first = handlers[handler]
                problem = f"duplicate gRPC method '{method.name}'" if first == method.name else \
                    f"gRPC method '{method.name}' clashes with '{first}' after normalization (both become {handler})"
                self.c.error((*path, "name"), problem, "give each method its own name")
            handlers.setdefault(handler, method.name)
            self.c.record_ref((*path, "request"), method.request)
            self.c.record_ref((*path, "response"), method.response)
            self.c.check_roles((*path, "roles"), method.roles)

    # -- references ---------------------------------------------------------------------
    def check_references(self) -> None:
        spec = self.c.spec
        for field_name, known, what in (("publishes", spec.events, "event"), ("consumes", spec.events, "event"),
                                        ("uses", spec.datastores, "datastore"), ("calls", spec.services, "service")):
            values = getattr(self.s, field_name)
            self.c.duplicates((*self.path, field_name), values, what)
            for i, value in enumerate(values):
                if value not in known:
                    if self.c.unknown(what, f"{what}s"):
                        self.c.error((*self.path, field_name, i), f"unknown {what} '{value}'",
                                     did_you_mean(value, known) or f"declare it under `{what}s:`")
                elif field_name == "calls" and value == self.name:
                    self.c.error((*self.path, field_name, i), "a service cannot call itself",
                                 "call the handler directly")
        for i, target in enumerate(self.s.calls):
            peer = spec.services.get(target)
            if peer is not None and target != self.name and not peer.rest and not peer.grpc and \
                    not self.api_left_out(target):
                self.c.error((*self.path, "calls", i), f"service '{target}' has no REST endpoints or gRPC methods "
                             "to call", "add endpoints to it, or use an event")

    def api_left_out(self, service: str) -> bool:
        """True when endpoints or methods of the service failed validation: it may have an API after all."""
        return self.c.left_out("services", service, "rest") or self.c.left_out("services", service, "grpc")

    def check_gateway(self) -> None:
        gateway = self.s.gateway
        if gateway is None:
            return
        if not self.s.rest and not self.s.grpc and not self.api_left_out(self.name):
            self.c.error((*self.path, "gateway"), "the gateway exposes a service without REST endpoints or "
                         "gRPC methods", "remove `gateway` or add endpoints")
        if gateway.auth.value == "authenticated" and self.c.spec.identity is None and not self.c.left_out("identity"):
            raw = self.c.loaded.data["services"][self.name].get("gateway")
            where = (*self.path, "gateway", "auth") if isinstance(raw, dict) and "auth" in raw else \
                (*self.path, "gateway")
            self.c.error(where, "authenticated gateway routes need an identity provider",
                         "declare `identity:` at the top level, or set `auth: public`")

    def check_env_names(self) -> None:
        reserved = derived_env_names(self.c.spec, self.name)
        self.c.duplicates((*self.path, "secrets"), self.s.secrets, "secret")
        level = self.s.config.get(LOG_LEVEL_VARIABLE)
        if level is not None and str(level).upper() not in LOG_LEVELS:
            self.c.error((*self.path, "config", LOG_LEVEL_VARIABLE), f"{LOG_LEVEL_VARIABLE} {level!r} is not a log "
                         "level the service accepts", f"use one of {', '.join(LOG_LEVELS)}")
        for key in self.s.config:
            if key in reserved:
                self.c.error((*self.path, "config", key), f"'{key}' is set by rosec for this service",
                             "rename the variable", at_key=True)
            if key in self.s.secrets:
                self.c.error((*self.path, "config", key), f"'{key}' is both config and a secret",
                             "keep it in one of them", at_key=True)
        for i, secret in enumerate(self.s.secrets):
            if secret in reserved:
                self.c.error((*self.path, "secrets", i), f"'{secret}' is set by rosec for this service",
                             "rename the secret")


def derived_env_names(spec: RoseSpec, service_name: str) -> set[str]:
    """Environment variable names that rosec sets for a service (see model.build)."""
    service = spec.services[service_name]
    names = {"SERVICE_NAME", "ROSE_ENVIRONMENT", "ROSE_SYSTEM", "PORT", "GRPC_PORT", "BIND_HOST", "LOG_LEVEL_DEFAULT",
             "AMQP_URL", "AMQP_PASSWORD", "OIDC_ISSUER_URL", "OIDC_JWKS_URL", "OIDC_AUDIENCE", "OIDC_GRANT_URL",
             "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CALLERS", "OIDC_CALLERS_ONLY",
             "SENTRY_DSN", "SENTRY_ENVIRONMENT"}
    for store in service.uses:
        prefix = naming.env_prefix(store)
        names |= {f"{prefix}_URL", f"{prefix}_PASSWORD", f"{prefix}_PATH"}
    for peer in service.calls:
        prefix = naming.env_prefix(peer)
        names |= {f"{prefix}_URL", f"{prefix}_GRPC_TARGET"}
    return names
