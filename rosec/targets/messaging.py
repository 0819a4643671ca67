"""RabbitMQ target: the broker topology for `rabbitmqctl import_definitions` and the AsyncAPI 3.0 document.

Both describe the topology derived once in the model (Messaging.exchanges, Consumer.queues/bindings), so the
imported definitions, the document and what the services' runtime declares cannot drift apart.

definitions.json holds no users, passwords or permissions: importing a permission of a user that does not exist
aborts the whole import (RabbitMQ 3.10: `no_such_user`), and the messaging user is created with its secret by
the hosting (RABBITMQ_DEFAULT_USER/PASS in Compose), never by a generated file.
"""

from __future__ import annotations

from typing import Any

from rosec.emit.serialize import to_json, to_yaml
from rosec.model.messaging import Consumer, Event
from rosec.model.services import Service
from rosec.model.system import Layout, System
from rosec.targets.services.json_schema import component_schemas

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
CONTENT_TYPE = "application/json"
CORRELATION_ID_LOCATION = "$message.header#/correlation_id"
SCHEMA_REF = "#/components/schemas/"
PERSISTENT = 2  # AMQP delivery mode


def outputs(layout: Layout) -> tuple[str, ...]:
    return layout.messaging_definitions, layout.asyncapi


def render(system: System) -> dict[str, bytes]:
    if not system.events or system.messaging is None:
        return {}
    return {
        system.layout.messaging_definitions: to_json(definitions(system)),
        system.layout.asyncapi: to_yaml(asyncapi(system), system.header()),
    }


def consumers(system: System) -> list[tuple[Service, Consumer]]:
    """Every (service, consumer) pair, in service then consumes order."""
    return [(service, consumer) for service in system.services for consumer in service.consumers]


# --- definitions.json --------------------------------------------------------------------------------------


def definitions(system: System) -> dict[str, Any]:
    messaging = system.messaging
    assert messaging is not None
    vhost = messaging.vhost
    pairs = consumers(system)
    return {
        "vhosts": [{"name": vhost}],
        "exchanges": [
            {"name": e.name, "vhost": vhost, "type": e.type, "durable": True, "auto_delete": False,
             "internal": False, "arguments": {}}
            for e in messaging.exchanges
        ],
        "queues": [
            {"name": q.name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": dict(q.arguments)}
            for _, consumer in pairs for q in consumer.queues
        ],
        "bindings": [
            {"source": b.exchange, "vhost": vhost, "destination": b.queue, "destination_type": "queue",
             "routing_key": b.routing_key, "arguments": {}}
            for _, consumer in pairs for b in consumer.bindings
        ],
    }


# --- asyncapi.yaml -----------------------------------------------------------------------------------------


def asyncapi(system: System) -> dict[str, Any]:
    document: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(system),
        "defaultContentType": CONTENT_TYPE,
    }
    servers = _servers(system)
    if servers:
        document["servers"] = servers
    document["channels"] = _channels(system)
    document["operations"] = _operations(system)
    document["components"] = {
        "messages": {event.name: _message(event) for event in system.events},
        "schemas": component_schemas(system, event_messages(system), SCHEMA_REF),
    }
    return document


def event_messages(system: System) -> tuple[str, ...]:
    """Records and enums that event payloads use, transitively, in spec order."""
    records = system.messages_by_name
    found: set[str] = set()
    pending = [e.message for e in system.events]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        if name in records:
            pending += [n for f in records[name].fields for n in f.type.references()]
    order = {name: i for i, name in enumerate([m.name for m in system.messages] + [e.name for e in system.enums])}
    return tuple(sorted(found, key=order.__getitem__))


def _info(system: System) -> dict[str, Any]:
    assert system.messaging is not None
    info: dict[str, Any] = {"title": f"{system.name} events", "version": "1.0.0"}
    description = f"Events of the {system.name} system, published to the topic exchange {system.messaging.exchange}."
    if system.description:
        description = f"{system.description}. {description}"
    info["description"] = description
    if system.owner:
        info["contact"] = {"name": system.owner}
    return info


def _servers(system: System) -> dict[str, Any]:
    environment, messaging = system.compose_environment, system.messaging
    if environment is None or messaging is None:
        return {}
    return {
        environment.name: {
            "host": f"{messaging.host}:{messaging.port}",
            "pathname": f"/{messaging.vhost}",
            "protocol": "amqp",
            "protocolVersion": "0-9-1",
            "description": f"RabbitMQ of the {environment.name} environment (vhost {messaging.vhost}).",
        }
    }


def _channels(system: System) -> dict[str, Any]:
    """One channel per event (its routing key on the events exchange), and one per consumer queue."""
    messaging = system.messaging
    assert messaging is not None
    channels: dict[str, Any] = {}
    for event in system.events:
        channel: dict[str, Any] = {"address": event.routing_key, "title": event.name}
        if event.description:
            channel["description"] = event.description
        channel["messages"] = {event.name: {"$ref": f"#/components/messages/{event.name}"}}
        channel["bindings"] = {"amqp": {
            "is": "routingKey",
            "exchange": {"name": event.exchange, "type": "topic", "durable": True, "autoDelete": False,
                         "vhost": messaging.vhost},
            "bindingVersion": AMQP_BINDING_VERSION,
        }}
        channels[event.name] = channel
    for service, consumer in consumers(system):
        channels[queue_channel(consumer)] = {
            "address": consumer.queue,
            "title": f"{consumer.event} for {service.name}",
            "description": (f"Queue of {service.name} bound to {messaging.exchange} with routing key "
                            f"{consumer.event}. Failed messages are retried through {consumer.retry_queue} "
                            f"up to {consumer.max_attempts} attempts, then dead-lettered to "
                            f"{consumer.dead_letter_queue}."),
            "messages": {consumer.event: {"$ref": f"#/components/messages/{consumer.event}"}},
            "bindings": {"amqp": {
                "is": "queue",
                "queue": {"name": consumer.queue, "durable": True, "exclusive": False, "autoDelete": False,
                          "vhost": messaging.vhost},
                "bindingVersion": AMQP_BINDING_VERSION,
            }},
        }
    return channels


def queue_channel(consumer: Consumer) -> str:
    """Channel id of a consumer's queue, `<system>.<service>.<event>-queue`: an event's channel id (its name) could
    only equal it if the event itself were named like that queue plus '-queue'."""
    return f"{consumer.queue}-queue"


def operation_id(service: str, action: str, event: str) -> str:
    """orders.send.order.created: service names are DNS labels (no dots), so ids cannot collide."""
    return f"{service}.{action}.{event}"


def _operations(system: System) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for event in system.events:
        for publisher in event.publishers:
            operations[operation_id(publisher, "send", event.name)] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{event.name}"},
                "messages": [{"$ref": f"#/channels/{event.name}/messages/{event.name}"}],
                "title": f"{publisher} publishes {event.name}",
                "bindings": {"amqp": {"deliveryMode": PERSISTENT, "mandatory": True,
                                      "bindingVersion": AMQP_BINDING_VERSION}},
            }
    for service, consumer in consumers(system):
        operations[operation_id(service.name, "receive", consumer.event)] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{queue_channel(consumer)}"},
            "messages": [{"$ref": f"#/channels/{queue_channel(consumer)}/messages/{consumer.event}"}],
            "title": f"{service.name} consumes {consumer.event}",
            "summary": f"Handled by {service.python_name}.handlers {consumer.handler}.",
            "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    return operations


def _message(event: Event) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": event.name,
        "title": event.message,
        "contentType": CONTENT_TYPE,
        "correlationId": {"description": "Correlation id of the request that caused the event",
                          "location": CORRELATION_ID_LOCATION},
        "payload": {"$ref": f"{SCHEMA_REF}{event.message}"},
        # the runtime publishes with the AMQP `type` property set to the event name
        "bindings": {"amqp": {"messageType": event.name, "bindingVersion": AMQP_BINDING_VERSION}},
    }
    if event.description:
        message["summary"] = event.description
    return message

