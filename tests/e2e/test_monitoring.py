"""The generated monitoring against the running shop: a real Prometheus (Debian's 2.42) scrapes every service that
`rosec run` started and evaluates the generated rules; a real Alertmanager routes an alert to a webhook.

The Prometheus configuration is the generated one (prometheus_config) with the targets pointed at the services'
free ports, a 1 s interval, and one more target: a payments metrics endpoint of the real runtime class that
answers every request with 500, which burns the payments error budget fast enough to page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from monitoring_support import (
    Server,
    WebhookReceiver,
    dashboard_expressions,
    metric_names,
    query,
    rule_expressions,
    served_names,
    start_alertmanager,
    start_prometheus,
    webhook_receiver,
    write_prometheus_dir,
)

from rosec.model.alerting import PAGE, Alerting, Receiver, Webhook
from rosec.model.metrics import exported_names
from rosec.model.scrape import SERVICES_JOB
from rosec.targets.alertmanager import alertmanager_config
from rosec.targets.prometheus import prometheus_config

from .support import LiveSystem, eventually

FAILING_SERVICE = "payments"


@dataclass
class Stack:
    prometheus: Server
    alertmanager: Server
    webhook: WebhookReceiver


class FailingService:
    """The metrics of a service whose every request fails: rose_runtime's ServiceMetrics, served over HTTP."""

    def __init__(self, name: str) -> None:
        from prometheus_client import CollectorRegistry
        from rose_runtime.metrics import ServiceMetrics

        self.metrics = ServiceMetrics(name, CollectorRegistry())
        self.stopped = threading.Event()
        metrics = self.metrics

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, content_type = metrics.exposition()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self._fail, daemon=True).start()

    def _fail(self) -> None:
        while not self.stopped.wait(0.1):
            self.metrics.observe_http("POST", "/payments", 500, 0.01)

    def close(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def stack(shop_live: LiveSystem, shop_code: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    shop = shop_live.system
    environment = shop.compose_environment
    assert environment is not None
    directory = tmp_path_factory.mktemp("monitoring")
    (directory / "alertmanager").mkdir()
    (directory / "prometheus").mkdir()
    failing = FailingService(FAILING_SERVICE)
    with webhook_receiver() as webhook:
        receiver = Receiver("e2e", webhook=Webhook(webhook.url, None))
        to_webhook = replace(shop, alerting=Alerting((receiver,), page=receiver.name, ticket=receiver.name))
        alertmanager = start_alertmanager(alertmanager_config(to_webhook), directory / "alertmanager")
        addresses = {s.name: f"127.0.0.1:{shop_live.env[s.name]['PORT']}" for s in shop.services}
        addresses["alertmanager"] = alertmanager.url.removeprefix("http://")
        config = prometheus_config(shop, environment, addresses, interval="1s")
        config["scrape_configs"].append({"job_name": "e2e-failing", "honor_labels": True, "static_configs": [
            {"targets": [failing.address], "labels": {"system": shop.name, "environment": environment.name}}]})
        config_file = write_prometheus_dir(directory / "prometheus", shop, config)
        prometheus = start_prometheus(config_file, directory / "prometheus" / "data")
        try:
            yield Stack(prometheus, alertmanager, webhook)
        finally:
            prometheus.stop()
            alertmanager.stop()
            failing.close()


def test_prometheus_scrapes_every_service_of_the_running_shop(stack: Stack, shop_live: LiveSystem) -> None:
    def services_up() -> dict[str, str] | None:
        targets = httpx.get(f"{stack.prometheus.url}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        health = {t["labels"]["service"]: t["health"] for t in targets if t["labels"]["job"] == SERVICES_JOB}
        return health if health and all(state == "up" for state in health.values()) else None

    health = eventually(services_up, "every service target up", timeout=30)
    assert set(health) == {s.name for s in shop_live.system.services}
    up = query(stack.prometheus, f'up{{job="{SERVICES_JOB}"}}')
    assert {(r["metric"]["system"], r["metric"]["environment"]) for r in up} == {("shop", "dev")}


def test_the_recording_and_slo_rules_produce_series(stack: Stack, shop_live: LiveSystem) -> None:
    def requested_then_queried(expr: str) -> list[dict[str, Any]]:
        # A request before every query: the SLO ratios need the request count to rise between two scrapes, which
        # requests sent before Prometheus first scraped the service would not show.
        assert httpx.get(f"{shop_live.url('catalog')}/products", timeout=5).status_code == 200
        return query(stack.prometheus, expr)

    for expr in ('service:rose_http_requests:rate5m{service="catalog"}',
                 'service:rose_http_request_duration_seconds:quantile_rate5m{service="catalog", quantile="0.99"}',
                 'slo:sli_error:ratio_rate5m{service="catalog", slo="availability"}',
                 'slo:sli_error:ratio_rate5m{service="catalog", slo="latency"}',
                 'slo:error_budget_remaining:ratio{service="catalog", slo="availability"}'):
        eventually(lambda expr=expr: requested_then_queried(expr), expr, timeout=30)
    ratio = query(stack.prometheus, 'slo:sli_error:ratio_rate5m{service="catalog", slo="availability"}')
    assert float(ratio[0]["value"][1]) == 0.0, "no catalog request failed"


def test_every_rule_and_dashboard_expression_runs_on_prometheus(stack: Stack, shop_live: LiveSystem) -> None:
    expressions = rule_expressions(shop_live.system) + dashboard_expressions(shop_live.system)
    assert len(expressions) > 100
    for where, expr in expressions:
        try:
            query(stack.prometheus, expr)
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}") from None


def test_every_runtime_metric_the_rules_and_dashboards_use_is_served(shop_live: LiveSystem) -> None:
    served: set[str] = set()
    for service in shop_live.system.services:
        served |= served_names(httpx.get(f"{shop_live.url(service.name)}/metrics", timeout=5).text)
    own = {name for name in served if name.startswith("rose_")}
    assert own <= exported_names(), f"served but unknown to the model: {own - exported_names()}"
    used = {name for _, expr in rule_expressions(shop_live.system) + dashboard_expressions(shop_live.system)
            for name in metric_names(expr) if name.startswith("rose_")}
    assert used, "the rules and dashboards query the services' metrics"
    assert used <= served, f"used but not served by any running shop service: {sorted(used - served)}"


@pytest.mark.long(seconds=21)
def test_a_burning_budget_pages_through_alertmanager_to_the_webhook(stack: Stack) -> None:
    def paged() -> list[dict[str, Any]]:
        return [alert for alert in stack.webhook.alerts() if alert["labels"].get("alertname") == "ErrorBudgetBurn"
                and alert["labels"].get("service") == FAILING_SERVICE and alert["status"] == "firing"]

    alerts = eventually(paged, "the payments page at the webhook", timeout=90)
    labels = alerts[0]["labels"]
    assert labels["severity"] == PAGE
    assert labels["slo"] in ("availability", "latency") and labels["environment"] == "dev"
    assert labels["owner"] == "payments-team"
    assert not [a for a in stack.webhook.alerts() if a["labels"].get("service") == FAILING_SERVICE
                and a["labels"].get("alertname") == "ErrorBudgetBurn" and a["labels"]["severity"] != PAGE], \
        "the ticket of the same service is inhibited while the page fires"
