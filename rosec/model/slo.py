"""Service level objectives of the model, the way sloth and pyrra derive them: SLIs as error ratios recorded over
fixed windows, and multi-window, multi-burn-rate alerts over a 30-day budget (Google SRE workbook, ch. 5).

Names of the recorded series and of the alerts live here: the Prometheus rules define them, the promtool tests
and the Grafana dashboards query them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rosec.model.alerting import PAGE, TICKET
from rosec.model.metrics import le_label
from rosec.model.services import Service
from rosec.model.system import System

SLI_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
BUDGET_PERIOD = "30d"
LATENCY_OBJECTIVE = Decimal("99")  # latency_p99_ms: 99 % of requests within the threshold

AVAILABILITY, LATENCY = "availability", "latency"

# Recorded series (labels: system, environment, service, slo); `slo:sli_error:ratio_rate<window>`.
SLI_ERROR_RECORD = "slo:sli_error:ratio_rate"
OBJECTIVE_RECORD = "slo:objective:ratio"
ERROR_BUDGET_RECORD = "slo:error_budget:ratio"
BUDGET_REMAINING_RECORD = "slo:error_budget_remaining:ratio"

# Alert names; `service`, `slo` and `severity` labels tell the instances apart.
BUDGET_BURN_ALERT = "ErrorBudgetBurn"
SLI_ABSENT_ALERT = "SliMetricAbsent"


@dataclass(frozen=True)
class BurnRate:
    """Alert when the budget burns `factor` times faster than sustainable over both windows."""

    severity: str
    factor: Decimal
    long_window: str
    short_window: str


BURN_RATES = (
    BurnRate(PAGE, Decimal("14.4"), "1h", "5m"),  # 2 % of a 30-day budget in one hour
    BurnRate(PAGE, Decimal("6"), "6h", "30m"),  # 5 % in six hours
    BurnRate(TICKET, Decimal("3"), "1d", "2h"),  # 10 % in a day
    BurnRate(TICKET, Decimal("1"), "3d", "6h"),  # 10 % in three days
)


@dataclass(frozen=True)
class Sli:
    service: str
    kind: str  # availability | latency
    objective: Decimal  # ratio of good requests, e.g. 0.999
    threshold_s: float | None  # latency: the bucket that counts as good

    @property
    def error_budget(self) -> Decimal:
        return 1 - self.objective

    def burn_threshold(self, burn: BurnRate) -> Decimal:
        """The error ratio above which the budget burns `burn.factor` times too fast."""
        return (burn.factor * self.error_budget).normalize()

    @property
    def le(self) -> str:
        assert self.threshold_s is not None, "only a latency SLI has a threshold bucket"
        return le_label(self.threshold_s)

    @property
    def selector(self) -> str:
        """Label matchers of its recorded series."""
        return f'service="{self.service}", slo="{self.kind}"'


def sli_record(window: str) -> str:
    return f"{SLI_ERROR_RECORD}{window}"


def service_slis(service: Service) -> tuple[Sli, ...]:
    """The SLIs of a service with an `slo`: availability always, latency when it has a threshold."""
    if service.slo is None or not service.has_api:
        return ()
    found = [Sli(service.name, AVAILABILITY, _ratio(Decimal(str(service.slo.availability))), None)]
    if service.slo.latency_p99_ms is not None:
        found.append(Sli(service.name, LATENCY, _ratio(LATENCY_OBJECTIVE), service.slo.latency_p99_ms / 1000))
    return tuple(found)


def system_slis(system: System) -> tuple[Sli, ...]:
    return tuple(sli for service in system.services for sli in service_slis(service))


def _ratio(percent: Decimal) -> Decimal:
    return (percent / 100).normalize()
