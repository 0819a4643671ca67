"""One issuer from the edge to every service, end to end with `rosec run`'s local issuer: a dev user's token
(password grant) places an order through the orders REST API; orders calls inventory over gRPC with a token of
its own client (client credentials) for inventory's audience; a token for another audience, of another client, or
without the role is refused (401/403, UNAUTHENTICATED/PERMISSION_DENIED)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import jwt
import pytest

from rosec.devissuer.client import TokenError

from .support import LiveSystem, Tokens, order_body
from .test_auth import status_of
from .test_grpc import inventory_call, payments_call, receipts, reservation


@pytest.fixture(autouse=True)
def _generated_code(shop_code: Path) -> None:
    """The generated clients are importable in every test of this module."""


def claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_a_dev_users_token_places_an_order_and_reads_it_back(shop_live: LiveSystem, tokens: Tokens) -> None:
    token = tokens.password("alice")
    alice = claims(token)
    environment = shop_live.system.compose_environment
    assert environment is not None
    assert alice["sub"] == next(u.subject for u in environment.dev_users if u.name == "alice")
    assert alice["realm_access"] == {"roles": ["customer"]} and alice["azp"] == "shop.web"
    bearer = {"Authorization": f"Bearer {token}"}
    placed = httpx.post(f"{shop_live.url('orders')}/orders", headers=bearer,
                        json=order_body(uuid.UUID(str(alice["sub"])), ("mug-stoneware", 1, "12.50")), timeout=10)
    assert placed.status_code == 201, placed.text
    read = httpx.get(f"{shop_live.url('orders')}/orders/{placed.json()['id']}", headers=bearer, timeout=10)
    assert read.status_code == 200
    assert {k: v for k, v in read.json().items() if k != "status"} == \
        {k: v for k, v in placed.json().items() if k != "status"}  # paid by now, perhaps


def test_orders_calls_inventory_with_its_own_token_for_inventorys_audience(shop_live: LiveSystem,
                                                                           tokens: Tokens) -> None:
    """inventory is internal: it accepts orders' client only, so an order goes through only because orders
    presented its own token (a forwarded person's token would be refused); the issuer saw orders ask for it, for
    inventory's audience, and orders reused it for the next call."""
    issuer, identity = shop_live.issuer, shop_live.system.identity
    assert issuer is not None and identity is not None
    orders = identity.client("orders")
    assert orders is not None

    def inventory_tokens() -> list[object]:
        return [grant for kind, grant in list(issuer.issued) if kind == "client_credentials"
                and grant.client_id == orders.client_id and grant.audiences == ("shop-inventory",)]

    before = len(inventory_tokens())
    token = tokens.password("alice")
    customer = uuid.UUID(str(claims(token)["sub"]))
    for sku in ("tea-sencha", "tea-earl-grey"):
        placed = httpx.post(f"{shop_live.url('orders')}/orders", headers={"Authorization": f"Bearer {token}"},
                            json=order_body(customer, (sku, 1, "4.20")), timeout=10)
        assert placed.status_code == 201, placed.text
    issued = inventory_tokens()
    assert issued, "orders obtained no token of its own for inventory"
    assert len(issued) - before <= 1, "two calls, two tokens: the token was not cached"
    assert all(g.subject == orders.service_account_id and g.roles == orders.roles for g in issued)


def test_a_token_for_another_audience_is_refused(shop_live: LiveSystem, tokens: Tokens) -> None:
    for_payments = tokens.service("orders", "payments")
    assert claims(for_payments)["aud"] == "shop-payments"
    payment = {"order_id": str(uuid.uuid4()), "amount": {"amount": "1.00", "currency": "EUR"}}
    accepted = httpx.post(f"{shop_live.url('payments')}/payments", json=payment, timeout=10,
                          headers={"Authorization": f"Bearer {for_payments}"})
    assert accepted.status_code == 201, accepted.text  # orders' service account holds `customer`
    elsewhere = httpx.get(f"{shop_live.url('orders')}/orders", headers={"Authorization": f"Bearer {for_payments}"})
    assert elsewhere.status_code == 401
    refused = status_of(lambda: inventory_call(shop_live, for_payments, lambda c: c.reserve(
        reservation(uuid.uuid4(), ("mug-stoneware", 1)))))
    assert refused == 401  # UNAUTHENTICATED: aud is shop-payments, not shop-inventory
    for_inventory = tokens.service("orders", "inventory")
    accepted_grpc = status_of(lambda: inventory_call(shop_live, for_inventory, lambda c: c.reserve(
        reservation(uuid.uuid4(), ("mug-stoneware", 1)))))
    assert accepted_grpc == 200


def test_a_person_or_a_token_without_the_role_is_refused(shop_live: LiveSystem, tokens: Tokens) -> None:
    alice = tokens.password("alice")  # customer
    listing = httpx.get(f"{shop_live.url('orders')}/orders", headers={"Authorization": f"Bearer {alice}"})
    assert listing.status_code == 403  # GET /orders needs admin or support
    sam = tokens.password("sam")  # support
    assert httpx.get(f"{shop_live.url('orders')}/orders", headers={"Authorization": f"Bearer {sam}"}).status_code == 200
    upload = status_of(lambda: payments_call(shop_live, alice, lambda c: c.upload_receipts(
        receipts(uuid.uuid4(), b"receipt"))))
    assert upload == 403  # PERMISSION_DENIED: UploadReceipts needs admin
    def reserve(token: str) -> int:
        return status_of(lambda: inventory_call(shop_live, token, lambda c: c.reserve(
            reservation(uuid.uuid4(), ("mug-stoneware", 1)))))

    assert reserve(alice) == 401  # UNAUTHENTICATED: people's tokens never carry the internal inventory's audience
    assert reserve(tokens.token("customer")) == 403  # PERMISSION_DENIED: even with it, a person is no caller


def test_the_issuer_refuses_wrong_credentials(shop_live: LiveSystem, tokens: Tokens) -> None:
    from rosec.devissuer.client import request_token

    wrong = {**shop_live.secrets, "ALICE_PASSWORD": "not-her-password", "ORDERS_CLIENT_SECRET": "guessed"}
    with pytest.raises(TokenError, match="invalid_grant"):
        request_token(shop_live.system, wrong, user="alice", port_offset=shop_live.port_offset)
    with pytest.raises(TokenError, match="invalid_client"):
        request_token(shop_live.system, wrong, client="orders", port_offset=shop_live.port_offset)
