"""The Docker Compose target: compose.yaml against the official compose-spec schema, wiring, hardening, .env.example."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import shared_schema, system_from_text
from ruamel.yaml import YAML

from rosec.model import infrastructure as infra
from rosec.model.scrape import exporter_host
from rosec.model.system import System
from rosec.targets import compose

INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(:\?[^}]*|:-)?\}")
INFRA_HOSTS = {c.host for c in infra.COMPONENTS} | {infra.ELASTIC_SETUP_HOST}
ONE_SHOT = {infra.ELASTIC_SETUP_HOST}  # runs once and exits: no healthcheck, never restarted


def rendered(system: System) -> tuple[dict[str, Any], str, str]:
    """(parsed compose.yaml, its text, .env.example text)"""
    files = compose.render(system)
    assert set(files) == {system.layout.compose_file, system.layout.env_example}
    text = files[system.layout.compose_file].decode("utf-8")
    return YAML(typ="safe").load(io.StringIO(text)), text, files[system.layout.env_example].decode("utf-8")


def yaml_of(files: dict[str, bytes], system: System) -> dict[str, Any]:
    return YAML(typ="safe").load(io.StringIO(files[system.layout.compose_file].decode("utf-8")))


def env_example_vars(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            found[name] = value
    return found


def spec(services: str, extra: str = "", environments: str = "dev: { hosting: compose }") -> str:
    return f"""
rose: 1
system: {{ name: demo, domain: demo.example.com }}
environments:
  {environments}
messages:
  Note: {{ fields: {{ text: string }} }}
{extra}
services:
{services}
"""


QUIET = "observability: { metrics: false, logs: false, sentry: false }"


@pytest.fixture(params=["shop", "minimal"])
def example(request: pytest.FixtureRequest) -> System:
    return request.getfixturevalue(request.param)


def test_compose_yaml_validates_against_the_compose_spec(example: System) -> None:
    doc, _, _ = rendered(example)
    validator = jsonschema.Draft7Validator(shared_schema("compose-spec.json"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, "\n".join(errors)


def test_files_start_with_the_header_and_render_deterministically(example: System) -> None:
    files = compose.render(example)
    for content in files.values():
        assert content.decode("utf-8").startswith(example.header())
        assert content.endswith(b"\n") and not content.endswith(b"\n\n")
    assert compose.render(example) == files


def test_top_level_name_network_and_volumes(shop: System) -> None:
    doc, text, _ = rendered(shop)
    assert doc["name"] == "shop"
    assert list(doc["networks"]) == ["shop"]
    for name, service in doc["services"].items():
        assert service["networks"] == ["shop"], name
    used = {v.split(":")[0] for s in doc["services"].values() for v in s.get("volumes", [])
            if not v.startswith("./")}
    assert used == set(doc["volumes"]), "every named volume is declared, and only those"
    assert "&id" not in text and "*id" not in text, "no YAML anchors or aliases in generated output"


def test_one_compose_service_per_rose_service_built_from_the_generated_dockerfile(shop: System) -> None:
    doc, _, _ = rendered(shop)
    env = shop.compose_environment
    assert env is not None
    for service in shop.services:
        entry = doc["services"][service.host]
        assert entry["build"] == {"context": "../..",
                                  "dockerfile": f"generated/shop/services/{service.name}/Dockerfile"}
        assert "image" not in entry, "compose names the built image; a tag of ours would be a mutable one"
        assert entry["restart"] == "unless-stopped"
        names = [v.name for v in env.deployments[service.name].env]
        assert list(entry["environment"]) == names, "environment keeps the model's order"
        assert entry["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]
        assert f"http://127.0.0.1:{service.port}/healthz" in entry["healthcheck"]["test"][3]
        assert entry["healthcheck"]["interval"] == f"{service.health.interval_s}s"
        assert entry["healthcheck"]["start_period"] == f"{service.health.start_period_s}s"
    assert set(doc["services"]) - {s.host for s in shop.services} <= \
        INFRA_HOSTS | {d.host for d in shop.datastores} | {exporter_host(d) for d in shop.datastores}


def test_brokered_services_get_amqp_and_wait_for_rabbitmq(shop: System) -> None:
    doc, _, _ = rendered(shop)
    brokered = [s for s in shop.services if s.needs_broker]
    assert brokered
    for service in brokered:
        entry = doc["services"][service.host]
        assert entry["environment"]["AMQP_URL"] == "amqp://shop@rabbitmq:5672/shop"
        assert entry["environment"]["AMQP_PASSWORD"].startswith("${RABBITMQ_PASSWORD:?")
        assert entry["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
    rabbit = doc["services"]["rabbitmq"]
    assert rabbit["environment"]["RABBITMQ_DEFAULT_USER"] == "shop"
    assert rabbit["environment"]["RABBITMQ_DEFAULT_VHOST"] == "shop"
    assert rabbit["environment"]["RABBITMQ_DEFAULT_PASS"].startswith("${RABBITMQ_PASSWORD:?")
    assert rabbit["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    assert "127.0.0.1:15672:15672" in rabbit["ports"]


def test_postgres_users_get_url_password_and_wait_for_their_database(shop: System) -> None:
    doc, _, _ = rendered(shop)
    checked = 0
    for service in shop.services:
        entry = doc["services"][service.host]
        for store in map(shop.datastore, service.uses):
            if store.engine != "postgres":
                continue
            checked += 1
            assert entry["environment"][store.url_env] == \
                f"postgresql://{store.user}@{store.host}:5432/{store.database}"
            assert entry["environment"][store.password_env] == \
                f"${{{store.password_env}:?set {store.password_env} in .env}}"
            assert entry["depends_on"][store.host] == {"condition": "service_healthy"}
    assert checked == 2
    for store in (d for d in shop.datastores if d.engine == "postgres"):
        db = doc["services"][store.host]
        assert db["image"] == f"postgres:{store.version}-alpine"
        assert db["environment"]["POSTGRES_USER"] == store.user
        assert db["environment"]["POSTGRES_DB"] == store.database
        assert db["environment"]["POSTGRES_PASSWORD"].startswith(f"${{{store.password_env}:?")
        assert db["healthcheck"]["test"] == ["CMD", "pg_isready", "-U", store.user, "-d", store.database]
        assert db["volumes"] == [f"{store.volume}:/var/lib/postgresql/data"]
        assert "ports" not in db, "databases are never published"


def test_file_volumes_are_mounted_from_named_volumes(shop: System) -> None:
    doc, _, _ = rendered(shop)
    checked = 0
    for service in shop.services:
        for store in map(shop.datastore, service.uses):
            if store.engine == "volume":
                checked += 1
                assert f"{store.volume}:{store.mount_path}" in doc["services"][service.host]["volumes"]
                assert store.volume in doc["volumes"]
                assert doc["services"][service.host]["environment"][store.url_env] == store.mount_path
    assert checked == 1


def test_calls_identity_and_gateway_dependencies(shop: System) -> None:
    doc, _, _ = rendered(shop)
    services = doc["services"]
    assert list(services["orders"]["depends_on"]) == ["rabbitmq", "orders-db", "keycloak", "inventory", "payments"]
    for service in shop.services:
        assert "keycloak" in services[service.host]["depends_on"], "every service verifies tokens from keycloak"
    assert list(services["kong"]["depends_on"]) == [s.host for s in shop.services if s.gateway]
    assert list(services["grafana"]["depends_on"]) == ["prometheus"]
    assert services["logstash"]["depends_on"] == {"elasticsearch": {"condition": "service_healthy"},
                                                  "elastic-setup": {"condition": "service_completed_successfully"}}
    assert list(services["elastic-setup"]["depends_on"]) == ["elasticsearch"]
    assert list(services["kibana"]["depends_on"]) == ["elasticsearch"]


def test_every_dependency_exists_and_has_a_healthcheck(example: System) -> None:
    doc, _, _ = rendered(example)
    services = doc["services"]
    for name, entry in services.items():
        if name in ONE_SHOT:
            assert entry["healthcheck"] == {"disable": True} and entry["restart"] == "no", name
        else:
            assert {"test", "interval", "timeout", "retries", "start_period"} <= set(entry["healthcheck"]), name
        for target, condition in entry.get("depends_on", {}).items():
            assert target in services, f"{name} depends on missing {target}"
            assert target != name
            wanted = "service_completed_successfully" if target in ONE_SHOT else "service_healthy"
            assert condition == {"condition": wanted}


def test_infrastructure_appears_only_when_needed(shop: System, minimal: System) -> None:
    minimal_services = set(rendered(minimal)[0]["services"])
    assert minimal_services.isdisjoint({"rabbitmq", "keycloak"})
    assert not any(s.startswith("postgres") or s.endswith("-db") for s in minimal_services)
    assert "kong" in minimal_services, "minimal has a gateway"
    shop_services = set(rendered(shop)[0]["services"])
    assert shop_services >= INFRA_HOSTS
    assert {"orders-db", "catalog-db"} <= shop_services


def test_no_infrastructure_at_all_for_a_bare_service(tmp_path: Path) -> None:
    solo = "  solo: { rest: [ { method: GET, path: /n, response: Note, public: true } ] }"
    system = system_from_text(tmp_path, spec(solo, QUIET))
    doc, _, env_example = rendered(system)
    assert list(doc["services"]) == ["solo"]
    assert "volumes" not in doc
    assert "logging" not in doc["services"]["solo"]
    assert "depends_on" not in doc["services"]["solo"]
    assert env_example_vars(env_example) == {}


def test_each_infrastructure_component_is_added_by_its_feature(tmp_path: Path) -> None:
    text = spec(
        "  a: { publishes: [note.added], uses: [a-db] }\n"
        "  b: { consumes: [note.added], rest: [ { method: GET, path: /n, response: Note, roles: [reader] } ] }",
        "observability: { metrics: true, logs: false, sentry: false }\n"
        "identity: { realm: demo, roles: [reader] }\n"
        "events: { note.added: { message: Note } }\n"
        "datastores: { a-db: { engine: postgres, version: '18' } }")
    doc, _, _ = rendered(system_from_text(tmp_path, text))
    services = doc["services"]
    assert set(services) == {"a", "b", "rabbitmq", "a-db", "a-db-exporter", "keycloak", "prometheus", "alertmanager",
                             "grafana"}
    assert services["a-db"]["image"] == "postgres:18-alpine"
    assert services["a-db"]["volumes"] == ["a-db-data:/var/lib/postgresql"], "postgres 18 keeps PGDATA one level up"
    assert list(services["b"]["depends_on"]) == ["rabbitmq", "keycloak"]
    assert "elasticsearch" not in services and "logging" not in services["a"]


def test_secrets_are_interpolated_and_plain_dollars_escaped(tmp_path: Path) -> None:
    text = spec("  a:\n    config: { PRICE: 'costs $5', TEMPLATE: '${HOME}' }\n    secrets: [API_KEY]",
                "observability: { metrics: false, logs: false, sentry: true }")
    doc, _, env_example = rendered(system_from_text(tmp_path, text))
    env = doc["services"]["a"]["environment"]
    assert env["PRICE"] == "costs $$5"
    assert env["TEMPLATE"] == "$${HOME}"
    assert env["API_KEY"] == "${API_KEY:?set API_KEY in .env}"
    assert env["SENTRY_DSN"] == "${SENTRY_DSN:-}"
    assert env_example_vars(env_example) == {"API_KEY": "", "SENTRY_DSN": ""}


def test_no_stray_dollar_signs(example: System) -> None:
    """Every `$` in compose.yaml is an interpolation we meant, or an escaped literal `$$`."""
    _, text, _ = rendered(example)
    assert "$" not in INTERPOLATION.sub("", text.replace("$$", ""))


def test_every_interpolated_variable_is_in_env_example_without_a_value(example: System) -> None:
    doc, text, env_example = rendered(example)
    referenced = {m[0] for m in INTERPOLATION.findall(text)}
    referenced |= {secret["environment"] for secret in doc.get("secrets", {}).values()}
    listed = env_example_vars(env_example)
    assert referenced, "the examples interpolate secrets"
    assert set(listed) == referenced
    assert all(value == "" for value in listed.values()), "no values in .env.example, ever"
    assert list(listed) == sorted(listed)
    lines = env_example.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[i - 1].startswith("# secret of "), f"{line} has no comment saying who uses it"
    assert f"cp generated/{example.name}/.env.example .env" in env_example
    assert f"docker compose --env-file .env -f generated/{example.name}/compose.yaml up" in env_example


def test_env_example_says_who_uses_each_secret(shop: System) -> None:
    _, _, env_example = rendered(shop)
    lines = env_example.splitlines()
    comment = {lines[i + 1].split("=")[0]: line for i, line in enumerate(lines[:-1]) if line.startswith("# secret")}
    assert comment["RABBITMQ_PASSWORD"] == \
        "# secret of rabbitmq; services: catalog, orders, inventory, payments, notifications"
    assert comment["ORDERS_DB_PASSWORD"] == "# secret of orders-db, orders-db-exporter; services: orders"
    assert comment["PAGERDUTY_ROUTING_KEY"] == "# secret of alertmanager"
    assert comment["PAYMENT_PROVIDER_API_KEY"] == "# secret of services: payments"
    assert comment["KEYCLOAK_ADMIN_PASSWORD"] == "# secret of keycloak"
    assert "optional" in comment["SENTRY_DSN"]


def test_every_image_is_pinned(example: System) -> None:
    doc, _, _ = rendered(example)
    built = {s.host for s in example.services}
    for name, entry in doc["services"].items():
        if name in built:
            continue
        image = entry["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag and tag not in ("", "latest"), f"{name}: image {image} is not pinned"


def test_ports_are_published_on_loopback_only_and_unique(example: System) -> None:
    doc, _, _ = rendered(example)
    seen: dict[str, str] = {}
    for name, entry in doc["services"].items():
        for port in entry.get("ports", []):
            assert isinstance(port, str), f"{name}: {port!r} must use the explicit host-ip syntax"
            host_ip, host_port, rest = port.split(":")
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
            key = host_port + ("/udp" if rest.endswith("/udp") else "/tcp")
            assert key not in seen, f"{name} and {seen.get(key)} both publish {key}"
            seen[key] = name
    for name in ("elasticsearch", "orders-db", "catalog-db"):
        assert "ports" not in doc["services"].get(name, {})


def test_service_ports_and_deploy_limits(shop: System) -> None:
    doc, _, _ = rendered(shop)
    inventory, payments = doc["services"]["inventory"], doc["services"]["payments"]
    assert inventory["ports"] == ["127.0.0.1:8103:8103", "127.0.0.1:9103:9103"]
    assert payments["deploy"] == {"replicas": 1, "resources": {"limits": {"cpus": "0.5", "memory": "512M"}}}
    assert doc["services"]["orders"]["deploy"]["resources"]["limits"] == {"cpus": "0.25", "memory": "256M"}


def test_replicated_services_publish_no_ports(tmp_path: Path) -> None:
    text = spec("  a: { resources: { cpu: '2', memory: 1Gi } }\n  b: {}", QUIET,
                environments="dev: { hosting: compose, replicas: 3, services: { b: { replicas: 1 } } }")
    doc, _, _ = rendered(system_from_text(tmp_path, text))
    a, b = doc["services"]["a"], doc["services"]["b"]
    assert "ports" not in a
    assert a["deploy"] == {"replicas": 3, "resources": {"limits": {"cpus": "2", "memory": "1024M"}}}
    assert b["ports"] == ["127.0.0.1:8102:8102"] and b["deploy"]["replicas"] == 1


def test_services_run_hardened(example: System) -> None:
    doc, _, _ = rendered(example)
    for name, entry in doc["services"].items():
        assert "no-new-privileges:true" in entry["security_opt"], name
        assert entry["restart"] == ("no" if name in ONE_SHOT else "unless-stopped"), name
    for service in example.services:
        entry = doc["services"][service.host]
        assert entry["cap_drop"] == ["ALL"]
        assert entry["read_only"] is True and entry["tmpfs"] == ["/tmp"]


def test_logs_go_to_logstash_through_the_gelf_driver(shop: System) -> None:
    doc, _, _ = rendered(shop)
    assert "127.0.0.1:12201:12201/udp" in doc["services"]["logstash"]["ports"]
    for service in shop.services:
        assert doc["services"][service.host]["logging"] == {
            "driver": "gelf", "options": {"gelf-address": "udp://127.0.0.1:12201", "tag": service.name}}


def test_infrastructure_configuration(shop: System) -> None:
    services = rendered(shop)[0]["services"]
    kong = services["kong"]
    assert kong["environment"]["KONG_DATABASE"] == "off"
    assert kong["environment"]["KONG_ADMIN_LISTEN"] == "127.0.0.1:8001"  # never published
    assert kong["environment"]["KONG_STATUS_LISTEN"] == infra.KONG_STATUS_LISTEN  # scraped inside the network
    assert kong["environment"]["KONG_PROXY_LISTEN"] == "0.0.0.0:8000, 0.0.0.0:9080 http2"  # payments' gRPC
    assert kong["ports"] == ["127.0.0.1:8000:8000", "127.0.0.1:9080:9080"]
    keycloak = services["keycloak"]
    assert keycloak["command"] == ["start", "--import-realm"]
    assert keycloak["environment"]["KC_HOSTNAME"] == "http://localhost:8080"
    assert {keycloak["environment"][k] for k in ("KC_HTTP_ENABLED", "KC_HEALTH_ENABLED", "KC_METRICS_ENABLED")} \
        == {"true"}
    assert keycloak["environment"]["KC_DB"] == "dev-file"
    probe = keycloak["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "bash", "-c"] and "/dev/tcp/127.0.0.1/9000" in probe[3] and "$$status" in probe[3]
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    grafana = services["grafana"]
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    es = services["elasticsearch"]
    assert es["environment"]["discovery.type"] == "single-node"


def test_the_elastic_stack_runs_with_security_on_and_least_privilege(shop: System) -> None:
    services = rendered(shop)[0]["services"]
    es, kibana, logstash, setup = (services[h] for h in ("elasticsearch", "kibana", "logstash", "elastic-setup"))
    assert es["environment"]["xpack.security.enabled"] == "true"
    assert es["environment"]["ELASTIC_PASSWORD"] == "${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD in .env}"
    assert 'elastic:$$ELASTIC_PASSWORD' in es["healthcheck"]["test"][1], "the probe authenticates"
    assert kibana["environment"]["ELASTICSEARCH_USERNAME"] == "kibana_system", "never the elastic superuser"
    assert kibana["environment"]["ELASTICSEARCH_PASSWORD"].startswith("${KIBANA_SYSTEM_PASSWORD:?")
    assert set(logstash["environment"]) >= {"ELASTICSEARCH_URL", "LOGSTASH_WRITER_PASSWORD"}
    assert "ELASTIC_PASSWORD" not in logstash["environment"], "the pipeline writes as its own user"
    assert setup["image"] == es["image"] and setup["entrypoint"] == ["bash", "/setup/setup.sh"]
    assert set(setup["environment"]) == {"ELASTIC_PASSWORD", "KIBANA_SYSTEM_PASSWORD", "LOGSTASH_WRITER_PASSWORD",
                                         "GRAFANA_ELASTICSEARCH_PASSWORD"}
    assert services["grafana"]["environment"]["GRAFANA_ELASTICSEARCH_PASSWORD"].startswith(
        "${GRAFANA_ELASTICSEARCH_PASSWORD:?"), "Grafana expands it into its Elasticsearch datasource"
    assert setup["read_only"] is True and setup["cap_drop"] == ["ALL"]

# Go binaries that write only their data volume (or nothing): no /tmp needed.
WRITES_NO_TMP = {"prometheus", "alertmanager"} | {f"{store}-exporter" for store in ("orders-db", "catalog-db", "a-db")}

CONFIG_MOUNTS = {
    "kong": "./config/kong/dev/kong.yaml:/kong/kong.yaml:ro",
    "keycloak": "./config/keycloak/dev:/opt/keycloak/data/import:ro",
    "prometheus": "./config/prometheus:/etc/prometheus:ro",
    "alertmanager": "./config/alertmanager:/etc/alertmanager:ro",
    "grafana": "./config/grafana/dashboards:/etc/grafana/dashboards:ro",
    "logstash": "./config/logstash/pipeline:/usr/share/logstash/pipeline:ro",
    "elastic-setup": "./config/elastic-setup:/setup:ro",
}


def test_generated_config_is_mounted_only_when_a_target_writes_it(shop: System) -> None:
    unmounted = rendered(shop)[0]["services"]
    for host, mount in CONFIG_MOUNTS.items():
        assert mount not in unmounted[host].get("volumes", []), f"{host}: nothing writes {mount.split(':')[0]}"
    assert "KONG_DECLARATIVE_CONFIG" not in unmounted["kong"]["environment"]
    written: list[str] = []

    def mountable(path: str) -> bool:
        written.append(path)
        return True

    mounted = yaml_of(compose.render(shop, mountable), shop)["services"]
    for host, mount in CONFIG_MOUNTS.items():
        assert mount in mounted[host]["volumes"], host
    # the shop's gateway verifies tokens: Kong reads the configuration its start command wrote the key into
    assert mounted["kong"]["environment"]["KONG_DECLARATIVE_CONFIG"] == infra.KONG_RENDERED_CONFIG_PATH
    assert mounted["kong"]["entrypoint"][:2] == ["/bin/sh", "-c"]
    assert "config/kong/dev/kong.yaml" in written and "config/grafana/provisioning" in written


def test_infrastructure_containers_are_locked_down(example: System) -> None:
    doc, _, _ = rendered(example)
    built = {s.host for s in example.services}
    for name, entry in doc["services"].items():
        if name in built:
            continue
        assert entry["cap_drop"] == ["ALL"] and "cap_add" not in entry, name
        limits = entry["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and re.fullmatch(r"[0-9]+[MG]", limits["memory"]), name
        assert isinstance(entry["read_only"], bool), name
        if entry["read_only"]:
            assert "/tmp" in entry.get("tmpfs", ["/tmp"]) or name in WRITES_NO_TMP, name


def test_no_compose_environment_means_no_files(tmp_path: Path) -> None:
    text = spec("  a: {}", QUIET, environments="prod: { hosting: aws, region: eu-west-1 }")
    assert compose.render(system_from_text(tmp_path, text)) == {}


def test_the_metrics_stack_scrapes_what_compose_runs(shop: System) -> None:
    doc = rendered(shop)[0]
    services = doc["services"]
    assert services["kong"]["environment"]["KONG_STATUS_LISTEN"] == f"0.0.0.0:{infra.KONG_STATUS_PORT}"
    assert services["keycloak"]["environment"]["KC_METRICS_ENABLED"] == "true"
    for store in (d for d in shop.datastores if d.is_postgres):
        exporter = services[exporter_host(store)]
        assert exporter["image"] == infra.POSTGRES_EXPORTER_IMAGE
        assert exporter["environment"]["DATA_SOURCE_URI"].startswith(f"{store.host}:{store.port}/{store.database}?")
        password = store.password_env
        assert exporter["environment"]["DATA_SOURCE_PASS"] == f"${{{password}:?set {password} in .env}}"
        assert exporter["depends_on"] == {store.host: {"condition": "service_healthy"}}
        assert "ports" not in exporter, "only Prometheus reads the exporter"


def test_alertmanager_reads_each_receiver_secret_from_a_compose_secret(shop: System) -> None:
    doc = rendered(shop)[0]
    alertmanager = doc["services"]["alertmanager"]
    assert alertmanager["secrets"] == list(shop.alerting.secrets)
    assert len(shop.alerting.secrets) == 4, "the shop's receivers read four secrets"
    assert doc["secrets"] == {name: {"environment": name} for name in shop.alerting.secrets}
    assert f"--config.file={infra.ALERTMANAGER_CONFIG_DIR}/{infra.ALERTMANAGER_CONFIG_FILE}" in alertmanager["command"]
