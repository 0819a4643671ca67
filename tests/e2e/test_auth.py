"""Authentication and authorization over real HTTP and gRPC, with RS256 tokens of the test identity provider whose
keys the services fetch from its JWKS endpoint: no token 401, wrong role 403, right role 2xx, expired or wrongly
signed 401."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .support import LiveSystem, Tokens
from .test_grpc import inventory_call, payments_call, receipts, reservation

STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # not in the provider's key set


def bad_tokens(tokens: Tokens, *roles: str, client: str | None = None) -> dict[str, str]:
    """Tokens with the right roles (issued to `client`) that must still be refused with 401."""
    return {
        "expired": tokens.token(*roles, client=client, expires_in=-120),  # beyond the verifier's 30 s leeway
        "signed by another key": tokens.token(*roles, client=client, key=STRANGER_KEY),
        "another issuer": tokens.token(*roles, client=client, issuer="http://evil.example/realms/shop"),
        "another audience": tokens.token(*roles, client=client, audience="someone-else"),
    }


# --- REST -------------------------------------------------------------------------------------------------------

def test_rest_orders_list_requires_a_valid_staff_token(shop_live: LiveSystem, tokens: Tokens) -> None:
    url = f"{shop_live.url('orders')}/orders"
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_role = httpx.get(url, headers=tokens.header("customer"))
    assert wrong_role.status_code == 403
    assert httpx.get(url, headers=tokens.header("support")).status_code == 200
    assert httpx.get(url, headers=tokens.header("admin", "customer")).status_code == 200
    for name, token in bad_tokens(tokens, "admin").items():
        refused = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401, name
        assert refused.headers["www-authenticate"].startswith('Bearer error="invalid_token"'), name
    assert httpx.get(url, headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}).status_code == 401


def test_rest_catalog_reads_are_public_and_writes_need_admin(shop_live: LiveSystem, tokens: Tokens) -> None:
    base = shop_live.url("catalog")
    assert httpx.get(f"{base}/products").status_code == 200
    assert httpx.get(f"{base}/products/tea-sencha", headers={"Authorization": "Bearer garbage"}).status_code == 200
    sku = f"auth-{uuid.uuid4().hex[:8]}"
    product = {"sku": sku, "name": "Spoon", "price": {"amount": "1.00", "currency": "EUR"}, "tags": [],
               "attributes": {}, "image_url": None}
    url = f"{base}/products/{sku}"
    assert httpx.put(url, json=product).status_code == 401
    assert httpx.put(url, json=product, headers=tokens.header("support")).status_code == 403
    for name, token in bad_tokens(tokens, "admin").items():
        assert httpx.put(url, json=product, headers={"Authorization": f"Bearer {token}"}).status_code == 401, name
    assert httpx.put(url, json=product, headers=tokens.header("admin")).status_code == 200


def test_rest_payments_need_a_customer(shop_live: LiveSystem, tokens: Tokens) -> None:
    url = f"{shop_live.url('payments')}/payments"
    body = {"order_id": str(uuid.uuid4()), "amount": {"amount": "3.00", "currency": "EUR"}}
    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(url, json=body, headers=tokens.header("admin")).status_code == 403
    assert httpx.post(url, json=body, headers=tokens.header("customer", expires_in=-120)).status_code == 401
    assert httpx.post(url, json=body, headers=tokens.header("customer")).status_code == 201


# --- gRPC -------------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _generated_code(shop_code: Path) -> None:
    """The generated clients are importable in every test of this module."""


def status_of(call: Callable[[], object]) -> int:
    from rose_runtime.errors import Problem

    try:
        call()
    except Problem as problem:
        return problem.status
    return 200


def test_grpc_reserve_requires_a_customer_or_admin_token_of_a_caller(shop_live: LiveSystem, tokens: Tokens) -> None:
    """inventory is internal: only orders' client, which calls it, may; and then with a role Reserve requires."""
    def reserve(token: str | None) -> int:
        return status_of(lambda: inventory_call(shop_live, token, lambda c: c.reserve(
            reservation(uuid.uuid4(), ("mug-stoneware", 1)))))

    assert reserve(None) == 401
    assert reserve(tokens.caller("support")) == 403
    assert reserve(tokens.caller("customer")) == 200
    assert reserve(tokens.caller("admin")) == 200
    assert reserve(tokens.token("customer")) == 403  # a person's token: not a caller of inventory
    assert reserve(tokens.caller("customer", of="payments")) == 403  # payments does not call inventory
    for name, token in bad_tokens(tokens, "customer", client=tokens.caller_client()).items():
        assert reserve(token) == 401, name


def test_grpc_get_stock_requires_any_valid_token(shop_live: LiveSystem, tokens: Tokens) -> None:
    from inventory.models import StockQuery

    def get_stock(token: str | None) -> int:
        return status_of(lambda: inventory_call(shop_live, token, lambda c: c.get_stock(StockQuery(sku="tea-sencha"))))

    assert get_stock(None) == 401
    assert get_stock(tokens.caller()) == 200  # no role needed, but a valid token of a caller
    assert get_stock(tokens.caller("customer", key=STRANGER_KEY)) == 401


def test_grpc_upload_receipts_requires_an_admin(shop_live: LiveSystem, tokens: Tokens) -> None:
    def upload(token: str | None) -> int:
        return status_of(lambda: payments_call(shop_live, token, lambda c: c.upload_receipts(
            receipts(uuid.uuid4(), b"receipt"))))

    assert upload(None) == 401
    assert upload(tokens.token("customer")) == 403
    assert upload(tokens.token("admin")) == 404  # authorized; the order has no payment
    for name, token in bad_tokens(tokens, "admin").items():
        assert upload(token) == 401, name
