"""Semantic checks of what the metrics stack derives: the `alerts` section's references, SLOs that have requests
to measure, and host names that the postgres exporters need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.diagnostics import did_you_mean
from rosec.model.alerting import NULL_RECEIVER

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext


def check_observability(c: CheckContext) -> None:
    check_alerts(c)
    check_slos(c)
    check_exporter_hosts(c)


def check_alerts(c: CheckContext) -> None:
    alerts = c.spec.alerts
    for name, receiver in alerts.receivers.items():
        path = ("alerts", "receivers", name)
        if name == NULL_RECEIVER:
            c.error(path, f"receiver name '{name}' is reserved for alerts that go nowhere",
                    "rename the receiver, e.g. 'none-team'", at_key=True)
        if not any((receiver.webhook, receiver.email, receiver.slack, receiver.pagerduty)):
            c.error(path, f"receiver '{name}' sends nowhere", "give it webhook, email, slack or pagerduty", at_key=True)
    for severity in ("page", "ticket"):
        _receiver_ref(c, ("alerts", severity), getattr(alerts, severity))
    owners = {s.owner or c.spec.system.owner for s in c.spec.services.values()} - {""}
    for owner, route in alerts.owners.items():
        path = ("alerts", "owners", owner)
        if owner not in owners:
            c.error(path, f"'{owner}' owns no service", did_you_mean(owner, sorted(owners)) or
                    "set `owner:` on its services (or system.owner)", at_key=True)
        _receiver_ref(c, (*path, "page"), route.page)
        _receiver_ref(c, (*path, "ticket"), route.ticket)


def _receiver_ref(c: CheckContext, path: tuple[str, ...], name: str | None) -> None:
    receivers = c.spec.alerts.receivers
    if name is not None and name not in receivers:
        c.error(path, f"unknown receiver '{name}'", did_you_mean(name, receivers) or
                "declare it in alerts.receivers")


def check_slos(c: CheckContext) -> None:
    for name, service in c.spec.services.items():
        if service.slo is not None and not (service.rest or service.grpc):
            c.error(("services", name, "slo"), f"service '{name}' has an slo but serves no requests",
                    "SLIs count REST and gRPC requests; remove `slo` or add endpoints")


def check_exporter_hosts(c: CheckContext) -> None:
    """With metrics on, each postgres datastore gets an exporter container `<datastore>-exporter`."""
    if not c.spec.observability.metrics:
        return
    exporters = {f"{name}-exporter": name for name, store in c.spec.datastores.items()
                 if store.engine.value == "postgres"}
    for section, names in (("services", c.spec.services), ("datastores", c.spec.datastores)):
        for name in names:
            if name in exporters:
                c.error((section, name), f"'{name}' is the host name of the metrics exporter of datastore "
                        f"'{exporters[name]}'", f"rename it, e.g. '{name}-app'", at_key=True)
