"""Events and the RabbitMQ topology of the model: exchanges, queues, bindings, consumers."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import infrastructure, naming
from rosec.spec.models import RoseSpec

CONSUMER_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Event:
    """An event. `name` is its wire name: the routing key, the AMQP `type` property, the AsyncAPI channel."""

    name: str
    python_name: str  # order.created -> order_created, tripBooked -> trip_booked: the publisher method of <Svc>Events
    message: str
    description: str
    exchange: str
    routing_key: str
    publishers: tuple[str, ...]
    consumers: tuple[str, ...]


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


def build_messaging(spec: RoseSpec) -> Messaging | None:
    """The broker of the system, or None when it declares no event."""
    if not spec.events:
        return None
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


def build_events(spec: RoseSpec, messaging: Messaging | None) -> tuple[Event, ...]:
    if messaging is None:
        return ()
    parties = _event_parties(spec)
    return tuple(Event(
        name=name,
        python_name=naming.event_python_name(name),
        message=event.message,
        description=event.description,
        exchange=messaging.exchange,
        routing_key=name,
        publishers=tuple(parties[name][0]),
        consumers=tuple(parties[name][1]),
    ) for name, event in spec.events.items())


def _event_parties(spec: RoseSpec) -> dict[str, tuple[list[str], list[str]]]:
    """(publishers, consumers) of every event, services in declaration order: one pass over the services."""
    parties: dict[str, tuple[list[str], list[str]]] = {name: ([], []) for name in spec.events}
    for service_name, s in spec.services.items():
        for side, events in ((0, s.publishes), (1, s.consumes)):
            for event in dict.fromkeys(events):
                if event in parties:
                    parties[event][side].append(service_name)
    return parties


def build_consumer(spec: RoseSpec, messaging: Messaging, service: str, event: str) -> Consumer:
    """The queue of one consumed event, its retry queue (messages wait out their expiration there, then go
    back to the queue through the default exchange) and its dead-letter queue (rejected messages)."""
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
