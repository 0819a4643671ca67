"""Alertmanager target: alertmanager.yml with routes by owner and severity, the receivers of the spec's `alerts`
section, and ticket alerts inhibited while a page of the same service fires.

Credentials are read from files named after their secret (`*_file` fields, which Alertmanager 0.25 and later
accept); the file holds the value, never the generated configuration.
"""

from __future__ import annotations

import json
from typing import Any

from rosec.emit.serialize import to_yaml
from rosec.model.alerting import NULL_RECEIVER, PAGE, SEVERITIES, TICKET, Alerting, Receiver, secret_file
from rosec.model.infrastructure import ALERTMANAGER_CONFIG_FILE
from rosec.model.system import Layout, System

GROUP_BY = ["alertname", "environment", "service", "slo"]
REPEAT = {PAGE: "1h", TICKET: "12h"}


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.alertmanager_dir}/{ALERTMANAGER_CONFIG_FILE}",)


def render(system: System) -> dict[str, bytes]:
    if not system.observability.metrics:
        return {}
    path = f"{system.layout.alertmanager_dir}/{ALERTMANAGER_CONFIG_FILE}"
    return {path: to_yaml(alertmanager_config(system), system.header())}


def alertmanager_config(system: System) -> dict[str, Any]:
    alerting = system.alerting
    return {
        "route": {
            "receiver": alerting.ticket,
            "group_by": GROUP_BY,
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": REPEAT[TICKET],
            "routes": [*_owner_routes(alerting), *_severity_routes(alerting.page, alerting.ticket)],
        },
        "inhibit_rules": [{
            "source_matchers": [matcher("severity", PAGE)],
            "target_matchers": [matcher("severity", TICKET)],
            "equal": ["environment", "service"],
        }],
        "receivers": [{"name": NULL_RECEIVER}, *(_receiver(r) for r in alerting.receivers)],
    }


def matcher(label: str, value: str) -> str:
    return f"{label}={json.dumps(value)}"


def _severity_routes(page: str, ticket: str) -> list[dict[str, Any]]:
    receivers = {PAGE: page, TICKET: ticket}
    return [{"matchers": [matcher("severity", severity)], "receiver": receivers[severity],
             "repeat_interval": REPEAT[severity]} for severity in SEVERITIES]


def _owner_routes(alerting: Alerting) -> list[dict[str, Any]]:
    return [{"matchers": [matcher("owner", route.owner)], "routes": _severity_routes(route.page, route.ticket)}
            for route in alerting.owners]


def _receiver(receiver: Receiver) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": receiver.name}
    if receiver.pagerduty:
        entry["pagerduty_configs"] = [{"routing_key_file": secret_file(receiver.pagerduty.routing_key_secret),
                                       "send_resolved": True}]
    if receiver.slack:
        entry["slack_configs"] = [{"api_url_file": secret_file(receiver.slack.url_secret),
                                   "channel": receiver.slack.channel, "send_resolved": True}]
    if receiver.email:
        email = receiver.email
        config: dict[str, Any] = {"to": email.to, "from": email.sender, "smarthost": email.smarthost,
                                  "require_tls": True, "send_resolved": True}
        if email.username:
            config["auth_username"] = email.username
        if email.password_secret:
            config["auth_password_file"] = secret_file(email.password_secret)
        entry["email_configs"] = [config]
    if receiver.webhook:
        webhook: dict[str, Any] = {"url": receiver.webhook.url, "send_resolved": True}
        if receiver.webhook.token_secret:
            webhook["http_config"] = {"authorization": {
                "type": "Bearer", "credentials_file": secret_file(receiver.webhook.token_secret)}}
        entry["webhook_configs"] = [webhook]
    return entry


def alert_routing(system: System) -> dict[str, Any]:
    """alertmanager_config with receivers by name only: the routes and inhibitions as everywhere, for an alert
    manager that adds its own integration to each receiver (Amazon Managed Service for Prometheus: an SNS topic
    per receiver, rosec/resources/terraform/modules/metrics)."""
    config = alertmanager_config(system)
    return config | {"receivers": [{"name": receiver["name"]} for receiver in config["receivers"]]}
