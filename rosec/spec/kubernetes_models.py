"""The language of a kubernetes environment (`environments.<env>.kubernetes`): where images come from, how users
reach the gateway and the identity provider, storage, secrets, and which operators' resources the charts carry."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from rosec.spec import names
from rosec.spec.base import Name, Spec

K8sName = Name(names.K8S_NAME, "A Kubernetes resource name: lowercase letters, digits, '-' and '.'.", 253)
Namespace = Name(names.DNS_LABEL, "A Kubernetes namespace: lowercase DNS label.", 63)


class IssuerKind(StrEnum):
    ClusterIssuer = "ClusterIssuer"
    Issuer = "Issuer"


class SecretStoreKind(StrEnum):
    ClusterSecretStore = "ClusterSecretStore"
    SecretStore = "SecretStore"


class Dashboards(StrEnum):
    sidecar = "sidecar"
    grafana_operator = "grafana-operator"
    none = "none"


class TlsSpec(Spec):
    secret: K8sName | None = None
    """A Secret (type kubernetes.io/tls) that holds the certificate of the environment's domain and auth.<domain>."""
    issuer: K8sName | None = None
    """A cert-manager issuer: the charts request a Certificate for the domain and auth.<domain> from it."""
    issuer_kind: IssuerKind = IssuerKind.ClusterIssuer
    """Kind of the cert-manager issuer: ClusterIssuer or Issuer (in the environment's namespace)."""


class IngressSpec(Spec):
    class_name: K8sName
    """The IngressClass of the cluster's ingress controller, e.g. nginx."""


class SecretStoreSpec(Spec):
    name: K8sName
    """The External Secrets Operator store that holds the environment's secrets."""
    kind: SecretStoreKind = SecretStoreKind.ClusterSecretStore
    """ClusterSecretStore, or SecretStore (in the environment's namespace)."""
    prefix: Annotated[str, Field(pattern=names.SECRET_KEY_PREFIX, max_length=200)] = ""
    """Prefix of every remote key: the secret named X (as in .env.example) is read from the key <prefix>X."""


class KubernetesSpec(Spec):
    registry: Annotated[str, Field(pattern=names.IMAGE_REGISTRY, max_length=200)]
    """Image registry (and path) the services' images are pulled from: <registry>/<system>/<service>:<tag>."""
    namespace: Namespace | None = None
    """Namespace of the environment's releases; default <system>-<environment>."""
    ingress: IngressSpec | None = None
    """Expose the gateway (the domain) and the identity provider (auth.<domain>) through an Ingress."""
    load_balancer: bool = False
    """Expose the gateway and the identity provider through Services of type LoadBalancer instead (each terminates
    TLS with the environment's certificate)."""
    tls: TlsSpec | None = None
    """The certificate of the exposed hosts: an existing Secret, or one that cert-manager issues."""
    storage_class: K8sName | None = None
    """StorageClass of every volume (databases, broker, Elasticsearch, file volumes); default: the cluster's."""
    secret_store: SecretStoreSpec | None = None
    """Fetch the environment's secrets with ExternalSecrets from this store; absent: create the Secrets yourself."""
    monitoring: bool = False
    """Prometheus Operator resources (a ServiceMonitor per service and component, the PrometheusRule): on only
    where its CRDs are installed."""
    dashboards: Dashboards = Dashboards.sidecar
    """Grafana dashboards and datasource as ConfigMaps for Grafana's sidecar, grafana-operator resources, or none."""
    prometheus_namespace: Namespace = "monitoring"
    """Namespace of the Prometheus that scrapes the services (their NetworkPolicies let it in)."""
    postgres_instances: Annotated[int, Field(ge=1, le=9)] = 2
    """PostgreSQL instances of every postgres datastore (one primary, the others streaming replicas)."""
    rabbitmq_replicas: Annotated[int, Field(ge=1, le=9)] = 3
    """RabbitMQ nodes; an odd number (1, 3, 5...), so that a majority survives a lost node."""
    keycloak_instances: Annotated[int, Field(ge=1, le=9)] = 2
    """Keycloak instances."""
