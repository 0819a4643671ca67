"""What an AWS root deploys for the platform is what the other targets build: the embedded kong.yaml is
`kong_config` and passes Kong's declarative schema and decK, the realm is the Keycloak target's with every
placeholder a secret of the identity task, the metrics agent's configuration passes promtool and finds every
scraped task through DNS, the rules and the alert routing are the Prometheus and Alertmanager targets' (promtool,
amtool), the gateway task starts as in compose and Kubernetes, and the WAF has one rate rule per limited gateway
service and route, with the spec's limit in WAF's terms.

Four systems: the shop (prod), the synthetic system of test_aws_terraform (gateway, no identity, no metrics), the
synthetic system of test_kong (its `cloud` environment: per-endpoint limits, gRPC, Redis) and one without gateway
(identity and metrics only, a dev user allowed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import shared_schema, system_from_text
from monitoring_support import tool
from ruamel.yaml import YAML
from test_kong import DECK_HINT, sample
from test_kong import SYNTHETIC as KONG_SYNTHETIC

from rosec.emit.serialize import to_json, to_yaml
from rosec.model import gateway as gw
from rosec.model import identity
from rosec.model import infrastructure as infra
from rosec.model.aws import SECRET_GENERATED, SECRET_SUPPLIED, aws_environment
from rosec.model.aws_catalog import WAF_MIN_LIMIT, WAF_WINDOWS, waf_rate
from rosec.model.environments import Environment
from rosec.model.system import System
from rosec.targets import terraform
from rosec.targets.alertmanager import alertmanager_config
from rosec.targets.keycloak import realm
from rosec.targets.kong import kong_config
from rosec.targets.prometheus import prometheus_rules
from terraform import support
from terraform.test_aws_terraform import SYNTHETIC

NO_GATEWAY = """
rose: 1
system: { name: vault-keeper, domain: keeper.example.net }
environments:
  qa:
    hosting: aws
    region: us-west-2
    allow_dev_users: true
    dev_users: [ { name: tester, roles: [reader], password: TESTER_PASSWORD } ]
    aws: { production: false }
identity: { realm: keeper, roles: [reader] }
alerts:
  receivers: { ops: { webhook: { url: "https://ops.example.net/hook" } } }
  page: ops
messages:
  Item: { fields: { id: string } }
services:
  keeper:
    rest: [ { method: GET, path: /items, response: Item, roles: [reader] } ]
  auditor:
    rest: [ { method: GET, path: /audits, response: Item, roles: [reader] } ]
    calls: [keeper]
"""
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")


@pytest.fixture(scope="module", params=["shop", "terraform-synthetic", "kong-synthetic", "no-gateway"])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[System, Environment]:
    if request.param == "shop":
        system: System = request.getfixturevalue("shop")
        return system, system.environment("prod")
    text = {"terraform-synthetic": SYNTHETIC, "kong-synthetic": KONG_SYNTHETIC, "no-gateway": NO_GATEWAY}
    system = system_from_text(tmp_path_factory.mktemp(request.param), text[request.param])
    return system, next(e for e in system.environments if e.aws is not None)


def files_of(system: System, environment: Environment) -> dict[str, bytes]:
    base = f"{system.layout.terraform_dir}/{environment.name}/files/"
    return {p.removeprefix(base): c for p, c in terraform.render(system).items() if p.startswith(base)}


def test_the_root_embeds_what_the_platform_targets_build(case: tuple[System, Environment]) -> None:
    system, environment = case
    files, header = files_of(system, environment), system.header()
    expected = {}
    if system.has_gateway:
        expected["kong.yaml"] = to_yaml(kong_config(system, environment), header)
    if system.identity:
        expected["realm.json"] = to_json(realm(system, environment))
    for path, rules in (prometheus_rules(system) if system.observability.metrics else {}).items():
        expected[path] = to_yaml(rules, header)
    assert {k: v for k, v in files.items() if k in expected} == expected
    assert set(files) - set(expected) == ({"prometheus.yml", "alertmanager.yml"} if system.observability.metrics
                                          else set())


def test_the_embedded_kong_yaml_passes_kongs_schema_and_deck(case: tuple[System, Environment],
                                                             tmp_path: Path) -> None:
    system, environment = case
    content = files_of(system, environment).get("kong.yaml")
    if not system.has_gateway:
        assert content is None
        return
    assert content is not None
    config = YAML(typ="safe").load(content)
    errors = [e.message for e in jsonschema.Draft4Validator(shared_schema("kong-declarative.schema.json"))
              .iter_errors(config)]
    assert not errors, errors
    deck = shutil.which("deck")
    if deck is None:
        pytest.fail(DECK_HINT)
    (tmp_path / "kong.yaml").write_bytes(content)
    result = subprocess.run([deck, "validate", "-s", str(tmp_path / "kong.yaml")], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_gateway_task_starts_as_in_the_other_hostings(case: tuple[System, Environment]) -> None:
    system, environment = case
    aws = aws_environment(system, environment)
    if not system.has_gateway:
        assert "gateway" not in {t.kind for t in aws.tasks} and not aws.rate_rules
        assert identity.SIGNING_PUBLIC_KEY_ENV not in {s.name for s in aws.secrets}
        return
    edge, task = gw.gateway(system, environment), aws.task("gateway")
    env = {v.name: v.value for v in task.env}
    assert task.entry_point == gw.start_command(edge)
    assert env.items() >= gw.node_settings(edge, env["KONG_PROXY_LISTEN"]).items()
    assert f"{task.config_dir}/kong.yaml" == infra.KONG_CONFIG_PATH  # where the start command reads it
    assert task.desired_count == environment.gateway.replicas  # the local policy divides by these nodes
    assert (env["KONG_TRUSTED_IPS"], env["KONG_REAL_IP_RECURSIVE"]) == (environment.aws.vpc_cidr, "off")
    secrets = {s.name: s.ref.name for s in task.secrets}
    assert (identity.SIGNING_PUBLIC_KEY_ENV in secrets) == edge.verifies_tokens
    if edge.policy.redis and edge.policy.redis.password_env:
        assert secrets[edge.policy.redis.password_env] == edge.policy.redis.password_env
        assert any(e.port == edge.policy.redis.port and e.group == "gateway" for e in aws.outside_egress)
    managed = {s.name for s in aws.secrets}
    assert set(secrets.values()) <= managed


def test_every_placeholder_of_the_realm_is_a_secret_of_the_identity_task(case: tuple[System, Environment]) -> None:
    system, environment = case
    content = files_of(system, environment).get("realm.json")
    if system.identity is None:
        assert content is None
        return
    assert content is not None
    placeholders = set(PLACEHOLDER.findall(content.decode("utf-8")))
    aws = aws_environment(system, environment)
    task_secrets = {s.name for s in aws.task("identity").secrets}
    assert placeholders == set(identity.realm_secrets(system.identity, environment.dev_users))
    assert placeholders <= task_secrets
    origins = {s.name: s.origin for s in aws.secrets}
    for client in system.identity.clients:
        if client.secret_env:  # the realm and the calling service read one generated secret
            assert origins[client.secret_env] == SECRET_GENERATED
            assert client.secret_env in {s.ref.name for s in aws.task(client.service).secrets}
    assert origins[identity.SIGNING_PRIVATE_KEY_ENV] == SECRET_SUPPLIED
    assert all(origins[u.password_env] == SECRET_SUPPLIED for u in environment.dev_users)


def test_the_metrics_agent_config_passes_promtool_and_finds_every_scraped_task(
        case: tuple[System, Environment], tmp_path: Path) -> None:
    system, environment = case
    files = files_of(system, environment)
    if not system.observability.metrics:
        assert "prometheus.yml" not in files
        return
    (tmp_path / "prometheus.yml").write_bytes(files["prometheus.yml"])
    result = subprocess.run([tool("promtool"), "check", "config", str(tmp_path / "prometheus.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    config = YAML(typ="safe").load(files["prometheus.yml"])
    assert "rule_files" not in config and "alerting" not in config  # agent mode refuses both
    aws = aws_environment(system, environment)
    found = {}
    for job in config["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            found[sd["names"][0]] = sd["port"]
        services = {r["regex"].replace("\\", ""): r["replacement"] for r in job.get("relabel_configs", [])
                    if r["target_label"] == "service"}
        assert services.keys() == {sd["names"][0] for sd in job.get("dns_sd_configs", [])}
    expected = {f"{t.name}.{aws.discovery_namespace}": t.metrics_port for t in aws.tasks
                if t.metrics_port and (t.kind != "service" or environment.deployments[t.name].replicas > 0)}
    assert found == expected
    for rule in (r for j in config["scrape_configs"] for r in j.get("relabel_configs", [])):
        assert rule["target_label"] in ("system", "environment", "service")


def test_the_rules_and_the_alert_routing_pass_promtool_and_amtool(case: tuple[System, Environment],
                                                                  tmp_path: Path) -> None:
    system, environment = case
    files = files_of(system, environment)
    if not system.observability.metrics:
        return
    rules = []
    for name, content in files.items():
        if name.startswith("rules/"):
            rules.append(tmp_path / name.replace("/", "_"))
            rules[-1].write_bytes(content)
    result = subprocess.run([tool("promtool"), "check", "rules", *map(str, rules)], capture_output=True, text=True,
                            timeout=60)
    assert rules and result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "alertmanager.yml").write_bytes(files["alertmanager.yml"])
    result = subprocess.run([tool("amtool"), "check-config", str(tmp_path / "alertmanager.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    routing, full = YAML(typ="safe").load(files["alertmanager.yml"]), alertmanager_config(system)
    assert {k: v for k, v in routing.items() if k != "receivers"} == {k: v for k, v in full.items()
                                                                      if k != "receivers"}
    assert routing["receivers"] == [{"name": r["name"]} for r in full["receivers"]]
    aws = aws_environment(system, environment)
    assert aws.alert_receivers == tuple(r.name for r in system.alerting.receivers)


def test_one_waf_rule_per_limited_gateway_service_and_route(case: tuple[System, Environment]) -> None:
    system, environment = case
    aws = aws_environment(system, environment)
    if not system.has_gateway:
        assert aws.rate_rules == ()
        return
    edge = gw.gateway(system, environment)
    limited = {s.name: s.rate_limit for s in edge.services if s.rate_limit}
    limited |= {r.name: r.rate_limit for r in edge.routes if r.rate_limit}
    rules = {r.scope: r for r in aws.rate_rules}
    assert len(rules) == len(aws.rate_rules) == len({r.name for r in aws.rate_rules})
    assert rules.keys() == limited.keys()
    for scope, limit in limited.items():
        rule = rules[scope]
        assert limit is not None and rule.rate == waf_rate(limit.count, limit.unit)
        assert rule.rate.limit >= WAF_MIN_LIMIT and rule.rate.window_s in WAF_WINDOWS
        assert re.fullmatch(r"[\w-]{1,128}", rule.name)
    for service in system.services:
        for endpoint in service.endpoints if service.gateway else ():
            route = next(r for s in edge.services for r in s.routes if r.operation == f"{endpoint.method} "
                         f"{endpoint.path}")
            path = service.gateway.path + sample(endpoint)
            matching = [r for r in aws.rate_rules if r.method == endpoint.method and re.fullmatch(r.path, path)]
            assert [r.scope for r in matching] == ([route.name] if route.rate_limit else [])
            prefixed = [r for r in aws.rate_rules if r.method is None and path.startswith(r.path)]
            assert [r.scope for r in prefixed] == ([route.name.rsplit(".", 1)[0]] if service.gateway.rate_limit
                                                   else [])


@pytest.mark.long(seconds=13)
def test_the_alert_manager_definition_gives_each_receiver_its_topic(shop: System, tmp_path: Path) -> None:
    """moto has no alert manager definitions: the metrics module's own expression, evaluated by `terraform
    console` with the shop's routing, gives every receiver with a topic one sns_config (SigV4 in the region, as AMP
    requires) and keeps the routes of the Alertmanager target."""
    environment = shop.environment("prod")
    aws, tree = aws_environment(shop, environment), support.write_tree(shop, tmp_path / "tree")
    module, env = tree / "modules" / "metrics", support.cli_config(tmp_path)
    support.run(env, module, "init", "-backend=false")
    routing = (tree / environment.name / "files" / "alertmanager.yml").read_text("utf-8")
    variables = ["-var", "name=shop-prod", "-var", "kms_key_arn=k", "-var", "log_retention_days=1", "-var",
                 "rule_groups={}", "-var", f"alert_routing={routing}", "-var",
                 "alert_receivers=" + json.dumps(list(aws.alert_receivers))]

    def evaluate(expression: str) -> object:
        """One expression (console evaluates the last line of its input only), as JSON."""
        result = subprocess.run([support.terraform_binary(), "console", "-no-color", *variables],
                                input=f"jsonencode({expression})\n", cwd=module, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return json.loads(json.loads(result.stdout))

    names = [r["name"] for r in alertmanager_config(shop)["receivers"]]
    assert evaluate("[for r in local.alertmanager_config.receivers : [r.name, keys(r)]]") == [
        [n, ["name", "sns_configs"] if n in aws.alert_receivers else ["name"]] for n in names]
    assert evaluate('[for r in local.alertmanager_config.receivers : [length(r.sns_configs), '
                    'keys(r.sns_configs[0]), keys(r.sns_configs[0].sigv4)] if contains(keys(r), "sns_configs")]'
                    ) == [[1, ["send_resolved", "sigv4", "topic_arn"], ["region"]]] * len(aws.alert_receivers)
    assert evaluate("local.alertmanager_config.route == yamldecode(var.alert_routing).route") is True
    assert evaluate('[for k in keys(local.alertmanager_config) : k]') == sorted(alertmanager_config(shop))


def test_alarms_cover_each_database_and_consumer_queue_and_go_where_alertmanager_routes(
        case: tuple[System, Environment]) -> None:
    """Two storage alarms per RDS instance and three per consumer queue on the broker, each on a resource of the
    root, named uniquely within CloudWatch's 255 characters, with the receiver Alertmanager's routing picks for its
    severity and owner (`none` where the spec routes nowhere: the no-gateway system pages only)."""
    system, environment = case
    aws = aws_environment(system, environment)
    consumers = [c for s in system.services for c in s.consumers] if aws.broker else []
    assert len(aws.alarms) == 2 * len(aws.databases) + 3 * len(consumers)
    names = [a.name for a in aws.alarms]
    assert len(set(names)) == len(names) and all(len(n) <= 255 for n in names)
    assert all(n.startswith(f"{aws.prefix}-") for n in names)
    resources = {("DBInstanceIdentifier", d.identifier) for d in aws.databases} | {("Broker", aws.broker_name)}
    assert all(a.dimensions[0] in resources for a in aws.alarms)
    routing = alertmanager_config(system)["route"]
    for alarm in aws.alarms:
        assert alarm.receiver == support.routed_receiver(routing, {"severity": alarm.severity, "owner": alarm.owner})
    assert {a.receiver for a in aws.alarms} - set(aws.alert_receivers) <= {"none"}
