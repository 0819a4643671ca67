"""Warnings about declarations that nothing uses and services that nothing reaches (docs/language.md, Warnings).

Each warning is a guess when the spec has errors that touch its kind: an unknown event in `consumes` may be the
consumer of an event that looks unused. So a kind with an unresolved reference or an invalid part that could hold
one (CheckContext.unresolved) gets no usage warnings until the errors are fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.spec.loader import PathKey
from rosec.spec.models import RecordSpec, RoseSpec
from rosec.spec.types import TypeSyntaxError, parse_type

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

# What a part of a spec that failed validation may have referred to, by its path: (section, field of a service).
_SERVICE_FIELD_KINDS = {"rest": {"message", "role"}, "grpc": {"message", "role"}, "publishes": {"event"},
                        "consumes": {"event"}, "uses": {"datastore"}, "calls": {"service"}}
_ALL_KINDS = {"message", "role", "event", "datastore", "service"}


def check_usage(c: CheckContext) -> None:
    unresolved = c.unresolved | {kind for path in c.pruned.dropped for kind in _kinds_under(path)}
    checks = {"event": check_events, "role": check_roles, "message": check_messages,
              "datastore": check_datastores, "service": check_services}
    for kind, check in checks.items():
        if kind not in unresolved:
            check(c)


def _kinds_under(path: PathKey) -> set[str]:
    if path[0] == "services":
        return _SERVICE_FIELD_KINDS.get(str(path[2]), set()) if len(path) > 2 else _ALL_KINDS
    return {"message"} if path[0] in ("messages", "events") else set()


def check_events(c: CheckContext) -> None:
    publishers: dict[str, list[str]] = {}
    consumers: dict[str, list[str]] = {}
    for service_name, service in c.spec.services.items():
        for event_name in dict.fromkeys(service.publishes):
            publishers.setdefault(event_name, []).append(service_name)
        for event_name in dict.fromkeys(service.consumes):
            consumers.setdefault(event_name, []).append(service_name)
    for name, event in c.spec.events.items():
        _check_event(c, name, event.external, publishers.get(name, []), consumers.get(name, []))


def _check_event(c: CheckContext, name: str, external: bool, publishers: list[str], consumers: list[str]) -> None:
    path = ("events", name)
    if not publishers and not consumers:
        c.warn(path, f"event '{name}' is neither published nor consumed by any service",
               "publish it (`publishes: [...]`) and consume it (`consumes: [...]`) in the services, or remove it",
               at_key=True)
    elif external:
        return
    elif not publishers:
        c.warn(path, f"event '{name}' is consumed (by {_listed(consumers)}) but no service publishes it",
               f"publish it from the service where it happens (`publishes: [{name}]`), or set `external: true` "
               "on the event if a system outside this spec publishes it", at_key=True)
    elif not consumers:
        c.warn(path, f"event '{name}' is published (by {_listed(publishers)}) but no service consumes it",
               f"consume it where it matters (`consumes: [{name}]`), or set `external: true` on the event if "
               "systems outside this spec consume it", at_key=True)


def check_roles(c: CheckContext) -> None:
    if c.spec.identity is None:
        return
    required = {role for service in c.spec.services.values()
                for operation in (*service.rest, *service.grpc) for role in operation.roles}
    for i, role in enumerate(c.spec.identity.roles):
        if role not in required:
            c.warn(("identity", "roles", i), f"role '{role}' is not required by any REST endpoint or gRPC method",
                   f"require it where it grants access (`roles: [{role}]` on an endpoint or method), or remove it")


def check_messages(c: CheckContext) -> None:
    """A message is used when an event, an endpoint or a method carries it, or a used message has it in a field."""
    refers_to = {name: _field_references(record) for name, record in c.records.items()}
    used = _carried_messages(c.spec)
    pending = list(used)
    while pending:
        for name in refers_to.get(pending.pop(), ()):
            if name not in used:
                used.add(name)
                pending.append(name)
    for name in c.spec.messages:
        if name in used:
            continue
        holders = [m for m, targets in refers_to.items() if name in targets]
        only = f"; only unused messages refer to it ({_listed(holders)})" if holders else ""
        c.warn(("messages", name), f"message '{name}' is not carried by any event, REST endpoint or gRPC method{only}",
               "use it in an endpoint, a method or an event, or remove it", at_key=True)


def check_datastores(c: CheckContext) -> None:
    used = {store for service in c.spec.services.values() for store in service.uses}
    for name in c.spec.datastores:
        if name not in used:
            c.warn(("datastores", name), f"datastore '{name}' is not used by any service",
                   f"add it to the `uses` of the services that read or write it (`uses: [{name}]`), or remove it",
                   at_key=True)


def check_services(c: CheckContext) -> None:
    """Reached: through the gateway, by a caller, or by an event it consumes. A service that nothing reaches but
    that publishes events and has no API is a source (a scheduler, a poller of another system): not warned."""
    called = {target for service in c.spec.services.values() for target in service.calls}
    for name, service in c.spec.services.items():
        if service.gateway or name in called or service.consumes or c.left_out("services", name):
            continue
        if service.rest or service.grpc:
            c.warn(("services", name), f"nothing reaches service '{name}': it has no gateway route, no service "
                   "calls it and it consumes no event", f"expose it (`gateway: {{path: /api/{name}}}`), add it to "
                   f"the `calls` of the services that use it, or remove it", at_key=True)
        elif not service.publishes:
            c.warn(("services", name), f"service '{name}' has no API and neither consumes nor publishes events: "
                   "nothing reaches it and it reaches nothing", "give it REST endpoints or gRPC methods, or let it "
                   "consume an event; or remove it", at_key=True)


def _carried_messages(spec: RoseSpec) -> set[str]:
    carried = {event.message for event in spec.events.values()}
    for service in spec.services.values():
        for endpoint in service.rest:
            carried |= {endpoint.request or "", endpoint.response or ""}
            for text in (*endpoint.params.values(), *endpoint.query.values()):
                carried |= _references(text)
        for method in service.grpc:
            carried |= {method.request, method.response}
    return carried - {""}


def _field_references(record: RecordSpec) -> set[str]:
    return {name for text in record.fields.values() for name in _references(text)}


def _references(text: str) -> set[str]:
    try:
        return set(parse_type(text).references())
    except TypeSyntaxError:
        return set()


def _listed(names: list[str]) -> str:
    return ", ".join(names)
