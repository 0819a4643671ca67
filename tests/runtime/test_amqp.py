"""Messaging through the real RabbitMQ on 127.0.0.1:5672, in a vhost of this test session."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import aio_pika
import pytest
from pydantic import BaseModel

from rosec.model.system import System

from .support import amqp_env, runtime, topology

if TYPE_CHECKING:
    from rose_runtime.amqp import Broker
    from rose_runtime.amqp_topology import Topology
    from rose_runtime.context import MessageContext
    from rose_runtime.runtime import Runtime


class Payment(BaseModel):
    id: str
    amount: int


@asynccontextmanager
async def broker(vhost: str, topo: Topology, rt: Runtime | None = None, **options: Any) -> AsyncIterator[Broker]:
    from rose_runtime.amqp import Broker

    rt = rt or runtime(**amqp_env(vhost))
    b = Broker(rt.settings, topo, rt.metrics, **options)
    await b.connect()
    await b.declare()
    try:
        yield b
    finally:
        await b.close()


@asynccontextmanager
async def raw_channel(vhost: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
    async with connection:
        yield await connection.channel()


async def drain(vhost: str, queue: str, expect: int, timeout: float = 10.0) -> list[aio_pika.abc.AbstractMessage]:
    """Take `expect` messages from a queue (waiting for them), then check nothing else is there."""
    found: list[Any] = []
    async with raw_channel(vhost) as channel:
        q = await channel.declare_queue(queue, passive=True)
        deadline = time.monotonic() + timeout
        while len(found) < expect and time.monotonic() < deadline:
            message = await q.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.02)
            else:
                found.append(message)
        await asyncio.sleep(0.05)
        assert await q.get(no_ack=True, fail=False) is None, f"more than {expect} message(s) in {queue}"
    assert len(found) == expect, f"{len(found)} of {expect} message(s) arrived in {queue}"
    return found


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


def test_declare_creates_the_models_topology_idempotently(amqp_vhost: str, shop: System) -> None:
    from rose_runtime.amqp_topology import ConsumerTopology, Topology

    assert shop.messaging is not None
    orders = shop.service("orders")
    topo = Topology(shop.messaging.exchange, shop.messaging.retry_exchange, shop.messaging.dead_letter_exchange,
                    tuple(ConsumerTopology(c.event, c.queue, c.retry_queue, c.dead_letter_queue, c.max_attempts,
                                           c.queues[0].arguments, c.queues[1].arguments)
                          for c in orders.consumers))

    async def main() -> None:
        async with broker(amqp_vhost, topo) as b:
            await b.declare()  # a second time: same arguments, no error

    asyncio.run(main())
    listed = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", amqp_vhost, "name", "arguments",
                             "durable", "--formatter", "json"], check=True, capture_output=True, text=True)
    queues = {q["name"]: {**q, "arguments": {name: value for name, _, value in q["arguments"]}}
              for q in json.loads(listed.stdout)}
    consumer = orders.consumers[0]
    assert queues[consumer.queue]["durable"] is True
    assert queues[consumer.queue]["arguments"] == {
        "x-dead-letter-exchange": shop.messaging.dead_letter_exchange, "x-dead-letter-routing-key": consumer.queue}
    assert queues[consumer.retry_queue]["arguments"] == {
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": consumer.queue}
    assert not queues[consumer.dead_letter_queue]["arguments"]

    async def exchanges() -> None:
        # Declaring an existing exchange with other properties fails (PRECONDITION_FAILED): these match.
        async with raw_channel(amqp_vhost) as channel:
            await channel.declare_exchange(shop.messaging.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
            await channel.declare_exchange(shop.messaging.retry_exchange, aio_pika.ExchangeType.DIRECT, durable=True)
            await channel.declare_exchange(shop.messaging.dead_letter_exchange, aio_pika.ExchangeType.DIRECT,
                                           durable=True)
        with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed):
            async with raw_channel(amqp_vhost) as channel:
                await channel.declare_exchange(shop.messaging.exchange, aio_pika.ExchangeType.DIRECT, durable=True)

    asyncio.run(exchanges())


def test_publish_and_consume_round_trip(amqp_vhost: str) -> None:
    from rose_runtime.logs import log_scope

    topo = topology("payment.settled")
    queue = topo.consumers[0].queue
    rt = runtime(**amqp_env(amqp_vhost))
    received: list[tuple[Payment, MessageContext]] = []

    async def handler(message: Payment, ctx: MessageContext) -> None:
        received.append((message, ctx))

    async def main() -> None:
        async with broker(amqp_vhost, topo, rt) as b:
            await b.consume(queue, Payment, handler)
            publish = b.publisher("payment.settled", Payment)
            with log_scope(correlation_id="cid-round-trip"):
                await publish(Payment(id="p-1", amount=42))
            await until(lambda: len(received) == 1)
            with pytest.raises(TypeError):
                await publish({"id": "p-2", "amount": 1})  # type: ignore[arg-type]
            assert await b.ready()
        assert not await b.ready()

    asyncio.run(main())
    message, ctx = received[0]
    assert message == Payment(id="p-1", amount=42)
    assert (ctx.event, ctx.attempt, ctx.correlation_id) == ("payment.settled", 1, "cid-round-trip")
    labels = {"service": "orders", "event": "payment.settled"}
    assert rt.registry.get_sample_value("rose_messages_published_total", labels) == 1
    assert rt.registry.get_sample_value("rose_messages_consumed_total", labels) == 1
    assert rt.registry.get_sample_value("rose_message_handling_duration_seconds_count", labels) == 1


def test_published_messages_are_persistent_json_with_the_event_header(amqp_vhost: str) -> None:
    topo = topology("payment.settled")
    queue = topo.consumers[0].queue

    async def main() -> aio_pika.abc.AbstractMessage:
        async with broker(amqp_vhost, topo) as b:
            await b.publisher("payment.settled", Payment)(Payment(id="p-9", amount=9))
        return (await drain(amqp_vhost, queue, 1))[0]

    message = asyncio.run(main())
    assert json.loads(message.body) == {"id": "p-9", "amount": 9}
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.content_type == "application/json"
    assert message.headers["x-rose-event"] == "payment.settled"
    assert message.message_id and len(message.correlation_id or "") == 32


def test_an_unroutable_message_raises(amqp_vhost: str) -> None:
    from rose_runtime.errors import Problem

    topo = topology()  # no consumer queues: nothing is bound to the event

    async def main() -> None:
        async with broker(amqp_vhost, topo) as b:
            with pytest.raises(Problem) as error:
                await b.publisher("payment.settled", Payment)(Payment(id="p", amount=1))
            assert error.value.status == 503

    asyncio.run(main())


def test_invalid_messages_go_to_the_dead_queue_at_once(amqp_vhost: str, caplog: pytest.LogCaptureFixture) -> None:
    topo = topology("payment.settled")
    consumer = topo.consumers[0]
    rt = runtime(**amqp_env(amqp_vhost))
    calls: list[Payment] = []

    async def handler(message: Payment, ctx: MessageContext) -> None:
        calls.append(message)

    async def main() -> list[aio_pika.abc.AbstractMessage]:
        async with broker(amqp_vhost, topo, rt) as b:
            await b.consume(consumer.queue, Payment, handler)
            async with raw_channel(amqp_vhost) as channel:
                exchange = await channel.get_exchange(topo.exchange)
                for body in (b"not json", b'{"id": "p-1"}'):
                    await exchange.publish(aio_pika.Message(body), routing_key=consumer.event)
            return await drain(amqp_vhost, consumer.dead_letter_queue, 2)

    dead = asyncio.run(main())
    assert calls == []
    assert sorted(m.body for m in dead) == [b"not json", b'{"id": "p-1"}']
    assert rt.registry.get_sample_value("rose_messages_dead_lettered_total",
                                        {"service": "orders", "event": "payment.settled"}) == 2
    logged = [r for r in caplog.records if r.getMessage().startswith("invalid message dead-lettered")]
    assert len(logged) == 2 and any("amount" in r.getMessage() for r in logged)


def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered(amqp_vhost: str) -> None:
    topo = topology("payment.settled", max_attempts=3)
    consumer = topo.consumers[0]
    rt = runtime(**amqp_env(amqp_vhost))
    calls: list[tuple[int, float]] = []

    async def handler(message: Payment, ctx: MessageContext) -> None:
        calls.append((ctx.attempt, time.monotonic()))
        raise RuntimeError("downstream is down")

    async def main() -> list[aio_pika.abc.AbstractMessage]:
        async with broker(amqp_vhost, topo, rt, backoff_base=0.1) as b:
            await b.consume(consumer.queue, Payment, handler)
            await b.publisher("payment.settled", Payment)(Payment(id="p-1", amount=1))
            dead = await drain(amqp_vhost, consumer.dead_letter_queue, 1)
            await asyncio.sleep(0.3)  # longer than the last backoff: no further attempt may come
            return dead

    dead = asyncio.run(main())
    assert [attempt for attempt, _ in calls] == [1, 2, 3]
    gaps = [later - earlier for (_, earlier), (_, later) in itertools.pairwise(calls)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19  # 100 ms, then 200 ms (per-message expiration in the retry queue)
    assert json.loads(dead[0].body) == {"id": "p-1", "amount": 1}
    assert dead[0].headers["x-rose-attempt"] == 3
    labels = {"service": "orders", "event": "payment.settled"}
    assert rt.registry.get_sample_value("rose_messages_failed_total", labels) == 3
    assert rt.registry.get_sample_value("rose_messages_dead_lettered_total", labels) == 1


def test_a_handler_that_recovers_is_not_dead_lettered(amqp_vhost: str) -> None:
    topo = topology("payment.settled", max_attempts=3)
    consumer = topo.consumers[0]
    attempts: list[int] = []

    async def handler(message: Payment, ctx: MessageContext) -> None:
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            raise ConnectionError("flaky")

    async def main() -> None:
        async with broker(amqp_vhost, topo, backoff_base=0.05) as b:
            await b.consume(consumer.queue, Payment, handler)
            await b.publisher("payment.settled", Payment)(Payment(id="p-1", amount=1))
            await until(lambda: attempts == [1, 2])
        for queue in (consumer.queue, consumer.retry_queue, consumer.dead_letter_queue):
            await drain(amqp_vhost, queue, 0, timeout=0)

    asyncio.run(main())


def test_backoff_doubles_and_is_capped() -> None:
    from rose_runtime.amqp_retry import backoff

    assert [backoff(a) for a in (1, 2, 3, 4)] == [0.2, 0.4, 0.8, 1.6]
    assert backoff(20) == 30.0


def test_closing_a_consumer_mid_stream_loses_nothing(amqp_vhost: str) -> None:
    topo = topology("payment.settled")
    consumer = topo.consumers[0]
    first: list[str] = []
    second: list[str] = []
    total = 30

    def handler_into(seen: list[str], delay: float) -> Callable[[Payment, MessageContext], Any]:
        async def handler(message: Payment, ctx: MessageContext) -> None:
            await asyncio.sleep(delay)
            seen.append(message.id)

        return handler

    async def main() -> None:
        async with broker(amqp_vhost, topo, prefetch=4) as publisher:
            publish = publisher.publisher("payment.settled", Payment)
            for i in range(total):
                await publish(Payment(id=f"p-{i}", amount=i))
        async with broker(amqp_vhost, topo, prefetch=4) as b1:
            await b1.consume(consumer.queue, Payment, handler_into(first, 0.02))
            await until(lambda: len(first) >= 5)
        # b1 closed: cancelled, waited for its in-flight handlers, left its unacked prefetch to the broker.
        async with broker(amqp_vhost, topo) as b2:
            await b2.consume(consumer.queue, Payment, handler_into(second, 0))
            await until(lambda: set(first) | set(second) == {f"p-{i}" for i in range(total)})
        await drain(amqp_vhost, consumer.dead_letter_queue, 0, timeout=0)

    asyncio.run(main())
    assert 5 <= len(first) < total and second
    assert not set(first) & set(second)  # handled (acked) messages were not delivered again


def test_a_consumer_closed_with_a_stuck_handler_leaves_its_messages_to_the_next(amqp_vhost: str) -> None:
    topo = topology("payment.settled")
    consumer = topo.consumers[0]
    started: list[str] = []
    handled: list[str] = []

    async def stuck(message: Payment, ctx: MessageContext) -> None:
        started.append(message.id)
        await asyncio.sleep(60)

    async def quick(message: Payment, ctx: MessageContext) -> None:
        handled.append(message.id)

    async def main() -> None:
        async with broker(amqp_vhost, topo, close_timeout=0.2) as b1:
            await b1.consume(consumer.queue, Payment, stuck)
            await b1.publisher("payment.settled", Payment)(Payment(id="p-1", amount=1))
            await until(lambda: started == ["p-1"])
        # close() gave up waiting after 0.2 s, cancelled the handler and closed without acking.
        async with broker(amqp_vhost, topo) as b2:
            await b2.consume(consumer.queue, Payment, quick)
            await until(lambda: handled == ["p-1"])

    begun = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - begun < 10


def test_connect_retries_then_fails_when_the_broker_is_unreachable() -> None:
    from rose_runtime.amqp import Broker

    from .support import free_port

    rt = runtime(AMQP_URL=f"amqp://guest@127.0.0.1:{free_port()}/x", AMQP_PASSWORD="guest")
    b = Broker(rt.settings, topology(), rt.metrics, connect_attempts=2)

    async def main() -> None:
        await b.connect()

    begun = time.monotonic()
    with pytest.raises((ConnectionError, aio_pika.exceptions.AMQPConnectionError)):
        asyncio.run(main())
    assert 0.4 < time.monotonic() - begun < 5  # one retry after 0.5 s
    assert not asyncio.run(b.ready())
