"""Name patterns of the rose.yaml language, shared by the schema and the resolver."""

from __future__ import annotations

DNS_LABEL = r"^[a-z]([a-z0-9-]*[a-z0-9])?$"
MESSAGE_NAME = r"^[A-Z][A-Za-z0-9]*$"
# snake_case words joined by single underscores: protobuf (buf lint) rejects "a__b" and "a_"
FIELD_NAME = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
ENUM_VALUE = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
EVENT_NAME = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
ROLE_NAME = r"^[a-z][a-z0-9_-]*$"
SCOPE_NAME = r"^[a-z][a-z0-9_.:-]*$"
ENV_VAR = r"^[A-Z][A-Z0-9_]*$"
GRPC_METHOD = r"^[A-Z][A-Za-z0-9]*$"
HTTP_PATH = r"^/([A-Za-z0-9._~-]+|\{[a-z][a-z0-9_]*\})(/([A-Za-z0-9._~-]+|\{[a-z][a-z0-9_]*\}))*$|^/$"
GATEWAY_PATH = r"^(/[a-z0-9][a-z0-9._-]*)+$"
DOMAIN = r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$"
RATE_LIMIT = r"^[1-9][0-9]*/(second|minute|hour|day)$"
CPU = r"^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$"
MEMORY = r"^[1-9][0-9]*(Mi|Gi)$"
AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"
VERSION = r"^[0-9]+(\.[0-9]+)*$"
# A browser origin: scheme, lowercase host and optional port, nothing else (no path, no wildcard). Kong's cors plugin
# compares such a value literally; anything with other characters it would read as a regular expression.
ORIGIN = r"^https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[1-9][0-9]{0,4})?$"
USERNAME = r"^[a-z][a-z0-9._-]*$"
HOST = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
RELATIVE_DIR = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$"

MAX_SERVICE_NAME = 30
MAX_SYSTEM_NAME = 20
# Kubernetes: an image registry with an optional port and path (registry.example.com:5000/team), a resource name
# (RFC 1123 subdomain: Secrets, issuers, storage and ingress classes) and a remote key prefix of a secret store.
IMAGE_REGISTRY = r"^[a-z0-9]+([.-][a-z0-9]+)*(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
K8S_NAME = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"
SECRET_KEY_PREFIX = r"^[A-Za-z0-9_./-]*$"
