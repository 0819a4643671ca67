"""SLO rules of one service: SLI error ratios over every window, the objective and the budget left, multi-window
multi-burn-rate alerts, and an absent() alert per SLI metric."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from rosec.model.alerting import PAGE, SEVERITIES, TICKET
from rosec.model.services import Service
from rosec.model.slo import (
    BUDGET_BURN_ALERT,
    BUDGET_PERIOD,
    BUDGET_REMAINING_RECORD,
    BURN_RATES,
    ERROR_BUDGET_RECORD,
    OBJECTIVE_RECORD,
    SLI_ABSENT_ALERT,
    SLI_WINDOWS,
    Sli,
    service_slis,
    sli_record,
)
from rosec.model.system import System
from rosec.targets.prometheus.promql import protocols, selector, service_matcher, sli_error_ratio

ABSENT_FOR = "10m"


@lru_cache(maxsize=4096)  # a system's few objectives and windows, again for every service
def number(value: Decimal) -> str:
    """A Decimal as PromQL reads it, without exponent or trailing zeros (0.0144, 6, 0.001)."""
    return format(value.normalize(), "f")


def service_slo_groups(system: System, service: Service) -> list[dict[str, Any]]:
    """slo_groups, computed once per build: the rule files and the promtool tests both read them."""
    return system.once(("slo groups", service.name), lambda: slo_groups(service))


def slo_groups(service: Service) -> list[dict[str, Any]]:
    slis = service_slis(service)
    if not slis:
        return []
    records = [rule for sli in slis for rule in _records(service, sli)]
    alerts = [_burn_alert(service, sli, severity) for sli in slis for severity in SEVERITIES]
    alerts += _absent_alerts(service)
    return [{"name": f"{service.name}-slo-records", "rules": records},
            {"name": f"{service.name}-slo-alerts", "rules": alerts}]


def _records(service: Service, sli: Sli) -> list[dict[str, Any]]:
    labels = {"slo": sli.kind}
    rules = [{"record": sli_record(window), "expr": sli_error_ratio(service, sli, window), "labels": labels}
             for window in SLI_WINDOWS]
    own = service_matcher(service.name)
    rules += [
        # The budget period's ratio averages the 5-minute ratios: windows without traffic have no sample, so they
        # neither count as good nor as bad.
        {"record": sli_record(BUDGET_PERIOD),
         "expr": f"avg_over_time({selector(sli_record(SLI_WINDOWS[0]), own, ('slo', '=', sli.kind))}"
                 f"[{BUDGET_PERIOD}])",
         "labels": labels},
        {"record": OBJECTIVE_RECORD, "expr": f"vector({number(sli.objective)})",
         "labels": {"service": service.name, **labels}},
        {"record": ERROR_BUDGET_RECORD, "expr": f"vector({number(sli.error_budget)})",
         "labels": {"service": service.name, **labels}},
        {"record": BUDGET_REMAINING_RECORD,
         "expr": f"1 - {selector(sli_record(BUDGET_PERIOD), own, ('slo', '=', sli.kind))} / "
                 f"{number(sli.error_budget)}",
         "labels": labels},
    ]
    return rules


def _burn_alert(service: Service, sli: Sli, severity: str) -> dict[str, Any]:
    own = service_matcher(service.name)
    conditions = []
    for burn in (b for b in BURN_RATES if b.severity == severity):
        threshold = number(sli.burn_threshold(burn))
        long, short = (selector(sli_record(w), own, ("slo", "=", sli.kind)) for w in
                       (burn.long_window, burn.short_window))
        conditions.append(f"({long} > {threshold} and {short} > {threshold})")
    speed = "fast: at this rate the 30-day budget is gone within days" if severity == PAGE else \
        "steadily: at this rate the 30-day budget runs out before the period ends"
    return {
        "alert": BUDGET_BURN_ALERT,
        "expr": " or ".join(conditions),
        "labels": _labels(service, severity, slo=sli.kind),
        "annotations": {
            "summary": f"{service.name}: the {sli.kind} error budget is burning {speed.split(':')[0]}",
            "description": f"{service.name} {_objective_text(sli)}; errors consume its budget {speed}.",
        },
    }


def _absent_alerts(service: Service) -> list[dict[str, Any]]:
    own = service_matcher(service.name)
    return [{
        "alert": SLI_ABSENT_ALERT,
        "expr": f"absent({selector(f'{histogram}_count', own)})",
        "for": ABSENT_FOR,
        "labels": _labels(service, TICKET, metric=f"{histogram}_count"),
        "annotations": {
            "summary": f"{service.name}: the SLI metric {histogram}_count is missing",
            "description": f"Prometheus has no {histogram}_count series of {service.name}: its SLOs cannot be "
                           "evaluated (the service is not scraped, or no longer exports the metric).",
        },
    } for histogram, _, _ in protocols(service)]


def _labels(service: Service, severity: str, **extra: str) -> dict[str, str]:
    labels = {"severity": severity, **extra}
    if service.owner:
        labels["owner"] = service.owner
    return labels


def _objective_text(sli: Sli) -> str:
    percent = number(sli.objective * 100)
    if sli.threshold_s is None:
        return f"aims at {percent} % successful requests"
    return f"aims at {percent} % of requests within {number(Decimal(str(sli.threshold_s)) * 1000)} ms"
