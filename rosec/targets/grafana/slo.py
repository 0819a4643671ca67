"""The SLO dashboard of a service: per SLI the error budget left over 30 days, the objective, and the burn rate
over every window of the alerts (1 = spending the budget exactly in 30 days)."""

from __future__ import annotations

from typing import Any

from rosec.model.dashboards import DashboardRef
from rosec.model.services import Service
from rosec.model.slo import (
    BUDGET_PERIOD,
    BUDGET_REMAINING_RECORD,
    BURN_RATES,
    OBJECTIVE_RECORD,
    SLI_WINDOWS,
    service_slis,
    sli_record,
)
from rosec.model.system import System
from rosec.targets.grafana.panels import ENVIRONMENT, Layout, dashboard, link, stat, target, timeseries
from rosec.targets.prometheus.promql import selector
from rosec.targets.prometheus.slo_rules import number


def slo_dashboard(system: System, service: Service, ref: DashboardRef, service_ref: DashboardRef) -> dict[str, Any]:
    layout = Layout()
    for sli in service_slis(service):
        own = (("service", "=", service.name), ("slo", "=", sli.kind))
        recorded = (*own, ("environment", "=~", ENVIRONMENT))
        layout.row(f"{sli.kind.capitalize()}")
        layout.add(stat("Error budget left", [target(selector(BUDGET_REMAINING_RECORD, *recorded))], "percentunit",
                        f"Share of the {BUDGET_PERIOD} error budget not spent yet"), width=6)
        layout.add(stat("Objective", [target(selector(OBJECTIVE_RECORD, *own))], "percentunit"), width=6)
        layout.add(timeseries(f"Error ratio ({SLI_WINDOWS[0]})", [
            target(selector(sli_record(SLI_WINDOWS[0]), *recorded), "error ratio", "A"),
            target(f"vector({number(sli.error_budget)})", "budget", "B"),
        ], "percentunit"))
        burn = [target(f"{selector(sli_record(window), *recorded)} / {number(sli.error_budget)}", window, chr(65 + i))
                for i, window in enumerate(SLI_WINDOWS)]
        thresholds = ", ".join(f"{number(b.factor)}x over {b.long_window} and {b.short_window} ({b.severity})"
                               for b in BURN_RATES)
        layout.add(timeseries("Burn rate per window", burn, "suffix:x", f"Alerts fire at {thresholds}"), width=24)
    return dashboard(ref, system.name, layout.panels, f"{service.name}: service level objectives",
                     [link(service_ref.title, service_ref.uid)])
