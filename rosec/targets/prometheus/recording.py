"""Recording rules per service: request rate, error ratio and latency quantiles over 5 minutes, for HTTP and gRPC,
and the message rates of its consumers. Dashboards and humans read these instead of the raw histograms."""

from __future__ import annotations

from typing import Any

from rosec.model.metrics import GRPC_FAILURE_CODES, METRICS
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.prometheus.promql import by, or_zero, rate_sum, ratio, selector, service_matcher

WINDOW = "5m"
QUANTILES = ("0.5", "0.95", "0.99")


def record_name(metric: str, operation: str) -> str:
    """`service:<metric without _total>:<operation>`, the level:metric:operations convention."""
    return f"service:{metric.removesuffix('_total')}:{operation}"


def recording_groups(system: System) -> list[dict[str, Any]]:
    """A group per service; each rule also names its service as a static label, so that rules of the same name
    in different groups are distinct (promtool's lint rejects duplicates)."""
    groups = []
    for service in system.services:
        rules = [rule | {"labels": {"service": service.name, **rule.get("labels", {})}}
                 for rule in service_rules(service)]
        if rules:
            groups.append({"name": f"{service.name}-recording", "rules": rules})
    return groups


def service_rules(service: Service) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    own = service_matcher(service.name)
    if service.endpoints:
        rules += _request_rules(service, METRICS.http_requests, METRICS.http_latency,
                                rate_sum(METRICS.http_errors, [own], WINDOW))
    if service.grpc_methods:
        failed = ("code", "=~", "|".join(GRPC_FAILURE_CODES))
        rules += _request_rules(service, METRICS.grpc_requests, METRICS.grpc_latency,
                                rate_sum(METRICS.grpc_errors, [own, failed], WINDOW))
    if service.consumers:
        for metric in (METRICS.messages_consumed, METRICS.messages_failed, METRICS.messages_dead_lettered):
            rules.append({"record": record_name(metric, f"rate{WINDOW}"),
                          "expr": rate_sum(metric, [own], WINDOW, "event")})
    return rules


def _request_rules(service: Service, requests: str, latency: str, errors: str) -> list[dict[str, Any]]:
    own = service_matcher(service.name)
    total = rate_sum(requests, [own], WINDOW)
    rules = [
        {"record": record_name(requests, f"rate{WINDOW}"), "expr": total},
        {"record": record_name(requests.replace("requests", "request_errors"), f"ratio_rate{WINDOW}"),
         "expr": ratio(or_zero(errors, total), total)},
    ]
    buckets = f"sum {by('le')} (rate({selector(f'{latency}_bucket', own)}[{WINDOW}]))"
    rules += [{"record": record_name(latency, f"quantile_rate{WINDOW}"),
               "expr": f"histogram_quantile({quantile}, {buckets})", "labels": {"quantile": quantile}}
              for quantile in QUANTILES]
    return rules
