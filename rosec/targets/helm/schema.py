"""values.schema.json of the charts (JSON Schema draft-07, as Helm validates values): every key the templates
read is declared and typed, unknown keys are errors, and `global` is declared (a parent chart passes it)."""

from __future__ import annotations

from typing import Any

from rosec.targets.helm.charts import LIBRARY

DRAFT = "http://json-schema.org/draft-07/schema#"
STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
K8S_NAME = {"type": "string", "pattern": "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"}
ENV_NAME = {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"}
QUANTITY_CPU = {"type": "string", "pattern": "^([1-9][0-9]*m|[0-9]+(\\.[0-9]+)?)$"}
QUANTITY_MEMORY = {"type": "string", "pattern": "^[1-9][0-9]*(Mi|Gi)$"}
# A tag the build pushed: Docker's tag grammar, and never `latest` (a moving tag rolls nothing back).
IMAGE_TAG = {"type": "string", "pattern": "^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$", "not": {"const": "latest"}}
DIGEST = {"type": "string", "pattern": "^(sha256:[a-f0-9]{64})?$"}
RULES = {"type": "array", "items": {"type": "object"}}  # NetworkPolicy rules, checked by the API server
SECRET_KEY_FIELDS: dict[str, Any] = {"secret": K8S_NAME, "key": STRING}  # a key of a Secret


def closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    schema["required"] = required if required is not None else sorted(properties)
    return schema


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def integer(low: int, high: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return schema


def global_schema() -> dict[str, Any]:
    """Open: a parent chart may pass globals of its own."""
    return {"type": "object", "properties": {
        "system": STRING,
        "imageRegistry": STRING,
        "environment": STRING,
    }, "required": ["system"]}


def document(title: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The root: Helm adds the library chart's (empty) values under its name, which no template reads."""
    return {"$schema": DRAFT, "title": title,
            **closed(properties | {LIBRARY: {"type": "object"}}, sorted(properties))}


def service_schema(name: str) -> dict[str, Any]:
    peer = closed({"podSelector": closed({"matchLabels": LABELS})})
    rules = {"from": array(peer), "ports": array(PORT)}
    return document(f"values of the {name} chart", {
        "global": global_schema(),
        "image": closed({"repository": STRING, "tag": IMAGE_TAG, "digest": DIGEST}),
        "replicas": integer(0, 1000),
        "autoscaling": closed({"enabled": BOOLEAN, "minReplicas": integer(1, 1000), "maxReplicas": integer(1, 1000),
                               "targetCPUUtilizationPercentage": integer(10, 95)}),
        "resources": closed({"cpu": QUANTITY_CPU, "memory": QUANTITY_MEMORY}),
        "ports": closed({"http": PORT, "grpc": integer(0, 65535)}),
        "probes": closed({"grpc": BOOLEAN, "livenessPath": STRING, "readinessPath": STRING,
                          "periodSeconds": integer(1), "timeoutSeconds": integer(1), "failureThreshold": integer(1),
                          "startupFailureThreshold": integer(1)}),
        "securityContext": closed({"uid": integer(1)}),
        "terminationGracePeriodSeconds": integer(0),
        "tmpSizeLimit": QUANTITY_MEMORY,
        "config": {"type": "object", "propertyNames": ENV_NAME, "additionalProperties": STRING},
        "secretEnv": array(closed({"name": ENV_NAME, "secret": K8S_NAME, "key": STRING, "optional": BOOLEAN},
                                  ["name", "secret", "key"])),
        "volumes": array(closed({"name": K8S_NAME, "claim": K8S_NAME, "mountPath": STRING})),
        "externalSecret": closed({
            "enabled": BOOLEAN, "name": K8S_NAME, "refreshInterval": STRING,
            "store": closed({"name": STRING, "kind": {"enum": ["ClusterSecretStore", "SecretStore"]}}),
            "data": array(closed({"secretKey": STRING, "remoteKey": STRING})),
        }),
        "networkPolicy": closed({
            "enabled": BOOLEAN,
            "ingress": array(closed(rules)),
            "egress": array(closed({"to": rules["from"], "ports": rules["ports"]})),
            "prometheus": closed({"enabled": BOOLEAN, "namespace": K8S_NAME, "podLabels": LABELS}),
            "dns": closed({"namespace": K8S_NAME, "podLabels": LABELS}),
            "extraIngress": RULES,
            "extraEgress": RULES,
        }),
        "monitoring": closed({"enabled": BOOLEAN, "path": STRING, "interval": STRING, "labels": LABELS}),
    })


def platform_schema(name: str) -> dict[str, Any]:
    """The platform's values: the toggles and sizes an environment sets are typed; the topology lists that rosec
    derives are typed by their items' keys."""
    obj = {"type": "object"}
    return document(f"values of the {name} chart", {
        "global": {"type": "object", "properties": {"system": STRING, "environment": STRING}, "required": ["system"]},
        "storageClass": STRING,
        "postgres": closed({"instances": integer(1, 9), "clusters": array(closed({
            "name": K8S_NAME, "database": STRING, "owner": STRING, "image": STRING, "size": QUANTITY_MEMORY,
            "exporter": BOOLEAN})), "exporter": closed({"image": STRING, "port": PORT})}),
        "messaging": {"type": "object", "properties": {"enabled": BOOLEAN, "replicas": {"enum": [1, 3, 5, 7, 9]},
                                                       "storage": QUANTITY_MEMORY}, "required": ["enabled"]},
        "identity": closed({
            "enabled": BOOLEAN, "instances": integer(1, 9), "image": STRING, "database": K8S_NAME,
            "podLabels": LABELS, "hostname": STRING, "httpPort": PORT, "managementPort": PORT,
            "proxyHeaders": {"enum": ["", "xforwarded", "forwarded"]},
            "options": array(closed({"name": STRING, "value": STRING})),
            "realm": closed({"enabled": BOOLEAN, "placeholders": {
                "type": "object", "propertyNames": ENV_NAME, "additionalProperties": closed(SECRET_KEY_FIELDS)}}),
        }),
        "gateway": closed({
            "enabled": BOOLEAN, "replicas": integer(1, 100), "image": STRING, "proxyPort": PORT, "statusPort": PORT,
            "grpcPort": integer(0, 65535),
            "certificateDir": STRING, "command": array(STRING),
            "env": {"type": "object", "propertyNames": ENV_NAME, "additionalProperties": STRING},
            "secretEnv": array(closed({"name": ENV_NAME, **SECRET_KEY_FIELDS})),
            "upstreams": array(closed({"service": K8S_NAME, "ports": array(PORT)})),
            "grpcPaths": array(STRING), "redisPort": integer(0, 65535),
        }),
        "exposure": closed({"host": STRING, "authHost": STRING, "loadBalancer": BOOLEAN,
                            "ingress": closed({"enabled": BOOLEAN, "className": STRING}),
                            "tls": closed({"secret": STRING, "issuer": closed({
                                "name": STRING, "kind": {"enum": ["ClusterIssuer", "Issuer"]}})})}),
        "volumes": array(closed({"name": K8S_NAME, "size": QUANTITY_MEMORY,
                                 "accessMode": {"enum": ["ReadWriteOnce", "ReadWriteMany"]}})),
        "logs": closed({"enabled": BOOLEAN, "version": STRING, "nodes": integer(1, 99), "storage": QUANTITY_MEMORY,
                        "setupImage": STRING, "caDir": STRING, "passwords": array(ENV_NAME)}),
        "monitoring": closed({"enabled": BOOLEAN, "labels": LABELS, "monitors": array(obj),
                              "prometheus": closed({"namespace": K8S_NAME, "podLabels": LABELS})}),
        "dashboards": closed({"mode": {"enum": ["sidecar", "grafana-operator", "none"]}, "instanceLabels": LABELS,
                              "prometheusUrl": STRING, "datasourceUid": STRING}),
        "externalSecrets": closed({"enabled": BOOLEAN, "store": closed({
            "name": STRING, "kind": {"enum": ["ClusterSecretStore", "SecretStore"]}}), "refreshInterval": STRING,
            "secrets": array(obj)}),
    })
