"""Every REST endpoint of every shop service and of the minimal example, over real HTTP (httpx), plus the probes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from .support import LiveSystem, Tokens, order_body, place_order

SHOP_SERVICES = ("catalog", "orders", "inventory", "payments", "notifications")


# --- probes -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("service", SHOP_SERVICES)
def test_every_service_answers_its_probes_and_metrics(shop_live: LiveSystem, service: str) -> None:
    base = shop_live.url(service)
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks.get("amqp") == "ok"
    for store in shop_live.system.service(service).uses:
        if shop_live.system.datastore(store).engine == "postgres":
            assert checks[f"postgres:{store}"] == "ok"
    metrics = httpx.get(f"{base}/metrics")
    assert metrics.status_code == 200
    assert "# TYPE rose_http_requests_total counter" in metrics.text


# --- catalog ----------------------------------------------------------------------------------------------------

def test_catalog_lists_the_seeded_products_sorted_by_sku(shop_live: LiveSystem) -> None:
    response = httpx.get(f"{shop_live.url('catalog')}/products")
    assert response.status_code == 200
    skus = [p["sku"] for p in response.json()["items"]]
    assert {"tea-earl-grey", "tea-sencha", "mug-stoneware", "teapot-cast-iron"} <= set(skus)
    assert skus == sorted(skus)


def test_catalog_filters_products_by_tag(shop_live: LiveSystem) -> None:
    response = httpx.get(f"{shop_live.url('catalog')}/products", params={"tag": "green"})
    assert response.status_code == 200
    assert [p["sku"] for p in response.json()["items"]] == ["tea-sencha"]
    assert httpx.get(f"{shop_live.url('catalog')}/products", params={"tag": "no-such-tag"}).json() == {"items": []}


def test_catalog_gets_one_product_or_answers_404(shop_live: LiveSystem) -> None:
    product = httpx.get(f"{shop_live.url('catalog')}/products/tea-sencha")
    assert product.status_code == 200
    assert product.json() == {"sku": "tea-sencha", "name": "Sencha, 100 g",
                              "price": {"amount": "9.50", "currency": "EUR"}, "tags": ["tea", "green"],
                              "attributes": {"origin": "Japan"}, "image_url": None}
    missing = httpx.get(f"{shop_live.url('catalog')}/products/no-such-sku")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_catalog_put_creates_and_replaces_a_product_for_admins(shop_live: LiveSystem, tokens: Tokens) -> None:
    sku = f"e2e-{uuid.uuid4().hex[:8]}"
    url = f"{shop_live.url('catalog')}/products/{sku}"
    product = {"sku": sku, "name": "Tea towel", "price": {"amount": "4.5", "currency": "EUR"},
               "tags": ["kitchen", "textile"], "attributes": {"colour": "blue"}, "image_url": "https://img/x.png"}
    created = httpx.put(url, json=product, headers=tokens.header("admin"))
    assert created.status_code == 200, created.text
    assert created.json() == product
    assert httpx.get(url).json() == product
    replaced = httpx.put(url, json={**product, "name": "Linen tea towel", "image_url": None},
                         headers=tokens.header("admin"))
    assert replaced.status_code == 200
    assert httpx.get(url).json()["name"] == "Linen tea towel"
    assert sku in [p["sku"] for p in httpx.get(f"{shop_live.url('catalog')}/products",
                                               params={"tag": "textile"}).json()["items"]]
    mismatch = httpx.put(url, json={**product, "sku": "other"}, headers=tokens.header("admin"))
    assert mismatch.status_code == 422
    assert httpx.put(url, json=product, headers=tokens.header("customer")).status_code == 403
    assert httpx.put(url, json=product).status_code == 401


# --- orders -----------------------------------------------------------------------------------------------------

def test_orders_post_places_a_reserved_order_with_its_total(shop_live: LiveSystem, tokens: Tokens) -> None:
    customer = uuid.uuid4()
    order = place_order(shop_live, tokens, ("tea-sencha", 2, "9.50"), ("mug-stoneware", 1, "14.00"),
                        customer=customer)
    assert order["customer_id"] == str(customer)
    assert order["status"] in ("reserved", "paid")  # payment may already have been settled by the time we look
    assert order["total"] == {"amount": "33.00", "currency": "EUR"}
    assert [line["sku"] for line in order["lines"]] == ["tea-sencha", "mug-stoneware"]
    uuid.UUID(order["id"])


def test_orders_post_answers_409_when_stock_is_short(shop_live: LiveSystem, tokens: Tokens) -> None:
    customer = uuid.uuid4()
    response = httpx.post(f"{shop_live.url('orders')}/orders",
                          json=order_body(customer, ("tea-sencha", 1, "9.50"), ("teapot-cast-iron", 10**6, "45.00"),
                                          ("no-such-sku", 1, "1.00")),
                          headers=tokens.header("customer", subject=str(customer)))
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert sorted(response.json()["missing_skus"]) == ["no-such-sku", "teapot-cast-iron"]


@pytest.mark.parametrize(("lines", "currency"), [
    ((), "EUR"),
    ((("tea-sencha", 0, "9.50"),), "EUR"),
    ((("tea-sencha", 1, "-9.50"),), "EUR"),
    ((("tea-sencha", 1, "9.50"),), "USD"),
], ids=["no lines", "zero quantity", "negative price", "other currency"])
def test_orders_post_rejects_invalid_orders_with_422(shop_live: LiveSystem, tokens: Tokens,
                                                     lines: tuple[tuple[str, int, str], ...], currency: str) -> None:
    customer = uuid.uuid4()
    response = httpx.post(f"{shop_live.url('orders')}/orders", json=order_body(customer, *lines, currency=currency),
                          headers=tokens.header("customer", subject=str(customer)))
    assert response.status_code == 422, response.text


def test_orders_post_is_for_the_callers_own_customer_id(shop_live: LiveSystem, tokens: Tokens) -> None:
    response = httpx.post(f"{shop_live.url('orders')}/orders",
                          json=order_body(uuid.uuid4(), ("tea-sencha", 1, "9.50")),
                          headers=tokens.header("customer", subject=str(uuid.uuid4())))
    assert response.status_code == 403


def test_orders_get_by_id_for_its_customer_and_staff_only(shop_live: LiveSystem, tokens: Tokens) -> None:
    customer = uuid.uuid4()
    order = place_order(shop_live, tokens, ("tea-sencha", 1, "9.50"), customer=customer)
    url = f"{shop_live.url('orders')}/orders/{order['id']}"
    mine = httpx.get(url, headers=tokens.header("customer", subject=str(customer)))
    assert mine.status_code == 200
    assert {k: v for k, v in mine.json().items() if k != "status"} == \
        {k: v for k, v in order.items() if k != "status"}
    for role in ("support", "admin"):
        assert httpx.get(url, headers=tokens.header(role)).json()["id"] == order["id"]
    assert httpx.get(url, headers=tokens.header("customer", subject=str(uuid.uuid4()))).status_code == 404
    unknown = httpx.get(f"{shop_live.url('orders')}/orders/{uuid.uuid4()}", headers=tokens.header("admin"))
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{shop_live.url('orders')}/orders/not-a-uuid", headers=tokens.header("admin")).status_code == 422


def test_orders_list_for_staff_with_an_optional_status_filter(shop_live: LiveSystem, tokens: Tokens) -> None:
    order = place_order(shop_live, tokens, ("tea-sencha", 1, "9.50"))
    url = f"{shop_live.url('orders')}/orders"
    everything = httpx.get(url, headers=tokens.header("support"))
    assert everything.status_code == 200
    assert order["id"] in [o["id"] for o in everything.json()["items"]]
    for status in ("reserved", "paid", "cancelled"):
        listed = httpx.get(url, params={"status": status}, headers=tokens.header("admin")).json()["items"]
        assert all(o["status"] == status for o in listed)
    assert httpx.get(url, params={"status": "lost"}, headers=tokens.header("admin")).status_code == 422
    assert httpx.get(url, headers=tokens.header("customer")).status_code == 403


# --- payments ---------------------------------------------------------------------------------------------------

def test_payments_post_settles_a_payment_once_per_order(shop_live: LiveSystem, tokens: Tokens) -> None:
    order_id = str(uuid.uuid4())
    body = {"order_id": order_id, "amount": {"amount": "12.30", "currency": "EUR"}}
    url = f"{shop_live.url('payments')}/payments"
    first = httpx.post(url, json=body, headers=tokens.header("customer"))
    assert first.status_code == 201, first.text
    payment = first.json()
    assert payment["order_id"] == order_id
    assert Decimal(payment["amount"]["amount"]) == Decimal("12.30")
    assert payment["settled_at"].endswith(("Z", "+00:00"))
    again = httpx.post(url, json=body, headers=tokens.header("customer"))
    assert again.json()["id"] == payment["id"]
    refused = httpx.post(url, json={**body, "amount": {"amount": "0", "currency": "EUR"}},
                         headers=tokens.header("customer"))
    assert refused.status_code == 422


# --- the minimal example ----------------------------------------------------------------------------------------

def test_minimal_hello_greets_by_name(minimal_live: LiveSystem) -> None:
    base = minimal_live.url("hello")
    response = httpx.get(f"{base}/hello/Ada%20Lovelace")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello, Ada Lovelace!"}
    assert httpx.get(f"{base}/readyz").json()["status"] == "ok"
    assert httpx.get(f"{base}/nowhere").status_code == 404
