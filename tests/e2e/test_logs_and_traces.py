"""What the running shop logs: one trace id follows an order over HTTP, gRPC and AMQP through every service, and the
lines the services really printed go through the generated Logstash pipeline (logstash-pipeline-parser's reading
of it, run by tests/elk/pipeline_emulator.py) into their data streams with only fields the index template maps."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from elk.pipeline_emulator import elasticsearch_output, gelf_event, run_filters, section
from logstash_pipeline_parser import Pipeline

from rosec.model.logs import LOG_FIELDS, PIPELINE_FIELDS, environment_logs
from rosec.targets.logs import logstash_pipeline

from .support import LiveSystem, Tokens, eventually, order_body

# Fields a line carries only when something fails: the runtime tests and tests/services/test_sentry_process.py
# see them in real output (an exception, a message that does not validate).
ON_FAILURE_ONLY = {"error.type", "error.message", "error.stack_trace", "rose.validation_errors"}


def flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Field paths of an indexed document: dotted keys as they are, nested objects joined with dots."""
    found: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            found |= flat(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = value
    return found


@pytest.fixture(scope="module")
def traced_order(shop_live: LiveSystem, tokens: Tokens) -> tuple[str, dict[str, Any]]:
    """An order placed with a trace of our own (sentry-trace: trace id, parent span, sampled); waits until the
    services downstream handled it."""
    trace_id = uuid.uuid4().hex
    customer = uuid.uuid4()
    headers = tokens.header("customer", subject=str(customer)) | {"sentry-trace": f"{trace_id}-{'a' * 16}-0"}
    response = httpx.post(f"{shop_live.url('orders')}/orders", headers=headers, timeout=10,
                          json=order_body(customer, ("tea-earl-grey", 1, "7.90")))
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    eventually(lambda: shop_live.logged("orders", **{"rose.event": "payment.settled", "trace.id": trace_id}),
               "orders to consume payment.settled in the order's trace")
    # notifications consumes order.created beside payments, on its own time: the chain above does not wait for it
    eventually(lambda: shop_live.logged("notifications", **{"rose.event": "order.created", "trace.id": trace_id,
                                                            "message": "message handled"}),
               "notifications to consume order.created in the order's trace")
    return trace_id, order


def test_one_trace_follows_an_order_over_http_grpc_and_amqp(shop_live: LiveSystem,
                                                          traced_order: tuple[str, dict[str, Any]]) -> None:
    trace_id, order = traced_order
    request = shop_live.logged("orders", **{"trace.id": trace_id, "rose.route": "/orders",
                                           "http.request.method": "POST"})
    assert request and request[-1]["http.response.status_code"] == 201, "orders: the HTTP request"
    reserve = [r for r in shop_live.logged("inventory", **{"trace.id": trace_id}) if "rose.grpc.method" in r]
    assert reserve and reserve[0]["rose.grpc.code"] == "OK", "inventory: the gRPC call orders made"
    for consumer in ("payments", "notifications"):
        consumed = shop_live.logged(consumer, **{"trace.id": trace_id, "rose.event": "order.created",
                                                 "message": "message handled"})
        assert consumed, f"{consumer}: order.created, published by orders"
    settled = shop_live.logged("orders", **{"trace.id": trace_id, "rose.event": "payment.settled"})
    assert any(r.get("labels.order_id") == order["id"] for r in settled), "orders: payment.settled from payments"
    one_request = {r["rose.correlation_id"] for s in ("orders", "inventory", "payments")
                   for r in shop_live.logged(s, **{"trace.id": trace_id})}
    assert len(one_request) == 1, "the correlation id travels with the trace"
    other = shop_live.logged("orders", **{"rose.route": "/orders/{id}"})
    assert all(r["trace.id"] != trace_id for r in other), "another request has a trace of its own"


def test_real_lines_reach_their_data_stream_with_mapped_fields_only(shop_live: LiveSystem,
                                                                  traced_order: tuple[str, Any]) -> None:
    system = shop_live.system
    environment = system.compose_environment
    assert environment is not None
    names = environment_logs(system, environment)
    filters = section(Pipeline(logstash_pipeline(system, environment)).parse(), "filter")
    mapped = set(LOG_FIELDS) | set(PIPELINE_FIELDS)
    seen: set[str] = set()
    for service in system.services:
        lines = [line for line in shop_live.output.text(service.name).splitlines() if line.startswith("{")]
        assert len(lines) > 3, f"{service.name} printed too little to check"
        for line in lines:
            event = run_filters(gelf_event(line, service.name, f"shop-{service.name}-1", time.time()), filters)
            assert event is not None, f"{service.name}: a line of a service of the system was dropped"
            index, document = elasticsearch_output(event)
            assert index == names.stream(service.name).data_stream
            fields = flat(document)
            assert "tags" not in fields, f"{service.name}: not parsed as JSON: {line}"
            unmapped = {f for f in fields if f not in mapped and not f.startswith("labels.")}
            assert not unmapped, f"{service.name} logs fields the index template does not map: {unmapped}"
            labels = {f: v for f, v in fields.items() if f.startswith("labels.")}
            assert all(v is None or isinstance(v, str | int | float | bool) for v in labels.values()), labels
            assert fields["service.name"] == service.name and fields["event.dataset"] == index.split("-")[1]
            assert fields["container.name"] == f"shop-{service.name}-1"
            assert not {"host", "level", "version", "source_host", "tag"} & set(fields), "GELF fields are dropped"
            seen |= set(fields)
    never = mapped - seen - ON_FAILURE_ONLY - {"tags"}
    assert not never, f"the template maps fields no service logged: {never}"


def test_lines_that_are_not_json_or_not_the_systems(shop_live: LiveSystem) -> None:
    system = shop_live.system
    environment = system.compose_environment
    assert environment is not None
    filters = section(Pipeline(logstash_pipeline(system, environment)).parse(), "filter")
    crash = run_filters(gelf_event("Traceback (most recent call last):", "orders", "shop-orders-1", 0.0), filters)
    assert crash is not None
    index, document = elasticsearch_output(crash)
    assert index == "logs-shop.orders-dev" and document["tags"] == ["_jsonparsefailure"]
    assert document["message"] == "Traceback (most recent call last):"
    assert (document["service.name"], document["service.environment"], document["event.dataset"]) == \
        ("orders", "dev", "shop.orders")
    assert run_filters(gelf_event('{"message": "hi"}', "kong", "shop-kong-1", 0.0), filters) is None, \
        "another container's lines are dropped"
