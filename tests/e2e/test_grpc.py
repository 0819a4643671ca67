"""Every gRPC method of the shop (unary, server streaming, client streaming) through the generated grpc_client
classes, over real sockets."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from .support import LiveSystem, Tokens, eventually, place_order

T = TypeVar("T")


class FixedToken:
    """A token source (rose_runtime.tokens.TokenSource) that presents one given token: the test is the caller."""

    def __init__(self, token: str) -> None:
        self.value = token

    async def token(self, audience: str) -> str:
        return self.value


def channel(live: LiveSystem, service: str, token: str | None) -> Any:
    """A channel to the service's gRPC port whose calls carry `token` (none: no token at all)."""
    from rose_runtime.clients import grpc_channel

    return grpc_channel(live.grpc_target(service), tokens=FixedToken(token) if token else None, audience="given")


def inventory_call(live: LiveSystem, token: str | None, call: Callable[[Any], Awaitable[T]]) -> T:
    from inventory.grpc_client import InventoryGrpcClient

    async def main() -> T:
        async with InventoryGrpcClient(live.grpc_target("inventory"), channel=channel(live, "inventory", token)) \
                as client:
            return await call(client)

    return asyncio.run(main())


def payments_call(live: LiveSystem, token: str | None, call: Callable[[Any], Awaitable[T]]) -> T:
    from payments.grpc_client import PaymentsGrpcClient

    async def main() -> T:
        async with PaymentsGrpcClient(live.grpc_target("payments"), channel=channel(live, "payments", token)) \
                as client:
            return await call(client)

    return asyncio.run(main())


def stock(live: LiveSystem, tokens: Tokens, sku: str) -> int:
    from inventory.models import StockQuery

    level = inventory_call(live, tokens.caller("customer"), lambda c: c.get_stock(StockQuery(sku=sku)))
    return int(level.available)


def reservation(order_id: uuid.UUID, *lines: tuple[str, int]) -> Any:
    from decimal import Decimal

    from inventory.models import Money, OrderLine, Reservation

    return Reservation(order_id=order_id, lines=[
        OrderLine(sku=sku, quantity=quantity, unit_price=Money(amount=Decimal("1.00"), currency="EUR"))
        for sku, quantity in lines])


@pytest.fixture(autouse=True)
def _generated_code(shop_code: Path) -> None:
    """The generated clients are importable in every test of this module."""


# --- inventory: GetStock (unary) --------------------------------------------------------------------------------

def test_get_stock_answers_the_level_of_a_sku(shop_live: LiveSystem, tokens: Tokens) -> None:
    from inventory.models import StockLevel, StockQuery

    level = inventory_call(shop_live, tokens.caller("support"), lambda c: c.get_stock(StockQuery(sku="mug-stoneware")))
    assert isinstance(level, StockLevel)
    assert level.sku == "mug-stoneware"
    assert 0 < level.available <= 500


def test_get_stock_of_an_unknown_sku_is_not_found(shop_live: LiveSystem, tokens: Tokens) -> None:
    from inventory.models import StockQuery
    from rose_runtime.errors import Problem

    with pytest.raises(Problem) as raised:
        inventory_call(shop_live, tokens.caller("customer"), lambda c: c.get_stock(StockQuery(sku="no-such-sku")))
    assert raised.value.status == 404


# --- inventory: Reserve (unary) ---------------------------------------------------------------------------------

def test_reserve_takes_all_lines_or_none(shop_live: LiveSystem, tokens: Tokens) -> None:
    token = tokens.caller("customer")
    before = stock(shop_live, tokens, "tea-sencha")
    refused = inventory_call(shop_live, token, lambda c: c.reserve(
        reservation(uuid.uuid4(), ("tea-sencha", 1), ("no-such-sku", 1))))
    assert (refused.accepted, refused.missing_skus) == (False, ["no-such-sku"])
    assert stock(shop_live, tokens, "tea-sencha") == before

    order_id = uuid.uuid4()
    accepted = inventory_call(shop_live, token, lambda c: c.reserve(
        reservation(order_id, ("tea-sencha", 2), ("tea-sencha", 1))))
    assert (accepted.order_id, accepted.accepted, accepted.missing_skus) == (order_id, True, [])
    assert stock(shop_live, tokens, "tea-sencha") == before - 3

    again = inventory_call(shop_live, token, lambda c: c.reserve(reservation(order_id, ("tea-sencha", 2))))
    assert again == accepted  # the same order is reserved once
    assert stock(shop_live, tokens, "tea-sencha") == before - 3


def test_reserve_rejects_a_non_positive_quantity(shop_live: LiveSystem, tokens: Tokens) -> None:
    from rose_runtime.errors import Problem

    with pytest.raises(Problem) as raised:
        inventory_call(shop_live, tokens.caller("admin"), lambda c: c.reserve(
            reservation(uuid.uuid4(), ("tea-sencha", 0))))
    assert raised.value.status == 400


# --- inventory: WatchStock (server streaming) -------------------------------------------------------------------

def test_watch_stock_streams_the_level_then_each_change(shop_live: LiveSystem, tokens: Tokens) -> None:
    from inventory.grpc_client import InventoryGrpcClient
    from inventory.models import StockQuery

    async def main() -> list[int]:
        seen: list[int] = []
        as_orders = channel(shop_live, "inventory", tokens.caller("customer"))
        async with InventoryGrpcClient(shop_live.grpc_target("inventory"), channel=as_orders) as client:
            stream = client.watch_stock(StockQuery(sku="teapot-cast-iron"), timeout=10)
            seen.append((await anext(stream)).available)
            for quantity in (2, 1):
                result = await client.reserve(reservation(uuid.uuid4(), ("teapot-cast-iron", quantity)))
                assert result.accepted
                seen.append((await anext(stream)).available)
            await stream.aclose()  # the client cancels the stream
        return seen

    first, after_two, after_three = asyncio.run(main())
    assert (after_two, after_three) == (first - 2, first - 3)


def test_watch_stock_of_an_unknown_sku_is_not_found(shop_live: LiveSystem, tokens: Tokens) -> None:
    from inventory.models import StockQuery
    from rose_runtime.errors import Problem

    async def first(client: Any) -> Any:
        async for level in client.watch_stock(StockQuery(sku="no-such-sku")):
            return level
        return None

    with pytest.raises(Problem) as raised:
        inventory_call(shop_live, tokens.caller("customer"), first)
    assert raised.value.status == 404


# --- payments: UploadReceipts (client streaming) ----------------------------------------------------------------

def receipts(order_id: uuid.UUID, *documents: bytes) -> AsyncIterator[Any]:
    from payments.models import Receipt

    async def stream() -> AsyncIterator[Receipt]:
        for document in documents:
            yield Receipt(order_id=order_id, document=document, issued_on=datetime.date(2025, 3, 1))

    return stream()


def test_upload_receipts_of_a_paid_order_answers_its_payment(shop_live: LiveSystem, tokens: Tokens) -> None:
    customer = uuid.uuid4()
    order = place_order(shop_live, tokens, ("tea-earl-grey", 1, "7.90"), customer=customer)
    url = f"{shop_live.url('orders')}/orders/{order['id']}"
    eventually(lambda: httpx.get(url, headers=tokens.header("admin")).json()["status"] == "paid", "the payment")
    order_id = uuid.UUID(order["id"])
    payment = payments_call(shop_live, tokens.token("admin"),
                            lambda c: c.upload_receipts(receipts(order_id, b"%PDF-1.7 first", b"\x00\xffsecond")))
    assert payment.order_id == order_id
    assert str(payment.amount.amount) == "7.90"


def test_upload_receipts_refuses_unknown_orders_and_mixed_or_empty_streams(shop_live: LiveSystem,
                                                                           tokens: Tokens) -> None:
    from rose_runtime.errors import Problem

    token = tokens.token("admin")
    with pytest.raises(Problem) as unknown:
        payments_call(shop_live, token, lambda c: c.upload_receipts(receipts(uuid.uuid4(), b"receipt")))
    assert unknown.value.status == 404

    async def mixed() -> AsyncIterator[Any]:
        async for receipt in receipts(uuid.uuid4(), b"one"):
            yield receipt
        async for receipt in receipts(uuid.uuid4(), b"two"):
            yield receipt

    with pytest.raises(Problem) as mixed_orders:
        payments_call(shop_live, token, lambda c: c.upload_receipts(mixed()))
    assert mixed_orders.value.status == 400
    with pytest.raises(Problem) as empty:
        payments_call(shop_live, token, lambda c: c.upload_receipts([]))
    assert empty.value.status == 400
