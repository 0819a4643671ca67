"""The monitoring targets' semantics: scrape targets, rules and alerts, Alertmanager routes and dashboards derived
from the model, on the examples and on specs built here; every expression names metrics that exist."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EXAMPLES, system_from_text
from monitoring_support import dashboard_expressions, metric_names, rule_expressions

from rosec.model import exporters
from rosec.model import infrastructure as infra
from rosec.model.dashboards import MAX_UID_LENGTH, PROMETHEUS_DATASOURCE_UID, dashboards
from rosec.model.metrics import LATENCY_BUCKETS, exported_names
from rosec.model.scrape import POSTGRES_JOB, RABBITMQ_QUEUES_JOB, SERVICES_JOB, exporter_host
from rosec.model.slo import BURN_RATES, service_slis
from rosec.model.system import System
from rosec.pipeline import load_system
from rosec.targets import alertmanager, grafana, prometheus, runtime
from rosec.targets.prometheus.unit_tests import scenarios

STRESS = Path(__file__).parent / "quality" / "stress.rose.yaml"

SPEC = """rose: 1
system: {{ name: probe, domain: probe.example.com, owner: core }}
environments:
  dev: {{ hosting: compose, services: {{ idle: {{ replicas: 0 }} }} }}
{extra}messages:
  Note: {{ fields: {{ text: string }} }}
services:
  fast:
    rest: [ {{ method: GET, path: /n, response: Note, public: true }} ]
    slo: {{ availability: 90, latency_p99_ms: 150 }}
  idle:
    rest: [ {{ method: GET, path: /i, response: Note, public: true }} ]
"""


@pytest.fixture
def probe(tmp_path: Path) -> System:
    return system_from_text(tmp_path, SPEC.format(extra=""))


def config_of(system: System) -> dict:
    environment = system.compose_environment
    assert environment is not None
    return prometheus.prometheus_config(system, environment)


def jobs(system: System) -> dict[str, dict]:
    return {job["job_name"]: job for job in config_of(system)["scrape_configs"]}


def test_every_running_service_is_scraped_with_its_labels(shop: System, probe: System) -> None:
    targets = jobs(shop)[SERVICES_JOB]["static_configs"]
    assert [t["targets"] for t in targets] == [[f"{s.host}:{s.port}"] for s in shop.services]
    assert [t["labels"] for t in targets] == [{"system": "shop", "environment": "dev", "service": s.name}
                                             for s in shop.services]
    probe_targets = jobs(probe)[SERVICES_JOB]["static_configs"]
    assert [t["labels"]["service"] for t in probe_targets] == ["fast"], "a service scaled to zero is not scraped"


def test_the_infrastructure_is_scraped_where_it_serves_metrics(shop: System, minimal: System) -> None:
    found = jobs(shop)
    assert [t["targets"] for t in found[POSTGRES_JOB]["static_configs"]] == \
        [[f"{exporter_host(d)}:{infra.POSTGRES_EXPORTER_PORT}"] for d in shop.datastores if d.is_postgres]
    queues = found[RABBITMQ_QUEUES_JOB]
    assert queues["metrics_path"] == "/metrics/detailed" and queues["params"]["vhost"] == ["shop"]
    assert found["rabbitmq"]["static_configs"][0]["targets"] == [f"rabbitmq:{infra.RABBITMQ_PROMETHEUS_PORT}"]
    assert found["kong"]["static_configs"][0]["targets"] == [f"kong:{infra.KONG_STATUS_PORT}"]
    assert found["keycloak"]["static_configs"][0]["targets"] == [f"keycloak:{infra.KEYCLOAK_MANAGEMENT_PORT}"]
    assert {"prometheus", "alertmanager"} <= set(found)
    assert not {POSTGRES_JOB, "rabbitmq", RABBITMQ_QUEUES_JOB, "keycloak"} & set(jobs(minimal))


def test_addresses_replace_targets_by_name(shop: System) -> None:
    environment = shop.compose_environment
    assert environment is not None
    config = prometheus.prometheus_config(shop, environment, {"orders": "127.0.0.1:1234", "alertmanager": "a:1"})
    targets = {t["labels"]["service"]: t["targets"] for t in config["scrape_configs"][0]["static_configs"]}
    assert targets["orders"] == ["127.0.0.1:1234"] and targets["catalog"] == ["catalog:8101"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["a:1"]


def test_the_latency_buckets_contain_the_slo_threshold(probe: System, shop: System) -> None:
    fast = probe.service("fast")
    assert 0.15 in fast.latency_buckets and set(LATENCY_BUCKETS) < set(fast.latency_buckets)
    assert list(fast.latency_buckets) == sorted(fast.latency_buckets)
    assert probe.service("idle").latency_buckets == LATENCY_BUCKETS
    names = runtime.render(probe)["services/rose_runtime/names.py"].decode()
    namespace: dict = {}
    exec(compile(names, "names.py", "exec"), namespace)
    assert namespace["SERVICE_LATENCY_BUCKETS"] == {"fast": fast.latency_buckets}
    slo = prometheus.prometheus_rules(probe)["rules/slo-fast.yml"]
    assert 'le="0.15"' in str(slo)
    for service in shop.services:  # the shop's thresholds are among the default buckets
        if service.slo and service.slo.latency_p99_ms:
            assert service.slo.latency_p99_ms / 1000 in service.latency_buckets


def test_burn_rate_thresholds_are_the_factor_times_the_budget(shop: System) -> None:
    rules = prometheus.prometheus_rules(shop)
    for service in shop.services:
        if service.slo is None:
            assert f"rules/slo-{service.name}.yml" not in rules
            continue
        budgets = {"availability": (Decimal(100) - Decimal(str(service.slo.availability))) / 100,
                   "latency": Decimal("0.01")}
        for group in rules[f"rules/slo-{service.name}.yml"]["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") != "ErrorBudgetBurn":
                    continue
                expected = {b.factor * budgets[rule["labels"]["slo"]] for b in BURN_RATES
                            if b.severity == rule["labels"]["severity"]}
                found = {Decimal(x) for x in re.findall(r"> ([0-9.]+)", rule["expr"])}
                assert found == expected, rule["expr"]


def test_the_unit_tests_leave_out_burns_an_objective_cannot_reach(probe: System) -> None:
    availability, latency = service_slis(probe.service("fast"))  # 90 %: a budget of 0.1; latency: 0.01
    assert not any("20x" in s.name for s in scenarios(availability)), "20 x 0.1 > 1"
    assert any("8x" in s.name for s in scenarios(availability))
    assert any("20x" in s.name for s in scenarios(latency))


def test_every_consumer_queue_gets_its_messaging_alerts(shop: System) -> None:
    rules = prometheus.prometheus_rules(shop)["rules/messaging.yml"]["groups"][0]["rules"]
    for service in shop.services:
        for consumer in service.consumers:
            mine = {r["alert"]: r for r in rules if r["labels"]["service"] == service.name
                    and r["labels"]["event"] == consumer.event}
            assert set(mine) == {"DeadLetterQueueNotEmpty", "QueueBacklogGrowing", "QueueMessagesAgeing",
                                 "QueueWithoutConsumer"}
            assert f'queue="{consumer.dead_letter_queue}"' in mine["DeadLetterQueueNotEmpty"]["expr"]
            assert f'queue="{consumer.queue}"' in mine["QueueWithoutConsumer"]["expr"]
            assert mine["QueueWithoutConsumer"]["labels"]["severity"] == "page"
            assert mine["QueueWithoutConsumer"]["labels"]["owner"] == service.owner


def test_datastore_alerts_are_sized_from_size_gb(shop: System) -> None:
    rules = prometheus.prometheus_rules(shop)["rules/infrastructure.yml"]["groups"][0]["rules"]
    for store in (d for d in shop.datastores if d.is_postgres):
        mine = [r for r in rules if r["alert"] == "DatastoreNearlyFull" and r["labels"]["datastore"] == store.name]
        assert {r["labels"]["severity"] for r in mine} == {"page", "ticket"}
        assert all(f"* {store.size_gb * 2**30}" in r["expr"] for r in mine)


def test_alertmanager_routes_by_owner_then_severity(shop: System) -> None:
    config = alertmanager.alertmanager_config(shop)
    route = config["route"]
    owner, page, ticket = route["routes"]
    assert owner["matchers"] == ['owner="payments-team"']
    assert [(r["matchers"], r["receiver"]) for r in owner["routes"]] == [
        (['severity="page"'], "oncall"), (['severity="ticket"'], "payments-desk")]
    assert (page["receiver"], ticket["receiver"], route["receiver"]) == ("oncall", "platform-chat", "platform-chat")
    assert config["inhibit_rules"][0]["equal"] == ["environment", "service"]
    text = str(config)
    files = re.findall(r"'[a-z_]*_file': '([^']+)'", text)  # routing_key_file, api_url_file, credentials_file...
    assert sorted(files) == sorted(f"/run/secrets/{s}" for s in shop.alerting.secrets)


def test_no_alerts_section_routes_everything_to_a_receiver_that_sends_nothing(minimal: System) -> None:
    config = alertmanager.alertmanager_config(minimal)
    assert config["receivers"] == [{"name": "none"}]
    assert config["route"]["receiver"] == "none"


def test_dashboards_have_stable_unique_uids_and_fixed_datasources(shop: System, tmp_path: Path) -> None:
    refs = dashboards(shop)
    uids = [r.uid for r in refs]
    assert len(set(uids)) == len(uids) and all(len(u) <= MAX_UID_LENGTH for u in uids)
    assert "rose-shop-orders" in uids and "rose-shop-orders-slo" in uids and "rose-shop" in uids
    assert len(refs) == 1 + len(shop.services) + sum(1 for s in shop.services if service_slis(s))
    boards = grafana.dashboards(shop)
    text = str(boards)
    assert "${DS_" not in text and "__inputs" not in text
    datasources = set(re.findall(r"'uid': '([^']+)'", text)) - set(uids)
    assert datasources == {PROMETHEUS_DATASOURCE_UID}
    renamed = system_from_text(tmp_path, (EXAMPLES / "shop" / "rose.yaml").read_text().replace(
        "  inventory:", "  stock:").replace("calls: [inventory, payments]", "calls: [stock, payments]"))
    assert dashboards(renamed)[1].uid == refs[1].uid, "another service's rename keeps the catalog's uid"


def test_long_names_get_short_unique_uids(tmp_path: Path) -> None:
    long = "a-service-with-a-name-of-thirty"[:30]
    system = system_from_text(tmp_path, SPEC.format(extra="").replace("fast:", f"{long}:"))
    uids = [r.uid for r in dashboards(system)]
    assert all(len(u) <= MAX_UID_LENGTH for u in uids) and len(set(uids)) == len(uids)


SYSTEMS = [EXAMPLES / "shop" / "rose.yaml", EXAMPLES / "minimal" / "rose.yaml", STRESS]


@pytest.mark.parametrize("spec", SYSTEMS, ids=lambda p: p.parent.name if p.name == "rose.yaml" else p.stem)
def test_every_expression_parses_and_uses_metrics_that_exist(spec: Path) -> None:
    system = load_system(spec)
    rules = rule_expressions(system)
    recorded = {rule["record"] for document in prometheus.prometheus_rules(system).values()
                for group in document["groups"] for rule in group["rules"] if "record" in rule}
    known = exported_names() | recorded | exporters.ALL
    unknown = {(where, name) for where, expr in rules + dashboard_expressions(system)
               for name in metric_names(expr) if name not in known}
    assert not unknown, sorted(unknown)


def test_metrics_off_means_no_monitoring_files(tmp_path: Path) -> None:
    system = system_from_text(tmp_path, SPEC.format(extra="observability: { metrics: false }\n"))
    assert prometheus.render(system) == alertmanager.render(system) == grafana.render(system) == {}
