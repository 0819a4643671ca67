"""Grafana target: provisioning (the Prometheus datasource with a fixed uid, the dashboards provider) and the
dashboards: one per service, one per service with an SLO, one for the system.

The dashboards are the same in every environment (an `environment` variable selects one); the datasource
provisioning names the compose environment's Prometheus. Helm deploys the same files (`dashboard_files`).
"""

from __future__ import annotations

from typing import Any

from rosec.emit.serialize import to_json, to_yaml
from rosec.model import infrastructure as infra
from rosec.model.dashboards import ELASTICSEARCH_DATASOURCE_UID, PROMETHEUS_DATASOURCE_UID, SERVICE, SLO
from rosec.model.dashboards import dashboards as dashboard_refs
from rosec.model.environments import Environment
from rosec.model.logs import LEVEL_FIELD, MESSAGE_FIELD, TIME_FIELD, environment_logs
from rosec.model.system import Layout, System
from rosec.targets.grafana.service import service_dashboard
from rosec.targets.grafana.slo import slo_dashboard
from rosec.targets.grafana.system import system_dashboard

__all__ = ["dashboards", "elasticsearch_datasource", "outputs", "prometheus_datasource", "render"]

DATASOURCES_FILE = "datasources/prometheus.yaml"
LOGS_DATASOURCE_FILE = "datasources/elasticsearch.yaml"
PROVIDERS_FILE = "dashboards/rosec.yaml"


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.grafana_provisioning_dir}/", f"{layout.grafana_dashboards_dir}/")


def dashboards(system: System) -> dict[str, dict[str, Any]]:
    """Dashboard JSON by file name under the dashboards directory (services/<name>.json, slo/<name>.json,
    system.json). Built once per build and shared (callers must not change them)."""
    return system.once(("dashboards",), lambda: _dashboards(system))


def dashboard_files(system: System) -> dict[str, tuple[str, bytes]]:
    """The JSON of each dashboard by file name, with its uid: serialized once per build, since Helm deploys the
    same files (32 MB at 1000 services)."""
    return system.once(("dashboard files",), lambda: {name: (board["uid"], to_json(board))
                                                      for name, board in dashboards(system).items()})


def _dashboards(system: System) -> dict[str, dict[str, Any]]:
    refs = dashboard_refs(system)
    by_kind = {(r.kind, r.service): r for r in refs}
    found: dict[str, dict[str, Any]] = {}
    for ref in refs:
        if ref.service is None:
            found[ref.file] = system_dashboard(system, ref, refs)
        elif ref.kind == SERVICE:
            found[ref.file] = service_dashboard(system, system.service(ref.service), ref,
                                                by_kind.get((SLO, ref.service)))
        else:
            found[ref.file] = slo_dashboard(system, system.service(ref.service), ref, by_kind[(SERVICE, ref.service)])
    return found


def prometheus_datasource(url: str) -> dict[str, Any]:
    return {"apiVersion": 1, "datasources": [{
        "name": "Prometheus", "uid": PROMETHEUS_DATASOURCE_UID, "type": "prometheus", "access": "proxy", "url": url,
        "isDefault": True, "editable": False, "jsonData": {"httpMethod": "POST"},
    }]}


def elasticsearch_datasource(system: System, environment: Environment, url: str) -> dict[str, Any]:
    """The environment's logs as the Elasticsearch datasource, read as the reader user the logs setup creates; its
    password is expanded by Grafana from its own environment at provisioning time, never written here."""
    logs = environment_logs(system, environment)
    return {"apiVersion": 1, "datasources": [{
        "name": "Logs", "uid": ELASTICSEARCH_DATASOURCE_UID, "type": "elasticsearch", "access": "proxy", "url": url,
        "basicAuth": True, "basicAuthUser": logs.reader_user, "editable": False,
        "jsonData": {"index": logs.index_pattern, "timeField": TIME_FIELD, "logMessageField": MESSAGE_FIELD,
                     "logLevelField": LEVEL_FIELD},
        "secureJsonData": {"basicAuthPassword": f"${{{infra.GRAFANA_ELASTICSEARCH_PASSWORD_ENV}}}"},
    }]}


def dashboard_provider() -> dict[str, Any]:
    return {"apiVersion": 1, "providers": [{
        "name": "rosec", "orgId": 1, "type": "file", "disableDeletion": True, "allowUiUpdates": False,
        "updateIntervalSeconds": 60,
        "options": {"path": infra.GRAFANA_DASHBOARDS_PATH, "foldersFromFilesStructure": True},
    }]}


def render(system: System) -> dict[str, bytes]:
    if not system.observability.metrics:
        return {}
    layout, header = system.layout, system.header()
    out = {f"{layout.grafana_dashboards_dir}/{name}": content for name, (_, content) in dashboard_files(system).items()}
    out[f"{layout.grafana_provisioning_dir}/{PROVIDERS_FILE}"] = to_yaml(dashboard_provider(), header)
    if system.compose_environment is not None:
        prometheus = infra.PROMETHEUS
        out[f"{layout.grafana_provisioning_dir}/{DATASOURCES_FILE}"] = to_yaml(
            prometheus_datasource(f"http://{prometheus.host}:{prometheus.port}"), header)
        if system.observability.logs:
            es = infra.ELASTICSEARCH
            out[f"{layout.grafana_provisioning_dir}/{LOGS_DATASOURCE_FILE}"] = to_yaml(
                elasticsearch_datasource(system, system.compose_environment, f"http://{es.host}:{es.port}"), header)
    return dict(sorted(out.items()))
