"""Grafana's view of the model: datasource uids and dashboard uids, titles and file names.

Uids are derived from names, so a spec change never reshuffles them: a dashboard keeps its uid (and the links
and bookmarks to it) as long as its service keeps its name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rosec.model.slo import service_slis
from rosec.model.system import System

# Fixed datasource uids; dashboards refer to them (never to ${DS_...} import inputs, which only the UI resolves).
PROMETHEUS_DATASOURCE_UID = "prometheus"
ELASTICSEARCH_DATASOURCE_UID = "elasticsearch"
MAX_UID_LENGTH = 40  # Grafana rejects longer dashboard uids

SERVICE, SLO, SYSTEM = "service", "slo", "system"


@dataclass(frozen=True)
class DashboardRef:
    kind: str  # service | slo | system
    service: str | None  # None for the system dashboard
    uid: str
    title: str
    file: str  # under the dashboards directory; its folder becomes the Grafana folder


def dashboard_uid(*parts: str) -> str:
    """`rose-<parts>` when it fits in 40 characters, else its first 31 characters and a hash of the whole."""
    name = "-".join(("rose", *parts))
    if len(name) <= MAX_UID_LENGTH:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{name[:MAX_UID_LENGTH - 9].rstrip('-')}-{digest}"


def dashboards(system: System) -> tuple[DashboardRef, ...]:
    """The system dashboard, then per service its dashboard and (with an SLO) its SLO dashboard."""
    found = [DashboardRef(SYSTEM, None, dashboard_uid(system.name), f"{system.name} system",
                          "system.json")]
    for service in system.services:
        found.append(DashboardRef(SERVICE, service.name, dashboard_uid(system.name, service.name),
                                  f"{system.name} / {service.name}", f"services/{service.name}.json"))
        if service_slis(service):
            found.append(DashboardRef(SLO, service.name, dashboard_uid(system.name, service.name, "slo"),
                                      f"{system.name} / {service.name} SLO", f"slo/{service.name}.json"))
    return tuple(found)
