"""Each delivery of a consumed event: the message validated, the handler run, then an ack; a handler that fails
is retried after a backoff (the message republished to the retry queue), and a message that cannot be parsed,
or fails its last attempt, is dead-lettered. The handlers in flight are tracked, so that a closing broker can
wait for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractQueue, ConsumerTag
from pydantic import BaseModel, ValidationError

from .amqp_retry import attempt_of, backoff, retry_message
from .amqp_topology import ConsumerTopology
from .context import MessageContext
from .logs import correlation_id_from_message, duration_ns, log_scope
from .metrics import ServiceMetrics
from .tracing import QUEUE_PROCESS, trace_carrier, traced

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[M, MessageContext], Awaitable[None]]


@dataclass
class Consumer(Generic[M]):
    """A handler registered for a queue of the topology, and its channel once it consumes."""

    topology: ConsumerTopology
    model_type: type[M]
    handler: Handler[M]
    max_attempts: int
    channel: AbstractChannel | None = None
    queue: AbstractQueue | None = None
    retry_exchange: AbstractExchange | None = None
    tag: ConsumerTag | None = None


class Deliveries:
    """The handling of every delivery of a broker's consumers, and the handlers still running."""

    def __init__(
        self,
        metrics: ServiceMetrics,
        log: logging.Logger | logging.LoggerAdapter[logging.Logger],
        backoff_base: float,
        backoff_cap: float,
        publish_timeout: float,
    ) -> None:
        self.metrics = metrics
        self.log = log
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.publish_timeout = publish_timeout
        self.closing = False  # set while the broker closes: a delivery then goes back to the queue untouched
        self._handling: set[asyncio.Task[Any]] = set()  # tasks running a handler (aio-pika: one per delivery)
        self._idle = asyncio.Event()
        self._idle.set()

    async def drain(self, timeout: float) -> None:
        """Wait for the handlers still running; after `timeout` seconds cancel them (their messages are redelivered)."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            self.log.warning(
                "%d message handler(s) still running after %.1f s: cancelled, their messages will be redelivered",
                len(self._handling),
                timeout,
            )
            for task in list(self._handling):
                task.cancel()
            await asyncio.gather(*self._handling, return_exceptions=True)

    async def deliver(self, consumer: Consumer[Any], message: AbstractIncomingMessage) -> None:
        if self.closing:  # delivered before the cancel took effect: give it back untouched
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

    async def _handle(self, consumer: Consumer[Any], message: AbstractIncomingMessage, event: str, cid: str) -> None:
        queue = consumer.topology.queue
        attempt = attempt_of(message.headers)
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
        consumer: Consumer[Any],
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
        self, consumer: Consumer[Any], message: AbstractIncomingMessage, next_attempt: int, delay: float
    ) -> None:
        assert consumer.retry_exchange is not None
        retry = retry_message(message, next_attempt, delay)
        await consumer.retry_exchange.publish(
            retry, routing_key=consumer.topology.queue, mandatory=True, timeout=self.publish_timeout
        )


def _validation_summary(error: ValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    location = ".".join(str(part) for part in first.get("loc", ())) or "<message>"
    return f"{error.error_count()} error(s), first at {location}: {first.get('msg')}"
