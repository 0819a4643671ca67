"""`promtool test rules` files for the SLO rules of each service: synthetic request series showing every burn-rate
alert fire when it should and stay silent when it should not, the no-traffic guard and the absent() alert.

Series are sampled every minute and rules evaluated every five, which both promtool 2 (closed range windows) and 3
(left-open windows) evaluate alike. Traffic is 100 requests a minute on the service's first protocol; its other
protocols exist with no traffic, as a freshly started service exposes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rosec.model.alerting import PAGE, TICKET
from rosec.model.services import Service
from rosec.model.slo import AVAILABILITY, BUDGET_BURN_ALERT, SLI_ABSENT_ALERT, Sli, service_slis, sli_record
from rosec.model.system import System
from rosec.targets.prometheus.promql import protocols, selector
from rosec.targets.prometheus.slo_rules import ABSENT_FOR, number, service_slo_groups

REQUESTS_PER_MINUTE = Decimal(100)
TEST_ENVIRONMENT = "unit-test"
Phase = tuple[Decimal, int]  # ratio of bad requests, minutes


@dataclass(frozen=True)
class Scenario:
    name: str
    phases: tuple[Phase, ...]
    checks: tuple[tuple[str, tuple[str, ...]], ...]  # (eval time, severities of the burn alerts firing then)


def scenarios(sli: Sli) -> list[Scenario]:
    """Each burn-rate condition alone decides one check, so a wrong threshold fails a test. After six healthy
    hours: 20x for an hour passes 14.4x over 1h but not 6x over 6h; 8x for 5.5 hours passes 6x over 6h but never
    14.4x; 2x passes 1x over 3 days after as long again as the healthy hours, and never 3x. (3x over 1d and 2h
    implies 1x over 3d and 6h: no series opens a ticket through the first alone.) Burns a low objective cannot
    reach (15x of a 10 % budget) are left out."""
    budget, healthy, prefix = sli.error_budget, Decimal(0), (Decimal(0), 6 * 60)
    found = [
        # Below 1x in every window at any length: six hours fill every page window.
        Scenario("healthy: errors at half the budget's rate never alert", ((budget / 2, 6 * 60 + 10),),
                 (("1h", ()), ("6h", ()))),
        Scenario("slow burn (2x) opens a ticket once 1x over 3 days is passed, never pages",
                 (prefix, (budget * 2, 8 * 60 + 10)), (("11h", ()), ("14h", (TICKET,)))),
    ]
    if budget * 20 <= 1:
        found.append(Scenario("an hour at 20x pages through 14.4x over 1h and 5m (6x over 6h stays below)",
                              (prefix, (budget * 20, 70)), (("6h30m", (TICKET,)), ("7h5m", (PAGE, TICKET)))))
    if budget * 8 <= 1:
        found.append(Scenario("hours at 8x page through 6x over 6h and 30m (14.4x over 1h stays below)",
                              (prefix, (budget * 8, 340)), (("9h20m", (TICKET,)), ("11h35m", (PAGE, TICKET)))))
    if budget * 15 <= 1:
        found.append(Scenario("the page stops when the short windows recover; the ticket stays",
                              ((budget * 15, 65), (healthy, 40)), (("60m", (PAGE, TICKET)), ("100m", (TICKET,)))))
    return found


def unit_test_files(system: System) -> dict[str, dict[str, Any]]:
    """{service name: promtool test file} for every service with an SLO."""
    return {service.name: _test_file(system, service) for service in system.services if service_slis(service)}


def _test_file(system: System, service: Service) -> dict[str, Any]:
    rules = [rule for group in service_slo_groups(system, service) for rule in group["rules"]]
    tests = [_scenario_test(system, service, sli, scenario, rules) for sli in service_slis(service)
             for scenario in scenarios(sli)]
    tests += [_no_traffic_test(system, service), _absent_test(service, rules)]
    return {"rule_files": [f"../rules/slo-{service.name}.yml"], "evaluation_interval": "5m", "tests": tests}


def _labels(system: System, service: Service, **extra: str) -> dict[str, str]:
    return {"system": system.name, "environment": TEST_ENVIRONMENT, "service": service.name, **extra}


@lru_cache(maxsize=1024)  # the same few scenarios for every service
def _counter(phases: tuple[tuple[Decimal, int], ...]) -> str:
    """promtool's expanding notation of a counter growing by `increment` a minute for `minutes` per phase."""
    value, parts = Decimal(0), []
    for increment, minutes in phases:
        parts.append(f"{number(value)}+{number(increment)}x{minutes}")
        value += increment * minutes
    return " ".join(parts)


def _series(system: System, service: Service, sli: Sli, phases: tuple[Phase, ...],
            traffic: Decimal = REQUESTS_PER_MINUTE) -> list[dict[str, str]]:
    series = []
    for i, (histogram, errors, failed) in enumerate(protocols(service)):
        rate = traffic if i == 0 else Decimal(0)
        labels = _labels(system, service)
        series.append({"series": selector(f"{histogram}_count", *labels_of(labels)),
                       "values": _counter(tuple((rate, minutes) for _, minutes in phases))})
        if sli.kind == AVAILABILITY and i == 0:
            error_labels = labels | ({"code": "INTERNAL"} if failed else {"status": "500"})
            series.append({"series": selector(errors, *labels_of(error_labels)),
                           "values": _counter(tuple((rate * bad, minutes) for bad, minutes in phases))})
        elif sli.kind != AVAILABILITY:
            series.append({"series": selector(f"{histogram}_bucket", *labels_of(labels | {"le": sli.le})),
                           "values": _counter(tuple((rate * (1 - bad), minutes) for bad, minutes in phases))})
    return series


def labels_of(labels: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(name, "=", value) for name, value in labels.items()]


def _scenario_test(system: System, service: Service, sli: Sli, scenario: Scenario,
                   rules: list[dict[str, Any]]) -> dict[str, Any]:
    alerts = {rule["labels"]["severity"]: rule for rule in rules
              if rule.get("alert") == BUDGET_BURN_ALERT and rule["labels"]["slo"] == sli.kind}
    series_labels = _labels(system, service)
    return {
        "name": f"{service.name} {sli.kind}: {scenario.name}",
        "interval": "1m",
        "input_series": _series(system, service, sli, scenario.phases),
        "alert_rule_test": [{
            "eval_time": at,
            "alertname": BUDGET_BURN_ALERT,
            "exp_alerts": [{"exp_labels": series_labels | alerts[severity]["labels"],
                            "exp_annotations": alerts[severity]["annotations"]} for severity in firing],
        } for at, firing in scenario.checks],
    }


def _no_traffic_test(system: System, service: Service) -> dict[str, Any]:
    """A started service without requests: no alert and no SLI sample (not NaN, which would poison the budget)."""
    idle = (Decimal(0), 60)
    sli = service_slis(service)[0]
    return {
        "name": f"{service.name}: no traffic, no alert and no SLI sample",
        "interval": "1m",
        "input_series": _series(system, service, sli, (idle,), traffic=Decimal(0)),
        "alert_rule_test": [{"eval_time": "30m", "alertname": BUDGET_BURN_ALERT, "exp_alerts": []}],
        "promql_expr_test": [{"expr": selector(sli_record(window), ("service", "=", service.name)),
                              "eval_time": "30m", "exp_samples": []} for window in ("5m", "1h")],
    }


def _absent_test(service: Service, rules: list[dict[str, Any]]) -> dict[str, Any]:
    absent = [rule for rule in rules if rule.get("alert") == SLI_ABSENT_ALERT]
    return {
        "name": f"{service.name}: its SLI metrics missing",
        "interval": "1m",
        "input_series": [{"series": selector("up", ("job", "=", "services"), ("service", "=", service.name)),
                          "values": "1x30"}],
        "alert_rule_test": [
            {"eval_time": "5m", "alertname": SLI_ABSENT_ALERT, "exp_alerts": []},
            {"eval_time": f"{int(ABSENT_FOR.removesuffix('m')) + 5}m", "alertname": SLI_ABSENT_ALERT,
             "exp_alerts": [{"exp_labels": {"service": service.name} | rule["labels"],
                             "exp_annotations": rule["annotations"]} for rule in absent]},
        ],
    }
