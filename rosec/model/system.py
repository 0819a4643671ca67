"""The resolved System model: normalized, with every derived name computed once.

Targets read only this model. Collections are tuples in a deterministic order
(declaration order of the spec unless stated otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rosec.spec.types import TypeRef


@dataclass(frozen=True)
class MessageField:
    name: str
    type: TypeRef
    optional: bool


@dataclass(frozen=True)
class Message:
    name: str
    fields: tuple[MessageField, ...]
    description: str


@dataclass(frozen=True)
class EnumType:
    name: str
    values: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Event:
    name: str
    python_name: str  # order.created -> order_created: the publisher method of the generated <Svc>Events
    message: str
    description: str
    exchange: str
    routing_key: str
    publishers: tuple[str, ...]
    consumers: tuple[str, ...]


@dataclass(frozen=True)
class Datastore:
    name: str
    engine: str  # postgres | volume
    version: str
    size_gb: int
    host: str
    port: int
    database: str
    user: str
    url_env: str
    password_env: str
    volume: str  # named volume (compose), PVC/EFS name
    mount_path: str  # where a file volume is mounted in services


@dataclass(frozen=True)
class Param:
    name: str
    type: TypeRef


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


@dataclass(frozen=True)
class Exchange:
    """A RabbitMQ exchange; every exchange rosec declares is durable, not auto-deleted, not internal."""

    name: str
    type: str  # topic | direct


@dataclass(frozen=True)
class Queue:
    """A durable classic queue; `arguments` are its x-arguments in declaration order."""

    name: str
    arguments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Binding:
    exchange: str
    queue: str
    routing_key: str


@dataclass(frozen=True)
class Consumer:
    event: str
    message: str
    queue: str
    dead_letter_queue: str
    retry_queue: str
    max_attempts: int
    handler: str
    queues: tuple[Queue, ...]  # the main, retry and dead-letter queues, with their arguments
    bindings: tuple[Binding, ...]  # events -> queue, retry -> retry queue, dead-letter -> dead queue


@dataclass(frozen=True)
class RateLimit:
    count: int
    unit: str  # second | minute | hour | day


@dataclass(frozen=True)
class Gateway:
    path: str
    rate_limit: RateLimit | None
    auth: str  # public | authenticated


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
class EnvVar:
    """One environment variable of a service: a plain value, or a secret known only by name."""

    name: str
    value: str | None = None
    secret: str | None = None  # name of the secret that holds the value
    optional: bool = False  # a secret that may be left unset (e.g. SENTRY_DSN)

    @property
    def is_secret(self) -> bool:
        return self.secret is not None


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

    @property
    def roles(self) -> tuple[str, ...]:
        found = {r for e in self.endpoints for r in e.roles} | {r for m in self.grpc_methods for r in m.roles}
        return tuple(sorted(found))


@dataclass(frozen=True)
class ServiceDeployment:
    """A service's shape in one environment."""

    replicas: int
    resources: Resources
    autoscaling: Scaling | None
    env: tuple[EnvVar, ...]


@dataclass(frozen=True)
class Environment:
    name: str
    hosting: str  # compose | kubernetes | aws
    domain: str
    region: str | None
    public_url: str  # base URL of the gateway as users reach it
    identity_url: str | None  # base URL of the identity provider as users reach it (the issuer's host)
    oidc_issuer: str | None
    oidc_jwks_url: str | None
    deployments: dict[str, ServiceDeployment] = field(compare=False)


@dataclass(frozen=True)
class Identity:
    realm: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Messaging:
    exchange: str
    dead_letter_exchange: str
    retry_exchange: str
    vhost: str
    user: str
    password_env: str
    host: str
    port: int
    exchanges: tuple[Exchange, ...]  # events (topic), retry (direct), dead-letter (direct)

    def exchanges_for(self, service: Service) -> tuple[Exchange, ...]:
        """What a service declares: publishers need the events exchange, consumers all three."""
        if service.consumers:
            return self.exchanges
        return tuple(e for e in self.exchanges if e.name == self.exchange) if service.publishes else ()


@dataclass(frozen=True)
class Observability:
    metrics: bool
    logs: bool
    sentry: bool


@dataclass(frozen=True)
class Layout:
    """Where generated files live under generated/<system>/; one layout for every target."""

    compose_file: str = "compose.yaml"
    env_example: str = ".env.example"
    kong_config: str = "config/kong/kong.yaml"
    keycloak_import_dir: str = "config/keycloak"
    prometheus_dir: str = "config/prometheus"
    grafana_provisioning_dir: str = "config/grafana/provisioning"
    grafana_dashboards_dir: str = "config/grafana/dashboards"
    logstash_pipeline_dir: str = "config/logstash/pipeline"
    messaging_definitions: str = "messaging/definitions.json"
    asyncapi: str = "messaging/asyncapi.yaml"
    services_dir: str = "services"
    handlers_dir: str = "services"  # user code, relative to the project root: <handlers_dir>/<service>/
    project_root_from_output: str = "../.."  # generated/<system> sits two levels below the project root
    local_data_dir: str = ".rosec/data"  # volumes of services run as local processes, under the project root

    def local_volume(self, system: str, datastore: str) -> str:
        """The directory (relative to the project root) that stands in for a volume when services run locally."""
        return f"{self.local_data_dir}/{system}/{datastore}"

    def dockerfile(self, python_name: str) -> str:
        """The Dockerfile of a service: it lives in the service's Python package, named by Service.python_name."""
        return f"{self.services_dir}/{python_name}/Dockerfile"

    def from_project_root(self, system: str, path: str) -> str:
        """A path under generated/<system>/ as seen from the project root (Docker build context, commands)."""
        return f"generated/{system}/{path}"


@dataclass(frozen=True)
class System:
    name: str
    domain: str
    description: str
    owner: str
    spec_file: str  # file name of the spec, for headers
    environments: tuple[Environment, ...]
    identity: Identity | None
    observability: Observability
    messages: tuple[Message, ...]
    enums: tuple[EnumType, ...]
    events: tuple[Event, ...]
    datastores: tuple[Datastore, ...]
    services: tuple[Service, ...]
    messaging: Messaging | None
    layout: Layout = Layout()

    def service(self, name: str) -> Service:
        return self.services_by_name[name]

    def datastore(self, name: str) -> Datastore:
        return self.datastores_by_name[name]

    def event(self, name: str) -> Event:
        return self.events_by_name[name]

    # Indexes by name, built on first use (targets look names up per service: a scan would be quadratic).
    @cached_property
    def services_by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    @cached_property
    def datastores_by_name(self) -> dict[str, Datastore]:
        return {d.name: d for d in self.datastores}

    @cached_property
    def events_by_name(self) -> dict[str, Event]:
        return {e.name: e for e in self.events}

    @cached_property
    def messages_by_name(self) -> dict[str, Message]:
        return {m.name: m for m in self.messages}

    @cached_property
    def enums_by_name(self) -> dict[str, EnumType]:
        return {e.name: e for e in self.enums}

    @cached_property
    def package_names(self) -> frozenset[str]:
        """Service.python_name of every service: the top-level packages of the generated code."""
        return frozenset(s.python_name for s in self.services)

    def environment(self, name: str) -> Environment:
        return next(e for e in self.environments if e.name == name)

    def local_env(self, service_name: str, port_offset: int = 0) -> tuple[EnvVar, ...]:
        """The env of a service run as a local process against infrastructure on 127.0.0.1 (`rosec run`);
        see rosec.model.build.local_service_env."""
        from rosec.model.build import local_service_env  # build imports this module

        return local_service_env(self, service_name, port_offset)

    @property
    def compose_environment(self) -> Environment | None:
        return next((e for e in self.environments if e.hosting == "compose"), None)

    @property
    def has_gateway(self) -> bool:
        return any(s.gateway for s in self.services)

    def header(self, comment: str = "#") -> str:
        # Short enough for a 120-column line with the longest system name (generated Python passes ruff's E501).
        return (f"{comment} Generated by rosec from {self.spec_file} (system {self.name}). "
                "Do not edit: run `rosec build`.\n")
