"""Helm target: charts for every environment with kubernetes hosting, under helm/.

- charts/rose-lib/: a library chart with the templates every service chart shares (Deployment, Service,
  HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, ServiceAccount, ConfigMap, ServiceMonitor,
  ExternalSecret), so that the service charts stay thin;
- charts/<service>/: one chart per service, released and rolled back on its own; values.yaml (what every
  environment shares), values-<environment>.yaml per kubernetes environment, values.schema.json;
- charts/<system>-platform/: the edge and the platform as resources of the operators teams run (rosec.targets.helm
  .platform);
- helmfile.yaml.gotmpl: installs an environment, platform first (`helmfile -e <environment> apply`).

The templates are static files (Go templates, rosec/resources/helm); everything that depends on the spec is data
in the values and in the charts' files/, serialized like every other structured output.
"""

from __future__ import annotations

from rosec.emit.serialize import to_json, to_yaml, to_yaml_documents
from rosec.model import kubernetes as k8s
from rosec.model.environments import Environment
from rosec.model.services import Service
from rosec.model.system import Layout, System
from rosec.targets.helm.charts import LIBRARY, chart_yaml, with_templates
from rosec.targets.helm.helmfile import helmfile
from rosec.targets.helm.platform import platform_chart
from rosec.targets.helm.schema import service_schema
from rosec.targets.helm.service_values import service_environment_values, service_values

__all__ = ["outputs", "render"]


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.helm_dir}/",)


def render(system: System) -> dict[str, bytes]:
    environments = k8s.kubernetes_environments(system)
    if not environments:
        return {}
    charts = system.layout.helm_charts_dir
    out = {f"{charts}/{LIBRARY}/{path}": content for path, content in library_chart(system).items()}
    for service in system.services:
        out |= {f"{charts}/{service.name}/{path}": content
                for path, content in service_chart(system, service, environments).items()}
    out |= {f"{charts}/{k8s.platform_chart(system)}/{path}": content
            for path, content in platform_chart(system, environments).items()}
    out[system.layout.helmfile] = to_yaml_documents(helmfile(system, environments), system.header())
    return dict(sorted(out.items()))


def library_chart(system: System) -> dict[str, bytes]:
    chart = {"Chart.yaml": to_yaml(chart_yaml(system, LIBRARY, f"Templates every service chart of {system.name} "
                                              "shares", library=True), system.header())}
    return with_templates(system, "lib", chart)


def service_chart(system: System, service: Service, environments: tuple[Environment, ...]) -> dict[str, bytes]:
    header = system.header()
    description = service.description or f"The {service.name} service of {system.name}"
    chart = {
        "Chart.yaml": to_yaml(chart_yaml(system, service.name, description), header),
        "values.yaml": to_yaml(service_values(system, service), header),
        "values.schema.json": to_json(service_schema(service.name)),
    }
    for environment in environments:
        chart[f"values-{environment.name}.yaml"] = to_yaml(
            service_environment_values(system, environment, service), header)
    return with_templates(system, "service", chart)
