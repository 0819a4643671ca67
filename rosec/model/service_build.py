"""Services of the model built from the spec: ports assigned, endpoints and methods with their derived names, the
records and enums each service uses."""

from __future__ import annotations

from collections.abc import Iterable

from rosec.model import infrastructure, naming
from rosec.model.messaging import Messaging, build_consumer
from rosec.model.metrics import latency_buckets
from rosec.model.services import (
    Endpoint,
    Gateway,
    GrpcMethod,
    Health,
    RateLimit,
    Resources,
    Scaling,
    Service,
    Slo,
    param,
)
from rosec.spec import models as spec_models
from rosec.spec.models import RecordSpec, RoseSpec, ServiceSpec
from rosec.spec.types import TypeSyntaxError, parse_type

FIRST_SERVICE_PORT = 8101
GRPC_PORT_OFFSET = 1000


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
