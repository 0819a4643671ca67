"""RabbitMQ: topology declaration, confirmed publishing, and consumers with retry, backoff and dead-lettering.

Topology (names derived in the rosec model): a topic exchange for events, a direct retry exchange and a direct
dead-letter exchange. Each consumed event has a queue bound to the events exchange with the event as routing
key; a failed delivery is republished to `<queue>.retry` with a per-message expiration (exponential backoff)
and comes back to `<queue>` when it expires; a message that cannot be parsed, or fails `max_attempts` times,
is rejected and dead-lettered to `<queue>.dead`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    ConsumerTag,
)
from pydantic import BaseModel, ValidationError

from .context import MessageContext
from .errors import Problem
from .logs import correlation_id_from_message, current_correlation_id, duration_ns, log_scope
from .metrics import ServiceMetrics
from .settings import Settings
from .tracing import QUEUE_PROCESS, trace_carrier, trace_headers, traced

EVENT_HEADER = "x-rose-event"
ATTEMPT_HEADER = "x-rose-attempt"
DEFAULT_PREFETCH = 16
DEFAULT_MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 30.0
# Headers the broker sets when it dead-letters a message; a republished retry must not carry them.
_BROKER_HEADER_PREFIXES = ("x-death", "x-first-death-", "x-last-death-")

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[M, MessageContext], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerTopology:
    """The queues of one consumed event."""

    event: str
    queue: str  # <system>.<service>.<event>
    retry_queue: str  # <queue>.retry
    dead_letter_queue: str  # <queue>.dead
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # x-arguments as the rosec model derives them (the same as in messaging/definitions.json): the main queue
    # dead-letters to the dead-letter exchange, the retry queue back to the main queue through the default exchange.
    queue_arguments: tuple[tuple[str, str], ...] = ()
    retry_queue_arguments: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Topology:
    """Exchanges of the system and the queues of the events this service consumes."""

    exchange: str  # <system>.events, topic
    retry_exchange: str  # <system>.retry, direct
    dead_letter_exchange: str  # <system>.dead-letter, direct
    consumers: tuple[ConsumerTopology, ...] = field(default=())

    def consumer(self, queue: str) -> ConsumerTopology:
        for consumer in self.consumers:
            if consumer.queue == queue:
                return consumer
        raise KeyError(f"queue {queue!r} is not in this service's topology")

    @staticmethod
    def queue_arguments(consumer: ConsumerTopology) -> dict[str, Any]:
        return dict(consumer.queue_arguments)

    @staticmethod
    def retry_queue_arguments(consumer: ConsumerTopology) -> dict[str, Any]:
        return dict(consumer.retry_queue_arguments)


def backoff(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Delay before delivery `attempt + 1` after attempt `attempt` failed: base * 2**(attempt-1), capped."""
    return float(min(cap, base * 2 ** (max(attempt, 1) - 1)))


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


@dataclass
class _Consumer(Generic[M]):
    topology: ConsumerTopology
    model_type: type[M]
    handler: Handler[M]
    max_attempts: int
    channel: AbstractChannel | None = None
    queue: AbstractQueue | None = None
    retry_exchange: AbstractExchange | None = None
    tag: ConsumerTag | None = None


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
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.publish_timeout = publish_timeout
        self.close_timeout = close_timeout
        self.connect_attempts = connect_attempts
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._events_exchange: AbstractExchange | None = None
        self._registered: list[_Consumer[Any]] = []
        self._running: list[_Consumer[Any]] = []
        self._handling: set[asyncio.Task[Any]] = set()  # tasks running a handler (aio-pika: one per delivery)
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

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
        self._closing = True
        for consumer in self._running:
            if consumer.queue is not None and consumer.tag is not None:
                with contextlib.suppress(Exception):
                    await consumer.queue.cancel(consumer.tag)
        try:
            async with asyncio.timeout(self.close_timeout):
                await self._idle.wait()
        except TimeoutError:
            self.log.warning(
                "%d message handler(s) still running after %.1f s: cancelled, their messages will be redelivered",
                len(self._handling),
                self.close_timeout,
            )
            for task in list(self._handling):
                task.cancel()
            await asyncio.gather(*self._handling, return_exceptions=True)
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
        self._registered.append(_Consumer(consumer, model_type, handler, attempts))

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

    async def _start(self, consumer: _Consumer[Any]) -> None:
        connection = self._require_connection()
        self._closing = False
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        t = consumer.topology
        consumer.channel = channel
        consumer.queue = await channel.declare_queue(t.queue, durable=True, arguments=self.topology.queue_arguments(t))
        consumer.retry_exchange = await channel.get_exchange(self.topology.retry_exchange, ensure=False)

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._deliver(consumer, message)

        consumer.tag = await consumer.queue.consume(on_message, no_ack=False)
        self._running.append(consumer)
        self.log.info("consuming %s", t.queue, extra={"rose.event": t.event, "rose.queue": t.queue})

    async def _deliver(self, consumer: _Consumer[Any], message: AbstractIncomingMessage) -> None:
        if self._closing:  # delivered before the cancel took effect: give it back untouched
            with contextlib.suppress(Exception):
                await message.nack(requeue=True)
            return
        task = asyncio.current_task()
        assert task is not None
        self._handling.add(task)
        self._idle.clear()
        try:
            event = consumer.topology.event
            cid = correlation_id_from_message(message.correlation_id)
            carrier = trace_carrier((message.headers or {}).items())
            with traced(QUEUE_PROCESS, event, carrier, cid), log_scope(event=event):
                await self._handle(consumer, message, event, cid)
        finally:
            self._handling.discard(task)
            if not self._handling:
                self._idle.set()

    async def _handle(self, consumer: _Consumer[Any], message: AbstractIncomingMessage, event: str, cid: str) -> None:
        queue = consumer.topology.queue
        attempt = _attempt_of(message.headers)
        details = {"rose.queue": queue, "rose.attempt": attempt, "rose.message_id": message.message_id}
        self.metrics.message_consumed(event)
        try:
            payload = consumer.model_type.model_validate_json(message.body, by_name=False)  # keys as on the wire
        except ValidationError as error:
            self.log.error(
                "invalid message dead-lettered: %s",
                _validation_summary(error),
                extra={**details, "rose.validation_errors": error.errors(include_url=False, include_input=False)},
            )
            await message.nack(requeue=False)
            self.metrics.message_dead_lettered(event)
            return
        start = time.perf_counter()
        try:
            await consumer.handler(payload, MessageContext(event, attempt, cid, self.log))
        except Exception as error:
            self.metrics.message_handled(event, time.perf_counter() - start, failed=True)
            await self._fail(consumer, message, event, attempt, error, details)
            return
        seconds = time.perf_counter() - start
        await message.ack()
        self.metrics.message_handled(event, seconds, failed=False)
        self.log.info("message handled", extra={**details, "event.duration": duration_ns(seconds)})

    async def _fail(
        self,
        consumer: _Consumer[Any],
        message: AbstractIncomingMessage,
        event: str,
        attempt: int,
        error: Exception,
        details: Mapping[str, Any],
    ) -> None:
        if attempt >= consumer.max_attempts:
            self.log.error(
                "handler failed on the last attempt (%d of %d), message dead-lettered: %r",
                attempt,
                consumer.max_attempts,
                error,
                exc_info=error,
                extra=dict(details),
            )
            await message.nack(requeue=False)
            self.metrics.message_dead_lettered(event)
            return
        delay = backoff(attempt, self.backoff_base, self.backoff_cap)
        try:
            await self._republish_for_retry(consumer, message, attempt + 1, delay)
        except Exception as republish_error:
            # Without a scheduled retry the message must not be acked; dead-letter it rather than hot-loop.
            self.log.error(
                "cannot schedule a retry (%r), message dead-lettered",
                republish_error,
                exc_info=error,
                extra=dict(details),
            )
            await message.nack(requeue=False)
            self.metrics.message_dead_lettered(event)
            return
        await message.ack()
        self.log.warning(
            "handler failed (attempt %d of %d), retry in %.3f s: %r",
            attempt,
            consumer.max_attempts,
            delay,
            error,
            exc_info=error,
            extra=dict(details),
        )

    async def _republish_for_retry(
        self, consumer: _Consumer[Any], message: AbstractIncomingMessage, next_attempt: int, delay: float
    ) -> None:
        assert consumer.retry_exchange is not None
        headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith(_BROKER_HEADER_PREFIXES)}
        headers[ATTEMPT_HEADER] = next_attempt
        retry = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            timestamp=message.timestamp,
            type=message.type,
            app_id=message.app_id,
            expiration=delay,
        )
        await consumer.retry_exchange.publish(
            retry, routing_key=consumer.topology.queue, mandatory=True, timeout=self.publish_timeout
        )


def _attempt_of(headers: Mapping[str, Any] | None) -> int:
    value = (headers or {}).get(ATTEMPT_HEADER, 1)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _validation_summary(error: ValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    location = ".".join(str(part) for part in first.get("loc", ())) or "<message>"
    return f"{error.error_count()} error(s), first at {location}: {first.get('msg')}"
