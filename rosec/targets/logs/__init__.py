"""Logs target: the Logstash pipeline, and what the one-shot setup container puts into Elasticsearch and Kibana
(its script, the index template, the ILM policy, the writer role and the data view), for the compose environment.

Other hostings deploy the same content: their targets call the builders (`logstash_pipeline`, `index_template`,
`ilm_policy`, `writer_role`, `data_view`, `setup_script`) with their own environment.
"""

from __future__ import annotations

from rosec.emit.serialize import to_json
from rosec.model.system import Layout, System
from rosec.targets.logs.elastic import data_view, ilm_policy, index_template, reader_role, writer_role
from rosec.targets.logs.pipeline import logstash_pipeline, pipeline_file
from rosec.targets.logs.setup import SETUP_FILES, grafana_reads_logs, setup_file, setup_script

__all__ = ["data_view", "ilm_policy", "index_template", "logstash_pipeline", "outputs", "reader_role", "render",
           "setup_script", "writer_role"]

PIPELINE_FILE = "logstash.conf"


def outputs(layout: Layout) -> tuple[str, ...]:
    return f"{layout.logstash_pipeline_dir}/", f"{layout.elastic_setup_dir}/"


def render(system: System) -> dict[str, bytes]:
    environment = system.compose_environment
    if environment is None or not system.observability.logs or not system.services:
        return {}
    layout, files = system.layout, SETUP_FILES
    setup = layout.elastic_setup_dir
    found = {
        f"{layout.logstash_pipeline_dir}/{PIPELINE_FILE}": pipeline_file(system, environment),
        f"{setup}/{files.script}": setup_file(system, environment),
        f"{setup}/{files.index_template}": to_json(index_template(system, environment)),
        f"{setup}/{files.ilm_policy}": to_json(ilm_policy(system, environment)),
        f"{setup}/{files.writer_role}": to_json(writer_role(system, environment)),
        f"{setup}/{files.data_view}": to_json(data_view(system, environment)),
    }
    if grafana_reads_logs(system):
        found[f"{setup}/{files.reader_role}"] = to_json(reader_role(system, environment))
    return found
