"""Services of the model: their API (endpoints, gRPC methods), wiring, sizing and derived names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rosec.model import infrastructure, naming
from rosec.model.messaging import Consumer, Messaging, build_consumer
from rosec.model.metrics import latency_buckets
from rosec.spec import models as spec_models
from rosec.spec.models import RecordSpec, RoseSpec, ServiceSpec
from rosec.spec.types import TypeRef, TypeSyntaxError, parse_type

FIRST_SERVICE_PORT = 8101
GRPC_PORT_OFFSET = 1000
# Parameter names of every handler signature; a path or query parameter of that name gets a trailing '_'.
RESERVED_PARAMETERS = frozenset({"self", "body", "ctx"})
PARAM_DIGIT_PREFIX = "param"
# Names the generated <Svc>Config and <Svc>Secrets dataclasses use themselves: the classmethod that reads them and
# dataclasses.field (the secrets' defaults). A config key or secret becomes an attribute of its lowercase name,
# with a trailing '_' for these and for keywords: SMTP_HOST -> smtp_host, FROM -> from_, FIELD -> field_.
SETTINGS_RESERVED = frozenset({"from_settings", "field"})


@dataclass(frozen=True)
class RateLimit:
    count: int
    unit: str  # second | minute | hour | day

    @classmethod
    def parse(cls, text: str | None) -> RateLimit | None:
        """100/minute -> RateLimit(100, "minute"); None stays None."""
        if text is None:
            return None
        count, unit = text.split("/")
        return cls(int(count), unit)


@dataclass(frozen=True)
class Param:
    """A path or query parameter: `wire_name` in the URL and the OpenAPI document, `python_name` in the handler
    signature, the route function and the REST client (tripId -> trip_id, from -> from_, body -> body_)."""

    wire_name: str
    python_name: str
    type: TypeRef


def param(wire_name: str, text: str) -> Param:
    identifier = naming.wire_identifier(wire_name, PARAM_DIGIT_PREFIX)
    return Param(wire_name, naming.python_name(identifier, RESERVED_PARAMETERS), parse_type(text))


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    params: tuple[Param, ...]
    query: tuple[Param, ...]
    request: str | None
    response: str | None
    status: int
    roles: tuple[str, ...]
    public: bool
    summary: str
    operation_id: str  # snake_case, unique per service; also the handler name
    rate_limit: RateLimit | None = None  # at the gateway, instead of the service's limit


@dataclass(frozen=True)
class GrpcMethod:
    name: str
    request: str
    response: str
    client_streaming: bool
    server_streaming: bool
    roles: tuple[str, ...]
    public: bool
    summary: str
    handler: str  # snake_case handler name
    rate_limit: RateLimit | None = None  # at the gateway, instead of the service's limit


@dataclass(frozen=True)
class Gateway:
    path: str
    rate_limit: RateLimit | None
    auth: str  # public | authenticated
    grpc: bool = False  # the gRPC methods are exposed at the gateway too
    max_body_kb: int = 1024


@dataclass(frozen=True)
class Resources:
    cpu: str  # Kubernetes quantity as written
    memory: str
    cpu_millicores: int
    memory_mib: int


@dataclass(frozen=True)
class Scaling:
    min: int
    max: int
    cpu_target: int


@dataclass(frozen=True)
class Health:
    liveness_path: str
    readiness_path: str
    interval_s: int
    timeout_s: int
    retries: int
    start_period_s: int


@dataclass(frozen=True)
class Slo:
    availability: float
    latency_p99_ms: int | None


@dataclass(frozen=True)
class Service:
    name: str
    python_name: str
    env_prefix: str
    description: str
    host: str
    port: int
    grpc_port: int | None
    image: str  # repository name, e.g. shop/orders
    client_id: str
    class_prefix: str  # PascalCase for generated classes, e.g. Orders
    proto_package: str  # e.g. orders.v1 (the file lives at <python_name>/v1/<python_name>.proto)
    proto_service: str  # e.g. OrdersService
    messages: tuple[str, ...]  # records and enums its API and events use, transitively, in spec order
    endpoints: tuple[Endpoint, ...]
    grpc_methods: tuple[GrpcMethod, ...]
    publishes: tuple[str, ...]
    consumers: tuple[Consumer, ...]
    uses: tuple[str, ...]
    calls: tuple[str, ...]
    gateway: Gateway | None
    scaling: Scaling
    resources: Resources
    health: Health
    slo: Slo | None
    config: tuple[tuple[str, str], ...]
    secrets: tuple[str, ...]
    owner: str = ""  # the team whose receivers get its alerts (spec `owner`, else system.owner)
    latency_buckets: tuple[float, ...] = ()  # histogram buckets (s) of its request latency, with its SLO threshold
    internal: bool = False  # callable only by the services that call it

    @property
    def has_api(self) -> bool:
        """Serves requests (REST or gRPC) that the request metrics and the SLIs count."""
        return bool(self.endpoints or self.grpc_methods)

    @property
    def needs_broker(self) -> bool:
        return bool(self.publishes or self.consumers)

    @property
    def url_env(self) -> str:
        """The variable that tells a calling service this service's REST base URL, e.g. ORDERS_URL."""
        return f"{self.env_prefix}_URL"

    @property
    def grpc_target_env(self) -> str:
        """The variable that tells a calling service this service's gRPC target (host:port)."""
        return f"{self.env_prefix}_GRPC_TARGET"

    @property
    def proto_file(self) -> str:
        """Path of the .proto file under the services directory (the buf module root)."""
        return f"{self.python_name}/v1/{self.python_name}.proto"

    @staticmethod
    def settings_attribute(variable: str) -> str:
        """The attribute of a config key or secret in the generated deps: SMTP_HOST -> smtp_host, FROM -> from_."""
        return naming.python_name(variable.lower(), SETTINGS_RESERVED)

    @property
    def roles(self) -> tuple[str, ...]:
        found = {r for e in self.endpoints for r in e.roles} | {r for m in self.grpc_methods for r in m.roles}
        return tuple(sorted(found))


def callers_by_service(services: Iterable[Service]) -> dict[str, tuple[Service, ...]]:
    """The services that call each service (each caller once, in declaration order); a service nobody calls
    has no entry."""
    found: dict[str, list[Service]] = {}
    for caller in services:
        for callee in dict.fromkeys(caller.calls):
            found.setdefault(callee, []).append(caller)
    return {callee: tuple(callers) for callee, callers in found.items()}


def build_services(spec: RoseSpec, messaging: Messaging | None) -> tuple[Service, ...]:
    ports = _assign_ports(spec)
    order = {n: i for i, n in enumerate(spec.messages)}
    return tuple(_service(spec, messaging, n, s, ports[n], order) for n, s in spec.services.items())


def _assign_ports(spec: RoseSpec) -> dict[str, int]:
    """Explicit ports first; the rest from FIRST_SERVICE_PORT up in declaration order, skipping taken ones."""
    taken = set(infrastructure.RESERVED_PORTS)
    for s in spec.services.values():
        if s.port is not None:
            taken |= {s.port, s.port + GRPC_PORT_OFFSET}
    ports: dict[str, int] = {}
    candidate = FIRST_SERVICE_PORT
    for name, s in spec.services.items():
        if s.port is not None:
            ports[name] = s.port
            continue
        while candidate in taken or candidate + GRPC_PORT_OFFSET in taken:
            candidate += 1
        ports[name] = candidate
        taken |= {candidate, candidate + GRPC_PORT_OFFSET}
    return ports


def _service(spec: RoseSpec, messaging: Messaging | None, name: str, s: ServiceSpec, port: int,
             order: dict[str, int]) -> Service:
    system = spec.system.name
    consumers = tuple(build_consumer(spec, messaging, name, event) for event in s.consumes) if messaging else ()
    return Service(
        name=name,
        python_name=naming.python_identifier(name),
        env_prefix=naming.env_prefix(name),
        description=s.description,
        host=name,
        port=port,
        grpc_port=port + GRPC_PORT_OFFSET if s.grpc else None,
        image=f"{system}/{name}",
        client_id=f"{system}-{name}",
        class_prefix=naming.pascal_case(name),
        proto_package=f"{naming.python_identifier(name)}.v1",
        proto_service=naming.generated_class(naming.pascal_case(name), naming.GeneratedClass.SERVICE),
        messages=tuple(sorted(messages_used(spec, s), key=order.__getitem__)),
        endpoints=tuple(_endpoint(e) for e in s.rest),
        grpc_methods=tuple(GrpcMethod(m.name, m.request, m.response, m.client_streaming, m.server_streaming,
                                      tuple(m.roles), m.public, m.summary, naming.grpc_handler(m.name),
                                      RateLimit.parse(m.rate_limit))
                           for m in s.grpc),
        publishes=tuple(s.publishes),
        consumers=consumers,
        uses=tuple(s.uses),
        calls=tuple(s.calls),
        gateway=_gateway(s.gateway) if s.gateway else None,
        scaling=Scaling(s.scaling.min, s.scaling.max, s.scaling.cpu_target),
        resources=build_resources(s.resources),
        health=Health("/healthz", "/readyz", s.health.interval_s, s.health.timeout_s, s.health.retries,
                      s.health.start_period_s),
        slo=Slo(s.slo.availability, s.slo.latency_p99_ms) if s.slo else None,
        config=tuple((k, _config_text(v)) for k, v in s.config.items()),
        secrets=tuple(s.secrets),
        owner=s.owner or spec.system.owner,
        latency_buckets=latency_buckets(s.slo.latency_p99_ms if s.slo else None),
        internal=s.internal,
    )


def messages_used(spec: RoseSpec, s: ServiceSpec) -> set[str]:
    """Records and enums reachable from the service's endpoints, methods and events (the checks call this before
    every type is known to be valid: unparsable types and unknown names are skipped)."""
    roots = [t for e in s.rest for t in (*e.params.values(), *e.query.values())]
    roots += [m for e in s.rest for m in (e.request, e.response) if m]
    roots += [m for g in s.grpc for m in (g.request, g.response)]
    roots += [spec.events[e].message for e in (*s.publishes, *s.consumes) if e in spec.events]
    found: set[str] = set()
    pending = _references(roots)
    while pending:
        name = pending.pop()
        if name in found or name not in spec.messages:
            continue
        found.add(name)
        message = spec.messages[name]
        if isinstance(message, RecordSpec):
            pending += _references(message.fields.values())
    return found


def _references(texts: Iterable[str]) -> list[str]:
    names = []
    for text in texts:
        try:
            names += parse_type(text).references()
        except TypeSyntaxError:
            continue
    return names


def _endpoint(e: spec_models.RestEndpoint) -> Endpoint:
    method = e.method.value
    params = tuple(param(p, e.params.get(p, "string")) for p in naming.path_params(e.path))
    query = tuple(param(q, t) for q, t in e.query.items())
    return Endpoint(
        method=method,
        path=e.path,
        params=params,
        query=query,
        request=e.request,
        response=e.response,
        status=e.status or _default_status(method, e.response),
        roles=tuple(e.roles),
        public=e.public,
        summary=e.summary,
        operation_id=naming.operation_id(method, e.path),
        rate_limit=RateLimit.parse(e.rate_limit),
    )


def _default_status(method: str, response: str | None) -> int:
    if response is None:
        return 204
    return 201 if method == "POST" else 200


def _gateway(g: spec_models.GatewaySpec) -> Gateway:
    return Gateway(g.path, RateLimit.parse(g.rate_limit), g.auth.value, g.grpc, g.max_body_kb)


def build_resources(r: spec_models.Resources) -> Resources:
    cpu = int(r.cpu[:-1]) if r.cpu.endswith("m") else round(float(r.cpu) * 1000)
    memory = int(r.memory[:-2]) * (1024 if r.memory.endswith("Gi") else 1)
    return Resources(r.cpu, r.memory, cpu, memory)


def _config_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
