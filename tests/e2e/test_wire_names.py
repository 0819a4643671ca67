"""Wire names round trip over real HTTP, gRPC and AMQP: JSON keys such as tripId, from, class, created-at, @kind
and 1st stay as they are on the wire (bodies, query parameters, events, protobuf's JSON names), while handlers and
clients use the derived Python names (trip_id, from_, class_, created_at, kind, field_1st)."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aio_pika
import httpx
import pytest
from conftest import rabbitmq_vhost

from rosec.pipeline import render
from rosec.project import default_output

from .support import LiveSystem, eventually, live_system

SPEC = """
rose: 1
system: { name: wire, domain: wire.example.com }
environments:
  dev: { hosting: compose }
messages:
  TripStatus: { enum: [IN_PROGRESS, on-hold, class] }
  Trip:
    fields:
      tripId: string
      from: string
      class: optional[string]
      type: TripStatus
      created-at: datetime
      "@kind": optional[string]
      json: int
      1st: optional[int]
events:
  tripBooked: { message: Trip }
services:
  trip-desk:
    rest:
      - method: POST
        path: "/trips/{tripId}"
        query: { from: "optional[string]", created-at: "optional[datetime]" }
        request: Trip
        response: Trip
        public: true
    grpc:
      - { name: Book, request: Trip, response: Trip, public: true }
    publishes: [tripBooked]
  trip-ledger:
    consumes: [tripBooked]
    calls: [trip-desk]
    rest:
      - { method: GET, path: "/seen/{tripId}", response: Trip, public: true }
      - { method: POST, path: "/rebook/{trip.id}/{1}", params: { "1": int }, request: Trip, response: Trip,
          public: true }
"""

DESK_HANDLERS = """
from __future__ import annotations

from pydantic import AwareDatetime

from rose_runtime.context import RequestContext
from trip_desk.handlers import TripDeskHandlers
from trip_desk.models import Trip, TripStatus


class Handlers(TripDeskHandlers):
    async def post_trips_by_trip_id(self, trip_id: str, body: Trip, from_: str | None,
                                    created_at: AwareDatetime | None, ctx: RequestContext) -> Trip:
        # the path and query parameters override the body; the Python names are the derived ones
        trip = body.model_copy(update={"trip_id": trip_id, "from_": from_ or body.from_,
                                       "created_at": created_at or body.created_at})
        await self.deps.events.trip_booked(trip)
        return trip

    async def book(self, request: Trip, ctx: RequestContext) -> Trip:
        return request.model_copy(update={"class_": "booked", "type": TripStatus.class_})
"""

LEDGER_HANDLERS = """
from __future__ import annotations

from rose_runtime.context import MessageContext, RequestContext
from rose_runtime.errors import Problem
from trip_desk.models import Trip as DeskTrip
from trip_ledger.handlers import TripLedgerHandlers
from trip_ledger.models import Trip

SEEN: dict[str, Trip] = {}


class Handlers(TripLedgerHandlers):
    async def post_rebook_by_trip_id_by_1(self, trip_id: str, param_1: int, body: Trip, ctx: RequestContext) -> Trip:
        # books the trip again at trip-desk through its generated REST client, with the query parameters
        desk = DeskTrip.model_validate_json(body.model_dump_json(), by_name=False)
        booked = await self.deps.trip_desk_rest.post_trips_by_trip_id(
            f"{trip_id}-{param_1}", desk, from_="Braga", created_at=body.created_at)
        return Trip.model_validate_json(booked.model_dump_json(), by_name=False)

    async def get_seen_by_trip_id(self, trip_id: str, ctx: RequestContext) -> Trip:
        if trip_id not in SEEN:
            raise Problem(404, "Not Found", f"trip {trip_id} was not booked")
        return SEEN[trip_id]

    async def on_trip_booked(self, message: Trip, ctx: MessageContext) -> None:
        SEEN[message.trip_id] = message
"""

TRIP = {"tripId": "ignored", "from": "Lisbon", "class": "first", "type": "on-hold",
        "created-at": "2025-03-04T05:06:07Z", "@kind": "rail", "json": 3, "1st": 1}


def _write(root: Path, files: dict[str, bytes | str]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The system built into a project of its own, running as `rosec run` runs it, with a queue of the test bound
    to the events exchange so that the test reads the event as it is on the wire."""
    from rosec.pipeline import load_system

    root = tmp_path_factory.mktemp("wire")
    _write(root, {"rose.yaml": SPEC})
    system = load_system(root / "rose.yaml")
    out = default_output(system, root).relative_to(root)
    _write(root, {f"{out}/{path}": output.content for path, output in render(system).files.items()})
    _write(root, {"services/trip-desk/handlers.py": textwrap.dedent(DESK_HANDLERS),
                  "services/trip-ledger/handlers.py": textwrap.dedent(LEDGER_HANDLERS)})
    with rabbitmq_vhost("rosec-wire") as vhost:
        amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
        with live_system(system, root, {"AMQP_URL": f"amqp://guest@127.0.0.1:5672/{vhost}",
                                        "AMQP_PASSWORD": "guest"}) as live:
            yield SimpleNamespace(system=system, live=live, services=root / out / system.layout.services_dir,
                                  amqp_url=amqp_url)
    assert all(code == 0 for code in live.exit_codes.values()), live.exit_codes


@pytest.fixture(scope="module")
def generated_code(wire: SimpleNamespace) -> Iterator[Path]:
    """The generated packages importable in this process (the gRPC client, models, protobuf modules); what was
    imported from them is removed afterwards."""
    path = str(wire.services)
    sys.path.insert(0, path)
    try:
        yield wire.services
    finally:
        sys.path.remove(path)
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(path):
                del sys.modules[name]


def test_json_bodies_and_query_parameters_keep_their_wire_names(wire: SimpleNamespace) -> None:
    live: LiveSystem = wire.live
    response = httpx.post(f"{live.url('trip-desk')}/trips/T-1", json=TRIP,
                          params={"from": "Porto", "created-at": "2025-03-04T06:00:00+01:00"}, timeout=10)
    assert response.status_code == 201, response.text
    assert response.json() == {**TRIP, "tripId": "T-1", "from": "Porto", "created-at": "2025-03-04T06:00:00+01:00"}


def test_python_names_are_not_accepted_on_the_wire(wire: SimpleNamespace) -> None:
    body = {("trip_id" if k == "tripId" else k): v for k, v in TRIP.items()}
    response = httpx.post(f"{wire.live.url('trip-desk')}/trips/T-2", json=body, timeout=10)
    assert response.status_code == 422, response.text
    locations = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert ("body", "tripId") in locations and ("body", "trip_id") in locations


def test_openapi_document_names_the_wire_names(wire: SimpleNamespace) -> None:
    document = httpx.get(f"{wire.live.url('trip-desk')}/openapi.json", timeout=10).json()
    assert sorted(document["components"]["schemas"]["Trip"]["properties"]) == sorted(TRIP)
    operation = document["paths"]["/trips/{tripId}"]["post"]
    assert [(p["in"], p["name"]) for p in operation["parameters"]] == [
        ("path", "tripId"), ("query", "from"), ("query", "created-at")]


def test_events_carry_wire_names_to_the_broker_and_the_consumer(wire: SimpleNamespace) -> None:
    async def publish_and_read() -> dict[str, Any]:
        connection = await aio_pika.connect(wire.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(exclusive=True)
            await queue.bind(wire.system.messaging.exchange, routing_key="tripBooked")
            response = await asyncio.to_thread(httpx.post, f"{wire.live.url('trip-desk')}/trips/T-3", json=TRIP,
                                               timeout=10)
            assert response.status_code == 201, response.text
            message = await _wait_for(queue)
            await message.ack()
            assert message.type == "tripBooked"
            event: dict[str, Any] = json.loads(message.body)
            return event

    event = asyncio.run(publish_and_read())
    assert event == {**TRIP, "tripId": "T-3"}
    seen = eventually(lambda: _seen(wire, "T-3"), "the ledger to consume tripBooked")
    assert seen == {**TRIP, "tripId": "T-3"}


async def _wait_for(queue: aio_pika.abc.AbstractQueue) -> aio_pika.abc.AbstractIncomingMessage:
    for _ in range(100):
        message = await queue.get(fail=False)
        if message is not None:
            return message
        await asyncio.sleep(0.1)
    raise AssertionError("no tripBooked event reached the test's queue")


def _seen(wire: SimpleNamespace, trip_id: str) -> dict[str, Any] | None:
    response = httpx.get(f"{wire.live.url('trip-ledger')}/seen/{trip_id}", timeout=10)
    return response.json() if response.status_code == 200 else None


def test_the_generated_rest_client_and_dotted_path_parameters(wire: SimpleNamespace) -> None:
    response = httpx.post(f"{wire.live.url('trip-ledger')}/rebook/T.6/7", json=TRIP, timeout=10)
    assert response.status_code == 201, response.text
    assert response.json() == {**TRIP, "tripId": "T.6-7", "from": "Braga"}
    bad = httpx.post(f"{wire.live.url('trip-ledger')}/rebook/T.6/seven", json=TRIP, timeout=10)
    assert bad.status_code == 422, bad.text


def test_grpc_round_trip_with_derived_names_and_wire_json_names(wire: SimpleNamespace, generated_code: Path) -> None:
    from google.protobuf import json_format
    from trip_desk.grpc_client import TripDeskGrpcClient
    from trip_desk.models import Trip, TripStatus
    from trip_desk.v1 import trip_desk_pb2 as pb

    trip = Trip.model_validate_json(json.dumps({**TRIP, "tripId": "T-4"}), by_name=False)

    async def call() -> Trip:
        async with TripDeskGrpcClient(wire.live.grpc_target("trip-desk")) as client:
            return await client.book(trip)

    booked = asyncio.run(call())
    assert booked == trip.model_copy(update={"class_": "booked", "type": TripStatus.class_})
    assert booked.model_dump(mode="json") == {**TRIP, "tripId": "T-4", "class": "booked", "type": "class"}
    # protobuf's own JSON mapping uses the wire names too (json_name)
    message = pb.Trip(trip_id="T-5", type=pb.TRIP_STATUS_ON_HOLD, field_1st=2, **{"from": "Faro", "class": "x"})
    assert json_format.MessageToDict(message) == {"tripId": "T-5", "from": "Faro", "class": "x",
                                                  "type": "TRIP_STATUS_ON_HOLD", "1st": "2"}
