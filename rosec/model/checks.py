"""Semantic checks that a JSON Schema cannot express; every finding is located in the spec."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rosec.diagnostics import Diagnostic, did_you_mean
from rosec.model import infrastructure, naming
from rosec.spec.loader import LoadedSpec, PathKey
from rosec.spec.models import EnumSpec, RecordSpec, RoseSpec, ServiceSpec
from rosec.spec.types import SCALARS, TypeRef, TypeSyntaxError, parse_type

# Attributes of pydantic's BaseModel that a generated model field must not shadow.
_PYDANTIC_RESERVED = frozenset({"copy", "dict", "json", "schema", "validate", "construct", "fields"})


class Checker:
    def __init__(self, spec: RoseSpec, loaded: LoadedSpec) -> None:
        self.spec = spec
        self.loaded = loaded
        self.errors: list[Diagnostic] = []

    def error(self, path: PathKey, message: str, hint: str = "", at_key: bool = False) -> None:
        self.errors.append(self.loaded.diagnostic(path, message, hint, at_key))

    def run(self) -> list[Diagnostic]:
        self.check_messages()
        self.check_events()
        self.check_datastores()
        self.check_environments()
        for name, service in self.spec.services.items():
            ServiceChecker(self, name, service).run()
        self.check_name_clashes()
        self.check_ports()
        self.check_gateway_routes()
        self.check_call_cycles()
        return self.errors

    # -- messages -------------------------------------------------------------------------
    @property
    def records(self) -> dict[str, RecordSpec]:
        return {n: m for n, m in self.spec.messages.items() if isinstance(m, RecordSpec)}

    @property
    def enums(self) -> dict[str, EnumSpec]:
        return {n: m for n, m in self.spec.messages.items() if isinstance(m, EnumSpec)}

    def type_ref(self, path: PathKey, text: str) -> TypeRef | None:
        try:
            ref = parse_type(text)
        except TypeSyntaxError as exc:
            self.error(path, str(exc), "types look like string, list[Order], map[string, int], optional[uuid]")
            return None
        for name in ref.references():
            if name not in self.spec.messages:
                self.error(path, f"unknown type '{name}'",
                           did_you_mean(name, [*SCALARS, *self.spec.messages]))
        return ref

    def check_messages(self) -> None:
        self.unique_ignoring_case(("messages",), self.spec.messages, "message")
        for name, message in self.records.items():
            for field_name, text in message.fields.items():
                path = ("messages", name, "fields", field_name)
                self.type_ref(path, text)
                if naming.is_reserved_python(field_name) or field_name in _PYDANTIC_RESERVED \
                        or field_name.startswith("model_"):
                    self.error(path, f"field name '{field_name}' is reserved in generated Python code",
                               "rename the field, e.g. add a suffix", at_key=True)
        for name, enum in self.enums.items():
            self.duplicates(("messages", name, "enum"), enum.enum, "enum value")
            for i, value in enumerate(enum.enum):
                if naming.is_reserved_python(value):
                    self.error(("messages", name, "enum", i), f"enum value '{value}' is a Python keyword",
                               "rename the value")
        self.check_required_cycles()

    def check_required_cycles(self) -> None:
        """A record that requires itself through non-optional fields can never be built."""
        required = {
            name: [(f, parse_type(t).name) for f, t in m.fields.items()
                   if _safe_kind(t) == "ref" and parse_type(t).name in self.records]
            for name, m in self.records.items() if all(_safe_kind(t) for t in m.fields.values())
        }
        reported: set[frozenset[str]] = set()
        for start in required:
            cycle = _find_cycle(start, {k: [t for _, t in v] for k, v in required.items()})
            if cycle and frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                field = next(f for f, t in required[cycle[0]] if t == cycle[1])
                self.error(("messages", cycle[0], "fields", field),
                           f"messages require each other in a cycle: {' -> '.join(cycle)}",
                           "make one field optional[...] or a list[...]")

    def check_events(self) -> None:
        for name, event in self.spec.events.items():
            self.record_ref(("events", name, "message"), event.message)
        handlers: dict[str, str] = {}
        for name in self.spec.events:
            handler = naming.consumer_handler(name)
            if handler in handlers:
                self.error(("events", name), f"event '{name}' clashes with '{handlers[handler]}' after "
                           f"normalization (both become {handler})", "rename one of them", at_key=True)
            handlers[handler] = name

    def record_ref(self, path: PathKey, name: str | None) -> None:
        if name is None:
            return
        if name in self.enums:
            self.error(path, f"'{name}' is an enum; a message is needed here", "wrap the enum in a message")
        elif name not in self.records:
            self.error(path, f"unknown message '{name}'", did_you_mean(name, self.records))

    def check_datastores(self) -> None:
        for name, store in self.spec.datastores.items():
            if store.engine.value == "volume" and store.version is not None:
                self.error(("datastores", name, "version"), "a volume has no version", "remove `version`")

    def check_environments(self) -> None:
        compose_envs = [n for n, e in self.spec.environments.items() if e.hosting.value == "compose"]
        for extra in compose_envs[1:]:
            self.error(("environments", extra, "hosting"), "only one environment can be hosted on compose",
                       f"'{compose_envs[0]}' is already the local compose environment")
        for name, env in self.spec.environments.items():
            path = ("environments", name)
            if env.hosting.value == "aws" and env.region is None:
                self.error(path, "an aws environment needs a region", "add `region: eu-west-1` (or yours)")
            if env.hosting.value != "aws" and env.region is not None:
                self.error((*path, "region"), f"region only applies to aws hosting, not {env.hosting.value}",
                           "remove `region`")
            for service in env.services:
                if service not in self.spec.services:
                    self.error((*path, "services", service), f"unknown service '{service}'",
                               did_you_mean(service, self.spec.services), at_key=True)

    # -- system-wide --------------------------------------------------------------------
    def check_name_clashes(self) -> None:
        owners: dict[str, PathKey] = {}
        entries = [(("services", n), n) for n in self.spec.services] + \
                  [(("datastores", n), n) for n in self.spec.datastores]
        for path, name in entries:
            if name in infrastructure.RESERVED_HOSTS:
                self.error(path, f"'{name}' is reserved for the {name} infrastructure container",
                           f"rename it, e.g. '{name}-app'", at_key=True)
            elif name in owners:
                self.error(path, f"'{name}' is both a service and a datastore; host names must be unique",
                           "rename one of them", at_key=True)
            owners.setdefault(name, path)

    def check_ports(self) -> None:
        taken: dict[int, str] = {p: "infrastructure" for p in infrastructure.RESERVED_PORTS}
        for name, service in self.spec.services.items():
            if service.port is None:
                continue
            ports = [(service.port, "port")]
            if service.grpc:
                ports.append((service.port + 1000, "gRPC port (port + 1000)"))
            for port, what in ports:
                if port in taken:
                    self.error(("services", name, "port"),
                               f"{what} {port} is already used by {taken[port]}", "choose another port")
                else:
                    taken[port] = f"service '{name}'"

    def check_gateway_routes(self) -> None:
        routes = [(n, s.gateway.path) for n, s in self.spec.services.items() if s.gateway]
        for i, (name, path) in enumerate(routes):
            for other, other_path in routes[:i]:
                if path == other_path or path.startswith(other_path + "/") or other_path.startswith(path + "/"):
                    self.error(("services", name, "gateway", "path"),
                               f"gateway path {path} collides with {other_path} of service '{other}'",
                               "give each service its own, non-nested path prefix")

    def check_call_cycles(self) -> None:
        graph = {n: [c for c in s.calls if c in self.spec.services] for n, s in self.spec.services.items()}
        reported: set[frozenset[str]] = set()
        for start in graph:
            cycle = _find_cycle(start, graph)
            if cycle and frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                index = self.spec.services[cycle[0]].calls.index(cycle[1])
                self.error(("services", cycle[0], "calls", index),
                           f"synchronous calls form a cycle: {' -> '.join(cycle)}",
                           "break the cycle: replace one call with an event")

    # -- helpers -----------------------------------------------------------------------
    def check_roles(self, path: PathKey, roles: Iterable[str]) -> None:
        roles = list(roles)
        self.duplicates(path, roles, "role")
        if roles and self.spec.identity is None:
            self.error(path, "roles need an identity provider", "declare `identity: {realm: ..., roles: [...]}`")
            return
        known = self.spec.identity.roles if self.spec.identity else []
        for i, role in enumerate(roles):
            if role not in known:
                self.error((*path, i), f"unknown role '{role}'", did_you_mean(role, known))

    def duplicates(self, path: PathKey, items: Iterable[Any], what: str) -> None:
        seen: set[Any] = set()
        for i, item in enumerate(items):
            if item in seen:
                self.error((*path, i), f"duplicate {what} '{item}'", "list it once")
            seen.add(item)

    def unique_ignoring_case(self, path: PathKey, names: Iterable[str], what: str) -> None:
        seen: dict[str, str] = {}
        for name in names:
            key = name.lower().replace("_", "-")
            if key in seen:
                self.error((*path, name), f"{what} '{name}' clashes with '{seen[key]}' (names must differ "
                           "by more than case)", "rename one of them", at_key=True)
            seen.setdefault(key, name)


class ServiceChecker:
    def __init__(self, checker: Checker, name: str, service: ServiceSpec) -> None:
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

    def check_rest(self) -> None:
        routes: dict[tuple[str, str], int] = {}
        operation_ids: dict[str, int] = {}
        for i, ep in enumerate(self.s.rest):
            path = (*self.path, "rest", i)
            self.c.record_ref((*path, "request"), ep.request)
            self.c.record_ref((*path, "response"), ep.response)
            if ep.request and ep.method.value in ("GET", "DELETE"):
                self.c.error((*path, "request"), f"{ep.method.value} requests carry no body",
                             "use path or query parameters, or POST/PUT/PATCH")
            if ep.status == 204 and ep.response:
                self.c.error((*path, "status"), "status 204 means no content, but a response is declared",
                             "remove `response` or choose another status")
            declared = naming.path_params(ep.path)
            self.c.duplicates((*path, "path"), declared, "path parameter")
            for param in ep.params:
                if param not in declared:
                    self.c.error((*path, "params", param), f"parameter '{param}' does not appear in {ep.path}",
                                 did_you_mean(param, declared) or "add {" + param + "} to the path", at_key=True)
            for kind in ("params", "query"):
                for param, text in getattr(ep, kind).items():
                    ref = self.c.type_ref((*path, kind, param), text)
                    if ref and ref.kind not in ("scalar", "ref") and not (kind == "query" and ref.kind in
                                                                          ("optional", "list")):
                        self.c.error((*path, kind, param), f"{kind} cannot have type {ref}",
                                     "use a scalar or an enum")
            self.c.check_roles((*path, "roles"), ep.roles)
            key = (ep.method.value, naming.normalized_route(ep.path))
            if key in routes:
                self.c.error((*path, "path"), f"route {ep.method.value} {ep.path} collides with rest[{routes[key]}]",
                             "each method and path may appear once per service")
            routes.setdefault(key, i)
            op = naming.operation_id(ep.method.value, ep.path)
            if op in operation_ids and routes[key] == i:
                self.c.error((*path, "path"), f"route {ep.method.value} {ep.path} clashes with "
                             f"rest[{operation_ids[op]}] after normalization (both become handler {op})",
                             "rename a path segment")
            operation_ids.setdefault(op, i)

    def check_grpc(self) -> None:
        self.c.duplicates((*self.path, "grpc"), [m.name for m in self.s.grpc], "gRPC method")
        for i, method in enumerate(self.s.grpc):
            path = (*self.path, "grpc", i)
            self.c.record_ref((*path, "request"), method.request)
            self.c.record_ref((*path, "response"), method.response)
            self.c.check_roles((*path, "roles"), method.roles)

    def check_references(self) -> None:
        spec = self.c.spec
        for field_name, known, what in (("publishes", spec.events, "event"), ("consumes", spec.events, "event"),
                                        ("uses", spec.datastores, "datastore"), ("calls", spec.services, "service")):
            values = getattr(self.s, field_name)
            self.c.duplicates((*self.path, field_name), values, what)
            for i, value in enumerate(values):
                if value not in known:
                    self.c.error((*self.path, field_name, i), f"unknown {what} '{value}'", did_you_mean(value, known))
                elif field_name == "calls" and value == self.name:
                    self.c.error((*self.path, field_name, i), "a service cannot call itself",
                                 "call the handler directly")
        for i, target in enumerate(self.s.calls):
            peer = spec.services.get(target)
            if peer is not None and not peer.rest and not peer.grpc:
                self.c.error((*self.path, "calls", i), f"service '{target}' has no REST endpoints or gRPC methods "
                             "to call", "add endpoints to it, or use an event")

    def check_gateway(self) -> None:
        gateway = self.s.gateway
        if gateway is None:
            return
        if not self.s.rest and not self.s.grpc:
            self.c.error((*self.path, "gateway"), "the gateway exposes a service without REST endpoints or "
                         "gRPC methods", "remove `gateway` or add endpoints")
        if gateway.auth.value == "authenticated" and self.c.spec.identity is None:
            self.c.error((*self.path, "gateway", "auth") if "auth" in self.c.loaded.data["services"][self.name]
                         .get("gateway", {}) else (*self.path, "gateway"),
                         "authenticated gateway routes need an identity provider",
                         "declare `identity:` at the top level, or set `auth: public`")

    def check_env_names(self) -> None:
        reserved = derived_env_names(self.c.spec, self.name)
        self.c.duplicates((*self.path, "secrets"), self.s.secrets, "secret")
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
    names = {"SERVICE_NAME", "ROSE_ENVIRONMENT", "ROSE_SYSTEM", "PORT", "GRPC_PORT", "LOG_LEVEL_DEFAULT",
             "AMQP_URL", "AMQP_PASSWORD", "OIDC_ISSUER_URL", "OIDC_JWKS_URL", "OIDC_AUDIENCE",
             "SENTRY_DSN", "SENTRY_ENVIRONMENT"}
    for store in service.uses:
        prefix = naming.env_prefix(store)
        names |= {f"{prefix}_URL", f"{prefix}_PASSWORD", f"{prefix}_PATH"}
    for peer in service.calls:
        prefix = naming.env_prefix(peer)
        names |= {f"{prefix}_URL", f"{prefix}_GRPC_TARGET"}
    return names


def _safe_kind(text: str) -> str:
    try:
        return parse_type(text).kind
    except TypeSyntaxError:
        return ""


def _find_cycle(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """The first cycle through start, as [start, ..., start], in declaration order."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for nxt in reversed(graph.get(node, [])):
            if nxt == start:
                return [*trail, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None
