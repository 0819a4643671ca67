"""Service-to-service identity in the runtime: client credentials from a real token endpoint (the local issuer of
`rosec run`, serving the shop's realm), the token cached until shortly before it expires; the settings of a
service's client and of its callers; an internal service that accepts its callers' tokens only; whom a trusted
caller acts for."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest
from conftest import LocalIssuer

from rosec.devissuer.server import DevIssuer
from rosec.model.deployments import local_service_env
from rosec.model.system import System

from .support import free_port


@pytest.fixture(scope="module")
def values(shop_issuer: LocalIssuer) -> dict[str, str]:
    return shop_issuer.secrets


@pytest.fixture(scope="module")
def issuer(shop_issuer: LocalIssuer) -> DevIssuer:
    return shop_issuer.issuer


def endpoint(issuer: DevIssuer) -> str:
    return f"http://127.0.0.1:{issuer.port}{issuer.base_path}/protocol/openid-connect/token"


def orders_credentials(issuer: DevIssuer, secret: str, **options: Any) -> Any:
    from rose_runtime.tokens import ClientCredentials

    return ClientCredentials(endpoint(issuer), "shop-orders", secret, **options)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_for_the_callees_audience_is_fetched_once_and_reused(issuer: DevIssuer,
                                                                     values: dict[str, str]) -> None:
    clock = Clock()

    async def main() -> tuple[list[str], int, int]:
        tokens = orders_credentials(issuer, values["ORDERS_CLIENT_SECRET"], clock=clock)
        try:
            first = await asyncio.gather(*(tokens.token("shop-inventory") for _ in range(10)))
            together = tokens.fetches
            clock.now += 300 - 31  # still fresh: replaced 30 s before it expires
            again = await tokens.token("shop-inventory")
            clock.now += 2
            renewed = await tokens.token("shop-inventory")
            other = await tokens.token("shop-payments")
            return [*first, again, renewed, other], together, tokens.fetches
        finally:
            await tokens.aclose()

    issued, together, fetches = asyncio.run(main())
    assert together == 1, "ten concurrent calls share one request to the token endpoint"
    assert len(set(issued[:11])) == 1 and issued[11] != issued[0]
    assert fetches == 3
    claims = jwt.decode(issued[0], options={"verify_signature": False})
    assert claims["aud"] == "shop-inventory" and claims["azp"] == "shop-orders"
    assert jwt.decode(issued[-1], options={"verify_signature": False})["aud"] == "shop-payments"


def test_a_refused_or_unreachable_token_endpoint_is_a_503(issuer: DevIssuer) -> None:
    from rose_runtime.errors import Problem
    from rose_runtime.tokens import ClientCredentials

    async def attempt(tokens: Any) -> Problem:
        try:
            with pytest.raises(Problem) as raised:
                await tokens.token("shop-inventory")
            return raised.value
        finally:
            await tokens.aclose()

    refused = asyncio.run(attempt(ClientCredentials(endpoint(issuer), "shop-orders", "wrong-secret")))
    assert refused.status == 503 and "refused this service's client (401)" in (refused.detail or "")
    unreachable = asyncio.run(attempt(ClientCredentials(f"http://127.0.0.1:{free_port()}/token", "a", "b",
                                                        timeout=1)))
    assert unreachable.status == 503 and "cannot be reached" in (unreachable.detail or "")


def test_settings_of_the_client_and_the_callers_come_from_the_model(shop: System) -> None:
    from rose_runtime.settings import Settings, SettingsError

    def settings_of(service: str) -> Any:
        return Settings.from_env({v.name: v.value if v.value is not None else f"secret-{v.secret}"
                                  for v in local_service_env(shop, service)})

    orders, inventory, catalog = settings_of("orders"), settings_of("inventory"), settings_of("catalog")
    assert orders.oidc_client is not None and orders.oidc_client.client_id == "shop-orders"
    assert orders.oidc_client.client_secret == "secret-ORDERS_CLIENT_SECRET"
    assert "secret-ORDERS" not in repr(orders)
    assert catalog.oidc_client is None
    assert inventory.oidc is not None and inventory.oidc.callers == ("shop-orders",)
    assert inventory.oidc.callers_only is True and orders.oidc is not None and orders.oidc.callers_only is False
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"ROSE_SYSTEM": "s", "SERVICE_NAME": "a", "ROSE_ENVIRONMENT": "e", "PORT": "1",
                           "OIDC_CLIENT_ID": "x", "OIDC_CALLERS_ONLY": "maybe"})
    problems = "\n".join(error.value.problems)
    assert "OIDC_GRANT_URL, OIDC_CLIENT_SECRET missing" in problems and "OIDC_CALLERS_ONLY" in problems


def test_an_internal_service_accepts_its_callers_tokens_only(issuer: DevIssuer, values: dict[str, str]) -> None:
    from rose_runtime.auth import TokenVerifier, authenticate
    from rose_runtime.errors import Problem

    jwks = f"http://127.0.0.1:{issuer.port}{issuer.base_path}/protocol/openid-connect/certs"
    verifier = TokenVerifier(issuer.issuer, "shop-inventory", jwks, callers=["shop-orders"], callers_only=True)
    caller = issuer.contract.client_credentials("shop-orders", values["ORDERS_CLIENT_SECRET"],
                                                "shop-inventory")
    person = issuer.contract.password("shop.web", "alice", "pw-alice", "")

    async def main() -> tuple[Any, int, Any]:
        principal = await authenticate(verifier, f"Bearer {issuer.sign(caller)}", ["customer"], False, "alice-id")
        forged = type(person)(person.subject, person.client_id, ("shop-inventory",), person.roles, ())
        try:
            await authenticate(verifier, f"Bearer {issuer.sign(forged)}", [], False)
        except Problem as problem:
            refused = problem.status
        open_verifier = TokenVerifier(issuer.issuer, "shop-orders", jwks, callers=["shop-orders"])
        untrusted = await authenticate(open_verifier, f"Bearer {issuer.sign(person)}", [], False, "someone-else")
        return principal, refused, untrusted

    principal, refused, untrusted = asyncio.run(main())
    assert principal.client_id == "shop-orders" and principal.subject == caller.subject
    assert principal.on_behalf_of == "alice-id" and principal.acting_for == "alice-id"
    assert refused == 403, "a person's token, even for inventory's audience, is no caller's"
    assert untrusted.on_behalf_of is None and untrusted.acting_for == untrusted.subject
