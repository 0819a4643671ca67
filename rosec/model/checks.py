"""Semantic checks that a JSON Schema cannot express; every finding is located in the spec."""

from __future__ import annotations

import keyword

from rosec.diagnostics import Diagnostic, did_you_mean
from rosec.model import infrastructure, naming
from rosec.model.aws_checks import check_aws_environment
from rosec.model.check_context import CheckContext
from rosec.model.code_checks import check_generated_code
from rosec.model.edge_checks import check_edge
from rosec.model.graphs import cycles
from rosec.model.kubernetes_checks import check_kubernetes
from rosec.model.observability_checks import check_observability
from rosec.model.service_checks import ServiceChecker
from rosec.model.usage_checks import check_usage
from rosec.model.wire_checks import check_wire_names
from rosec.spec.models import RecordSpec
from rosec.spec.types import TypeRef, TypeSyntaxError, parse_type


class Checker(CheckContext):
    """Every semantic check of a spec, run in order; the findings accumulate in `errors` and `warnings`."""

    def run(self) -> list[Diagnostic]:
        self.check_messages()
        self.check_events()
        self.check_datastores()
        self.check_environments()
        self.check_identity()
        for name, service in self.spec.services.items():
            ServiceChecker(self, name, service).run()
        self.check_host_names()
        self.check_ports()
        self.check_gateway_routes()
        check_edge(self)
        self.check_call_cycles()
        check_observability(self)
        check_kubernetes(self)
        check_generated_code(self)
        check_wire_names(self)
        check_usage(self)  # last: it reads what the other checks could not resolve
        return [*self.errors, *self.warnings]

    # -- messages -------------------------------------------------------------------------
    def check_messages(self) -> None:
        self.unique_ignoring_case(("messages",), self.spec.messages, "message")
        for name in self.spec.messages:
            if keyword.iskeyword(name):
                self.error(("messages", name), f"message name '{name}' is a Python keyword",
                           f"rename it, e.g. '{name}Value'", at_key=True)
        for name, message in self.records.items():
            for field_name, text in message.fields.items():
                self.type_ref(("messages", name, "fields", field_name), text)
        for name, enum in self.enums.items():
            self.duplicates(("messages", name, "enum"), enum.enum, "enum value")
        self.check_required_cycles()

    def required_fields(self, record: RecordSpec) -> list[tuple[str, str]]:
        """(field, record) for every field that must hold another record: not optional, list or map."""
        found = []
        for field_name, text in record.fields.items():
            ref = _parsed(text)
            if ref is not None and ref.kind == "ref" and ref.name in self.records:
                found.append((field_name, ref.name))
        return found

    def check_required_cycles(self) -> None:
        """A record that requires itself through required record fields can never be built."""
        required = {name: self.required_fields(record) for name, record in self.records.items()}
        graph = {name: [target for _, target in fields] for name, fields in required.items()}
        for cycle in cycles(graph):
            field_name = next(f for f, target in required[cycle[0]] if target == cycle[1])
            self.error(("messages", cycle[0], "fields", field_name),
                       f"messages require each other in a cycle: {' -> '.join(cycle)}",
                       "no value can ever be built; make one field optional[...] or a list[...]")

    def check_events(self) -> None:
        for name, event in self.spec.events.items():
            self.record_ref(("events", name, "message"), event.message)
        handlers: dict[str, str] = {}
        for name in self.spec.events:
            handler = naming.consumer_handler(name)
            if handler in handlers:
                self.error(("events", name), f"event '{name}' clashes with '{handlers[handler]}' after "
                           f"normalization (both become {handler})", "rename one of them", at_key=True)
            handlers.setdefault(handler, name)

    def check_datastores(self) -> None:
        for name, store in self.spec.datastores.items():
            if store.engine.value == "volume" and store.version is not None:
                self.error(("datastores", name, "version"), "a volume has no version", "remove `version`")

    def check_environments(self) -> None:
        compose_envs = [n for n, e in self.spec.environments.items() if e.hosting.value == "compose"]
        for extra in compose_envs[1:]:
            self.error(("environments", extra, "hosting"), "only one environment can be hosted on compose",
                       f"'{compose_envs[0]}' is already the local compose environment; use kubernetes or aws here")
        for name, env in self.spec.environments.items():
            path = ("environments", name)
            if env.hosting.value == "aws" and env.region is None and not self.left_out(*path, "region"):
                self.missing((*path, "region"), "an aws environment needs a region",
                             "add `region: eu-west-1` (or yours)")
            if env.hosting.value != "aws" and env.region is not None:
                self.error((*path, "region"), f"region only applies to aws hosting, not {env.hosting.value}",
                           "remove `region`")
            for block, enabled in (("logs", self.spec.observability.logs), ("sentry", self.spec.observability.sentry)):
                if block in env.model_fields_set and not enabled:
                    self.error((*path, block), f"{block} settings, but observability.{block} is false",
                               f"remove `{block}`, or set `observability.{block}: true`", at_key=True)
            check_aws_environment(self, name, env)
            for service in env.services:
                if service not in self.spec.services and self.unknown("service", "services"):
                    self.error((*path, "services", service), f"unknown service '{service}'",
                               did_you_mean(service, self.spec.services), at_key=True)

    def check_identity(self) -> None:
        if self.spec.identity is not None:
            self.duplicates(("identity", "roles"), self.spec.identity.roles, "role")
            self.duplicates(("identity", "scopes"), self.spec.identity.scopes, "scope")

    # -- system-wide --------------------------------------------------------------------
    def check_host_names(self) -> None:
        """Services and datastores share one namespace of host names, directories and identifiers."""
        owners: dict[str, str] = {}
        classes: dict[str, str] = {}
        entries = [("services", n, "service") for n in self.spec.services] + \
                  [("datastores", n, "datastore") for n in self.spec.datastores]
        for section, name, what in entries:
            path = (section, name)
            identifier = naming.python_identifier(name)
            if name in infrastructure.RESERVED_HOSTS:
                self.error(path, f"'{name}' is reserved for the {name} infrastructure container",
                           f"rename it, e.g. '{name}-app'", at_key=True)
            elif name in owners:
                self.error(path, f"'{name}' is both a {owners[name]} and a {what}; host names must be unique",
                           "rename one of them", at_key=True)
            elif keyword.iskeyword(identifier):
                self.error(path, f"{what} name '{name}' is a Python keyword, which generated code cannot import",
                           f"rename it, e.g. '{name}-svc'", at_key=True)
            elif section == "services" and naming.pascal_case(name) in classes:
                self.error(path, f"service '{name}' clashes with '{classes[naming.pascal_case(name)]}' after "
                           f"normalization (both become {naming.pascal_case(name)})", "rename one of them",
                           at_key=True)
            owners.setdefault(name, what)
            if section == "services":
                classes.setdefault(naming.pascal_case(name), name)

    def check_ports(self) -> None:
        taken = reserved_ports()
        for name, service in self.spec.services.items():
            if service.port is None:
                continue
            ports = [(service.port, "port", f"service '{name}'")]
            if service.grpc:
                ports.append((service.port + 1000, "gRPC port (port + 1000)", f"the gRPC port of service '{name}'"))
            for port, what, owner in ports:
                if port in taken:  # one diagnostic per `port`: the first port of the two that is taken
                    self.error(("services", name, "port"), f"{what} {port} is already used by {taken[port]}",
                               f"choose another port, e.g. {_free_port(service.port, taken, bool(service.grpc))}")
                    break
                taken[port] = owner

    def check_gateway_routes(self) -> None:
        """Each route is compared with the earlier ones: the first that has the same path, or a path nested
        in it or around it, is named. Indexed by path and by every prefix that ends before a '/', so that
        the cost grows with the number of path segments, not with the square of the number of routes."""
        routes = [(n, s.gateway.path) for n, s in self.spec.services.items() if s.gateway]
        by_path: dict[str, int] = {}  # path -> first route with it
        by_ancestor: dict[str, int] = {}  # prefix -> first route nested in it
        for i, (_, path) in enumerate(routes):
            by_path.setdefault(path, i)
            for prefix in _ancestors(path):
                by_ancestor.setdefault(prefix, i)
        for i, (name, path) in enumerate(routes):
            candidates = [by_path.get(path, i), by_ancestor.get(path, i)]
            candidates += [by_path.get(prefix, i) for prefix in _ancestors(path)]
            first = min(candidates)
            if first >= i:
                continue
            other, other_path = routes[first]
            if path == other_path:
                problem = f"gateway path {path} is already used by service '{other}'"
            else:
                problem = f"gateway path {path} overlaps {other_path} of service '{other}'"
            self.error(("services", name, "gateway", "path"), problem,
                       "give each service its own prefix; one must not be nested in another")

    def check_call_cycles(self) -> None:
        graph = {n: [c for c in s.calls if c in self.spec.services and c != n] for n, s in self.spec.services.items()}
        for cycle in cycles(graph):
            index = self.spec.services[cycle[0]].calls.index(cycle[1])
            self.error(("services", cycle[0], "calls", index),
                       f"synchronous calls form a cycle: {' -> '.join(cycle)}",
                       "break the cycle: replace one call with an event")

    # -- helpers -----------------------------------------------------------------------
def reserved_ports() -> dict[int, str]:
    """Ports of the infrastructure containers, with who uses them."""
    owners = {
        infrastructure.POSTGRES_PORT: "postgres",
        infrastructure.KEYCLOAK_MANAGEMENT_PORT: "keycloak management",
        infrastructure.LOGSTASH_API_PORT: "logstash API",
        infrastructure.KONG_ADMIN_PORT: "kong admin API",
        infrastructure.KONG_STATUS_PORT: "kong status API (metrics)",
        infrastructure.KONG_GRPC_PORT: "kong gRPC proxy",
        infrastructure.RABBITMQ_PROMETHEUS_PORT: "rabbitmq metrics",
        infrastructure.POSTGRES_EXPORTER_PORT: "postgres exporter",
    }
    for component in infrastructure.COMPONENTS:
        for port in (component.port, component.published_port):
            if port:
                owners.setdefault(port, component.host)
    ports = set(infrastructure.RESERVED_PORTS) | set(owners)
    return {port: f"{owners[port]} (infrastructure)" if port in owners else "the infrastructure" for port in ports}


def _free_port(start: int, taken: dict[int, str], grpc: bool) -> int:
    port = start + 1
    while port in taken or (grpc and port + 1000 in taken):
        port += 1
    return port


def _parsed(text: str) -> TypeRef | None:
    try:
        return parse_type(text)
    except TypeSyntaxError:
        return None


def _ancestors(path: str) -> list[str]:
    """Every p such that path starts with p + '/': the prefixes a path is nested in."""
    return [path[:i] for i, char in enumerate(path) if char == "/"]
