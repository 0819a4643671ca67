"""The logs target: the Logstash pipeline parses (logstash-pipeline-parser) and uses only plugins and options the
pinned Logstash has; the index template, ILM policy, writer role, data view and setup script say what the model
derives; a system with hyphenated names and another retention shows the names are derived, not fixed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import system_from_text
from logstash_pipeline_parser import Pipeline

from elk.logstash_plugins import COMMON, DATA_STREAM_MODE_OPTIONS, OPTION_KINDS, PLUGINS
from elk.pipeline_emulator import section
from rosec.model import infrastructure as infra
from rosec.model import kubernetes_names
from rosec.model.environments import Environment
from rosec.model.logs import LOG_FIELDS, PIPELINE_FIELDS, environment_logs
from rosec.model.system import System
from rosec.targets import logs
from rosec.targets.logs.elastic import TEMPLATE_PRIORITY, nested_properties

HYPHENATED = """
rose: 1
system: { name: web-shop, domain: web.example.com }
environments:
  dev-eu: { hosting: compose, logs: { retention_days: 3 } }
  prod: { hosting: aws, region: eu-west-1, logs: { retention_days: 90 } }
  stage-eu:
    hosting: kubernetes
    kubernetes: { registry: registry.example.com/web, load_balancer: true, tls: { secret: web-tls } }
messages:
  Note: { fields: { text: string } }
services:
  order-history:
    rest: [ { method: GET, path: /notes, response: Note, public: true } ]
  audit: {}
"""


@pytest.fixture(scope="module")
def hyphenated(tmp_path_factory: pytest.TempPathFactory) -> System:
    return system_from_text(tmp_path_factory.mktemp("hyphenated"), HYPHENATED)


@pytest.fixture(params=["shop", "minimal", "hyphenated"])
def system(request: pytest.FixtureRequest) -> System:
    return request.getfixturevalue(request.param)


def pipeline_of(system: System, environment: Environment | None = None) -> str:
    environment = environment or system.compose_environment
    assert environment is not None
    return logs.logstash_pipeline(system, environment)


@pytest.fixture(params=[("shop", "dev"), ("shop", "staging"), ("minimal", "dev"), ("hyphenated", "dev-eu"),
                        ("hyphenated", "stage-eu")], ids="-".join)
def deployed(request: pytest.FixtureRequest) -> tuple[System, Environment]:
    """A system and an environment a Logstash pipeline is deployed to (compose, kubernetes)."""
    system = request.getfixturevalue(request.param[0])
    return system, system.environment(request.param[1])


def plugins_in(parsed: list[Any]) -> list[tuple[str, str, list[Any]]]:
    """(section, plugin, options) of every plugin, inside conditionals too."""
    found = []

    def walk(kind: str, entries: list[Any]) -> None:
        for name, body in entries:
            if name in ("if", "else if"):
                walk(kind, body[1][0])
            elif name == "else":
                walk(kind, body)
            else:
                found.append((kind, name, body))

    for kind, entries in parsed:
        walk(kind, entries)
    return found


def test_the_pipeline_parses_and_uses_only_what_logstash_8_19_has(deployed: tuple[System, Environment]) -> None:
    parsed = Pipeline(pipeline_of(*deployed)).parse()
    assert [kind for kind, _ in parsed] == ["input", "filter", "output"]
    used = plugins_in(parsed)
    assert {(kind, name) for kind, name, _ in used} <= set(PLUGINS)
    ids = []
    for kind, name, body in used:
        for option, value in body:
            assert option in PLUGINS[(kind, name)] | COMMON[kind], f"{kind} {name} has no option {option}"
            kind_of_value = OPTION_KINDS[option]
            assert isinstance(value[0], kind_of_value), f"{name}.{option} = {value!r}"
            if option == "id":
                ids.append(value[0])
    assert len(ids) == len(set(ids)) == len(used), "every plugin has an id of its own (monitoring, errors)"
    output = dict(next(body for kind, name, body in used if name == "elasticsearch"))
    assert set(output) <= DATA_STREAM_MODE_OPTIONS, "the output refuses other options in data stream mode"
    assert output["data_stream"] == ["true"] and output["hosts"] == [["${ELASTICSEARCH_URL}"]]
    assert output["password"] == ["${LOGSTASH_WRITER_PASSWORD}"], "the password comes from the environment"
    if deployed[1].hosting == "kubernetes":  # ECK's Elasticsearch serves HTTPS with its own CA, mounted in the pod
        assert output["ssl_certificate_authorities"] == [[kubernetes_names.ELASTICSEARCH_CA_FILE]]
    else:  # plain HTTP inside the compose network
        assert not any(option.startswith("ssl_") for option in output)


def test_the_pipeline_routes_every_service_to_its_own_data_stream(system: System) -> None:
    environment = system.compose_environment
    assert environment is not None
    names = environment_logs(system, environment)
    parsed = Pipeline(pipeline_of(system)).parse()
    branches = [body for name, body in section(parsed, "filter") if name in ("if", "else if")]
    routed = {}
    for condition, block in branches:
        if condition[0] == "[@metadata][service]":
            (_, mutate_body), = block[0]
            fields = dict((k, v[0]) for k, v in dict(mutate_body)["add_field"][0])
            routed[condition[2]] = fields
    assert set(routed) == {s.name for s in system.services}
    for stream in names.streams:
        fields = routed[stream.service]
        assert fields == {"[data_stream][type]": "logs", "[data_stream][dataset]": stream.dataset,
                          "[data_stream][namespace]": names.namespace}
        assert stream.data_stream == f"logs-{stream.dataset}-{names.namespace}"
        assert "-" not in stream.dataset and "-" not in names.namespace, "data stream name parts have no '-'"
    gelf = dict(section(parsed, "input")[0][1])
    assert gelf["port"] == [infra.LOGSTASH.port] and gelf["use_udp"] == [True]


def test_hyphenated_names_and_the_declared_retention(hyphenated: System) -> None:
    dev = hyphenated.environment("dev-eu")
    names = environment_logs(hyphenated, dev)
    assert names.namespace == "dev_eu" and names.index_pattern == "logs-web_shop.*-dev_eu"
    assert names.stream("order-history").data_stream == "logs-web_shop.order_history-dev_eu"
    assert logs.ilm_policy(hyphenated, dev)["policy"]["phases"]["delete"]["min_age"] == "3d"
    prod = hyphenated.environment("prod")
    assert logs.ilm_policy(hyphenated, prod)["policy"]["phases"]["delete"]["min_age"] == "90d"
    assert logs.writer_role(hyphenated, prod)["indices"][0]["names"] == ["logs-web_shop.*-prod"]
    env = {v.name: v.value for v in dev.deployments["order-history"].env}
    assert env["LOG_DATASET"] == "web_shop.order_history", "the service logs the dataset it is routed to"


def test_the_index_template_maps_every_field_the_services_log(shop: System) -> None:
    dev = shop.environment("dev")
    names = environment_logs(shop, dev)
    template = logs.index_template(shop, dev)
    assert template["index_patterns"] == [names.index_pattern] and template["data_stream"] == {}
    assert template["priority"] == TEMPLATE_PRIORITY > 100, "above the built-in logs template (priority 100)"
    assert template["composed_of"] == ["logs@mappings", "logs@settings"]
    assert template["template"]["settings"] == {"index.lifecycle.name": names.ilm_policy}
    mappings = template["template"]["mappings"]
    assert mappings["dynamic"] is False, "an unexpected field is kept in _source, never mapped by guess"
    assert mappings["dynamic_templates"] == [
        {"labels_as_keyword": {"path_match": "labels.*", "mapping": {"type": "keyword"}}}]
    assert mappings["properties"]["labels"] == {"type": "object", "dynamic": True}

    def leaves(properties: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        found = {}
        for name, mapping in properties.items():
            if "properties" in mapping:
                found |= leaves(mapping["properties"], f"{prefix}{name}.")
            elif name != "labels" or prefix:
                found[f"{prefix}{name}"] = mapping
        return found

    assert leaves(mappings["properties"]) == LOG_FIELDS | PIPELINE_FIELDS
    assert mappings["properties"]["log"]["properties"]["level"] == {"type": "keyword"}
    assert mappings["properties"]["@timestamp"] == {"type": "date"}


def test_nested_properties_keep_each_level_once() -> None:
    assert nested_properties({"a.b": {"type": "keyword"}, "a.c.d": {"type": "long"}, "@timestamp": {"type": "date"}}) \
        == {"@timestamp": {"type": "date"},
            "a": {"properties": {"b": {"type": "keyword"}, "c": {"properties": {"d": {"type": "long"}}}}}}


def test_ilm_role_and_data_view(shop: System) -> None:
    dev = shop.environment("dev")
    names = environment_logs(shop, dev)
    phases = logs.ilm_policy(shop, dev)["policy"]["phases"]
    assert phases["hot"]["actions"]["rollover"] == {"max_age": "1d", "max_primary_shard_size": "50gb"}
    assert phases["delete"] == {"min_age": f"{dev.log_retention_days}d", "actions": {"delete": {}}}
    assert dev.log_retention_days == 14, "the default retention"
    role = logs.writer_role(shop, dev)
    assert role["cluster"] == ["monitor"]
    assert role["indices"] == [{"names": [names.index_pattern], "privileges": ["create_doc", "auto_configure"]}], \
        "append-only, to the environment's log data streams only"
    view = logs.data_view(shop, dev)
    assert view == {"data_view": {"id": names.data_view_id, "name": "shop logs (dev)", "title": names.index_pattern,
                                  "timeFieldName": "@timestamp"}, "override": True}


def test_the_files_are_the_builders_output_and_compose_mounts_them(shop: System) -> None:
    files = logs.render(shop)
    layout, dev = shop.layout, shop.environment("dev")
    setup = layout.elastic_setup_dir
    assert json.loads(files[f"{setup}/index-template.json"]) == logs.index_template(shop, dev)
    assert json.loads(files[f"{setup}/ilm-policy.json"]) == logs.ilm_policy(shop, dev)
    assert json.loads(files[f"{setup}/writer-role.json"]) == logs.writer_role(shop, dev)
    assert json.loads(files[f"{setup}/data-view.json"]) == logs.data_view(shop, dev)
    assert files[f"{layout.logstash_pipeline_dir}/logstash.conf"].decode() == logs.logstash_pipeline(shop, dev) + ""
    for path in (f"{layout.logstash_pipeline_dir}/logstash.conf", f"{setup}/setup.sh"):
        assert files[path].decode().startswith(shop.header())
    assert set(logs.outputs(layout)) == {f"{layout.logstash_pipeline_dir}/", f"{setup}/"}


def test_nothing_without_logs_or_a_compose_environment(tmp_path: Path) -> None:
    quiet = HYPHENATED.replace("services:", "observability: { logs: false }\nservices:").replace(
        "logs: { retention_days: 3 }", "").replace(", logs: { retention_days: 90 }", "")
    assert logs.render(system_from_text(tmp_path, quiet)) == {}
    cloud = HYPHENATED.replace("  dev-eu: { hosting: compose, logs: { retention_days: 3 } }\n", "")
    assert logs.render(system_from_text(tmp_path, cloud)) == {}


def test_the_setup_script_is_valid_bash_and_does_every_step(shop: System) -> None:
    dev = shop.environment("dev")
    names = environment_logs(shop, dev)
    script = logs.setup_script(shop, dev)
    bash = shutil.which("bash")
    assert bash, "bash is needed to check the setup script"
    checked = subprocess.run([bash, "-n"], input=script, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr
    steps = [line.strip() for line in script.splitlines() if line.strip().startswith(("call ", "wait_for "))]
    assert [step.split('"')[1] for step in steps] == [
        "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=5s",
        "$ES_URL/_security/user/kibana_system/_password",
        f"$ES_URL/_ilm/policy/{names.ilm_policy}",
        f"$ES_URL/_index_template/{names.index_template}",
        f"$ES_URL/_security/role/{names.writer_role}",
        f"$ES_URL/_security/user/{names.writer_user}",
        f"$ES_URL/_security/role/{names.reader_role}",
        f"$ES_URL/_security/user/{names.reader_user}",
        "$KIBANA_URL/api/status",
        "$KIBANA_URL/api/data_views/data_view",
    ], "the policy exists before the template that names it, the role before the user who has it"
    assert "${ELASTICSEARCH_URL:-http://elasticsearch:9200}" in script
    assert "set -euo pipefail" in script


def test_the_setup_script_runs_against_a_fake_cluster(shop: System, tmp_path: Path) -> None:
    """Run the script with a `curl` on PATH that records each call and answers 200: every step is called once,
    in order, with the JSON bodies of the setup directory; a password with a quote stops it before any call."""
    files = logs.render(shop)
    setup_dir = tmp_path / "setup"
    for path, content in files.items():
        if path.startswith(shop.layout.elastic_setup_dir):
            (setup_dir / Path(path).name).parent.mkdir(parents=True, exist_ok=True)
            (setup_dir / Path(path).name).write_bytes(content)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    fake = bin_dir / "curl"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "' + str(log) + '"\n'
                    'case "$*" in *--write-out*) printf 200 ;; esac\nexit 0\n')
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "ELASTIC_PASSWORD": "elastic-pw", "KIBANA_SYSTEM_PASSWORD": "kibana-pw",
           "LOGSTASH_WRITER_PASSWORD": "writer-pw", "GRAFANA_ELASTICSEARCH_PASSWORD": "grafana-pw"}
    run = subprocess.run(["bash", str(setup_dir / "setup.sh")], env=env, text=True, capture_output=True, timeout=30)
    assert run.returncode == 0, run.stderr
    calls = log.read_text().splitlines()
    assert len(calls) == 10 and "elastic-setup: done" in run.stdout
    assert f"@{setup_dir}/index-template.json" in calls[3] and "--request PUT" in calls[3]
    assert '"password": "writer-pw"' in calls[5] and "shop_logs_writer_dev" in calls[5]
    assert f"@{setup_dir}/reader-role.json" in calls[6] and "shop_logs_reader_dev" in calls[6]
    assert '"password": "grafana-pw"' in calls[7] and "shop_grafana_dev" in calls[7]
    assert "kbn-xsrf: rosec" in calls[9] and f"@{setup_dir}/data-view.json" in calls[9]
    log.unlink()
    bad = subprocess.run(["bash", str(setup_dir / "setup.sh")], env=env | {"LOGSTASH_WRITER_PASSWORD": 'a"bcdefg'},
                         text=True, capture_output=True, timeout=30)
    assert bad.returncode == 1 and "LOGSTASH_WRITER_PASSWORD must not contain" in bad.stderr
    assert not log.exists(), "nothing was called"


def test_grafana_reads_the_logs_as_a_reader_that_may_only_search_them(shop: System, tmp_path: Path) -> None:
    """With metrics and logs, the setup creates Grafana's reader (search and mappings of the environment's streams,
    nothing else) and Grafana's Elasticsearch datasource uses it, its password only as a reference."""
    from rosec.model.dashboards import ELASTICSEARCH_DATASOURCE_UID
    from rosec.targets import grafana

    dev = shop.environment("dev")
    names = environment_logs(shop, dev)
    role = logs.reader_role(shop, dev)
    assert role["indices"] == [{"names": [names.index_pattern], "privileges": ["read", "view_index_metadata"]}]
    assert role["cluster"] == ["monitor"]
    source = grafana.elasticsearch_datasource(shop, dev, "http://elasticsearch:9200")["datasources"][0]
    assert source["uid"] == ELASTICSEARCH_DATASOURCE_UID
    assert (source["basicAuthUser"], source["jsonData"]["index"]) == (names.reader_user, names.index_pattern)
    assert source["secureJsonData"] == {"basicAuthPassword": "${GRAFANA_ELASTICSEARCH_PASSWORD}"}
    assert "GRAFANA_ELASTICSEARCH_PASSWORD" in logs.setup_script(shop, dev)
    no_metrics = HYPHENATED.replace("services:", "observability: { metrics: false }\nservices:")
    without_metrics = system_from_text(tmp_path, no_metrics)
    env = without_metrics.compose_environment
    assert env is not None
    assert "GRAFANA_ELASTICSEARCH_PASSWORD" not in logs.setup_script(without_metrics, env), "no Grafana, no reader"
    assert not any(p.endswith("reader-role.json") for p in logs.render(without_metrics))
