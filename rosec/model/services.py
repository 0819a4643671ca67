"""Services of the model: their API (endpoints, gRPC methods), wiring, sizing and derived names (built from the
spec by rosec.model.service_build)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rosec.model import naming
from rosec.model.messaging import Consumer
from rosec.spec.types import TypeRef, parse_type

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
