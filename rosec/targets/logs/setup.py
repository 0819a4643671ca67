"""The one-shot setup script of Elasticsearch and Kibana (bash and curl, run in the pinned Elasticsearch image)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from rosec.emit.serialize import text
from rosec.emit.templates import code_environment
from rosec.model import infrastructure as infra
from rosec.model.environments import Environment
from rosec.model.logs import environment_logs
from rosec.model.system import System


@dataclass(frozen=True)
class SetupFiles:
    """The files of the setup directory (Layout.elastic_setup_dir), mounted together into the container."""

    script: str = "setup.sh"
    index_template: str = "index-template.json"
    ilm_policy: str = "ilm-policy.json"
    writer_role: str = "writer-role.json"
    reader_role: str = "reader-role.json"  # only with metrics: Grafana reads the logs
    data_view: str = "data-view.json"


SETUP_FILES = SetupFiles()


def password_variables(system: System) -> tuple[str, ...]:
    """The passwords the setup script sets or uses; Grafana's reader exists only where Grafana runs (metrics)."""
    found = (infra.ELASTIC_PASSWORD_ENV, infra.KIBANA_SYSTEM_PASSWORD_ENV, infra.LOGSTASH_WRITER_PASSWORD_ENV)
    return (*found, infra.GRAFANA_ELASTICSEARCH_PASSWORD_ENV) if grafana_reads_logs(system) else found


def grafana_reads_logs(system: System) -> bool:
    """Grafana (metrics) gets an Elasticsearch datasource over the logs (logs)."""
    return system.observability.metrics and system.observability.logs

_ENV = code_environment("templates/logs", {"sh": shlex.quote})


def setup_script(system: System, environment: Environment) -> str:
    es, kibana = infra.ELASTICSEARCH, infra.KIBANA
    return _ENV.get_template("setup.sh.jinja").render(
        header=system.header(),
        environment=environment.name,
        elasticsearch_url=f"http://{es.host}:{es.port}",
        kibana_url=f"http://{kibana.host}:{kibana.port}",
        password_variables=password_variables(system),
        grafana_reader=grafana_reads_logs(system),
        grafana_password_env=infra.GRAFANA_ELASTICSEARCH_PASSWORD_ENV,
        superuser=infra.ELASTIC_SUPERUSER,
        kibana_user=infra.KIBANA_SYSTEM_USER,
        logs=environment_logs(system, environment),
        files=SETUP_FILES,
    )


def setup_file(system: System, environment: Environment) -> bytes:
    return text(setup_script(system, environment))
