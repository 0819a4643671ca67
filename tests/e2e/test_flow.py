"""The shop's flows across services: REST -> gRPC -> events -> consumers, all real processes and the real broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from .support import LiveSystem, Tokens, eventually, order_body, place_order
from .test_grpc import channel, stock


@pytest.fixture(autouse=True)
def _generated_code(shop_code: Path) -> None:
    """The generated clients are importable in every test of this module."""


def receipt_of(live: LiveSystem, order_id: str) -> dict[str, Any] | None:
    directory = Path(live.env["notifications"]["RECEIPTS_PATH"])
    for path in directory.glob("payment-*.json"):
        receipt: dict[str, Any] = json.loads(path.read_text("utf-8"))
        if receipt["order_id"] == order_id:
            return receipt
    return None


def test_an_order_placed_over_rest_is_reserved_over_grpc_then_paid_through_events(shop_live: LiveSystem,
                                                                                 tokens: Tokens) -> None:
    customer = uuid.uuid4()
    as_customer = tokens.header("customer", subject=str(customer))
    earl_grey, mugs = stock(shop_live, tokens, "tea-earl-grey"), stock(shop_live, tokens, "mug-stoneware")

    order = place_order(shop_live, tokens, ("tea-earl-grey", 2, "7.90"), ("mug-stoneware", 1, "14.00"),
                        customer=customer)
    assert order["total"] == {"amount": "29.80", "currency": "EUR"}
    # Reserved over gRPC before the order was stored and order.created published:
    assert (stock(shop_live, tokens, "tea-earl-grey"), stock(shop_live, tokens, "mug-stoneware")) == \
        (earl_grey - 2, mugs - 1)

    # payments consumes order.created and publishes payment.settled; orders consumes it and marks the order paid.
    url = f"{shop_live.url('orders')}/orders/{order['id']}"
    paid = eventually(lambda: (r := httpx.get(url, headers=as_customer).json())["status"] == "paid" and r,
                      "GET /orders/{id} to show the order paid")
    assert {k: v for k, v in paid.items() if k != "status"} == {k: v for k, v in order.items() if k != "status"}
    paid_orders = httpx.get(f"{shop_live.url('orders')}/orders", params={"status": "paid"},
                            headers=tokens.header("admin")).json()["items"]
    assert order["id"] in [o["id"] for o in paid_orders]

    # notifications consumed payment.settled too and left a receipt in its volume.
    receipt = eventually(lambda: receipt_of(shop_live, order["id"]), "the receipt file")
    assert receipt["amount"] == {"amount": "29.80", "currency": "EUR"}


def test_order_created_reaches_every_consumer(shop_live: LiveSystem, tokens: Tokens) -> None:
    consumers = shop_live.system.event("order.created").consumers
    assert set(consumers) == {"payments", "notifications"}
    order = place_order(shop_live, tokens, ("tea-earl-grey", 1, "7.90"))

    handled = {"rose.event": "order.created", "labels.order_id": order["id"]}
    eventually(lambda: shop_live.logged("payments", **handled), "payments to consume order.created")
    eventually(lambda: shop_live.logged("notifications", **handled), "notifications to consume order.created")
    for consumer in consumers:
        metrics = httpx.get(f"{shop_live.url(consumer)}/metrics").text.splitlines()
        assert any(line.startswith("rose_messages_consumed_total{") and 'event="order.created"' in line
                   and f'service="{consumer}"' in line for line in metrics)


def test_depleted_stock_ends_the_watch_and_tags_the_product_out_of_stock(shop_live: LiveSystem,
                                                                         tokens: Tokens) -> None:
    from inventory.grpc_client import InventoryGrpcClient
    from inventory.models import StockQuery

    customer = uuid.uuid4()
    as_customer = tokens.header("customer", subject=str(customer))
    sku = "kettle-copper"  # 3 in stock; no other test orders it

    async def main() -> tuple[list[int], int]:
        as_orders = channel(shop_live, "inventory", tokens.caller("customer"))
        async with InventoryGrpcClient(shop_live.grpc_target("inventory"), channel=as_orders) as client:
            stream = client.watch_stock(StockQuery(sku=sku), timeout=15)
            levels = [(await anext(stream)).available]
            async with httpx.AsyncClient() as http:
                placed = await http.post(f"{shop_live.url('orders')}/orders", headers=as_customer,
                                         json=order_body(customer, (sku, levels[0], "89.00")))
            levels += [level.available async for level in stream]  # ends by itself at 0
        return levels, placed.status_code

    levels, status = asyncio.run(main())
    assert status == 201
    assert levels == [3, 0]

    product = f"{shop_live.url('catalog')}/products/{sku}"
    eventually(lambda: "out-of-stock" in httpx.get(product).json()["tags"], "catalog to tag the product")
    tagged = httpx.get(f"{shop_live.url('catalog')}/products", params={"tag": "out-of-stock"}).json()["items"]
    assert sku in [p["sku"] for p in tagged]
    again = httpx.post(f"{shop_live.url('orders')}/orders", headers=as_customer,
                       json=order_body(customer, (sku, 1, "89.00")))
    assert again.status_code == 409
    assert again.json()["missing_skus"] == [sku]
