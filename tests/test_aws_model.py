"""The AWS model: Fargate sizes, WAF rate windows, zones, bounded names, the security-group graph and the secrets,
derived from the spec (rosec.model.aws and its catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import system_from_text

from rosec.model.aws import SECRET_GENERATED, SECRET_OPTIONAL, SECRET_SUPPLIED, aws_environment
from rosec.model.aws_catalog import (
    FARGATE_MEMORY,
    REGION_ZONES,
    FargateSize,
    FargateSizeError,
    WafRate,
    default_zone_count,
    fargate_size,
    waf_rate,
    zone_names,
)
from rosec.model.naming import bounded
from rosec.model.system import System


@pytest.mark.parametrize(("millicores", "mib", "size"), [
    (250, 256, FargateSize(256, 512)),  # rounded up to the smallest size
    (500, 512, FargateSize(512, 1024)),
    (1000, 3072, FargateSize(1024, 3072)),
    (4000, 9000, FargateSize(4096, 9216)),
    (8000, 20000, FargateSize(8192, 20480)),  # 4 GiB steps from 8 vCPU
    (16000, 32768, FargateSize(16384, 32768)),
])
def test_resources_round_up_to_a_fargate_size(millicores: int, mib: int, size: FargateSize) -> None:
    assert fargate_size(millicores, mib) == size
    assert size.memory in FARGATE_MEMORY[size.cpu]


@pytest.mark.parametrize(("millicores", "mib", "hint"), [
    (250, 4096, "raise cpu to 0.5"),
    (1000, 16384, "raise cpu to 2"),
    (20000, 1024, "at most 16 vCPU"),
    (16000, 130000, "lower memory"),
])
def test_resources_without_a_fargate_size_are_errors_with_a_hint(millicores: int, mib: int, hint: str) -> None:
    with pytest.raises(FargateSizeError) as error:
        fargate_size(millicores, mib)
    assert hint in error.value.hint


@pytest.mark.parametrize(("count", "unit", "rate"), [
    (100, "minute", WafRate(100, 60, True)),
    (5, "minute", WafRate(10, 60, False)),  # WAF's minimum limit is 10
    (5, "second", WafRate(300, 60, False)),  # the shortest window is a minute
    (1000, "hour", WafRate(167, 600, False)),  # the longest is ten minutes: the hour's share, rounded up
    (1000, "day", WafRate(10, 600, False)),  # 7 per ten minutes, raised to the minimum
])
def test_spec_rates_map_to_waf_windows(count: int, unit: str, rate: WafRate) -> None:
    assert waf_rate(count, unit) == rate


def test_zones_follow_the_region_table() -> None:
    assert zone_names("ap-northeast-1", 3) == ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")
    assert default_zone_count("us-west-1", production=True) == 2  # the region has only two
    assert default_zone_count("eu-west-1", production=False) == 2
    assert all(len(set(letters)) == len(letters) >= 2 for letters in REGION_ZONES.values())


def test_long_names_are_bounded_stably() -> None:
    name = "a-very-long-system-name-with-a-very-long-environment"
    short = bounded(name, 32)
    assert len(short) <= 32 and short == bounded(name, 32) and short.startswith("a-very-long")
    assert bounded("shop-prod", 32) == "shop-prod"


def test_security_groups_follow_calls_and_uses(shop: System) -> None:
    aws = aws_environment(shop, shop.environment("prod"))
    sources = {}
    for rule in aws.ingress:
        sources.setdefault(rule.target, set()).add((rule.source, rule.port))
    assert sources["database-orders-db"] == {("service-orders", 5432)}
    assert sources["service-inventory"] == {("service-orders", 8103), ("service-orders", 9103),
                                            ("metrics", 8103)}
    assert sources["service-catalog"] == {("gateway", 8101), ("metrics", 8101)}
    assert sources["volume-receipts"] == {("service-notifications", 2049)}
    assert {s for s, _ in sources["broker"]} == {f"service-{s.name}" for s in shop.services if s.needs_broker}
    assert sources["gateway"] == {("load-balancer", 8000), ("load-balancer", 8100), ("metrics", 8100)}
    assert sources["identity"] == {("load-balancer", 8080), ("load-balancer", 9000), ("metrics", 9000)}
    assert set(aws.groups) >= set(sources)


def test_secrets_say_where_their_values_come_from(shop: System) -> None:
    aws = aws_environment(shop, shop.environment("prod"))
    origins = {s.name: s.origin for s in aws.secrets}
    assert origins["PAYMENT_PROVIDER_API_KEY"] == origins["SMTP_PASSWORD"] == SECRET_SUPPLIED
    assert origins["RABBITMQ_PASSWORD"] == origins["ORDERS_CLIENT_SECRET"] == SECRET_GENERATED
    assert origins["SENTRY_DSN"] == SECRET_OPTIONAL
    assert "ORDERS_DB_PASSWORD" not in origins  # RDS manages the master password itself
    assert all(s.secret_name == f"shop/prod/{s.name}" for s in aws.secrets)
    payments = aws.task("payments")
    assert {s.name for s in payments.secrets} >= {"PAYMENT_PROVIDER_API_KEY", "AMQP_PASSWORD"}
    assert "SMTP_PASSWORD" not in {s.name for s in payments.secrets}


def test_tasks_take_replicas_and_resources_of_the_environment(shop: System) -> None:
    environment = shop.environment("prod")
    aws = aws_environment(shop, environment)
    assert aws.task("catalog").desired_count == 2  # the override
    assert aws.task("orders").desired_count == 3  # the environment's replicas
    assert aws.task("orders").size == FargateSize(512, 1024)  # the override's 500m / 512Mi
    assert aws.task("orders").autoscaling is not None and aws.task("payments").autoscaling is None
    assert aws.settings.zones == ("eu-west-1a", "eu-west-1b", "eu-west-1c")
    assert {d.key: d.instance_class for d in aws.databases} == {
        "orders-db": "db.t4g.medium", "catalog-db": "db.t4g.small", "identity": "db.t4g.small"}


LONG_NAMES = """
rose: 1
system: { name: accounts-receivables, domain: ar.example.com }
environments:
  production-eu-west-a: { hosting: aws, region: eu-west-1 }
identity: { realm: ar }
messages:
  Invoice: { fields: { id: string } }
datastores:
  invoice-archive-for-auditors-x: { engine: postgres }
services:
  invoice-reconciliation-engine1:
    rest: [ { method: GET, path: /invoices, response: Invoice, public: true } ]
    uses: [invoice-archive-for-auditors-x]
    gateway: { path: /invoices, auth: public }
"""


def test_the_longest_names_fit_aws_limits(tmp_path: Path) -> None:
    system = system_from_text(tmp_path, LONG_NAMES)
    aws = aws_environment(system, system.environments[0])
    assert len(aws.load_balancer) <= 32 and len(aws.broker_name) <= 50
    assert all(len(d.identifier) <= 63 for d in aws.databases)
    roles = [r for t in aws.tasks for r in (t.execution_role, t.task_role)]
    assert all(len(r) <= 64 for r in roles) and len(set(roles)) == len(roles)
    groups = [t.load_balancing.target_group for t in aws.tasks if t.load_balancing]
    assert len(groups) == 2 and all(len(g) <= 32 for g in groups) and len(set(groups)) == 2
    assert len(aws.config_bucket) + 12 <= 63  # followed by the account id
