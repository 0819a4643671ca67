"""PromQL text built from the model: selectors, per-service sums and the SLI error ratios.

Every aggregation keeps `system`, `environment` and `service`, so that recorded series and alerts say where they
come from. A ratio divides by a denominator filtered with `> 0`: a window without requests yields no sample (no
alert, nothing averaged into the error budget) instead of NaN.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from rosec.model.metrics import GRPC_FAILURE_CODES, METRICS
from rosec.model.services import Service
from rosec.model.slo import AVAILABILITY, Sli

GROUPING = ("system", "environment", "service")
Matcher = tuple[str, str, str]  # label, operator, value


@lru_cache(maxsize=1 << 14)  # the same names and label values are quoted over and over
def quoted(value: str) -> str:
    """A PromQL string literal (double quotes, backslash escapes as in JSON)."""
    return json.dumps(value)


@lru_cache(maxsize=1 << 15)  # the promtool tests repeat each service's series in every scenario
def selector(metric: str, *matchers: Matcher) -> str:
    inner = ", ".join(f"{label}{op}{quoted(value)}" for label, op, value in matchers)
    return f"{metric}{{{inner}}}" if inner else metric


def service_matcher(service: str) -> Matcher:
    return ("service", "=", service)


def by(*extra: str) -> str:
    return f"by ({', '.join((*GROUPING, *extra))})"


def rate_sum(metric: str, matchers: Iterable[Matcher], window: str, *extra: str) -> str:
    return f"sum {by(*extra)} (rate({selector(metric, *matchers)}[{window}]))"


def or_zero(part: str, total: str) -> str:
    """`part` where it has samples, else 0 with the labels of `total` (a counter not yet incremented)."""
    return f"({part} or {total} * 0)"


def ratio(numerator: str, denominator: str) -> str:
    return f"{numerator} / ({denominator} > 0)"


def protocols(service: Service) -> list[tuple[str, str, Matcher | None]]:
    """(latency histogram, errors counter, matcher of failed calls) of each protocol the service serves."""
    found: list[tuple[str, str, Matcher | None]] = []
    if service.endpoints:
        found.append((METRICS.http_latency, METRICS.http_errors, None))  # the errors counter counts only 5xx
    if service.grpc_methods:
        found.append((METRICS.grpc_latency, METRICS.grpc_errors, ("code", "=~", "|".join(GRPC_FAILURE_CODES))))
    return found


def total_requests(service: Service, window: str) -> str:
    """Requests over `window` (per second): the latency histograms' counts, which exist from the service's start."""
    return " + ".join(rate_sum(f"{histogram}_count", [service_matcher(service.name)], window)
                      for histogram, _, _ in protocols(service))


def sli_error_ratio(service: Service, sli: Sli, window: str) -> str:
    """The ratio of bad requests over `window`: failed ones (availability) or slower than the threshold."""
    own = service_matcher(service.name)
    total = total_requests(service, window)
    if sli.kind == AVAILABILITY:
        parts = []
        for histogram, errors, failed in protocols(service):
            matchers = [own, failed] if failed else [own]
            parts.append(or_zero(rate_sum(errors, matchers, window),
                                 rate_sum(f"{histogram}_count", [own], window)))
        return ratio(f"({' + '.join(parts)})", total)
    good = " + ".join(rate_sum(f"{histogram}_bucket", [own, ("le", "=", sli.le)], window)
                      for histogram, _, _ in protocols(service))
    return ratio(f"(({total}) - ({good}))", total)
