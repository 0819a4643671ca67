"""Logs of the model: the fields every service logs, and where each line lands in Elasticsearch.

Services print one ECS (Elastic Common Schema) JSON object per line (rose_runtime.logs); Logstash routes each
line to the data stream of its service and environment, named by Elastic's data stream naming scheme
`logs-<dataset>-<namespace>`: dataset `<system>.<service>`, namespace the environment, both with `-` written as
`_` (a part of a data stream name may not contain `-`). The Logstash pipeline, the index template, the ILM
policy, the writer role, the Kibana data view and Grafana's Elasticsearch datasource all take their names from
here, and the index template maps exactly LOG_FIELDS.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model.environments import Environment
from rosec.model.system import System

ECS_VERSION = "8.11.0"  # the ECS release whose field definitions the services' lines and the template follow
DATA_STREAM_TYPE = "logs"
TIME_FIELD = "@timestamp"
LEVEL_FIELD = "log.level"
MESSAGE_FIELD = "message"
LABELS = "labels"  # handlers' own fields (`extra=`) go under labels.<name>, mapped dynamically as keyword

# Every field a service's log line can carry (flat, dotted as ECS writes them), with its Elasticsearch mapping.
# ECS fields where ECS has one; what the runtime adds beyond ECS lives under `rose.`.
LOG_FIELDS: dict[str, dict[str, object]] = {
    "@timestamp": {"type": "date"},
    LEVEL_FIELD: {"type": "keyword"},
    "log.logger": {"type": "keyword"},
    MESSAGE_FIELD: {"type": "match_only_text"},
    "ecs.version": {"type": "keyword"},
    "service.name": {"type": "keyword"},
    "service.environment": {"type": "keyword"},
    "service.version": {"type": "keyword"},
    "event.dataset": {"type": "keyword"},
    "event.duration": {"type": "long"},  # nanoseconds, as ECS defines it
    "trace.id": {"type": "keyword"},
    "transaction.id": {"type": "keyword"},
    "error.type": {"type": "keyword"},
    "error.message": {"type": "match_only_text"},
    "error.stack_trace": {"type": "wildcard"},
    "http.request.method": {"type": "keyword"},
    "http.response.status_code": {"type": "long"},
    "url.path": {"type": "wildcard"},
    "rose.correlation_id": {"type": "keyword"},  # X-Request-ID / x-request-id / the AMQP correlation_id
    "rose.route": {"type": "keyword"},  # the route template of an HTTP request: /orders/{id}
    "rose.grpc.method": {"type": "keyword"},
    "rose.grpc.code": {"type": "keyword"},
    "rose.event": {"type": "keyword"},  # the event a consumer handles or a publisher sends
    "rose.queue": {"type": "keyword"},
    "rose.attempt": {"type": "long"},
    "rose.message_id": {"type": "keyword"},
    "rose.validation_errors": {"type": "object", "enabled": False},  # kept in _source, not indexed
}

# Fields the Logstash pipeline adds to each line: the container it came from (Docker's GELF metadata), the
# tags of a line that was not JSON, and the data stream it is routed to.
PIPELINE_FIELDS: dict[str, dict[str, object]] = {
    "container.id": {"type": "keyword"},
    "container.name": {"type": "keyword"},
    "container.image.name": {"type": "keyword"},
    "tags": {"type": "keyword"},
    "data_stream.type": {"type": "constant_keyword"},
    "data_stream.dataset": {"type": "constant_keyword"},
    "data_stream.namespace": {"type": "constant_keyword"},
}


def _name_part(name: str) -> str:
    """A DNS label as a data stream name part (lowercase, no `-`)."""
    return name.replace("-", "_")


def log_dataset(system: str, service: str) -> str:
    """event.dataset and data_stream.dataset of a service's lines: <system>.<service>."""
    return f"{_name_part(system)}.{_name_part(service)}"


def log_namespace(environment: str) -> str:
    """data_stream.namespace of an environment's lines."""
    return _name_part(environment)


@dataclass(frozen=True)
class LogStream:
    """Where one service's lines land in one environment."""

    service: str
    dataset: str  # <system>.<service>
    data_stream: str  # logs-<dataset>-<namespace>


@dataclass(frozen=True)
class EnvironmentLogs:
    """Every name the log pipeline of one environment uses."""

    environment: str
    namespace: str
    retention_days: int
    index_pattern: str  # logs-<system>.*-<namespace>: the data streams of every service of the environment
    index_template: str
    ilm_policy: str
    writer_role: str  # may only append to the environment's data streams
    writer_user: str  # the user Logstash writes as (its password: LOGSTASH_WRITER_PASSWORD)
    reader_role: str  # may only search the environment's data streams (Grafana's Elasticsearch datasource)
    reader_user: str  # the user Grafana reads as (its password: GRAFANA_ELASTICSEARCH_PASSWORD)
    data_view_id: str  # the Kibana data view over index_pattern
    data_view_name: str
    streams: tuple[LogStream, ...]

    def stream(self, service: str) -> LogStream:
        return next(s for s in self.streams if s.service == service)


def environment_logs(system: System, environment: Environment) -> EnvironmentLogs:
    namespace = log_namespace(environment.name)
    prefix = _name_part(system.name)
    streams = tuple(
        LogStream(s.name, dataset, f"{DATA_STREAM_TYPE}-{dataset}-{namespace}")
        for s in system.services
        for dataset in [log_dataset(system.name, s.name)]
    )
    return EnvironmentLogs(
        environment=environment.name,
        namespace=namespace,
        retention_days=environment.log_retention_days,
        index_pattern=f"{DATA_STREAM_TYPE}-{prefix}.*-{namespace}",
        index_template=f"{prefix}-logs-{namespace}",
        ilm_policy=f"{prefix}-logs-{namespace}",
        writer_role=f"{prefix}_logs_writer_{namespace}",
        writer_user=f"{prefix}_logstash_{namespace}",
        reader_role=f"{prefix}_logs_reader_{namespace}",
        reader_user=f"{prefix}_grafana_{namespace}",
        data_view_id=f"{prefix}-logs-{namespace}",
        data_view_name=f"{system.name} logs ({environment.name})",
        streams=streams,
    )
