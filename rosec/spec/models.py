"""The rose.yaml language (v1), defined once as pydantic models.

The published JSON Schema is exported from these models; the resolver adds the
checks a schema cannot express (references, collisions, cycles).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from rosec.spec import names
from rosec.spec.alerts_models import AlertsSpec, OwnerName
from rosec.spec.aws_models import AwsSpec
from rosec.spec.base import (
    DatastoreName,
    EnvironmentName,
    EnvVarName,
    EventName,
    MessageName,
    Name,
    PathParamName,
    RateLimitText,
    RoleName,
    ScopeName,
    ServiceName,
    Spec,
    WireName,
)
from rosec.spec.edge_models import DevUserSpec, EnvironmentGatewaySpec, Origin
from rosec.spec.kubernetes_models import KubernetesSpec
from rosec.spec.logs_models import LogsSpec, SentrySpec

__all__ = ["Name", "Spec"]  # re-exported: the sections' base and name helper

TypeExpr = Annotated[str, Field(min_length=1, description=(
    "A field type: a scalar (string, int, float, bool, uuid, decimal, datetime, date, bytes), "
    "a message or enum name, list[T], map[string, T] or optional[T]."))]
Cpu = Annotated[str, Field(pattern=names.CPU, description="CPU as Kubernetes quantity: 250m, 0.5, 1, 2.")]
Memory = Annotated[str, Field(pattern=names.MEMORY, description="Memory as Kubernetes quantity: 256Mi, 1Gi.")]


class Hosting(StrEnum):
    compose = "compose"
    kubernetes = "kubernetes"
    aws = "aws"


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class GatewayAuth(StrEnum):
    public = "public"
    authenticated = "authenticated"


class DatastoreEngine(StrEnum):
    postgres = "postgres"
    volume = "volume"


class SystemSpec(Spec):
    name: Annotated[str, Field(pattern=names.DNS_LABEL, max_length=names.MAX_SYSTEM_NAME)]
    """The system's name: lowercase DNS label, used as prefix of every derived name."""
    domain: Annotated[str, Field(pattern=names.DOMAIN)]
    """The public DNS domain of the system, e.g. shop.example.com."""
    description: str = ""
    """One line about the system."""
    owner: str = ""
    """Team or contact that owns the system (labels and tags)."""
    handlers_dir: Annotated[str, Field(pattern=names.RELATIVE_DIR)] = "services"
    """Where the hand-written handlers live, relative to the project root: <handlers_dir>/<service>/."""


class Resources(Spec):
    cpu: Cpu = "250m"
    """CPU per replica (Kubernetes quantity)."""
    memory: Memory = "256Mi"
    """Memory per replica (Kubernetes quantity)."""


class ServiceOverride(Spec):
    replicas: Annotated[int, Field(ge=0, le=1000)] | None = None
    """Replica count of this service in this environment."""
    resources: Resources | None = None
    """Resources of this service in this environment."""


class EnvironmentSpec(Spec):
    hosting: Hosting
    """Where this environment runs: compose (local), kubernetes (Helm) or aws (Terraform, ECS on Fargate)."""
    domain: Annotated[str, Field(pattern=names.DOMAIN)] | None = None
    """Overrides system.domain in this environment."""
    region: Annotated[str, Field(pattern=names.AWS_REGION)] | None = None
    """AWS region; required when hosting is aws."""
    replicas: Annotated[int, Field(ge=0, le=1000)] | None = None
    """Default replica count of every service in this environment."""
    services: dict[ServiceName, ServiceOverride] = {}
    """Per-service overrides in this environment."""
    logs: LogsSpec = LogsSpec()
    """How long this environment keeps the services' logs (observability.logs)."""
    sentry: SentrySpec = SentrySpec()
    """Error reporting and tracing of this environment's services (observability.sentry)."""
    cors_origins: list[Origin] = []
    """Browser origins allowed to call the gateway from another origin (CORS); none: no cross-origin calls."""
    gateway: EnvironmentGatewaySpec = EnvironmentGatewaySpec()
    """The gateway's nodes and where they count requests for rate limits."""
    dev_users: list[DevUserSpec] = []
    """Users of the realm in this environment, for development and tests; an error outside compose hosting
    unless allow_dev_users is set."""
    allow_dev_users: bool = False
    """Accept dev_users in a kubernetes or aws environment (a shared test cluster, say)."""
    kubernetes: KubernetesSpec | None = None
    """Settings of a kubernetes environment (Helm charts): registry, exposure, storage, secrets, operators."""
    aws: AwsSpec | None = None
    """AWS settings of an environment with hosting aws: account, Terraform state, network, DNS, database sizes."""


class IdentitySpec(Spec):
    realm: Annotated[str, Field(pattern=names.DNS_LABEL, max_length=40)]
    """The Keycloak realm."""
    roles: list[RoleName] = []
    """Realm roles that endpoints and methods can require."""
    scopes: list[ScopeName] = []
    """OAuth client scopes."""


class RecordSpec(Spec):
    fields: Annotated[dict[WireName, TypeExpr], Field(min_length=1)]
    """Field name as in the JSON body (e.g. customer_id, tripId, created-at, from) to type expression."""
    description: str = ""


class EnumSpec(Spec):
    enum: Annotated[list[WireName], Field(min_length=1)]
    """The enum's values as in JSON (e.g. pending, IN_PROGRESS, on-hold)."""
    description: str = ""


def _message_kind(value: object) -> str:
    return "enum" if isinstance(value, dict) and "enum" in value else "record"


MessageSpec = Annotated[
    Annotated[RecordSpec, Tag("record")] | Annotated[EnumSpec, Tag("enum")],
    Discriminator(_message_kind),
]


class EventSpec(Spec):
    message: MessageName
    """The message the event carries."""
    description: str = ""
    external: bool = False
    """Systems outside this spec publish or consume it: no warning when no service of the spec publishes it,
    or none consumes it."""


class DatastoreSpec(Spec):
    engine: DatastoreEngine
    """postgres (a database: RDS on AWS) or volume (shared files: EFS on AWS)."""
    version: Annotated[str, Field(pattern=names.VERSION)] | None = None
    """Engine version (postgres only), e.g. "16"."""
    size_gb: Annotated[int, Field(ge=1, le=65536)] = 20
    """Storage size in GiB."""


class RestEndpoint(Spec):
    method: HttpMethod
    path: Annotated[str, Field(pattern=names.HTTP_PATH)]
    """Path inside the service, with {param} segments."""
    params: dict[PathParamName, TypeExpr] = {}
    """Types of path parameters (default string)."""
    query: dict[WireName, TypeExpr] = {}
    """Query parameters and their types."""
    request: MessageName | None = None
    """Request body message."""
    response: MessageName | None = None
    """Response body message; `list[Message]` is not allowed here: wrap lists in a message."""
    status: Annotated[int, Field(ge=200, le=299)] | None = None
    """Success status; default 201 for POST, 204 without response, else 200."""
    roles: list[RoleName] = []
    """Roles of which the caller needs at least one; empty means any authenticated caller or public per gateway."""
    public: bool = False
    """Callable without a token."""
    summary: str = ""
    rate_limit: RateLimitText | None = None
    """Requests per client at the gateway for this endpoint, instead of the service's gateway rate_limit."""


class GrpcMethod(Spec):
    name: Annotated[str, Field(pattern=names.GRPC_METHOD)]
    """Method name, PascalCase."""
    request: MessageName
    response: MessageName
    client_streaming: bool = False
    server_streaming: bool = False
    roles: list[RoleName] = []
    """Roles of which the caller needs at least one."""
    public: bool = False
    """Callable without a token."""
    summary: str = ""
    rate_limit: RateLimitText | None = None
    """Requests per client at the gateway for this method, instead of the service's gateway rate_limit."""


class GatewaySpec(Spec):
    path: Annotated[str, Field(pattern=names.GATEWAY_PATH)]
    """Path prefix on the gateway, e.g. /api/orders; stripped before forwarding."""
    rate_limit: RateLimitText | None = None
    """Requests per client, e.g. 100/minute, counted over the service's endpoints that set no limit of their own."""
    auth: GatewayAuth = GatewayAuth.authenticated
    """authenticated: the gateway requires a valid token; public: it does not."""
    grpc: bool = False
    """Expose the service's gRPC methods at the gateway too (gRPC routes on the gateway's HTTP/2 listener)."""
    max_body_kb: Annotated[int, Field(ge=1, le=1048576)] = 1024
    """Largest request body the gateway forwards to the service, in KiB."""


class ScalingSpec(Spec):
    min: Annotated[int, Field(ge=0, le=1000)] = 1
    max: Annotated[int, Field(ge=1, le=1000)] = 1
    cpu_target: Annotated[int, Field(ge=10, le=95)] = 70
    """Average CPU utilisation (percent) that autoscaling aims for."""


class HealthSpec(Spec):
    interval_s: Annotated[int, Field(ge=1, le=300)] = 10
    timeout_s: Annotated[int, Field(ge=1, le=60)] = 3
    retries: Annotated[int, Field(ge=1, le=10)] = 3
    start_period_s: Annotated[int, Field(ge=0, le=600)] = 10


class SloSpec(Spec):
    availability: Annotated[float, Field(gt=50, lt=100)]
    """Target percentage of successful requests, e.g. 99.9."""
    latency_p99_ms: Annotated[int, Field(ge=1, le=60000)] | None = None
    """99th percentile latency target in milliseconds."""


ConfigValue = str | int | float | bool


class ServiceSpec(Spec):
    description: str = ""
    owner: OwnerName | None = None
    """Team that owns the service: its alerts carry this owner and follow alerts.owners. Default: system.owner."""
    port: Annotated[int, Field(ge=1024, le=64535)] | None = None
    """HTTP port; the gRPC port is port + 1000. Default: assigned from 8101 in declaration order."""
    rest: list[RestEndpoint] = []
    grpc: list[GrpcMethod] = []
    publishes: list[EventName] = []
    """Events this service publishes."""
    consumes: list[EventName] = []
    """Events this service consumes."""
    uses: list[DatastoreName] = []
    """Datastores this service reads and writes."""
    calls: list[ServiceName] = []
    """Services this service calls synchronously (REST or gRPC)."""
    gateway: GatewaySpec | None = None
    """Exposure through the API gateway; absent: not reachable through the gateway."""
    internal: bool = False
    """Callable only by the services that list it in `calls`: no gateway, no public endpoints, and tokens are
    accepted only from those services' clients."""
    scaling: ScalingSpec = ScalingSpec()
    resources: Resources = Resources()
    health: HealthSpec = HealthSpec()
    slo: SloSpec | None = None
    config: dict[EnvVarName, ConfigValue] = {}
    """Plain configuration passed as environment variables."""
    secrets: list[EnvVarName] = []
    """Names of secrets passed as environment variables; values never live in the spec."""


class ObservabilitySpec(Spec):
    metrics: bool = True
    """Prometheus scraping, alerts and Grafana dashboards."""
    logs: bool = True
    """Log shipping to Elasticsearch through Logstash, with Kibana."""
    sentry: bool = True
    """Sentry error reporting, enabled where SENTRY_DSN is set."""


class RoseSpec(Spec):
    rose: Literal[1]
    """Language version."""
    system: SystemSpec
    environments: Annotated[dict[EnvironmentName, EnvironmentSpec], Field(min_length=1)]
    identity: IdentitySpec | None = None
    observability: ObservabilitySpec = ObservabilitySpec()
    alerts: AlertsSpec = AlertsSpec()
    """Where Alertmanager sends alerts: receivers, and which receive page and ticket alerts of each owner."""
    messages: dict[MessageName, MessageSpec] = {}
    events: dict[EventName, EventSpec] = {}
    datastores: dict[DatastoreName, DatastoreSpec] = {}
    services: Annotated[dict[ServiceName, ServiceSpec], Field(min_length=1)]
