"""Settings from the environment rosec wires, JSON log lines, correlation ids, errors, metrics, Sentry."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import asdict
from pathlib import Path

import pytest

from rosec.model.deployments import local_service_env
from rosec.model.system import System

from .support import settings


def test_the_generated_runtime_carries_the_header_and_the_model_metric_names(runtime_services_dir: Path,
                                                                          shop: System) -> None:
    from rose_runtime import names

    from rosec.model.metrics import LATENCY_BUCKETS, METRICS

    for module in sorted((runtime_services_dir / "rose_runtime").glob("*.py")):
        assert module.read_text("utf-8").startswith(shop.header()), module.name
    expected = asdict(METRICS)
    assert {field: getattr(names, field.upper()) for field in expected} == expected
    assert LATENCY_BUCKETS == names.LATENCY_BUCKETS


def test_settings_read_every_variable_the_model_gives_a_service(shop: System) -> None:
    from rose_runtime.settings import Settings

    orders = shop.service("orders")
    deployment = shop.environment("dev").deployments["orders"]
    env = {v.name: v.value if v.value is not None else f"secret-{v.secret}" for v in deployment.env}
    s = Settings.from_env(env)
    assert (s.system, s.service, s.environment, s.port) == ("shop", "orders", "dev", orders.port)
    assert s.oidc is not None and s.oidc.audience == orders.client_id
    assert s.amqp_url == env["AMQP_URL"] and s.amqp_password == env["AMQP_PASSWORD"]
    db = s.postgres("orders-db")
    assert db.dsn == env["ORDERS_DB_URL"] and db.password == env["ORDERS_DB_PASSWORD"]
    assert s.postgres("ORDERS_DB") == db
    assert s.peer("inventory").url == env["INVENTORY_URL"]
    assert s.peer("inventory").grpc_target == env["INVENTORY_GRPC_TARGET"]
    assert s.get("ORDER_CURRENCY") == "EUR"
    assert "secret" not in repr(s)
    assert s.bind_host == "0.0.0.0", "in a container a service listens on every interface"
    local = {v.name: v.value if v.value is not None else "x" for v in local_service_env(shop, "orders")}
    assert Settings.from_env(local).bind_host == "127.0.0.1", "a local process listens on the loopback only"


def test_settings_report_every_problem_at_once() -> None:
    from rose_runtime.settings import Settings, SettingsError

    with pytest.raises(SettingsError) as error:
        Settings.from_env({"PORT": "http", "OIDC_ISSUER_URL": "https://id", "LOG_LEVEL": "loud",
                           "AMQP_URL": "http://rabbit"})
    problems = "\n".join(error.value.problems)
    for expected in ("ROSE_SYSTEM is required", "SERVICE_NAME is required", "ROSE_ENVIRONMENT is required",
                     "PORT must be a TCP port", "OIDC_JWKS_URL, OIDC_AUDIENCE missing", "LOG_LEVEL",
                     "AMQP_URL must be an amqp://"):
        assert expected in problems


def test_the_amqp_password_is_injected_percent_encoded() -> None:
    s = settings(AMQP_URL="amqp://shop@rabbitmq:5672/shop", AMQP_PASSWORD="p@ss:w/rd")
    assert s.amqp_connection_url == "amqp://shop:p%40ss%3Aw%2Frd@rabbitmq:5672/shop"
    assert settings(AMQP_URL="amqp://shop@rabbitmq:5672/shop").amqp_connection_url == "amqp://shop@rabbitmq:5672/shop"


def _logged() -> tuple[logging.Logger, io.StringIO]:
    from rose_runtime.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("orders", "test", "1.2.3", "shop.orders"))
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_log_lines_are_ecs_json_with_the_context_fields() -> None:
    from rose_runtime.logs import ECS_VERSION, log_scope

    logger, stream = _logged()
    with log_scope(correlation_id="abc123", route="/orders/{id}", trace_id="t" * 32, transaction_id="s" * 16):
        logger.info("hello %s", "world", extra={"http.response.status_code": 201, "order_id": "o-1",
                                                "skus": ["a", "b"], "log.level": "not the level"})
    logger.info("outside")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert list(first)[:3] == ["@timestamp", "log.level", "message"], "the ECS logging spec's first three keys"
    assert first["message"] == "hello world" and first["log.level"] == "info"
    assert first["http.response.status_code"] == 201, "dotted extra= names are fields of their own"
    assert first["labels.order_id"] == "o-1" and first["labels.skus"] == '["a", "b"]', "others are keyword labels"
    assert (first["service.name"], first["service.environment"], first["event.dataset"], first["service.version"]) \
        == ("orders", "test", "shop.orders", "1.2.3")
    assert (first["rose.correlation_id"], first["rose.route"], first["trace.id"], first["transaction.id"]) == \
        ("abc123", "/orders/{id}", "t" * 32, "s" * 16)
    assert first["ecs.version"] == ECS_VERSION and first["log.logger"].startswith("test.logs")
    assert first["@timestamp"].endswith("Z") and first["@timestamp"][:4].isdigit()
    assert not {"rose.correlation_id", "rose.route", "trace.id"} & set(second), "scope fields end with the scope"
    assert third["log.level"] == "error" and third["error.type"] == "ValueError" and third["error.message"] == "boom"
    assert "ValueError: boom" in third["error.stack_trace"] and "Traceback" in third["error.stack_trace"]


def test_the_runtime_and_the_model_agree_on_the_ecs_version_and_the_fields_it_maps() -> None:
    from rose_runtime import logs

    from rosec.model.logs import ECS_VERSION, LOG_FIELDS

    assert logs.ECS_VERSION == ECS_VERSION
    scope_fields = set(logs._SCOPE_FIELDS.values())
    assert scope_fields <= set(LOG_FIELDS), scope_fields - set(LOG_FIELDS)
    assert set(LOG_FIELDS) >= logs._PROTECTED


def test_configure_logging_sends_every_logger_to_stdout_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    from rose_runtime.logs import configure_logging
    from rose_runtime.runtime import Runtime

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("orders", "test", "INFO", dataset="shop.orders")
        runtime = Runtime(settings())
        runtime.logger.info("from the runtime", extra={"answer": 42})
        logging.getLogger("uvicorn.error").info("from uvicorn")
        logging.getLogger("some.lib").debug("not shown")
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    finally:
        root.handlers[:], root.level = saved
    assert [line["message"] for line in lines] == ["from the runtime", "from uvicorn"]
    assert lines[0]["labels.answer"] == 42 and lines[0]["log.logger"] == "rose.orders"
    assert all(line["service.name"] == "orders" and line["event.dataset"] == "shop.orders" for line in lines)
    assert "service.version" not in lines[0], "no version given, none claimed"


@pytest.mark.parametrize(("given", "kept"), [("req-42.a_b:c", True), ("", False), (None, False),
                                              ("x" * 129, False), ("bad id\n", False), (b"bytes-id", True)])
def test_a_callers_correlation_id_is_kept_only_when_it_is_a_plain_token(given: str | bytes | None,
                                                                       kept: bool) -> None:
    from rose_runtime.logs import accept_correlation_id

    result = accept_correlation_id(given)
    if kept:
        assert result == (given.decode() if isinstance(given, bytes) else given)
    else:
        assert result != given and len(result) == 32 and int(result, 16) >= 0


def test_correlation_ids_from_grpc_metadata_and_amqp() -> None:
    from rose_runtime.logs import correlation_id_from_message, correlation_id_from_metadata

    assert correlation_id_from_metadata([("authorization", "x"), ("X-Request-ID", "rid-1")]) == "rid-1"
    assert len(correlation_id_from_metadata(None)) == 32
    assert correlation_id_from_message("cid-9") == "cid-9"


def test_problem_json_and_grpc_codes() -> None:
    import grpc
    from rose_runtime.errors import Problem, grpc_code

    problem = Problem(409, "Conflict", "order exists", type="https://shop.example.com/problems/exists",
                      extra={"order_id": "o-1"})
    assert problem.to_json("/orders/o-1") == {"type": "https://shop.example.com/problems/exists",
                                              "title": "Conflict", "status": 409, "detail": "order exists",
                                              "instance": "/orders/o-1", "order_id": "o-1"}
    assert Problem(404, "Not Found").to_json() == {"type": "about:blank", "title": "Not Found", "status": 404}
    expected = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ALREADY_EXISTS", 412: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE",
                500: "INTERNAL", 422: "INTERNAL", 502: "INTERNAL"}
    assert {status: grpc_code(status).name for status in expected} == expected
    assert grpc_code(404) is grpc.StatusCode.NOT_FOUND
    with pytest.raises(ValueError):
        Problem(200, "OK")
    with pytest.raises(ValueError):
        Problem(400, "Bad", extra={"status": 500})


def test_metrics_use_the_model_names_and_labels() -> None:
    from prometheus_client import CollectorRegistry
    from rose_runtime.metrics import ServiceMetrics

    registry = CollectorRegistry()
    metrics = ServiceMetrics("orders", registry)
    metrics.observe_http("GET", "/orders/{id}", 503, 0.02)
    metrics.observe_grpc("/inventory.v1.InventoryService/GetStock", "NOT_FOUND", 0.01)
    metrics.message_consumed("payment.settled")
    labels = {"service": "orders", "method": "GET", "route": "/orders/{id}", "status": "503"}
    assert registry.get_sample_value("rose_http_requests_total", labels) == 1
    assert registry.get_sample_value("rose_http_request_errors_total", labels) == 1
    assert registry.get_sample_value("rose_http_request_duration_seconds_bucket",
                                     {**{k: v for k, v in labels.items() if k != "status"}, "le": "0.025"}) == 1
    assert registry.get_sample_value("rose_grpc_request_errors_total", {
        "service": "orders", "method": "/inventory.v1.InventoryService/GetStock", "code": "NOT_FOUND"}) == 1
    assert registry.get_sample_value("rose_messages_consumed_total",
                                     {"service": "orders", "event": "payment.settled"}) == 1
    # A second service in the same interpreter has its own registry.
    ServiceMetrics("payments", CollectorRegistry())


def test_sentry_is_initialised_only_with_a_dsn() -> None:
    import sentry_sdk
    from rose_runtime.sentry import init_sentry

    assert init_sentry(settings()) is False
    assert not sentry_sdk.get_client().is_active()
    try:
        enabled = init_sentry(settings(SENTRY_DSN="http://public@127.0.0.1:9/1", SENTRY_ENVIRONMENT="staging",
                                       SERVICE_VERSION="1.4.0", SENTRY_TRACES_SAMPLE_RATE="0.25"))
        client = sentry_sdk.get_client()
        assert enabled and client.is_active()
        assert client.options["environment"] == "staging" and client.options["release"] == "orders@1.4.0"
        assert client.options["traces_sample_rate"] is None and client.options["send_default_pii"] is None
        assert client.options["auto_enabling_integrations"] is False
        collected = client.options["data_collection"]  # as the SDK resolved it
        assert collected["provided_by_user"] and not collected["user_info"] and collected["http_bodies"] == []
        assert collected["cookies"] == {"mode": "off"} and not collected["database_query_data"]
        assert "authorization" in collected["http_headers"]["request"]["terms"]
        sample = client.options["traces_sampler"]
        assert sample({"rose_infrastructure": True, "parent_sampled": True}) == 0.0, "probes never"
        assert sample({"rose_infrastructure": False, "parent_sampled": True}) == 1.0, "the caller's decision"
        assert sample({"rose_infrastructure": False, "parent_sampled": False}) == 0.0
        assert sample({"rose_infrastructure": False, "parent_sampled": None}) == 0.25, "else the rate"
    finally:
        sentry_sdk.get_client().close(timeout=0)
        sentry_sdk.get_global_scope().set_client(None)  # back to the non-recording client
    assert not sentry_sdk.get_client().is_active()


def test_the_release_version_and_sample_rate_come_from_the_environment() -> None:
    from rose_runtime.sentry import release
    from rose_runtime.settings import SettingsError

    assert release(settings()) == "orders@dev", "an image built without SERVICE_VERSION"
    assert release(settings(SERVICE_VERSION="2024.06.1-abc123")) == "orders@2024.06.1-abc123"
    assert settings().sentry_traces_sample_rate == 0.0
    for bad in ("1.5", "-0.1", "often"):
        with pytest.raises(SettingsError, match="SENTRY_TRACES_SAMPLE_RATE"):
            settings(SENTRY_TRACES_SAMPLE_RATE=bad)
