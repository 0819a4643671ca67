"""The Logstash pipeline of an environment: GELF in, one Elasticsearch data stream per service out."""

from __future__ import annotations

import re

from rosec.emit.serialize import text
from rosec.emit.templates import code_environment
from rosec.model import infrastructure as infra
from rosec.model import kubernetes_names
from rosec.model.environments import Environment
from rosec.model.logs import DATA_STREAM_TYPE, ECS_VERSION, environment_logs
from rosec.model.system import System

# Docker's GELF log driver sends these besides the line (the input strips their leading underscore).
GELF_RENAMES = (
    ("container_id", "[container][id]"),
    ("container_name", "[container][name]"),
    ("image_name", "[container][image][name]"),
    ("tag", "[@metadata][service]"),  # compose sets the tag to the service's name
)
GELF_DROPPED = ("version", "host", "level", "facility", "command", "created", "image_id", "source_host")

# A Logstash string cannot escape a quote (escapes are off by default), and `%{` / `${` would be interpolated.
_UNSAFE = re.compile(r'["\\]|[%$]\{')


def logstash_string(value: str) -> str:
    """A double-quoted Logstash string of a value that needs no escaping (names the resolver checked)."""
    if _UNSAFE.search(value):
        raise ValueError(f"not a plain Logstash string: {value!r}")
    return f'"{value}"'


_ENV = code_environment("templates/logs", {"ls": logstash_string})


def logstash_pipeline(system: System, environment: Environment) -> str:
    """The pipeline (.conf) of `environment`; Logstash reads ELASTICSEARCH_URL and LOGSTASH_WRITER_PASSWORD
    from its environment. In a kubernetes environment Elasticsearch (ECK) serves HTTPS with a certificate of its
    own CA, which the Logstash pod mounts; compose keeps plain HTTP inside its network."""
    logs = environment_logs(system, environment)
    ca = kubernetes_names.ELASTICSEARCH_CA_FILE if environment.hosting == "kubernetes" else None
    return _ENV.get_template("logstash.conf.jinja").render(
        header=system.header(),
        environment=environment.name,
        port=infra.LOGSTASH.port,
        gelf_renames=GELF_RENAMES,
        gelf_dropped=GELF_DROPPED,
        streams=logs.streams,
        data_stream_type=DATA_STREAM_TYPE,
        namespace=logs.namespace,
        ecs_version=ECS_VERSION,
        writer_user=logs.writer_user,
        certificate_authority=ca,
    )


def pipeline_file(system: System, environment: Environment) -> bytes:
    return text(logstash_pipeline(system, environment))
