"""The platform chart, <system>-platform: the edge and the infrastructure of the system, installed before the
services (helmfile `needs`). Its files/ hold what other targets build, as they build it: the rules of the
Prometheus target, the dashboards of the Grafana target, and per environment the Logstash pipeline and the Elastic
setup of the logs target, the gateway's configuration (Kong) and the realm (Keycloak)."""

from __future__ import annotations

from rosec.emit.serialize import to_json, to_yaml
from rosec.model import kubernetes as k8s
from rosec.model.environments import Environment
from rosec.model.system import System
from rosec.targets.grafana import dashboard_files
from rosec.targets.helm.charts import chart_yaml, with_templates
from rosec.targets.helm.platform_values import platform_environment_values, platform_values
from rosec.targets.helm.schema import platform_schema
from rosec.targets.keycloak import realm_file
from rosec.targets.kong import kong_file
from rosec.targets.logs import data_view, ilm_policy, index_template, reader_role, writer_role
from rosec.targets.logs.pipeline import pipeline_file
from rosec.targets.logs.setup import SETUP_FILES, grafana_reads_logs, setup_file
from rosec.targets.prometheus import rule_files


def platform_chart(system: System, environments: tuple[Environment, ...]) -> dict[str, bytes]:
    header = system.header()
    name = k8s.platform_chart(system)
    chart = {
        "Chart.yaml": to_yaml(chart_yaml(system, name, f"The edge and the platform of {system.name} as resources "
                                         "of the operators the cluster runs", uses_library=False), header),
        "values.yaml": to_yaml(platform_values(system), header),
        "values.schema.json": to_json(platform_schema(name)),
    }
    for environment in environments:
        chart[f"values-{environment.name}.yaml"] = to_yaml(platform_environment_values(system, environment), header)
        chart |= {f"files/{environment.name}/{path}": content
                  for path, content in environment_files(system, environment).items()}
    if system.observability.metrics:
        chart |= {f"files/{path}": content for path, content in rule_files(system).items()}
        chart |= {f"files/dashboards/{uid}.json": content for uid, content in dashboard_files(system).values()}
    return with_templates(system, "platform", chart)


def environment_files(system: System, environment: Environment) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if system.observability.logs and system.services:
        found["logstash.conf"] = pipeline_file(system, environment)
        setup, files = "elastic-setup", SETUP_FILES
        found[f"{setup}/{files.script}"] = setup_file(system, environment)
        for file, build in ((files.index_template, index_template), (files.ilm_policy, ilm_policy),
                            (files.writer_role, writer_role), (files.data_view, data_view)):
            found[f"{setup}/{file}"] = to_json(build(system, environment))
        if grafana_reads_logs(system):
            found[f"{setup}/{files.reader_role}"] = to_json(reader_role(system, environment))
    if system.has_gateway:
        found["kong.yaml"] = kong_file(system, environment)
    if system.identity:
        found["realm.json"] = realm_file(system, environment)
    return found
