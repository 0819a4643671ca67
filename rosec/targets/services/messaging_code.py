"""services/<svc>/messaging.py: the service's part of the RabbitMQ topology, typed publishers, consumer bindings.

The module is the only place generated service code names exchanges and queues; it reads them from the model
(Messaging, Consumer), as messaging/definitions.json does, so what a service declares at startup and what the
broker imported are the same. The runtime types come from rose_runtime.amqp (Broker) and
rose_runtime.amqp_topology (Topology, ConsumerTopology).
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from rosec.model.naming import GeneratedClass, generated_class
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.services import signatures
from rosec.targets.services.templating import Imports, python_environment, rendered

TEMPLATES = "templates/messaging"


def events_class(service: Service) -> str:
    """`<Prefix>Events`: constructed in deps.py as `events`."""
    return generated_class(service.class_prefix, GeneratedClass.EVENTS)


def consumers_class(service: Service) -> str:
    """`<Prefix>Consumers`: the protocol of the consumer handlers that start_consumers binds."""
    return generated_class(service.class_prefix, GeneratedClass.CONSUMERS)


def module_path(system: System, service: Service) -> str:
    return f"{system.layout.services_dir}/{service.python_name}/messaging.py"


def render_messaging_code(system: System) -> dict[str, bytes]:
    """messaging.py for every service that publishes or consumes events."""
    if system.messaging is None:
        return {}
    return {module_path(system, s): messaging_module(system, s) for s in system.services if s.needs_broker}


def messaging_module(system: System, service: Service) -> bytes:
    assert system.messaging is not None
    published = [system.event(name) for name in service.publishes]
    consumers = list(service.consumers)
    imports = Imports().add("typing", "Protocol").add("rose_runtime.amqp", "Broker")
    imports.add("rose_runtime.amqp_topology", "Topology")
    if consumers:
        imports.add("rose_runtime.amqp_topology", "ConsumerTopology").add("rose_runtime.context", "MessageContext")
    imports.add(f"{service.python_name}.models", *({e.message for e in published} | {c.message for c in consumers}))
    template = "messaging.py.jinja"
    content = _environment().get_template(template).render(
        header=system.header(),
        service=service,
        messaging=system.messaging,
        imports=imports.render(service.python_name),
        exports=["TOPOLOGY", events_class(service), consumers_class(service), "register_consumers",
                 "start_consumers"],
        published=published,
        consumers=consumers,
        handlers=[signatures.consumer_handler(c) for c in consumers],
        events_class=events_class(service),
        consumers_class=consumers_class(service),
        published_summary=", ".join(service.publishes) or "none",
        consumed_summary=", ".join(c.event for c in consumers) or "none",
    )
    return rendered(template, content)


@cache
def _environment() -> Environment:
    return python_environment(TEMPLATES)
