"""values.yaml and values-<environment>.yaml of a service's chart: data from the model, read by rose-lib's
templates. values.yaml holds what every environment shares (image repository, ports, probes, the network graph,
where each secret comes from); values-<environment>.yaml the environment's registry, replicas, resources,
variables, secret store and monitoring."""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model import kubernetes as k8s
from rosec.model import kubernetes_names as names
from rosec.model.environments import Environment
from rosec.model.kubernetes_secrets import secret_ref, service_provided_secret, service_secret
from rosec.model.services import Service
from rosec.model.system import System

PROMETHEUS_POD_LABELS = {"app.kubernetes.io/name": "prometheus"}  # the Prometheus Operator's pods
MONITORING_INTERVAL = "30s"
TMP_SIZE_LIMIT = "64Mi"
TERMINATION_GRACE_S = 30  # the runtime drains in-flight requests and consumers on SIGTERM


def service_values(system: System, service: Service) -> dict[str, Any]:
    health = service.health
    return {
        "global": {"system": system.name, "imageRegistry": "", "environment": ""},
        "image": {"repository": service.image, "tag": "", "digest": ""},
        "replicas": max(service.scaling.min, 1),
        "autoscaling": _autoscaling(service.scaling.max > service.scaling.min, service.scaling.min,
                                    service.scaling.max, service.scaling.cpu_target),
        "resources": {"cpu": service.resources.cpu, "memory": service.resources.memory},
        "ports": {"http": service.port, "grpc": service.grpc_port or 0},
        "probes": {
            "grpc": bool(service.grpc_port) and not service.endpoints,
            "livenessPath": health.liveness_path,
            "readinessPath": health.readiness_path,
            "periodSeconds": health.interval_s,
            "timeoutSeconds": health.timeout_s,
            "failureThreshold": health.retries,
            "startupFailureThreshold": health.start_period_s // 2 + health.retries,
        },
        "securityContext": {"uid": k8s.APP_UID},
        "terminationGracePeriodSeconds": TERMINATION_GRACE_S,
        "tmpSizeLimit": TMP_SIZE_LIMIT,
        "config": {},
        "secretEnv": [],
        "volumes": [{"name": store.name, "claim": store.volume, "mountPath": store.mount_path}
                    for store in map(system.datastore, service.uses) if not store.is_postgres],
        "externalSecret": {"enabled": False, "name": service_secret(service), "refreshInterval": "1h",
                           "store": {"name": "", "kind": "ClusterSecretStore"}, "data": []},
        "networkPolicy": _network_policy(system, service),
        "monitoring": {"enabled": False, "path": "/metrics", "interval": MONITORING_INTERVAL, "labels": {}},
    }


def _autoscaling(enabled: bool, low: int, high: int, target: int) -> dict[str, Any]:
    return {"enabled": enabled, "minReplicas": max(low, 1), "maxReplicas": max(high, 1),
            "targetCPUUtilizationPercentage": target}


def service_environment_values(system: System, environment: Environment, service: Service) -> dict[str, Any]:
    settings = k8s.settings(environment)
    deployment = environment.deployments[service.name]
    scaling = deployment.autoscaling
    values: dict[str, Any] = {
        "global": {"system": system.name, "imageRegistry": settings.registry, "environment": environment.name},
        "replicas": deployment.replicas,
        "autoscaling": _autoscaling(scaling is not None, scaling.min if scaling else 1,
                                    scaling.max if scaling else 1, scaling.cpu_target if scaling else 70),
        "resources": {"cpu": deployment.resources.cpu, "memory": deployment.resources.memory},
        "config": {v.name: v.value for v in deployment.env if not v.is_secret},
        "secretEnv": [_secret_env(system, service, v) for v in deployment.env if v.is_secret],
    }
    provided = service_provided_secret(service)
    if settings.secret_store and provided:
        store = settings.secret_store
        values["externalSecret"] = {"enabled": True, "store": {"name": store.name, "kind": store.kind},
                                    "data": [{"secretKey": key, "remoteKey": f"{store.prefix}{variable}"}
                                             for key, variable in provided.variables]}
    values["networkPolicy"] = {"prometheus": {"enabled": settings.monitoring,
                                              "namespace": settings.prometheus_namespace}}
    values["monitoring"] = {"enabled": settings.monitoring, "labels": {
        "job": "services", "service": service.name, "system": system.name, "environment": environment.name}}
    return values


def _secret_env(system: System, service: Service, var: Any) -> dict[str, Any]:
    ref = secret_ref(system, service, var)
    entry: dict[str, Any] = {"name": var.name, "secret": ref.secret, "key": ref.key}
    if ref.optional:
        entry["optional"] = True
    return entry


def _network_policy(system: System, service: Service) -> dict[str, Any]:
    graph = k8s.network_shape(system, service)
    own = k8s.ports(service)
    ingress = []
    if graph.from_gateway:
        ingress.append({"from": [_pods(k8s.service_labels(system, names.GATEWAY))], "ports": list(own)})
    if graph.callers:
        ingress.append({"from": [_pods(k8s.service_labels(system, c)) for c in graph.callers], "ports": list(own)})
    egress = [{"to": [_pods(k8s.service_labels(system, p.service))], "ports": list(p.ports)} for p in graph.calls]
    egress += [{"to": [_pods(names.postgres_pod_labels(c))], "ports": [infra.POSTGRES_PORT]} for c in graph.postgres]
    if graph.broker:
        egress.append({"to": [_pods(names.RABBITMQ_POD_LABELS)], "ports": [infra.RABBITMQ.port]})
    if graph.identity:
        egress.append({"to": [_pods(names.KEYCLOAK_POD_LABELS)], "ports": [names.KEYCLOAK_HTTP_PORT]})
    return {
        "enabled": True,
        "ingress": ingress,
        "egress": egress,
        "prometheus": {"enabled": False, "namespace": "monitoring", "podLabels": PROMETHEUS_POD_LABELS},
        "dns": {"namespace": names.DNS_NAMESPACE, "podLabels": names.DNS_POD_LABELS},
        "extraIngress": [],
        "extraEgress": [],
    }


def _pods(labels: dict[str, str]) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": dict(labels)}}
