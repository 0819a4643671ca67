"""The local development issuer of `rosec run`: its endpoints over HTTP, its grants and errors, its key, and where
it refuses to start."""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import jwt
import pytest
from conftest import LocalIssuer

from rosec.devissuer import local
from rosec.devissuer.keys import SigningKey, thumbprint
from rosec.devissuer.server import DevIssuer, IssuerRefusedError
from rosec.model.system import System

# RFC 7638, 3.1: an RSA key and its JWK thumbprint.
RFC7638_N = ("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjB"
             "ZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8"
             "KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_"
             "xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def secrets(shop_issuer: LocalIssuer) -> dict[str, str]:
    return shop_issuer.secrets


@pytest.fixture(scope="module")
def issuer(shop_issuer: LocalIssuer) -> DevIssuer:
    return shop_issuer.issuer


def url(issuer: DevIssuer, path: str) -> str:
    return f"http://127.0.0.1:{issuer.port}{issuer.base_path}{path}"


def post(issuer: DevIssuer, form: dict[str, str], basic: tuple[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url(issuer, "/protocol/openid-connect/token"), method="POST",
                                     data=urllib.parse.urlencode(form).encode("ascii"))
    if basic:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(basic).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get(issuer: DevIssuer, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(url(issuer, path), timeout=10) as response:
        return dict(json.loads(response.read()))


def verified(issuer: DevIssuer, token: str, audience: str) -> dict[str, Any]:
    """The claims, after checking the signature against the issuer's JWKS endpoint, as the services do."""
    key = jwt.PyJWKClient(url(issuer, "/protocol/openid-connect/certs")).get_signing_key_from_jwt(token)
    return dict(jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer.issuer))


def test_the_key_id_is_the_rfc_7638_thumbprint() -> None:
    assert thumbprint(RFC7638_N, "AQAB") == RFC7638_THUMBPRINT
    key = SigningKey.generate()
    assert key.kid == thumbprint(key.jwk["n"], key.jwk["e"]) == key.jwk["kid"]
    public = key.private_key.public_key().public_numbers()
    assert int.from_bytes(base64.urlsafe_b64decode(key.jwk["n"] + "=="), "big") == public.n


def test_discovery_and_the_key_set(issuer: DevIssuer) -> None:
    discovery = get(issuer, "/.well-known/openid-configuration")
    assert discovery["issuer"] == issuer.issuer == f"http://localhost:{issuer.port}/realms/shop"
    assert discovery["token_endpoint"].endswith("/realms/shop/protocol/openid-connect/token")
    (key,) = get(issuer, "/protocol/openid-connect/certs")["keys"]
    assert key == issuer.key.jwk and key["alg"] == "RS256" and key["use"] == "sig" and "d" not in key


def test_client_credentials_with_basic_or_form_authentication(issuer: DevIssuer, secrets: dict[str, str]) -> None:
    secret = secrets["ORDERS_CLIENT_SECRET"]
    status, body = post(issuer, {"grant_type": "client_credentials", "scope": "shop-inventory"},
                        basic=("shop-orders", secret))
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 300
    claims = verified(issuer, body["access_token"], "shop-inventory")
    assert claims["azp"] == "shop-orders" and claims["realm_access"] == {"roles": ["customer", "admin"]}
    assert claims["exp"] - claims["iat"] == 300 and claims["scope"] == "shop-inventory"
    status, body = post(issuer, {"grant_type": "client_credentials", "client_id": "shop-orders",
                                 "client_secret": secret, "scope": "shop-inventory shop-payments"})
    assert status == 200
    assert verified(issuer, body["access_token"], "shop-payments")["aud"] == ["shop-inventory", "shop-payments"]


def test_the_password_grant_of_a_dev_user(issuer: DevIssuer) -> None:
    status, body = post(issuer, {"grant_type": "password", "client_id": "shop.web", "username": "sam",
                                 "password": "pw-sam", "scope": "orders.read"})
    assert status == 200
    claims = verified(issuer, body["access_token"], "shop-orders")
    assert claims["aud"] == ["shop-catalog", "shop-orders", "shop-payments"]
    assert claims["realm_access"] == {"roles": ["support"]} and claims["azp"] == "shop.web"
    assert claims["scope"] == "shop-catalog shop-orders shop-payments orders.read"


@pytest.mark.parametrize(("form", "basic", "status", "error"), [
    ({"grant_type": "client_credentials", "scope": "shop-inventory"}, ("shop-orders", "guessed"), 401,
     "invalid_client"),
    ({"grant_type": "client_credentials", "scope": "shop-catalog"}, ("shop-orders", "SECRET"), 400, "invalid_scope"),
    ({"grant_type": "client_credentials"}, ("shop-catalog", "x"), 401, "invalid_client"),  # calls nobody
    ({"grant_type": "password", "client_id": "shop.web", "username": "alice", "password": "no"}, None, 401,
     "invalid_grant"),
    ({"grant_type": "password", "client_id": "shop.web", "username": "mallory", "password": "x"}, None, 401,
     "invalid_grant"),
    ({"grant_type": "password", "client_id": "shop-orders", "username": "alice", "password": "pw-alice"}, None, 401,
     "unauthorized_client"),
    ({"grant_type": "authorization_code", "code": "x"}, None, 400, "unsupported_grant_type"),
])
def test_token_endpoint_errors(issuer: DevIssuer, secrets: dict[str, str], form: dict[str, str],
                               basic: tuple[str, str] | None, status: int, error: str) -> None:
    if basic and basic[1] == "SECRET":
        basic = (basic[0], secrets["ORDERS_CLIENT_SECRET"])
    answered, body = post(issuer, form, basic)
    assert (answered, body["error"]) == (status, error)
    assert "access_token" not in body


def test_the_issuer_refuses_to_stand_in_for_anything_but_a_local_compose_realm(shop: System,
                                                                                secrets: dict[str, str]) -> None:
    key = SigningKey.generate()
    prod = shop.environment("prod")
    with pytest.raises(IssuerRefusedError, match="compose environment only"):
        DevIssuer(shop, prod, key, secrets, issuer="https://auth.shop.example.com/realms/shop")
    dev = shop.environment("dev")
    with pytest.raises(IssuerRefusedError, match="loopback"):
        DevIssuer(shop, dev, key, secrets, issuer="http://localhost:8080/realms/shop", host="0.0.0.0")


def test_starting_needs_the_dev_users_passwords_and_a_free_port(shop: System, issuer: DevIssuer,
                                                               secrets: dict[str, str]) -> None:
    with pytest.raises(local.IssuerError, match="ALICE_PASSWORD: the password of a dev user"):
        local.start(shop, {k: v for k, v in secrets.items() if k != "ALICE_PASSWORD"}, port=free_port())
    with pytest.raises(local.IssuerError, match="--no-issuer"):
        local.start(shop, secrets, port=issuer.port)
    with pytest.raises(local.IssuerError, match="not a PEM RSA private key"):
        local.start(shop, {**secrets, "OIDC_SIGNING_PRIVATE_KEY": "not a key"}, port=free_port())


def test_the_environments_key_pair_is_used_when_given(shop: System, secrets: dict[str, str]) -> None:
    key = SigningKey.generate()
    escaped = key.private_pem.replace("\n", "\\n")  # as a one-line value of an env file
    with local.local_issuer(shop, [secrets, {"OIDC_SIGNING_PRIVATE_KEY": escaped}], port_offset=free_port() - 8080) \
            as started:
        assert started is not None and started.key.kid == key.kid
