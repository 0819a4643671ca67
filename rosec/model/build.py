"""Build the System model from a checked spec: normalization and derivation, once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rosec.model import infrastructure, naming
from rosec.model.system import (
    Binding,
    Consumer,
    Datastore,
    Endpoint,
    EnumType,
    Environment,
    EnvVar,
    Event,
    Exchange,
    Gateway,
    GrpcMethod,
    Health,
    Identity,
    Layout,
    Message,
    MessageField,
    Messaging,
    Observability,
    Param,
    Queue,
    RateLimit,
    Resources,
    Scaling,
    Service,
    ServiceDeployment,
    Slo,
    System,
)
from rosec.spec import models as spec_models
from rosec.spec.models import EnumSpec, RecordSpec, RoseSpec, ServiceSpec
from rosec.spec.types import parse_type

FIRST_SERVICE_PORT = 8101
GRPC_PORT_OFFSET = 1000
CONSUMER_MAX_ATTEMPTS = 5
LOCAL_ENVIRONMENT = "local"  # ROSE_ENVIRONMENT of services run as local processes (`rosec run`)


def build_system(spec: RoseSpec, spec_file: str) -> System:
    name = spec.system.name
    ports = _assign_ports(spec)
    messaging = _messaging(spec) if spec.events else None
    parties = _event_parties(spec)
    order = {n: i for i, n in enumerate(spec.messages)}
    services = tuple(_service(spec, n, s, ports[n], order) for n, s in spec.services.items())
    system = System(
        name=name,
        domain=spec.system.domain,
        description=spec.system.description,
        owner=spec.system.owner,
        spec_file=spec_file,
        environments=(),
        identity=Identity(spec.identity.realm, tuple(spec.identity.roles), tuple(spec.identity.scopes))
        if spec.identity else None,
        observability=Observability(spec.observability.metrics, spec.observability.logs, spec.observability.sentry),
        messages=tuple(_message(n, m) for n, m in spec.messages.items() if isinstance(m, RecordSpec)),
        enums=tuple(EnumType(n, tuple(m.enum), m.description) for n, m in spec.messages.items()
                    if isinstance(m, EnumSpec)),
        events=tuple(_event(n, e, messaging, parties) for n, e in spec.events.items()),
        datastores=tuple(_datastore(n, d) for n, d in spec.datastores.items()),
        services=services,
        messaging=messaging,
        layout=Layout(handlers_dir=spec.system.handlers_dir),
    )
    environments = tuple(_environment(spec, system, n, e) for n, e in spec.environments.items())
    return replace(system, environments=environments)


def _assign_ports(spec: RoseSpec) -> dict[str, int]:
    """Explicit ports first; the rest from 8001 up in declaration order, skipping taken ones."""
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


def _message(name: str, spec: RecordSpec) -> Message:
    fields = []
    for field_name, text in spec.fields.items():
        ref = parse_type(text)
        optional = ref.kind == "optional"
        fields.append(MessageField(field_name, ref.item if optional else ref, optional))
    return Message(name, tuple(fields), spec.description)


def _messaging(spec: RoseSpec) -> Messaging:
    system = spec.system.name
    events, retry, dead_letter = f"{system}.events", f"{system}.retry", f"{system}.dead-letter"
    return Messaging(
        exchange=events,
        dead_letter_exchange=dead_letter,
        retry_exchange=retry,
        vhost=system,
        user=system,
        password_env="RABBITMQ_PASSWORD",
        host=infrastructure.RABBITMQ.host,
        port=infrastructure.RABBITMQ.port,
        exchanges=(Exchange(events, "topic"), Exchange(retry, "direct"), Exchange(dead_letter, "direct")),
    )


def _event_parties(spec: RoseSpec) -> dict[str, tuple[list[str], list[str]]]:
    """(publishers, consumers) of every event, services in declaration order: one pass over the services."""
    parties: dict[str, tuple[list[str], list[str]]] = {name: ([], []) for name in spec.events}
    for service_name, s in spec.services.items():
        for side, events in ((0, s.publishes), (1, s.consumes)):
            for event in dict.fromkeys(events):
                if event in parties:
                    parties[event][side].append(service_name)
    return parties


def _event(name: str, event: spec_models.EventSpec, messaging: Messaging | None,
           parties: dict[str, tuple[list[str], list[str]]]) -> Event:
    assert messaging is not None
    return Event(
        name=name,
        python_name=naming.python_identifier(name),
        message=event.message,
        description=event.description,
        exchange=messaging.exchange,
        routing_key=name,
        publishers=tuple(parties[name][0]),
        consumers=tuple(parties[name][1]),
    )


def _datastore(name: str, store: spec_models.DatastoreSpec) -> Datastore:
    prefix = naming.env_prefix(name)
    identifier = naming.python_identifier(name)
    is_postgres = store.engine.value == "postgres"
    return Datastore(
        name=name,
        engine=store.engine.value,
        version=(store.version or infrastructure.POSTGRES_DEFAULT_VERSION) if is_postgres else "",
        size_gb=store.size_gb,
        host=name,
        port=infrastructure.POSTGRES_PORT if is_postgres else 0,
        database=identifier if is_postgres else "",
        user=identifier if is_postgres else "",
        url_env=f"{prefix}_URL" if is_postgres else f"{prefix}_PATH",
        password_env=f"{prefix}_PASSWORD" if is_postgres else "",
        volume=f"{name}-data",
        mount_path="" if is_postgres else f"/data/{name}",
    )


def _service(spec: RoseSpec, name: str, s: ServiceSpec, port: int, order: dict[str, int]) -> Service:
    system = spec.system.name
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
        messages=_messages_used(spec, s, order),
        endpoints=tuple(_endpoint(e) for e in s.rest),
        grpc_methods=tuple(GrpcMethod(m.name, m.request, m.response, m.client_streaming, m.server_streaming,
                                      tuple(m.roles), m.public, m.summary, naming.snake_case(m.name))
                           for m in s.grpc),
        publishes=tuple(s.publishes),
        consumers=tuple(_consumer(spec, name, event) for event in s.consumes),
        uses=tuple(s.uses),
        calls=tuple(s.calls),
        gateway=_gateway(s.gateway) if s.gateway else None,
        scaling=Scaling(s.scaling.min, s.scaling.max, s.scaling.cpu_target),
        resources=_resources(s.resources),
        health=Health("/healthz", "/readyz", s.health.interval_s, s.health.timeout_s, s.health.retries,
                      s.health.start_period_s),
        slo=Slo(s.slo.availability, s.slo.latency_p99_ms) if s.slo else None,
        config=tuple((k, _config_text(v)) for k, v in s.config.items()),
        secrets=tuple(s.secrets),
    )


def _messages_used(spec: RoseSpec, s: ServiceSpec, order: dict[str, int]) -> tuple[str, ...]:
    """Records and enums reachable from the service's endpoints, methods and events, in spec order
    (`order`: the position of every message in the spec)."""
    roots = [t for e in s.rest for t in (*e.params.values(), *e.query.values())]
    roots += [m for e in s.rest for m in (e.request, e.response) if m]
    roots += [m for g in s.grpc for m in (g.request, g.response)]
    roots += [spec.events[e].message for e in (*s.publishes, *s.consumes)]
    found: set[str] = set()
    pending = [name for text in roots for name in parse_type(text).references()]
    while pending:
        name = pending.pop()
        if name in found or name not in spec.messages:
            continue
        found.add(name)
        message = spec.messages[name]
        if isinstance(message, RecordSpec):
            pending += [n for text in message.fields.values() for n in parse_type(text).references()]
    return tuple(sorted(found, key=order.__getitem__))


def _endpoint(e: spec_models.RestEndpoint) -> Endpoint:
    method = e.method.value
    params = tuple(Param(p, parse_type(e.params.get(p, "string"))) for p in naming.path_params(e.path))
    query = tuple(Param(q, parse_type(t)) for q, t in e.query.items())
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
    )


def _default_status(method: str, response: str | None) -> int:
    if response is None:
        return 204
    return 201 if method == "POST" else 200


def _consumer(spec: RoseSpec, service: str, event: str) -> Consumer:
    """The queue of one consumed event, its retry queue (messages wait out their expiration there, then go
    back to the queue through the default exchange) and its dead-letter queue (rejected messages)."""
    messaging = _messaging(spec)
    queue = f"{spec.system.name}.{service}.{event}"
    retry_queue, dead_letter_queue = f"{queue}.retry", f"{queue}.dead"
    return Consumer(
        event=event,
        message=spec.events[event].message,
        queue=queue,
        dead_letter_queue=dead_letter_queue,
        retry_queue=retry_queue,
        max_attempts=CONSUMER_MAX_ATTEMPTS,
        handler=naming.consumer_handler(event),
        queues=(
            Queue(queue, (("x-dead-letter-exchange", messaging.dead_letter_exchange),
                          ("x-dead-letter-routing-key", queue))),
            Queue(retry_queue, (("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", queue))),
            Queue(dead_letter_queue, ()),
        ),
        bindings=(
            Binding(messaging.exchange, queue, event),
            Binding(messaging.retry_exchange, retry_queue, queue),
            Binding(messaging.dead_letter_exchange, dead_letter_queue, queue),
        ),
    )


def _gateway(g: spec_models.GatewaySpec) -> Gateway:
    limit = None
    if g.rate_limit:
        count, unit = g.rate_limit.split("/")
        limit = RateLimit(int(count), unit)
    return Gateway(g.path, limit, g.auth.value)


def _resources(r: spec_models.Resources) -> Resources:
    cpu = int(r.cpu[:-1]) if r.cpu.endswith("m") else round(float(r.cpu) * 1000)
    memory = int(r.memory[:-2]) * (1024 if r.memory.endswith("Gi") else 1)
    return Resources(r.cpu, r.memory, cpu, memory)


def _config_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _environment(spec: RoseSpec, system: System, name: str, env: spec_models.EnvironmentSpec) -> Environment:
    hosting = env.hosting.value
    domain = env.domain or spec.system.domain
    local = hosting == "compose"
    public_url = f"http://localhost:{infrastructure.KONG.published_port}" if local else f"https://{domain}"
    issuer = jwks = issuer_base = None
    if system.identity:
        issuer_base = _LOCAL_ISSUER_BASE if local else f"https://auth.{domain}"
        backchannel = f"http://{infrastructure.KEYCLOAK.host}:{infrastructure.KEYCLOAK.port}" if local else issuer_base
        issuer, jwks = _oidc_urls(system.identity.realm, issuer_base, backchannel)
    deployments = {}
    for service in system.services:
        override = env.services.get(service.name)
        replicas = next(v for v in (override.replicas if override else None, env.replicas,
                                    service.scaling.min if not local else None, 1) if v is not None)
        resources = _resources(override.resources) if override and override.resources else service.resources
        autoscaling = service.scaling if not local and service.scaling.max > service.scaling.min else None
        deployments[service.name] = ServiceDeployment(replicas, resources, autoscaling,
                                                      _service_env(system, service, name, issuer, jwks))
    return Environment(name, hosting, domain, env.region, public_url, issuer_base, issuer, jwks, deployments)


_LOCAL_ISSUER_BASE = f"http://localhost:{infrastructure.KEYCLOAK.published_port}"  # as users reach Keycloak


def _oidc_urls(realm: str, issuer_base: str, backchannel: str) -> tuple[str, str]:
    """The issuer (as tokens name it) and the JWKS URL (as services fetch it) of a realm."""
    return f"{issuer_base}/realms/{realm}", f"{backchannel}/realms/{realm}/protocol/openid-connect/certs"


@dataclass(frozen=True)
class _Placement:
    """Where a service runs: in a container (peers and infrastructure by host name), or as a local process
    (everything on 127.0.0.1 at the same ports; `port_offset` shifts the ports of the system's services)."""

    local: bool = False
    port_offset: int = 0

    def host(self, name: str) -> str:
        return infrastructure.LOCAL_BIND if self.local else name

    def port(self, service_port: int) -> int:
        return service_port + self.port_offset


_IN_CONTAINER = _Placement()


def local_service_env(system: System, service_name: str, port_offset: int = 0) -> tuple[EnvVar, ...]:
    """The env of a service run as a local process against infrastructure on 127.0.0.1 (`rosec run`).

    The variables of the compose environment's env with the same ports, host names replaced by 127.0.0.1,
    ROSE_ENVIRONMENT `local`, the compose environment's OIDC issuer with Keycloak's keys on its published port,
    and volumes in directories under the project root (Layout.local_volume). `port_offset` shifts the HTTP and
    gRPC ports of every service of the system (and so the peer URLs), e.g. to run two systems side by side.
    """
    issuer = jwks = None
    if system.identity:
        backchannel = f"http://{infrastructure.LOCAL_BIND}:{infrastructure.KEYCLOAK.published_port}"
        issuer, jwks = _oidc_urls(system.identity.realm, _LOCAL_ISSUER_BASE, backchannel)
    return _service_env(system, system.service(service_name), LOCAL_ENVIRONMENT, issuer, jwks,
                        _Placement(local=True, port_offset=port_offset))


def _service_env(system: System, service: Service, environment: str, issuer: str | None,
                 jwks: str | None, where: _Placement = _IN_CONTAINER) -> tuple[EnvVar, ...]:
    env = [
        EnvVar("ROSE_SYSTEM", system.name),
        EnvVar("SERVICE_NAME", service.name),
        EnvVar("ROSE_ENVIRONMENT", environment),
        EnvVar("PORT", str(where.port(service.port))),
    ]
    if where.local:  # a local process listens on loopback only; in a container it must take every interface
        env.append(EnvVar("BIND_HOST", infrastructure.LOCAL_BIND))
    if service.grpc_port:
        env.append(EnvVar("GRPC_PORT", str(where.port(service.grpc_port))))
    if service.needs_broker and system.messaging:
        m = system.messaging
        env += [EnvVar("AMQP_URL", f"amqp://{m.user}@{where.host(m.host)}:{m.port}/{m.vhost}"),
                EnvVar("AMQP_PASSWORD", secret=m.password_env)]
    for store_name in service.uses:
        store = system.datastore(store_name)
        if store.engine == "postgres":
            env += [EnvVar(store.url_env,
                           f"postgresql://{store.user}@{where.host(store.host)}:{store.port}/{store.database}"),
                    EnvVar(store.password_env, secret=store.password_env)]
        else:
            path = system.layout.local_volume(system.name, store.name) if where.local else store.mount_path
            env.append(EnvVar(store.url_env, path))
    for peer_name in service.calls:
        peer = system.service(peer_name)
        env.append(EnvVar(peer.url_env, f"http://{where.host(peer.host)}:{where.port(peer.port)}"))
        if peer.grpc_port:
            env.append(EnvVar(peer.grpc_target_env, f"{where.host(peer.host)}:{where.port(peer.grpc_port)}"))
    if issuer and jwks:
        env += [EnvVar("OIDC_ISSUER_URL", issuer), EnvVar("OIDC_JWKS_URL", jwks),
                EnvVar("OIDC_AUDIENCE", service.client_id)]
    if system.observability.sentry:
        env += [EnvVar("SENTRY_DSN", secret="SENTRY_DSN", optional=True), EnvVar("SENTRY_ENVIRONMENT", environment)]
    env += [EnvVar(k, v) for k, v in service.config]
    env += [EnvVar(s, secret=s) for s in service.secrets]
    return tuple(env)

