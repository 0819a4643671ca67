"""The runtime's metrics beyond the counters: latency series that exist before the first request, buckets with
the service's SLO threshold, and the connection pool of a real PostgreSQL database."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import CollectorRegistry

from .support import runtime, settings


def test_declared_routes_and_methods_have_latency_series_at_zero() -> None:
    from rose_runtime.metrics import ServiceMetrics

    registry = CollectorRegistry()
    metrics = ServiceMetrics("orders", registry)
    assert registry.get_sample_value("rose_http_request_duration_seconds_count",
                                     {"service": "orders", "method": "GET", "route": "/orders"}) is None
    metrics.declare_http_route("GET", "/orders")
    metrics.declare_grpc_method("/orders.v1.OrdersService/Get")
    assert registry.get_sample_value("rose_http_request_duration_seconds_count",
                                     {"service": "orders", "method": "GET", "route": "/orders"}) == 0
    assert registry.get_sample_value("rose_grpc_request_duration_seconds_count",
                                     {"service": "orders", "method": "/orders.v1.OrdersService/Get"}) == 0


def test_an_app_declares_its_api_routes_but_not_its_probes() -> None:
    from fastapi import FastAPI
    from rose_runtime.http import declare_routes, install

    app, rt = FastAPI(), runtime(SERVICE_NAME="catalog")
    install(app, rt)

    @app.get("/products/{sku}")
    async def product(sku: str) -> dict[str, str]:
        return {"sku": sku}

    declare_routes(app, rt)
    routes = {s.labels["route"] for family in rt.registry.collect() for s in family.samples
              if s.name == "rose_http_request_duration_seconds_count"}
    assert routes == {"/products/{sku}"}


def test_a_service_with_its_own_buckets_observes_into_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from rose_runtime import metrics as module

    buckets = (0.1, 0.15, 0.2)
    monkeypatch.setattr(module, "SERVICE_LATENCY_BUCKETS", {"fast": buckets})
    registry = CollectorRegistry()
    module.ServiceMetrics("fast", registry).observe_http("GET", "/n", 200, 0.12)
    labels = {"service": "fast", "method": "GET", "route": "/n"}
    assert registry.get_sample_value("rose_http_request_duration_seconds_bucket", labels | {"le": "0.15"}) == 1
    assert registry.get_sample_value("rose_http_request_duration_seconds_bucket", labels | {"le": "0.1"}) == 0
    other = CollectorRegistry()
    module.ServiceMetrics("slow", other).observe_http("GET", "/n", 200, 0.12)
    assert other.get_sample_value("rose_http_request_duration_seconds_bucket",
                                  {"service": "slow", "method": "GET", "route": "/n", "le": "0.15"}) is None


def test_the_pool_of_a_real_database_is_exported(postgres_database: str) -> None:
    from rose_runtime.db import PostgresPool

    rt = runtime(SERVICE_NAME="orders")
    s = settings(ORDERS_DB_URL=postgres_database, ORDERS_DB_PASSWORD="")
    store = s.postgres("orders-db")
    pool = PostgresPool(store.dsn, store.password, min_size=2, max_size=4, metrics=rt.metrics, datastore="orders-db")

    def value(name: str, **labels: str) -> float | None:
        return rt.registry.get_sample_value(name, {"service": "orders", "datastore": "orders-db", **labels})

    assert value("rose_db_pool_max_connections") == 4
    assert value("rose_db_pool_connections", state="idle") == 0

    async def use() -> tuple[float | None, float | None]:
        await pool.open()
        try:
            async with pool.acquire():
                return value("rose_db_pool_connections", state="in_use"), value("rose_db_pool_connections",
                                                                                 state="idle")
        finally:
            await pool.close()

    in_use, idle = asyncio.run(use())
    assert in_use == 1 and idle == 1, "two connections open (min_size), one of them acquired"
