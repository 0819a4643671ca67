"""Peer HTTP clients (propagation, retries, problems) and the PostgreSQL pool against the real server."""

# No `from __future__ import annotations`: FastAPI resolves the peer app's annotations.

import asyncio
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header

from .support import free_port, runtime, settings


def peer_app() -> FastAPI:
    from rose_runtime.errors import Problem
    from rose_runtime.http import install

    app = FastAPI()
    install(app, runtime(SERVICE_NAME="inventory"))

    @app.get("/echo")
    async def echo(x_request_id: Annotated[str, Header()], authorization: Annotated[str | None, Header()] = None,
                   x_rose_on_behalf_of: Annotated[str | None, Header()] = None,
                   tag: str | None = None) -> dict[str, Any]:
        return {"request_id": x_request_id, "authorization": authorization, "tag": tag,
                "on_behalf_of": x_rose_on_behalf_of}

    @app.get("/stock/{sku}")
    async def stock(sku: str) -> None:
        raise Problem(404, "Not Found", f"unknown sku {sku}", type="https://shop.example.com/problems/sku")

    @app.get("/plain-error")
    async def plain() -> Any:
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("upstream broke", status_code=502)

    return app


class FlakyTransport(httpx.AsyncBaseTransport):
    """Refuses the first `failures` connections, then hands requests to the app."""

    def __init__(self, app: FastAPI, failures: int) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.failures = failures
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls <= self.failures:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


class Tokens:
    """A token source that hands out one token per audience and records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def token(self, audience: str) -> str:
        self.asked.append(audience)
        return f"service-token-for-{audience}"


def test_the_request_id_the_services_own_token_and_whom_it_serves_are_sent() -> None:
    """The caller's token never travels on: the peer gets this service's token for its audience, and the
    caller's subject as X-Rose-On-Behalf-Of."""
    from rose_runtime.auth import Principal
    from rose_runtime.clients import HttpClient
    from rose_runtime.context import current_principal
    from rose_runtime.logs import log_scope

    tokens = Tokens()

    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with HttpClient("http://inventory", runtime(), transport=httpx.ASGITransport(app=peer_app()),
                              audience="shop-inventory", tokens=tokens) as client:
            anonymous = (await client.get("/echo", params={"tag": None})).json()
            current_principal.set(Principal("alice", frozenset(), "callers-token"))
            with log_scope(correlation_id="rid-42"):
                forwarded = (await client.get("/echo", params={"tag": "t"})).json()
            return anonymous, forwarded

    anonymous, forwarded = asyncio.run(main())
    assert len(anonymous["request_id"]) == 32 and anonymous["tag"] is None and anonymous["on_behalf_of"] is None
    assert anonymous["authorization"] == "Bearer service-token-for-shop-inventory"
    assert forwarded == {"request_id": "rid-42", "authorization": "Bearer service-token-for-shop-inventory",
                         "tag": "t", "on_behalf_of": "alice"}
    assert tokens.asked == ["shop-inventory", "shop-inventory"]


def test_without_client_credentials_no_token_is_sent() -> None:
    from rose_runtime.auth import Principal
    from rose_runtime.clients import HttpClient
    from rose_runtime.context import current_principal

    async def main() -> dict[str, Any]:
        async with HttpClient("http://inventory", runtime(), transport=httpx.ASGITransport(app=peer_app()),
                              audience="shop-inventory") as client:
            current_principal.set(Principal("alice", frozenset(), "callers-token"))
            return dict((await client.get("/echo")).json())

    sent = asyncio.run(main())
    assert sent["authorization"] is None and sent["on_behalf_of"] == "alice"


def test_a_peers_problem_is_raised_as_a_problem() -> None:
    from rose_runtime.clients import HttpClient
    from rose_runtime.errors import Problem

    async def main() -> tuple[Problem, Problem]:
        async with HttpClient("http://inventory", transport=httpx.ASGITransport(app=peer_app())) as client:
            with pytest.raises(Problem) as not_found:
                await client.get("/stock/x-1")
            with pytest.raises(Problem) as plain:
                await client.get("/plain-error")
            return not_found.value, plain.value

    not_found, plain = asyncio.run(main())
    assert (not_found.status, not_found.title, not_found.detail, not_found.type) == \
        (404, "Not Found", "unknown sku x-1", "https://shop.example.com/problems/sku")
    assert plain.status == 502 and plain.title == "Bad Gateway"


def test_idempotent_requests_are_retried_on_connection_errors() -> None:
    from rose_runtime.clients import HttpClient

    transport = FlakyTransport(peer_app(), failures=2)

    async def main() -> httpx.Response:
        async with HttpClient("http://inventory", transport=transport, retries=2, backoff=0.01) as client:
            return await client.get("/echo")

    assert asyncio.run(main()).status_code == 200
    assert transport.calls == 3


def test_other_methods_are_not_retried_and_give_up_with_503() -> None:
    from rose_runtime.clients import HttpClient
    from rose_runtime.errors import Problem

    transport = FlakyTransport(peer_app(), failures=1)

    async def main() -> None:
        async with HttpClient("http://inventory", transport=transport, retries=2, backoff=0.01) as client:
            await client.post("/echo", json={})

    with pytest.raises(Problem) as error:
        asyncio.run(main())
    assert error.value.status == 503 and transport.calls == 1


def test_an_unreachable_peer_is_retried_then_503(caplog: pytest.LogCaptureFixture) -> None:
    from rose_runtime.clients import HttpClient
    from rose_runtime.errors import Problem

    async def main() -> None:
        async with HttpClient(f"http://127.0.0.1:{free_port()}", retries=2, backoff=0.01, timeout=1) as client:
            await client.get("/anything")

    with caplog.at_level("INFO", logger="rose.clients"), pytest.raises(Problem) as error:
        asyncio.run(main())
    assert error.value.status == 503
    messages = [r.getMessage() for r in caplog.records if r.name == "rose.clients"]
    assert sum("retrying" in m for m in messages) == 2 and "after 3 attempt(s)" in messages[-1]


def test_the_postgres_pool_is_ready_when_the_database_answers(postgres_database: str) -> None:
    from rose_runtime.db import PostgresPool

    s = settings(ORDERS_DB_URL=postgres_database, ORDERS_DB_PASSWORD="")

    async def main() -> None:
        pool = PostgresPool.from_settings(s, "orders-db")
        assert not await pool.ready()
        await pool.open()
        try:
            assert await pool.ready()
            async with pool.acquire() as connection:
                await connection.execute("CREATE TABLE orders (id text PRIMARY KEY)")
                await connection.execute("INSERT INTO orders VALUES ('o-1')")
                assert await connection.fetchval("SELECT count(*) FROM orders") == 1
            assert pool.pool.get_max_size() == 10 and pool.pool.get_min_size() == 1
        finally:
            await pool.close()
        assert not await pool.ready()
        with pytest.raises(RuntimeError):
            pool.acquire()

    asyncio.run(main())


def test_the_pool_fails_to_open_on_a_missing_database(postgres_database: str) -> None:
    import asyncpg
    from rose_runtime.db import PostgresPool

    async def main() -> None:
        pool = PostgresPool(postgres_database + "_missing", None)
        await pool.open()

    with pytest.raises(asyncpg.InvalidCatalogNameError):
        asyncio.run(main())
