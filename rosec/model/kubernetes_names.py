"""Names of what the operators create in a kubernetes environment, from the names rosec gives their resources.

A leaf module: the deployments (service variables) and the charts read the same names, so that a service reaches
the Service an operator creates and references the Secret it writes. Operator versions are in docs/kubernetes.md.
"""

from __future__ import annotations

from rosec.model import infrastructure

# Keycloak operator (k8s.keycloak.org/v2alpha1): Service <name>-service, pods labelled app=keycloak and
# app.kubernetes.io/instance=<name>.
KEYCLOAK = "keycloak"
KEYCLOAK_SERVICE = f"{KEYCLOAK}-service"
KEYCLOAK_HTTP_PORT = 8080
KEYCLOAK_BACKCHANNEL = f"http://{KEYCLOAK_SERVICE}:{KEYCLOAK_HTTP_PORT}"
KEYCLOAK_POD_LABELS = {"app": "keycloak", "app.kubernetes.io/instance": KEYCLOAK}
KEYCLOAK_ADMIN_SECRET = f"{KEYCLOAK}-initial-admin"  # written by the operator at the first start
KEYCLOAK_DATABASE = "keycloak-db"  # a CloudNativePG cluster of its own

# RabbitMQ cluster operator (rabbitmq.com/v1beta1): the cluster's client Service is named after it, so the
# services' AMQP_URL host is the same as in compose; pods labelled app.kubernetes.io/name=<name>.
RABBITMQ = infrastructure.RABBITMQ.host
RABBITMQ_POD_LABELS = {"app.kubernetes.io/name": RABBITMQ}
RABBITMQ_SERVICE_LABELS = {"app.kubernetes.io/name": RABBITMQ, "app.kubernetes.io/component": "rabbitmq"}


def rabbitmq_user_credentials(user: str) -> str:
    """The Secret the messaging topology operator writes for a User resource (keys username, password)."""
    return f"{user}-user-credentials"


# CloudNativePG (postgresql.cnpg.io/v1): Services <cluster>-rw (primary), -ro, -r; the owner's Secret
# <cluster>-app (keys username, password, host, port, dbname, uri, ...); pods labelled cnpg.io/cluster=<cluster>.
def postgres_rw_service(cluster: str) -> str:
    return f"{cluster}-rw"


def postgres_app_secret(cluster: str) -> str:
    return f"{cluster}-app"


def postgres_pod_labels(cluster: str) -> dict[str, str]:
    return {"cnpg.io/cluster": cluster}


# ECK (Elastic Cloud on Kubernetes): Services <name>-es-http, <name>-kb-http, <name>-ls-<service>; the
# superuser's Secret <name>-es-elastic-user; the HTTP CA in <name>-es-http-certs-public.
ELASTICSEARCH = "elasticsearch"
KIBANA = "kibana"
LOGSTASH = "logstash"
ELASTICSEARCH_URL = f"https://{ELASTICSEARCH}-es-http:{infrastructure.ELASTICSEARCH.port}"
KIBANA_URL = f"https://{KIBANA}-kb-http:{infrastructure.KIBANA.port}"
ELASTIC_USER_SECRET = f"{ELASTICSEARCH}-es-elastic-user"
ELASTICSEARCH_CA_SECRET = f"{ELASTICSEARCH}-es-http-certs-public"
ELASTICSEARCH_CA_DIR = "/mnt/elasticsearch-ca"  # where Logstash mounts that Secret (key ca.crt)
ELASTICSEARCH_CA_FILE = f"{ELASTICSEARCH_CA_DIR}/ca.crt"
KIBANA_CA_SECRET = f"{KIBANA}-kb-http-certs-public"
ELASTICSEARCH_POD_LABELS = {"elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH}
LOGSTASH_GELF_SERVICE = "gelf"  # -> Service logstash-ls-gelf

# The gateway (Kong, DB-less): a Deployment of the platform chart.
GATEWAY = infrastructure.KONG.host  # the pods: app.kubernetes.io/name=kong
GATEWAY_PROXY_SERVICE = f"{GATEWAY}-proxy"
GATEWAY_STATUS_SERVICE = f"{GATEWAY}-status"

# Kubernetes DNS, which every pod's egress must reach.
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}
