"""FastAPI wiring and bearer-token auth: probes, metrics, problem+json, correlation ids, JWT verification."""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations, some local to make_app.

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from .support import AUDIENCE, ISSUER, JwksServer, runtime

if TYPE_CHECKING:
    from rose_runtime.runtime import Runtime


class NewOrder(BaseModel):
    sku: str
    quantity: int


def make_app(rt: "Runtime") -> FastAPI:
    """An app shaped like a generated api.py: routes with the runtime's dependencies."""
    from fastapi import APIRouter, Depends
    from rose_runtime.context import RequestContext
    from rose_runtime.errors import Problem
    from rose_runtime.http import install, request_context, require

    app = FastAPI()
    install(app, rt)
    router = APIRouter(prefix="/api")

    @app.get("/orders/{id}")
    async def get_order(id: str, ctx: Annotated[RequestContext, Depends(request_context(("customer", "admin")))]) \
            -> dict[str, Any]:
        ctx.logger.info("reading order")
        principal = ctx.principal
        assert principal is not None
        return {"id": id, "subject": principal.subject, "roles": sorted(principal.roles),
                "correlation_id": ctx.correlation_id, "client_id": principal.client_id,
                "on_behalf_of": principal.on_behalf_of}

    @app.get("/any-user")
    async def any_user(principal: Annotated[Any, Depends(require(()))]) -> dict[str, str]:
        return {"subject": principal.subject}

    @app.get("/public")
    async def public(principal: Annotated[Any, Depends(require((), public=True))]) -> dict[str, Any]:
        return {"principal": principal}

    @app.post("/orders", status_code=201)
    async def post_order(body: NewOrder) -> NewOrder:
        return body

    @app.get("/missing/{id}")
    async def missing(id: str) -> None:
        raise Problem(404, "Not Found", f"no order {id}", extra={"order_id": id})

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret internals")

    @router.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    app.include_router(router)
    return app


def call(app: FastAPI, requests: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
            return await requests(client)

    return asyncio.run(main())


def get(app: FastAPI, path: str, **kwargs: Any) -> httpx.Response:
    return call(app, lambda client: client.get(path, **kwargs))


def test_healthz_and_metrics() -> None:
    rt = runtime()
    app = make_app(rt)
    assert get(app, "/public").status_code == 200
    health = get(app, "/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    metrics = get(app, "/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    for name in ("rose_http_requests_total", "rose_http_request_duration_seconds_bucket"):
        assert name in metrics.text
    assert 'route="/public"' in metrics.text and 'route="/healthz"' not in metrics.text
    assert "/healthz" not in app.openapi()["paths"]


def test_a_probe_app_serves_only_the_probes() -> None:
    from rose_runtime.http import probe_app

    app = probe_app(runtime())
    assert get(app, "/healthz").status_code == 200 and get(app, "/readyz").status_code == 200
    assert get(app, "/openapi.json").status_code == 404


def test_readyz_reports_every_check_and_fails_when_one_fails() -> None:
    rt = runtime()
    state = {"db": True}

    async def db() -> bool:
        return state["db"]

    async def broken() -> None:
        raise ConnectionError("nope")

    rt.add_readiness_check("db", db)
    app = make_app(rt)
    ready = get(app, "/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "checks": {"db": "ok"}}
    state["db"] = False
    failing = get(app, "/readyz")
    assert failing.status_code == 503 and failing.json()["checks"] == {"db": "failed"}
    state["db"] = True
    rt.add_readiness_check("amqp", broken)
    assert get(app, "/readyz").json()["checks"] == {"db": "ok", "amqp": "failed"}
    rt2 = runtime()
    rt2.draining = True
    assert get(make_app(rt2), "/readyz").status_code == 503


def test_problems_are_problem_json() -> None:
    rt = runtime()
    app = make_app(rt)
    missing = get(app, "/missing/o-7")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no order o-7",
                              "order_id": "o-7"}
    invalid = call(app, lambda c: c.post("/orders", json={"sku": "A", "quantity": "many"}))
    assert invalid.status_code == 422 and invalid.headers["content-type"] == "application/problem+json"
    body = invalid.json()
    assert body["status"] == 422 and body["errors"][0]["loc"] == ["body", "quantity"]
    assert "many" not in json.dumps(body)  # the input is not echoed
    assert call(app, lambda c: c.post("/orders", json={"sku": "A", "quantity": 2})).status_code == 201
    unknown = get(app, "/nowhere")
    assert unknown.status_code == 404 and unknown.json()["title"] == "Not Found"
    not_allowed = call(app, lambda c: c.delete("/public"))
    assert not_allowed.status_code == 405 and "allow" in not_allowed.headers


def test_an_unhandled_error_is_a_500_without_details_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    rt = runtime()
    app = make_app(rt)
    with caplog.at_level(logging.INFO):
        crash = get(app, "/crash", headers={"X-Request-ID": "crash-1"})
    assert crash.status_code == 500 and crash.headers["content-type"] == "application/problem+json"
    assert crash.json()["title"] == "Internal Server Error" and "secret" not in crash.text
    assert crash.headers["x-request-id"] == "crash-1"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info and "secret internals" in str(errors[0].exc_info[1])
    assert rt.registry.get_sample_value("rose_http_request_errors_total", {
        "service": "orders", "method": "GET", "route": "/crash", "status": "500"}) == 1


def test_metrics_label_the_route_template_never_the_raw_path(caplog: pytest.LogCaptureFixture) -> None:
    rt = runtime()
    app = make_app(rt)
    with caplog.at_level(logging.INFO, logger="rose.http"):
        call(app, lambda c: asyncio.gather(c.get("/missing/a"), c.get("/missing/b"), c.get("/api/items/3"),
                                           c.get("/nowhere/x")))
    sample = rt.registry.get_sample_value
    assert sample("rose_http_requests_total", {"service": "orders", "method": "GET", "route": "/missing/{id}",
                                               "status": "404"}) == 2
    assert sample("rose_http_requests_total", {"service": "orders", "method": "GET", "route": "/api/items/{item_id}",
                                               "status": "200"}) == 1
    assert sample("rose_http_requests_total", {"service": "orders", "method": "GET", "route": "<unmatched>",
                                               "status": "404"}) == 1
    exposition = get(app, "/metrics").text
    assert "/missing/a" not in exposition and "/nowhere/x" not in exposition
    access = [r for r in caplog.records if r.name == "rose.http"]
    fields = {(vars(r)["rose.route"], vars(r)["http.response.status_code"]) for r in access}
    assert fields >= {("/missing/{id}", 404), ("/api/items/{item_id}", 200)}


def test_the_request_id_is_taken_or_made_and_echoed() -> None:
    app = make_app(runtime())
    given = get(app, "/public", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = get(app, "/public")
    assert len(made.headers["x-request-id"]) == 32
    hostile = get(app, "/public", headers={"X-Request-ID": "a b"})
    assert hostile.headers["x-request-id"] != "a b"


# -- authentication ----------------------------------------------------------------------------------------

def secured_app(jwks: JwksServer) -> FastAPI:
    return make_app(runtime(**jwks.oidc_env()))


def test_no_token_is_401_with_a_bearer_challenge(jwks: JwksServer) -> None:
    app = secured_app(jwks)
    response = get(app, "/orders/1")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert get(app, "/orders/1", headers={"Authorization": "Basic dXNlcjpwdw=="}).status_code == 401


def test_the_right_role_passes_and_the_principal_reaches_the_handler(jwks: JwksServer) -> None:
    app = secured_app(jwks)
    token = jwks.token(roles=("customer", "other"), subject="alice")
    response = get(app, "/orders/7", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "rid-7"})
    assert response.status_code == 200
    assert response.json() == {"id": "7", "subject": "alice", "roles": ["customer", "other"],
                               "correlation_id": "rid-7", "client_id": None, "on_behalf_of": None}


def test_a_wrong_role_is_403_and_no_roles_needed_means_any_user(jwks: JwksServer) -> None:
    app = secured_app(jwks)
    token = jwks.token(roles=("support",))
    forbidden = get(app, "/orders/7", headers={"Authorization": f"Bearer {token}"})
    assert forbidden.status_code == 403 and "customer" in forbidden.json()["detail"]
    assert get(app, "/any-user", headers={"Authorization": f"Bearer {token}"}).json() == {"subject": "user-1"}


@pytest.mark.parametrize("bad", ["expired", "wrong signature", "wrong audience", "wrong issuer", "unknown key",
                                 "not a jwt", "hs256"])
def test_invalid_tokens_are_401(jwks: JwksServer, bad: str) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    roles = ("customer",)
    token = {
        "expired": lambda: jwks.token(roles=roles, expires_in=-60),  # past the 30 s leeway
        "wrong signature": lambda: jwks.token(roles=roles, key=rsa.generate_private_key(65537, 2048)),
        "wrong audience": lambda: jwks.token(roles=roles, audience="shop-payments"),
        "wrong issuer": lambda: jwks.token(roles=roles, issuer="http://evil/realms/shop"),
        "unknown key": lambda: jwks.token(roles=roles, kid="nobody", key=jwks.keys["key-1"]),
        "not a jwt": lambda: "abc.def",
        "hs256": lambda: jwt.encode({"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": 2**31}, "k" * 32,
                                    algorithm="HS256", headers={"kid": "key-1"}),
    }[bad]()
    response = get(secured_app(jwks), "/orders/1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_expiry_has_a_leeway_and_audience_lists_are_accepted(jwks: JwksServer) -> None:
    app = secured_app(jwks)
    token = jwks.token(roles=("admin",), expires_in=-10, audience=["account", AUDIENCE])
    assert get(app, "/orders/1", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_without_identity_only_public_operations_work() -> None:
    app = make_app(runtime())
    assert get(app, "/public").json() == {"principal": None}
    closed = get(app, "/any-user", headers={"Authorization": "Bearer whatever"})
    assert closed.status_code == 401


def test_the_verifier_fetches_keys_once_and_again_for_an_unknown_key_id(jwks: JwksServer) -> None:
    from rose_runtime.auth import TokenVerifier

    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks.url, refresh_cooldown=0)

    async def main() -> None:
        before = jwks.fetches
        for _ in range(3):
            assert (await verifier.verify(jwks.token(roles=("admin",)))).roles == frozenset({"admin"})
        assert jwks.fetches == before + 1  # the key set is cached
        jwks.add_key("key-2")  # the provider rotates its keys
        try:
            principal = await verifier.verify(jwks.token(kid="key-2", subject="bob"))
            assert principal.subject == "bob" and principal.roles == frozenset()
            assert jwks.fetches == before + 2
        finally:
            del jwks.keys["key-2"]

    asyncio.run(main())


def test_an_unreachable_key_endpoint_is_503_not_401(jwks: JwksServer) -> None:
    from rose_runtime.auth import TokenVerifier
    from rose_runtime.errors import Problem

    from .support import free_port

    verifier = TokenVerifier(ISSUER, AUDIENCE, f"http://127.0.0.1:{free_port()}/certs", timeout=1)
    with pytest.raises(Problem) as error:
        asyncio.run(verifier.verify(jwks.token()))
    assert error.value.status == 503


def test_authorize_rules() -> None:
    from rose_runtime.auth import Principal, authorize
    from rose_runtime.errors import Problem

    alice = Principal("alice", frozenset({"customer"}), "t")
    assert authorize(alice, ()) is alice
    assert authorize(alice, ("admin", "customer")) is alice
    with pytest.raises(Problem) as error:
        authorize(alice, ("admin",))
    assert error.value.status == 403
    assert "SECRET" not in repr(Principal("bob", frozenset(), "SECRET"))  # tokens stay out of logs
