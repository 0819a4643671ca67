"""The WAF rate-based rules of an environment hosted on AWS, derived from the gateway's rate limits
(rosec.model.gateway), so that the edge counts what the gateway counts.

One rule per limited gateway service (scoped to the paths of its routes: the service's gateway prefix, or the
gRPC API's path) and one per limited route (scoped to the route's method and path: a regular expression anchored
at both ends, as the gateway matches it). The WAF counts per client IP across all gateway nodes over one of its
windows (rosec.model.aws_catalog.waf_rate); the gateway enforces the spec's exact limits. A request to a limited
route counts towards its route's rule and its service's rule at the edge, while the gateway applies only the
route's own limit (a route plugin replaces the service's): the WAF is the coarser guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import gateway as gw
from rosec.model.aws_catalog import WafRate, waf_rate
from rosec.model.environments import Environment
from rosec.model.naming import bounded
from rosec.model.services import RateLimit
from rosec.model.system import System

RULE_NAME_LENGTH = 128  # WAF rule names: at most 128 of [A-Za-z0-9_-]
GRPC_METHOD = "POST"  # every gRPC call is an HTTP/2 POST


@dataclass(frozen=True)
class RateRule:
    name: str  # WAF rule name and metric name
    scope: str  # the gateway service or route whose limit it mirrors
    path: str  # a prefix of the request path (service rules) or a regular expression of it (route rules)
    method: str | None  # route rules: the route's method; None: a service rule (path is a prefix)
    rate: WafRate
    spec_rate: str  # as the spec writes it, e.g. 100/minute


def rate_rules(system: System, environment: Environment) -> tuple[RateRule, ...]:
    edge = gw.gateway(system, environment)
    rules = []
    for service in edge.services:
        if service.rate_limit:
            rules.append(_rule(service.name, _prefix(system, service), None, service.rate_limit))
        for route in service.routes:
            if route.rate_limit:
                method = route.methods[0] if route.methods else GRPC_METHOD
                rules.append(_rule(route.name, gw.plain_pattern(route.paths[0]), method, route.rate_limit))
    return tuple(rules)


def _prefix(system: System, service: gw.KongService) -> str:
    """The start of every path the gateway service routes: its gateway prefix, or /<package>.<Service>/."""
    rose = system.service(service.service)
    if service.protocol == "grpc":
        return gw.grpc_prefix(rose) + "/"
    assert rose.gateway is not None
    return rose.gateway.path


def _rule(scope: str, path: str, method: str | None, limit: RateLimit) -> RateRule:
    # Gateway names hold [a-z0-9-] and one '.' between service and operation: '_' keeps them apart.
    name = bounded("rate-" + scope.replace(".", "_"), RULE_NAME_LENGTH)
    return RateRule(name, scope, path, method, waf_rate(limit.count, limit.unit), f"{limit.count}/{limit.unit}")
