"""The kubernetes settings of an environment, resolved from `environments.<env>.kubernetes` (defaults applied).

A leaf module (Environment holds these); what the charts derive from them lives in rosec.model.kubernetes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.spec.kubernetes_models import KubernetesSpec


@dataclass(frozen=True)
class Tls:
    secret: str  # the Secret that holds the certificate: given, or the one cert-manager writes
    issuer: str | None  # cert-manager issuer: the charts request a Certificate (into `secret`)
    issuer_kind: str


@dataclass(frozen=True)
class SecretStore:
    name: str
    kind: str  # ClusterSecretStore | SecretStore
    prefix: str  # remote key of secret X: <prefix>X


@dataclass(frozen=True)
class KubernetesSettings:
    namespace: str
    registry: str
    ingress_class: str | None  # None: no Ingress
    load_balancer: bool
    tls: Tls | None
    storage_class: str | None
    secret_store: SecretStore | None
    monitoring: bool  # Prometheus Operator resources
    dashboards: str  # sidecar | grafana-operator | none
    prometheus_namespace: str
    postgres_instances: int
    rabbitmq_replicas: int
    keycloak_instances: int


def build_kubernetes_settings(spec: KubernetesSpec | None, system: str, environment: str,
                              metrics: bool) -> KubernetesSettings | None:
    if spec is None:
        return None
    tls = None
    if spec.tls is not None:
        secret = spec.tls.secret or f"{system}-{environment}-tls"
        tls = Tls(secret, spec.tls.issuer if not spec.tls.secret else None, spec.tls.issuer_kind.value)
    store = spec.secret_store
    return KubernetesSettings(
        namespace=spec.namespace or f"{system}-{environment}",
        registry=spec.registry,
        ingress_class=spec.ingress.class_name if spec.ingress else None,
        load_balancer=spec.load_balancer,
        tls=tls,
        storage_class=spec.storage_class,
        secret_store=SecretStore(store.name, store.kind.value, store.prefix) if store else None,
        monitoring=spec.monitoring and metrics,
        dashboards=spec.dashboards.value if metrics else "none",
        prometheus_namespace=spec.prometheus_namespace,
        postgres_instances=spec.postgres_instances,
        rabbitmq_replicas=spec.rabbitmq_replicas,
        keycloak_instances=spec.keycloak_instances,
    )
