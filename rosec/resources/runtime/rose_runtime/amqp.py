"""RabbitMQ: topology declaration, confirmed publishing, and consumers with retry, backoff and dead-lettering.

Topology (names derived in the rosec model): a topic exchange for events, a direct retry exchange and a direct
dead-letter exchange. Each consumed event has a queue bound to the events exchange with the event as routing
key; a failed delivery is republished to `<queue>.retry` with a per-message expiration (exponential backoff)
and comes back to `<queue>` when it expires; a message that cannot be parsed, or fails `max_attempts` times,
is rejected and dead-lettered to `<queue>.dead`.

This module holds the connection, the declaration and publishing; the topology is in amqp_topology, the handling
of each delivery in amqp_delivery and the retries in amqp_retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any, Generic

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustConnection,
)
from pydantic import BaseModel

from .amqp_delivery import Consumer, Deliveries, Handler, M
from .amqp_retry import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, backoff
from .amqp_topology import Topology
from .errors import Problem
from .logs import current_correlation_id
from .metrics import ServiceMetrics
from .settings import Settings
from .tracing import trace_headers

EVENT_HEADER = "x-rose-event"
DEFAULT_PREFETCH = 16


class Publisher(Generic[M]):
    """`await publish(message)`: returns once the broker confirmed the message (routed to at least one queue)."""

    def __init__(self, broker: Broker, event: str, model_type: type[M]) -> None:
        self.event = event
        self.model_type = model_type
        self._broker = broker

    async def __call__(self, message: M) -> None:
        if not isinstance(message, self.model_type):
            raise TypeError(f"event {self.event} carries {self.model_type.__name__}, not {type(message).__name__}")
        await self._broker.publish(self.event, message)


class Broker:
    """One service's connection to RabbitMQ: publishers and consumers of its events."""

    def __init__(
        self,
        settings: Settings,
        topology: Topology,
        metrics: ServiceMetrics,
        *,
        logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
        prefetch: int = DEFAULT_PREFETCH,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
        publish_timeout: float = 10.0,
        close_timeout: float = 10.0,
        connect_attempts: int = 5,
    ) -> None:
        if settings.amqp_url is None:
            raise ValueError("AMQP_URL is not set: this service has no broker")
        self.settings = settings
        self.topology = topology
        self.metrics = metrics
        self.log = logger or logging.getLogger("rose.amqp")
        self.prefetch = prefetch
        self.publish_timeout = publish_timeout
        self.close_timeout = close_timeout
        self.connect_attempts = connect_attempts
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._events_exchange: AbstractExchange | None = None
        self._registered: list[Consumer[Any]] = []
        self._running: list[Consumer[Any]] = []
        self._deliveries = Deliveries(metrics, self.log, backoff_base, backoff_cap, publish_timeout)

    # -- connection ---------------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect (robust: reconnects and restores channels and consumers), retrying a few times at startup."""
        if self._connection is not None:
            return
        url = self.settings.amqp_connection_url
        assert url is not None
        name = f"{self.settings.system}.{self.settings.service}"
        for attempt in range(1, self.connect_attempts + 1):
            try:
                self._connection = await aio_pika.connect_robust(url, client_properties={"connection_name": name})
                break
            except (OSError, aio_pika.exceptions.AMQPConnectionError) as error:
                if attempt == self.connect_attempts:
                    raise
                delay = backoff(attempt, 0.5, 5.0)
                self.log.warning("cannot connect to the broker (%s), retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
        assert self._connection is not None
        self._publish_channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._events_exchange = await self._publish_channel.get_exchange(self.topology.exchange, ensure=False)

    async def declare(self) -> None:
        """Declare this service's part of the topology (idempotent; exactly the arguments of definitions.json)."""
        connection = self._require_connection()
        t = self.topology
        async with connection.channel() as channel:
            events = await channel.declare_exchange(t.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
            retry = await channel.declare_exchange(t.retry_exchange, aio_pika.ExchangeType.DIRECT, durable=True)
            dead = await channel.declare_exchange(t.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True)
            for c in t.consumers:
                queue = await channel.declare_queue(c.queue, durable=True, arguments=t.queue_arguments(c))
                await queue.bind(events, routing_key=c.event)
                retry_queue = await channel.declare_queue(
                    c.retry_queue, durable=True, arguments=t.retry_queue_arguments(c)
                )
                await retry_queue.bind(retry, routing_key=c.queue)
                dead_queue = await channel.declare_queue(c.dead_letter_queue, durable=True)
                await dead_queue.bind(dead, routing_key=c.queue)

    async def ready(self) -> bool:
        """Readiness: connected, and the publishing channel is open."""
        return (
            self._connection is not None
            and not self._connection.is_closed
            and self._publish_channel is not None
            and not self._publish_channel.is_closed
        )

    async def close(self) -> None:
        """Cancel consumers, wait (bounded) for in-flight handlers, then close channels and the connection."""
        self._deliveries.closing = True
        for consumer in self._running:
            if consumer.queue is not None and consumer.tag is not None:
                with contextlib.suppress(Exception):
                    await consumer.queue.cancel(consumer.tag)
        await self._deliveries.drain(self.close_timeout)
        connection, self._connection = self._connection, None
        self._running.clear()
        self._publish_channel = self._events_exchange = None
        if connection is not None:
            await connection.close()

    def _require_connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise RuntimeError("the broker is not connected: call connect() first")
        return self._connection

    # -- publishing ---------------------------------------------------------------------------------------

    def publisher(self, event: str, model_type: type[M]) -> Publisher[M]:
        return Publisher(self, event, model_type)

    async def publish(self, event: str, message: BaseModel) -> None:
        """Publish persistent JSON with the event as routing key; Problem 503 when the broker does not take it."""
        if self._events_exchange is None:
            raise RuntimeError("the broker is not connected: call connect() first")
        amqp_message = aio_pika.Message(
            body=message.model_dump_json(by_alias=True).encode("utf-8"),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=uuid.uuid4().hex,
            correlation_id=current_correlation_id(),
            timestamp=datetime.now(UTC),
            type=event,
            app_id=self.settings.service,
            headers={EVENT_HEADER: event, **trace_headers()},
        )
        try:
            await self._events_exchange.publish(
                amqp_message, routing_key=event, mandatory=True, timeout=self.publish_timeout
            )
        except (TimeoutError, aio_pika.exceptions.AMQPError, ConnectionError) as error:
            self.log.error("event %s was not published: %r", event, error, extra={"rose.event": event})
            raise Problem(503, "Service Unavailable", f"event {event} could not be published") from error
        self.metrics.message_published(event)

    # -- consuming ----------------------------------------------------------------------------------------

    def register(self, queue: str, model_type: type[M], handler: Handler[M], max_attempts: int | None = None) -> None:
        """Bind a handler to a queue of the topology; it starts consuming with start_consumers()."""
        consumer = self.topology.consumer(queue)
        attempts = max_attempts if max_attempts is not None else consumer.max_attempts
        if attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._registered.append(Consumer(consumer, model_type, handler, attempts))

    async def start_consumers(self) -> None:
        """Start every registered consumer (serve() calls this once the servers are up)."""
        registered, self._registered = self._registered, []
        for consumer in registered:
            await self._start(consumer)

    async def consume(
        self, queue: str, model_type: type[M], handler: Handler[M], max_attempts: int | None = None
    ) -> None:
        """Start consuming `queue` now: manual ack, `prefetch` unacknowledged messages at most."""
        self.register(queue, model_type, handler, max_attempts)
        await self.start_consumers()

    async def _start(self, consumer: Consumer[Any]) -> None:
        connection = self._require_connection()
        self._deliveries.closing = False
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        t = consumer.topology
        consumer.channel = channel
        consumer.queue = await channel.declare_queue(t.queue, durable=True, arguments=self.topology.queue_arguments(t))
        consumer.retry_exchange = await channel.get_exchange(self.topology.retry_exchange, ensure=False)

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._deliveries.deliver(consumer, message)

        consumer.tag = await consumer.queue.consume(on_message, no_ack=False)
        self._running.append(consumer)
        self.log.info("consuming %s", t.queue, extra={"rose.event": t.event, "rose.queue": t.queue})
