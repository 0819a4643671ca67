"""Name patterns of the rose.yaml language, shared by the schema and the resolver."""

from __future__ import annotations

DNS_LABEL = r"^[a-z]([a-z0-9-]*[a-z0-9])?$"
MESSAGE_NAME = r"^[A-Z][A-Za-z0-9]*$"
# Wire names belong to the API: a JSON object key (record field), an enum value or a query parameter is any
# printable ASCII text except '"' and '\', without a space at either end. The Python, protobuf and other
# identifiers are derived from it in the model (rosec/model/naming.py), never typed by hand.
WIRE_NAME = r"^[!#-\[\]-~]([ !#-\[\]-~]*[!#-\[\]-~])?$"
MAX_WIRE_NAME = 100
# A path parameter is an RFC 6570 varname (without %-escapes): letters, digits and '_', with inner dots.
PATH_PARAM = r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*"
# An event name is its AMQP routing key: dot-separated words of letters, digits, '_' and '-' (no '*' or '#',
# the wildcards of binding keys), starting with a letter.
EVENT_NAME = r"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$"
MAX_EVENT_NAME = 120
ROLE_NAME = r"^[a-z][a-z0-9_-]*$"
SCOPE_NAME = r"^[a-z][a-z0-9_.:-]*$"
ENV_VAR = r"^[A-Z][A-Z0-9_]*$"
GRPC_METHOD = r"^[A-Z][A-Za-z0-9]*$"
_SEGMENT = rf"([A-Za-z0-9._~-]+|\{{{PATH_PARAM}\}})"
HTTP_PATH = rf"^/{_SEGMENT}(/{_SEGMENT})*$|^/$"
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

# AWS (the `aws` block of an environment)
AWS_ACCOUNT_ID = r"^[0-9]{12}$"
S3_BUCKET = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$"
S3_KEY = r"^[A-Za-z0-9!_.*'()/-]+$"
HOSTED_ZONE_ID = r"^Z[A-Z0-9]{1,31}$"
VPC_CIDR = r"^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/(1[6-9]|20)$"
DB_SIZE = r"^[a-z0-9]+$"
