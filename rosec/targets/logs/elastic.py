"""What Elasticsearch and Kibana hold for the services' logs, as the APIs take it: the index template of the
environment's data streams, its ILM policy, the Logstash writer's role and the Kibana data view."""

from __future__ import annotations

from typing import Any

from rosec.model.environments import Environment
from rosec.model.logs import LABELS, LOG_FIELDS, PIPELINE_FIELDS, TIME_FIELD, EnvironmentLogs, environment_logs
from rosec.model.system import System

TEMPLATE_PRIORITY = 200  # above the built-in `logs` template (100), which also matches logs-*-*
# Elastic's own component templates for logs data streams (mappings of data_stream.*, settings such as
# ignore_malformed and the default ingest pipeline); this template's settings and mappings come on top.
BUILT_IN_COMPONENTS = ("logs@mappings", "logs@settings")
ROLLOVER_MAX_AGE = "1d"  # the delete phase counts from rollover: retention is kept to within a day
ROLLOVER_MAX_PRIMARY_SHARD_SIZE = "50gb"


def _meta(system: System, logs: EnvironmentLogs) -> dict[str, str]:
    return {"managed_by": "rosec", "system": system.name, "environment": logs.environment}


def index_template(system: System, environment: Environment) -> dict[str, Any]:
    """PUT _index_template/<EnvironmentLogs.index_template>: every field the services log, mapped as ECS maps
    it; handlers' labels as keyword; anything else kept in _source but not indexed (no mapping explosion)."""
    logs = environment_logs(system, environment)
    return {
        "index_patterns": [logs.index_pattern],
        "data_stream": {},
        "priority": TEMPLATE_PRIORITY,
        "composed_of": list(BUILT_IN_COMPONENTS),
        "template": {
            "settings": {"index.lifecycle.name": logs.ilm_policy},
            "mappings": {
                "dynamic": False,
                "dynamic_templates": [
                    {"labels_as_keyword": {"path_match": f"{LABELS}.*", "mapping": {"type": "keyword"}}},
                ],
                "properties": {LABELS: {"type": "object", "dynamic": True}} | nested_properties(
                    LOG_FIELDS | PIPELINE_FIELDS
                ),
            },
        },
        "_meta": _meta(system, logs) | {"description": f"{system.name} service logs, {logs.environment}"},
    }


def nested_properties(fields: dict[str, dict[str, object]]) -> dict[str, Any]:
    """Dotted field names as Elasticsearch mapping properties: {"log.level": m} -> {"log": {"properties":
    {"level": m}}}; the time field keeps its name."""
    properties: dict[str, Any] = {}
    for name, mapping in sorted(fields.items()):
        parts = [name] if name == TIME_FIELD else name.split(".")
        node = properties
        for part in parts[:-1]:
            node = node.setdefault(part, {"properties": {}})["properties"]
        node[parts[-1]] = dict(mapping)
    return properties


def ilm_policy(system: System, environment: Environment) -> dict[str, Any]:
    """PUT _ilm/policy/<EnvironmentLogs.ilm_policy>: roll over daily, delete after the retention."""
    logs = environment_logs(system, environment)
    rollover = {"max_age": ROLLOVER_MAX_AGE, "max_primary_shard_size": ROLLOVER_MAX_PRIMARY_SHARD_SIZE}
    return {
        "policy": {
            "_meta": _meta(system, logs) | {"retention_days": str(logs.retention_days)},
            "phases": {
                "hot": {"min_age": "0ms", "actions": {"rollover": rollover}},
                "delete": {"min_age": f"{logs.retention_days}d", "actions": {"delete": {}}},
            },
        }
    }


def writer_role(system: System, environment: Environment) -> dict[str, Any]:
    """PUT _security/role/<EnvironmentLogs.writer_role>: append documents to the environment's data streams
    (creating them on first write) and nothing else; `monitor` lets Logstash read the cluster's version."""
    logs = environment_logs(system, environment)
    return {
        "cluster": ["monitor"],
        "indices": [{"names": [logs.index_pattern], "privileges": ["create_doc", "auto_configure"]}],
        "metadata": _meta(system, logs),
    }


def reader_role(system: System, environment: Environment) -> dict[str, Any]:
    """PUT _security/role/<EnvironmentLogs.reader_role>: what Grafana's Elasticsearch datasource needs to query
    the environment's logs (its documentation: monitor for the version, view_index_metadata for the mappings, read
    to search), and nothing else."""
    logs = environment_logs(system, environment)
    return {
        "cluster": ["monitor"],
        "indices": [{"names": [logs.index_pattern], "privileges": ["read", "view_index_metadata"]}],
        "metadata": _meta(system, logs),
    }


def data_view(system: System, environment: Environment) -> dict[str, Any]:
    """POST /api/data_views/data_view to Kibana: the environment's logs, by @timestamp (override: idempotent)."""
    logs = environment_logs(system, environment)
    return {
        "data_view": {
            "id": logs.data_view_id,
            "name": logs.data_view_name,
            "title": logs.index_pattern,
            "timeFieldName": TIME_FIELD,
        },
        "override": True,
    }
