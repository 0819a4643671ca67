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
RELATIVE_DIR = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$"

MAX_SERVICE_NAME = 30
MAX_SYSTEM_NAME = 20

# AWS (the `aws` block of an environment)
AWS_ACCOUNT_ID = r"^[0-9]{12}$"
S3_BUCKET = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$"
S3_KEY = r"^[A-Za-z0-9!_.*'()/-]+$"
HOSTED_ZONE_ID = r"^Z[A-Z0-9]{1,31}$"
VPC_CIDR = r"^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/(1[6-9]|20)$"
DB_SIZE = r"^[a-z0-9]+$"
