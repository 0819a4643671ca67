"""Grafana dashboard JSON as data, for the pinned Grafana 12 (classic dashboard schema): the dashboard, rows,
panels and Prometheus queries. Panels are laid out in rows of two, 12 columns each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rosec.model.dashboards import PROMETHEUS_DATASOURCE_UID, DashboardRef

SCHEMA_VERSION = 41  # the dashboard JSON version Grafana 12.3 writes
PROMETHEUS = {"type": "prometheus", "uid": PROMETHEUS_DATASOURCE_UID}
ENVIRONMENT = '$environment'  # the dashboards' environment variable
RATE = "$__rate_interval"
PANEL_HEIGHT = 8
HALF = 12


def target(expr: str, legend: str = "", ref: str = "A", *, table: bool = False) -> dict[str, Any]:
    query: dict[str, Any] = {"refId": ref, "datasource": PROMETHEUS, "expr": expr, "legendFormat": legend or "__auto"}
    if table:
        query |= {"format": "table", "instant": True, "range": False}
    return query


@dataclass
class Layout:
    """Hands out ids and grid positions: rows span the width, panels fill two columns."""

    panels: list[dict[str, Any]] = field(default_factory=list)
    y: int = 0
    x: int = 0
    next_id: int = 1

    def row(self, title: str) -> None:
        self._newline()
        self.panels.append({"type": "row", "id": self._id(), "title": title, "collapsed": False, "panels": [],
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}})
        self.y += 1

    def add(self, panel: dict[str, Any], width: int = HALF, height: int = PANEL_HEIGHT) -> None:
        if self.x + width > 24:
            self._newline()
        panel = {"id": self._id(), **panel, "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y}}
        self.panels.append(panel)
        self.x += width

    def _newline(self) -> None:
        if self.x:
            self.y += PANEL_HEIGHT
            self.x = 0

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def timeseries(title: str, targets: list[dict[str, Any]], unit: str, description: str = "") -> dict[str, Any]:
    return {"type": "timeseries", "title": title, "description": description, "datasource": PROMETHEUS,
            "targets": targets, "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"showLegend": True, "displayMode": "table", "placement": "bottom"},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title: str, targets: list[dict[str, Any]], unit: str, description: str = "") -> dict[str, Any]:
    return {"type": "stat", "title": title, "description": description, "datasource": PROMETHEUS,
            "targets": targets, "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area", "textMode": "auto"}}


def dashboard(ref: DashboardRef, system: str, panels: list[dict[str, Any]], description: str,
              links: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "uid": ref.uid,
        "title": ref.title,
        "description": description,
        "tags": ["rosec", system, ref.kind],
        "editable": False,
        "graphTooltip": 1,
        "timezone": "browser",
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "panels": panels,
        "links": links or [],
        "annotations": {"list": []},
        "templating": {"list": [{
            "name": "environment",
            "label": "Environment",
            "type": "query",
            "datasource": PROMETHEUS,
            "query": f'label_values(up{{system="{system}"}}, environment)',
            "refresh": 2,
            "includeAll": True,
            "multi": False,
            "current": {"text": "All", "value": "$__all"},
            "options": [],
        }]},
    }


def link(title: str, uid: str) -> dict[str, Any]:
    return {"title": title, "type": "link", "url": f"/d/{uid}", "icon": "dashboard", "tooltip": "",
            "tags": [], "asDropdown": False, "includeVars": True, "keepTime": True, "targetBlank": False}
