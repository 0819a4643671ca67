"""RabbitMQ target: definitions imported into the real broker, the AsyncAPI 3 schema, generated messaging code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from rosec.model.system import System
from rosec.targets import messaging
from tests.conftest import shared_schema, system_from_text

RABBITMQCTL = shutil.which("rabbitmqctl")


def rabbitmqctl(*args: str) -> str:
    if RABBITMQCTL is None:
        pytest.fail("rabbitmqctl is not on the PATH: install RabbitMQ (Debian: apt-get install rabbitmq-server) "
                    "and start it on 127.0.0.1:5672 (bash scripts/services.sh)")
    result = subprocess.run([RABBITMQCTL, *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"rabbitmqctl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def listing(kind: str, vhost: str, *columns: str) -> list[dict[str, Any]]:
    return json.loads(rabbitmqctl(f"list_{kind}", "-p", vhost, *columns, "--formatter", "json", "--quiet"))


@pytest.fixture
def vhost() -> Iterator[str]:
    """A throwaway vhost for one test; deleted (with everything in it) afterwards."""
    name = f"rosec-test-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        if RABBITMQCTL is not None:
            subprocess.run([RABBITMQCTL, "delete_vhost", name], capture_output=True, timeout=60, check=False)


def in_vhost(definitions: dict[str, Any], vhost: str) -> dict[str, Any]:
    """A copy of a definitions document with every vhost rewritten."""
    copy = json.loads(json.dumps(definitions))
    copy["vhosts"] = [{"name": vhost}]
    for kind in ("exchanges", "queues", "bindings"):
        for item in copy[kind]:
            item["vhost"] = vhost
    return copy


def import_definitions(document: dict[str, Any]) -> None:
    """From a file readable by the rabbitmq user (rabbitmqctl run as root switches to it, and pytest's tmp dirs
    are private); not from stdin, where RabbitMQ 3.10 imports asynchronously and reports no errors."""
    fd, name = tempfile.mkstemp(prefix="rosec-definitions-", suffix=".json")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(document, stream)
        path.chmod(0o644)
        rabbitmqctl("import_definitions", str(path))
    finally:
        path.unlink()


def rendered(system: System) -> dict[str, bytes]:
    return messaging.render(system)


# --- what the model derives -----------------------------------------------------------------------------


def expected_queues(system: System) -> dict[str, dict[str, str]]:
    return {q.name: dict(q.arguments) for s in system.services for c in s.consumers for q in c.queues}


def expected_bindings(system: System) -> set[tuple[str, str, str]]:
    return {(b.exchange, b.queue, b.routing_key) for s in system.services for c in s.consumers for b in c.bindings}


def test_topology_follows_the_design(shop: System) -> None:
    assert shop.messaging is not None
    m = shop.messaging
    assert [(e.name, e.type) for e in m.exchanges] == [
        (f"{shop.name}.events", "topic"), (f"{shop.name}.retry", "direct"), (f"{shop.name}.dead-letter", "direct")]
    for service in shop.services:
        for c in service.consumers:
            assert c.queue == f"{shop.name}.{service.name}.{c.event}"
            main, retry, dead = c.queues
            assert (main.name, retry.name, dead.name) == (c.queue, c.retry_queue, c.dead_letter_queue)
            assert dict(main.arguments) == {"x-dead-letter-exchange": m.dead_letter_exchange,
                                            "x-dead-letter-routing-key": c.queue}
            assert dict(retry.arguments) == {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": c.queue}
            assert dead.arguments == ()
            assert {(b.exchange, b.queue, b.routing_key) for b in c.bindings} == {
                (m.exchange, c.queue, c.event), (m.retry_exchange, c.retry_queue, c.queue),
                (m.dead_letter_exchange, c.dead_letter_queue, c.queue)}


def test_no_files_without_events(minimal: System) -> None:
    assert not minimal.events, "this test needs an example without events"
    assert rendered(minimal) == {}


def test_definitions_have_no_users_or_secrets(shop: System) -> None:
    document = json.loads(rendered(shop)[shop.layout.messaging_definitions])
    assert set(document) == {"vhosts", "exchanges", "queues", "bindings"}
    text = json.dumps(document).lower()
    assert "password" not in text and "user" not in text


# --- the real broker ---------------------------------------------------------------------------------------


def test_definitions_import_into_rabbitmq(shop: System, vhost: str) -> None:
    assert shop.messaging is not None
    document = json.loads(rendered(shop)[shop.layout.messaging_definitions])
    assert document["vhosts"] == [{"name": shop.messaging.vhost}]
    import_definitions(in_vhost(document, vhost))

    queues = {q["name"]: q for q in listing("queues", vhost, "name", "arguments", "durable", "auto_delete")}
    # rabbitmqctl lists arguments as [name, AMQP type, value] triples
    assert {name: {a: v for a, _, v in q["arguments"]} for name, q in queues.items()} == expected_queues(shop)
    assert all(q["durable"] and not q["auto_delete"] for q in queues.values())

    exchanges = {e["name"]: e for e in listing("exchanges", vhost, "name", "type", "durable", "auto_delete",
                                                 "internal")
                 if e["name"] and not e["name"].startswith("amq.")}
    assert {n: e["type"] for n, e in exchanges.items()} == {e.name: e.type for e in shop.messaging.exchanges}
    assert all(e["durable"] and not e["auto_delete"] and not e["internal"] for e in exchanges.values())

    bindings = listing("bindings", vhost, "source_name", "destination_name", "destination_kind", "routing_key")
    assert all(b["destination_kind"] == "queue" for b in bindings)
    explicit = {(b["source_name"], b["destination_name"], b["routing_key"]) for b in bindings if b["source_name"]}
    assert explicit == expected_bindings(shop)


def test_import_is_idempotent(shop: System, vhost: str) -> None:
    document = in_vhost(json.loads(rendered(shop)[shop.layout.messaging_definitions]), vhost)
    import_definitions(document)
    import_definitions(document)
    assert len(listing("queues", vhost, "name")) == len(expected_queues(shop))


# --- AsyncAPI ----------------------------------------------------------------------------------------------


def asyncapi_of(system: System) -> dict[str, Any]:
    content = rendered(system)[system.layout.asyncapi]
    assert content.decode("utf-8").startswith(system.header())
    return YAML(typ="safe").load(content)


def test_asyncapi_validates_against_the_official_schema(shop: System) -> None:
    validator = jsonschema.Draft7Validator(shared_schema("asyncapi-3.0.0-without-id.schema.json"))
    errors = sorted(validator.iter_errors(asyncapi_of(shop)), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_asyncapi_names_every_event_with_publishers_and_consumers(shop: System) -> None:
    document = asyncapi_of(shop)
    assert shop.messaging is not None
    assert document["asyncapi"] == "3.0.0"
    server = next(iter(document["servers"].values()))
    assert server["protocol"] == "amqp"
    assert server["host"] == f"{shop.messaging.host}:{shop.messaging.port}"
    operations = document["operations"]
    for event in shop.events:
        channel = document["channels"][event.name]
        assert channel["address"] == event.routing_key
        exchange = channel["bindings"]["amqp"]["exchange"]
        assert (exchange["name"], exchange["type"], exchange["durable"]) == (event.exchange, "topic", True)
        message = resolve(document, channel["messages"][event.name]["$ref"])
        assert message["contentType"] == "application/json"
        assert message["correlationId"]["location"] == "$message.header#/correlation_id"
        assert resolve(document, message["payload"]["$ref"])["title"] == event.message

        sends = {o["title"].split()[0] for o in operations.values()
                 if o["action"] == "send" and resolve(document, o["channel"]["$ref"]) is channel}
        assert sends == set(event.publishers)
        receivers = {}
        for op in operations.values():
            target = resolve(document, op["channel"]["$ref"])
            if op["action"] == "receive" and event.name in target["messages"]:
                receivers[op["title"].split()[0]] = target["bindings"]["amqp"]["queue"]["name"]
        assert receivers == {c: next(x.queue for x in shop.service(c).consumers if x.event == event.name)
                             for c in event.consumers}
        for op in operations.values():
            for ref in op["messages"]:
                resolve(document, ref["$ref"])


def test_asyncapi_payload_schemas_accept_a_message(shop: System) -> None:
    document = asyncapi_of(shop)
    order = {
        "id": str(uuid.uuid4()), "customer_id": str(uuid.uuid4()),
        "lines": [{"sku": "A-1", "quantity": 2, "unit_price": {"amount": "9.90", "currency": "EUR"}}],
        "total": {"amount": "19.80", "currency": "EUR"}, "status": "pending", "created_at": "2024-05-01T10:00:00Z",
    }
    schema = {"$ref": "#/components/schemas/Order", "components": document["components"]}
    jsonschema.Draft7Validator(schema).validate(order)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate({**order, "status": "lost"})


def test_output_is_deterministic(shop: System) -> None:
    assert rendered(shop) == rendered(shop)


def test_a_system_with_only_a_publisher(tmp_path: Path) -> None:
    system = system_from_text(tmp_path, """
rose: 1
system: { name: solo, domain: solo.example.com }
environments: { dev: { hosting: compose } }
messages:
  Ping: { fields: { at: datetime } }
events:
  ping.sent: { message: Ping }
services:
  pinger:
    publishes: [ping.sent]
""")
    files = rendered(system)
    document = json.loads(files[system.layout.messaging_definitions])
    assert document["queues"] == [] and document["bindings"] == []
    asyncapi = YAML(typ="safe").load(files[system.layout.asyncapi])
    assert list(asyncapi["operations"]) == ["pinger.send.ping.sent"]


# --- generated messaging.py ----------------------------------------------------------------------------------


def messaging_modules(system: System) -> dict[str, bytes]:
    from rosec.targets.services.messaging_code import render_messaging_code

    return render_messaging_code(system)


def test_messaging_modules_compile(shop: System) -> None:
    files = messaging_modules(shop)
    assert set(files) == {f"{shop.layout.services_dir}/{s.python_name}/messaging.py"
                          for s in shop.services if s.needs_broker}
    for path, content in files.items():
        assert content.decode("utf-8").startswith(shop.header())
        compile(content, path, "exec")


def test_messaging_modules_name_the_model(shop: System) -> None:
    for service in shop.services:
        if not service.needs_broker:
            continue
        code = messaging_modules(shop)[f"{shop.layout.services_dir}/{service.python_name}/messaging.py"].decode()
        for event in map(shop.event, service.publishes):
            assert f"async def {event.python_name}(self, message: {event.message}) -> None:" in code
        for consumer in service.consumers:
            assert (f"broker.register({json.dumps(consumer.queue)}, {consumer.message}, "
                    f"handlers.{consumer.handler}, max_attempts={consumer.max_attempts})") in code
            for name in (consumer.queue, consumer.retry_queue, consumer.dead_letter_queue):
                assert json.dumps(name) in code


def render_services_tree(system: System, root: Path) -> Path:
    """The runtime library and, per service, __init__.py, models.py and messaging.py: enough to publish and
    consume (the rest of the services target needs gRPC tooling and is tested elsewhere)."""
    from rosec.targets import runtime
    from rosec.targets.services import modules

    files = dict(runtime.render(system))
    for service in system.services:
        base = f"{system.layout.services_dir}/{service.python_name}"
        files[f"{base}/__init__.py"] = modules.init_module(system, service)
        files[f"{base}/models.py"] = modules.models_module(system, service)
    files |= messaging_modules(system)
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root / system.layout.services_dir


# What both broker scripts start with: a Broker per service over the generated TOPOLOGY, with fast retries.
BROKER_SCRIPT_PRELUDE = r'''
import asyncio, json, sys

import aio_pika
from prometheus_client import CollectorRegistry
from rose_runtime.amqp import Broker
from rose_runtime.metrics import ServiceMetrics
from rose_runtime.settings import Settings

import notifications.messaging
import orders.messaging
import payments.messaging
from orders.models import Order

URL, ORDER_JSON = sys.argv[1], sys.argv[2]


def broker(service, module):
    settings = Settings(system="shop", service=service, environment="test", port=8000, amqp_url=URL,
                        amqp_password="guest")
    return Broker(settings, module.TOPOLOGY, ServiceMetrics(service, CollectorRegistry()), backoff_base=0.01,
                  backoff_cap=0.05)
'''

END_TO_END = BROKER_SCRIPT_PRELUDE + r'''
from payments.models import Order as PaymentsOrder


class Recorder:
    def __init__(self, fail_first=0, fail_always=False):
        self.calls = []
        self.done = asyncio.Event()
        self.fail_first = fail_first
        self.fail_always = fail_always

    async def on_order_created(self, message, ctx):
        self.calls.append({"message": json.loads(message.model_dump_json()), "event": ctx.event,
                           "attempt": ctx.attempt, "correlation_id": ctx.correlation_id,
                           "type": type(message).__module__ + "." + type(message).__name__})
        if self.fail_always or len(self.calls) <= self.fail_first:
            raise RuntimeError("handler failed on purpose")
        self.done.set()

    async def on_payment_settled(self, message, ctx):
        raise AssertionError("no payment was published")


async def main():
    brokers = {"orders": broker("orders", orders.messaging), "payments": broker("payments", payments.messaging),
               "notifications": broker("notifications", notifications.messaging)}
    for b in brokers.values():
        await b.connect()
        await b.declare()  # must agree with the imported definitions, or the broker closes the channel
    payments_handler, notifications_handler = Recorder(), Recorder(fail_first=1)
    await payments.messaging.start_consumers(brokers["payments"], payments_handler)
    await notifications.messaging.start_consumers(brokers["notifications"], notifications_handler)
    events = orders.messaging.OrdersEvents(brokers["orders"])
    result = {}
    try:
        await events.order_created(PaymentsOrder.model_validate_json(ORDER_JSON))
    except TypeError as error:
        result["wrong_type"] = str(error)
    await events.order_created(Order.model_validate_json(ORDER_JSON))
    async with asyncio.timeout(20):
        await payments_handler.done.wait()
        await notifications_handler.done.wait()
    result["payments"] = payments_handler.calls
    result["notifications"] = notifications_handler.calls
    for b in brokers.values():
        await b.close()
    print(json.dumps(result))


asyncio.run(main())
'''

DEAD_LETTER = BROKER_SCRIPT_PRELUDE + r'''


class AlwaysFails:
    def __init__(self):
        self.attempts = []

    async def on_order_created(self, message, ctx):
        self.attempts.append(ctx.attempt)
        raise RuntimeError("handler failed on purpose")


async def main():
    producer, consumer = broker("orders", orders.messaging), broker("payments", payments.messaging)
    for b in (producer, consumer):
        await b.connect()
        await b.declare()
    handler = AlwaysFails()
    await payments.messaging.start_consumers(consumer, handler)
    await orders.messaging.OrdersEvents(producer).order_created(Order.model_validate_json(ORDER_JSON))
    dead_queue = payments.messaging.TOPOLOGY.consumers[0].dead_letter_queue
    connection = await aio_pika.connect(consumer.settings.amqp_connection_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(dead_queue, ensure=True)
        dead = None
        async with asyncio.timeout(20):
            while dead is None:
                dead = await queue.get(no_ack=True, fail=False)
                if dead is None:
                    await asyncio.sleep(0.05)
    for b in (producer, consumer):
        await b.close()
    print(json.dumps({"attempts": handler.attempts, "dead": json.loads(dead.body),
                      "death_reason": dead.headers["x-death"][0]["reason"]}))


asyncio.run(main())
'''


def order_json() -> str:
    return json.dumps({
        "id": str(uuid.uuid4()), "customer_id": str(uuid.uuid4()),
        "lines": [{"sku": "A-1", "quantity": 2, "unit_price": {"amount": "9.90", "currency": "EUR"}}],
        "total": {"amount": "19.80", "currency": "EUR"}, "status": "pending", "created_at": "2024-05-01T10:00:00Z",
    })


def run_script(services_dir: Path, script: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(services_dir)}
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120,
                            env=env, cwd=services_dir, check=False)
    assert result.returncode == 0, f"script failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def shop_vhost(shop: System, vhost: str) -> str:
    """The shop's definitions imported into a throwaway vhost that the guest user may use."""
    import_definitions(in_vhost(json.loads(rendered(shop)[shop.layout.messaging_definitions]), vhost))
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost


def test_order_created_reaches_payments_and_notifications(shop: System, shop_vhost: str, tmp_path: Path) -> None:
    services_dir = render_services_tree(shop, tmp_path)
    order = order_json()
    result = run_script(services_dir, END_TO_END, f"amqp://guest@127.0.0.1:5672/{shop_vhost}", order)

    assert "carries Order" in result["wrong_type"]  # payments.models.Order is not orders.models.Order
    consumers = {s.name for s in shop.services if any(c.event == "order.created" for c in s.consumers)}
    assert consumers == {"payments", "notifications"}
    for name in consumers:
        calls = result[name]
        assert calls[-1]["message"] == json.loads(order)
        assert calls[-1]["event"] == "order.created"
        assert calls[-1]["type"] == f"{shop.service(name).python_name}.models.Order"
        assert calls[0]["correlation_id"]
    assert [c["attempt"] for c in result["payments"]] == [1]
    # notifications failed once: the message went through its retry queue and came back as attempt 2
    assert [c["attempt"] for c in result["notifications"]] == [1, 2]


def test_a_message_that_keeps_failing_is_dead_lettered(shop: System, shop_vhost: str, tmp_path: Path) -> None:
    services_dir = render_services_tree(shop, tmp_path)
    order = order_json()
    result = run_script(services_dir, DEAD_LETTER, f"amqp://guest@127.0.0.1:5672/{shop_vhost}", order)
    consumer = next(c for c in shop.service("payments").consumers if c.event == "order.created")
    assert result["attempts"] == list(range(1, consumer.max_attempts + 1))
    assert result["dead"] == json.loads(order)
    assert result["death_reason"] == "rejected"
    queues = {q["name"]: q["messages"] for q in listing("queues", shop_vhost, "name", "messages")}
    assert queues[consumer.dead_letter_queue] == 0  # taken by the script
    assert queues[consumer.queue] == queues[consumer.retry_queue] == 0
