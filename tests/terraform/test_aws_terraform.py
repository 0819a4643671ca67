"""The generated Terraform through the real tools, offline: `terraform fmt` leaves it unchanged, every root and
module validates with the AWS provider from the local mirror, an offline plan (test-only provider override) creates
what the spec says, and checkov finds no failed check (skips carry their reason next to the resource).

Two systems: the shop (production, every part) and a synthetic one that no example resembles (not production, two
zones in a region whose zones are a, c, d; no identity, broker, volume or metrics; a per-second rate limit).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, system_from_text

from rosec.emit.hcl import Block, Comment, Raw, Template, dumps
from rosec.model.aws import AwsEnvironment, aws_environment
from rosec.model.system import System
from rosec.targets.alertmanager import alertmanager_config
from rosec.targets.prometheus import prometheus_rules
from terraform import support

SYNTHETIC = """
rose: 1
system: { name: ledger-app, domain: books.example.org }
environments:
  staging-eu:
    hosting: aws
    region: ap-northeast-1
    aws:
      production: false
      hosted_zone: { name: example.org, id: Z0ABCDEF123 }
      state: { bucket: ledger-states }
      vpc_cidr: 172.20.0.0/18
      datastores: { ledger-store: { size: large } }
observability: { metrics: false }
messages:
  Entry: { fields: { id: string } }
datastores:
  ledger-store: { engine: postgres, version: "15", size_gb: 50 }
services:
  book-keeper:
    rest: [ { method: GET, path: /entries, response: Entry, public: true } ]
    uses: [ledger-store]
    gateway: { path: /entries, rate_limit: 5/second, auth: public }
    resources: { cpu: "1", memory: 3Gi }
    scaling: { min: 2, max: 5 }
"""
ALIASED_MODULES = ("certificates", "edge")  # they take the us-east-1 provider from their caller
# What a plan without AWS cannot look up: the variables that replace the lookups.
OFFLINE_VARIABLES = ("-var", "image_tag=v1", "-var", "account_id=123456789012", "-var", "hosted_zone_id=Z0123456789",
                     "-var", "cloudfront_prefix_list_id=pl-0123456789")


@dataclass
class Tree:
    system: System
    environment: str
    path: Path  # the terraform/ directory
    env: dict[str, str]

    @property
    def root(self) -> Path:
        return self.path / self.environment

    @property
    def aws(self) -> AwsEnvironment:
        return aws_environment(self.system, self.system.environment(self.environment))


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory, shop: System) -> dict[str, Tree]:
    work = tmp_path_factory.mktemp("terraform")
    synthetic = system_from_text(work, SYNTHETIC)
    found = {}
    for name, system, environment in (("shop", shop, "prod"), ("synthetic", synthetic, "staging-eu")):
        path = support.write_tree(system, work / name)
        found[name] = Tree(system, environment, path, support.cli_config(work))
    return found


def plan_offline(tree: Tree) -> dict[str, Any]:
    """The root planned without AWS (test-only provider override, local state): its JSON."""
    support.write_offline_override(tree.root)
    support.run(tree.env, tree.root, "init")
    support.run(tree.env, tree.root, "plan", "-refresh=false", "-out=offline.plan", *OFFLINE_VARIABLES)
    return json.loads(support.run(tree.env, tree.root, "show", "-json", "offline.plan").stdout)


def test_terraform_fmt_leaves_every_generated_file_unchanged(trees: dict[str, Tree]) -> None:
    for tree in trees.values():
        result = subprocess.run([support.terraform_binary(), "fmt", "-check", "-recursive", "-diff", "-no-color"],
                                cwd=tree.path, env=tree.env, capture_output=True, text=True)
        assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}"


def test_the_hcl_writer_writes_what_terraform_fmt_writes(tmp_path: Path, trees: dict[str, Tree]) -> None:
    blocks = [Block("locals", (), [
        ("a", 1), ("long_name", "x"), ("escaped", 'quote " back \\ ${not} %{no}\nline'),
        ("template", Template(("https://", Raw('module.m["k"].v'), "/path?x=${y}"))),
        ("nested", {"short": True, "much-longer-key": None, "9starts-with-digit": 0.5, "list": ["a", "b"]}),
        Comment("a comment ends the run"), ("objects", [{"k": 1}, {"kk": [1, 2]}]), ("empty", {}), ("none", []),
        Block("inner", ("label",), [("x", Raw("var.x"))]), ("after_block", "y"),
    ]), Block("module", ("m",), [("providers", {"aws": Raw("aws"), Raw("aws.us_east_1"): Raw("aws.us_east_1")})])]
    written = dumps(blocks, "# header\n")
    result = subprocess.run([support.terraform_binary(), "fmt", "-no-color", "-"], input=written, env=trees["shop"].env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == written


@pytest.mark.long(seconds=38)
def test_every_root_and_module_validates(tmp_path: Path, trees: dict[str, Tree]) -> None:
    """`init -backend=false` and `validate` in a clean copy of every root (with its modules beside it) and of
    every module on its own."""
    clean = shutil.ignore_patterns(".terraform*", "*_override.tf", "*.plan", "*.tfstate")
    directories = []
    for name, tree in trees.items():
        shutil.copytree(tree.path, tmp_path / name, ignore=clean)
        directories.append(tmp_path / name / tree.environment)
    for module in sorted((trees["shop"].path / "modules").iterdir()):
        copy = tmp_path / "modules" / module.name
        shutil.copytree(module, copy, ignore=clean)
        if module.name in ALIASED_MODULES:  # standalone, the caller's us-east-1 provider must be declared here
            (copy / "validate_providers.tf").write_text(
                'provider "aws" {\n  alias  = "us_east_1"\n  region = "us-east-1"\n}\n', "utf-8")
        directories.append(copy)
    assert len(directories) > 15

    def validate(directory: Path) -> str:
        support.run(trees["shop"].env, directory, "init", "-backend=false")
        return support.run(trees["shop"].env, directory, "validate").stdout

    with ThreadPoolExecutor(max_workers=4) as pool:  # each validate mostly waits for the provider to start
        results = dict(zip(directories, pool.map(validate, directories), strict=True))
    for directory, output in results.items():
        assert "Success! The configuration is valid." in output, directory


def _planned_resources(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = []

    def walk(module: dict[str, Any]) -> None:
        found.extend(module.get("resources", []))
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return found


def _of_type(plan: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in _planned_resources(plan) if r["type"] == kind and r["mode"] == "managed"]


@pytest.mark.long(seconds=16)
@pytest.mark.parametrize("name", ["shop", "synthetic"])
def test_the_offline_plan_creates_what_the_spec_says(name: str, trees: dict[str, Tree]) -> None:
    """One plan per root (the two run on different workers): what every root must plan, then what is particular
    to the system."""
    plan, aws = plan_offline(trees[name]), trees[name].aws
    actions = Counter(tuple(c["change"]["actions"]) for c in plan["resource_changes"])
    assert set(actions) <= {("create",), ("read",)}, actions
    services = {r["values"]["name"]: r["values"] for r in _of_type(plan, "aws_ecs_service")}
    assert set(services) == {t.name for t in aws.tasks}
    for task in aws.tasks:
        assert services[task.name]["desired_count"] == task.desired_count
        assert services[task.name]["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
        assert services[task.name]["network_configuration"][0]["assign_public_ip"] is False
    definitions = {r["values"]["family"]: r["values"] for r in _of_type(plan, "aws_ecs_task_definition")}
    for task in aws.tasks:
        assert (definitions[task.family]["cpu"], definitions[task.family]["memory"]) == (
            str(task.size.cpu), str(task.size.memory))
    databases = {r["values"]["identifier"]: r["values"] for r in _of_type(plan, "aws_db_instance")}
    assert set(databases) == {d.identifier for d in aws.databases}
    for database in aws.databases:
        values = databases[database.identifier]
        assert values["engine_version"] == database.engine_version
        assert values["instance_class"] == database.instance_class
        assert values["manage_master_user_password"] is True and values.get("password") is None
        assert values["multi_az"] is aws.settings.production
    assert {r["values"]["name"] for r in _of_type(plan, "aws_ecr_repository")} == {
        s.image for s in trees[name].system.services}
    subnets = _of_type(plan, "aws_subnet")
    assert sorted({s["values"]["availability_zone"] for s in subnets}) == list(aws.settings.zones)
    _check_rate_rules(plan, aws)
    _check_platform(plan, trees[name])
    _check_alarms(plan, trees[name])
    PARTICULARS[name](trees[name], plan)


def _check_rate_rules(plan: dict[str, Any], aws: AwsEnvironment) -> None:
    """One rate-based rule per limited gateway service (its prefix) and route (its method and path regex)."""
    acl = _of_type(plan, "aws_wafv2_web_acl")[0]["values"]
    rates = {r["name"]: r["statement"][0]["rate_based_statement"][0] for r in acl["rule"]
             if r["statement"][0]["rate_based_statement"]}
    assert set(rates) == {r.name for r in aws.rate_rules}
    for rule in aws.rate_rules:
        planned = rates[rule.name]
        assert (planned["limit"], planned["evaluation_window_sec"]) == (rule.rate.limit, rule.rate.window_s)
        scope = planned["scope_down_statement"][0]
        if rule.method is None:
            match = scope["byte_match_statement"][0]
            assert (match["search_string"], match["positional_constraint"]) == (rule.path, "STARTS_WITH")
            assert not scope["and_statement"]
        else:
            method, path = (s for s in scope["and_statement"][0]["statement"])
            assert method["byte_match_statement"][0]["search_string"] == rule.method
            assert path["regex_match_statement"][0]["regex_string"] == rule.path


def _check_platform(plan: dict[str, Any], tree: Tree) -> None:
    """The load balancer passes X-Forwarded-For on; the metrics workspace has a rule group namespace per rule file
    and an SNS topic per alert receiver (the task definitions are known only at apply: test_aws_moto)."""
    aws, system = tree.aws, tree.system
    balancer = _of_type(plan, "aws_lb")[0]["values"]
    assert balancer["xff_header_processing_mode"] == "preserve"
    namespaces = {r["values"]["name"] for r in _of_type(plan, "aws_prometheus_rule_group_namespace")}
    topics = {r["values"]["name"] for r in _of_type(plan, "aws_sns_topic")}
    definitions_planned = _of_type(plan, "aws_prometheus_alert_manager_definition")
    if aws.metrics_workspace:
        assert namespaces == {Path(p).stem for p in prometheus_rules(system)}
        assert topics == {f"{aws.prefix}-alerts-{r}" for r in aws.alert_receivers}
        assert len(definitions_planned) == 1
    else:
        assert not namespaces and not topics and not definitions_planned


def _check_alarms(plan: dict[str, Any], tree: Tree) -> None:
    """What Managed Prometheus cannot see has CloudWatch alarms with the Prometheus rules' thresholds: two per RDS
    instance (FreeStorageSpace below the share of its allocated storage that each datastore alert names), and per
    consumer queue on the broker one on its dead-letter queue, one on its consumers, one on its growing backlog.
    Each goes to the receiver Alertmanager's routing picks for its severity and owner: the topics are known only
    at apply (test_aws_moto); without a metrics workspace there are none, and the alarms notify no one."""
    aws, system = tree.aws, tree.system
    planned = [r["values"] for r in _of_type(plan, "aws_cloudwatch_metric_alarm")]
    assert len({a["alarm_name"] for a in planned}) == len(planned)
    assert all(len(a["alarm_name"]) <= 255 for a in planned)
    storage = Counter((a["dimensions"]["DBInstanceIdentifier"], a["threshold"], a["evaluation_periods"] * a["period"])
                      for a in planned if a.get("metric_name") == "FreeStorageSpace")
    full = rules_named(system, "DatastoreNearlyFull")
    shares = {float(r["expr"].split(" > ")[1].split(" * ")[0]) for r in full}  # the same for every datastore
    assert shares and {r["for"] for r in full} == {"15m"} and storage == Counter(
        (d.identifier, round((1 - share) * d.storage_gb * 2**30), 900) for d in aws.databases for share in shares)
    routing = alertmanager_config(system)["route"]
    consumers = [(s, c) for s in system.services for c in s.consumers] if aws.broker else []
    queue_alarms = {(a["dimensions"]["Queue"], a["metric_name"]): a for a in planned
                    if a.get("namespace") == "AWS/AmazonMQ"}
    assert len(queue_alarms) == 2 * len(consumers)
    for service, consumer in consumers:
        dead = queue_alarms[(consumer.dead_letter_queue, "MessageCount")]
        assert (dead["comparison_operator"], dead["threshold"]) == ("GreaterThanThreshold", 0)
        assert dead["dimensions"] == {"Broker": aws.broker_name, "VirtualHost": system.messaging.vhost,
                                      "Queue": consumer.dead_letter_queue}
        idle = queue_alarms[(consumer.queue, "ConsumerCount")]
        assert (idle["comparison_operator"], idle["threshold"], idle["period"] * idle["evaluation_periods"]) == (
            "LessThanThreshold", 1, 300)
        for alarm, severity in ((dead, "ticket"), (idle, "page")):
            receiver = support.routed_receiver(routing, {"severity": severity, "owner": service.owner})
            assert alarm["alarm_description"].split(" ")[1] == f"({severity}):"
            assert (receiver in aws.alert_receivers) is ("alarm_actions" not in alarm), (alarm, receiver)
    growing = [a for a in planned if a.get("metric_query")]
    assert len(growing) == len(consumers)
    assert {q["metric"][0]["dimensions"]["Queue"] for a in growing for q in a["metric_query"] if q["metric"]} == {
        c.queue for _, c in consumers}
    if not aws.metrics_workspace:
        assert all("alarm_actions" in a and not a["alarm_actions"] for a in planned)  # known: none


def rules_named(system: System, alert: str) -> list[dict[str, Any]]:
    """The Prometheus target's rules of one alert."""
    return [r for rules in prometheus_rules(system).values() for group in rules["groups"] for r in group["rules"]
            if r.get("alert") == alert]


def _shop_particulars(tree: Tree, plan: dict[str, Any]) -> None:
    aws = tree.aws
    assert len(_of_type(plan, "aws_nat_gateway")) == len(aws.settings.zones)  # production: one per zone
    assert len(_of_type(plan, "aws_mq_broker")) == 1 and len(_of_type(plan, "aws_efs_file_system")) == 1
    assert {t.kind for t in aws.tasks} == {"service", "gateway", "identity", "metrics"}


def _synthetic_particulars(tree: Tree, plan: dict[str, Any]) -> None:
    aws = tree.aws
    assert aws.settings.zones == ("ap-northeast-1a", "ap-northeast-1c")
    assert aws.task("book-keeper").size.cpu == 1024 and aws.task("book-keeper").size.memory == 3072
    assert [(r.rate.limit, r.rate.window_s) for r in aws.rate_rules] == [(300, 60)]  # 5/second over a minute
    assert {t.kind for t in aws.tasks} == {"service", "gateway"}
    assert not _of_type(plan, "aws_mq_broker") and not _of_type(plan, "aws_efs_file_system")
    nat = _of_type(plan, "aws_nat_gateway")
    assert len(nat) == 1  # not production: one NAT gateway
    backend = (tree.root / "versions.tf").read_text("utf-8")
    assert 'bucket       = "ledger-states"' in backend and "use_lockfile = true" in backend


PARTICULARS = {"shop": _shop_particulars, "synthetic": _synthetic_particulars}


@pytest.mark.long(seconds=21)
def test_checkov_finds_no_failed_check(trees: dict[str, Tree], checkov: Callable[[Path], dict[str, Any]]) -> None:
    for tree in trees.values():
        report = checkov(tree.path)
        failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in report["results"]["failed_checks"]]
        assert not failed, "checkov failed checks:\n" + "\n".join(failed)
        assert report["summary"]["passed"] > 300
        for skipped in report["results"]["skipped_checks"]:
            reason = skipped.get("check_result", {}).get("suppress_comment", "")
            assert len(reason.split()) >= 6, f"skip of {skipped['check_id']} needs a real reason: {reason!r}"


@pytest.fixture(scope="module")
def checkov() -> Callable[[Path], dict[str, Any]]:
    executable = ROOT / ".tools" / "checkov" / "bin" / "checkov"
    if not executable.exists():
        pytest.fail("checkov is missing: run scripts/setup.sh (it installs checkov into .tools/checkov)")

    def scan(directory: Path) -> dict[str, Any]:
        result = subprocess.run([str(executable), "-d", str(directory), "--framework", "terraform",
                                 "--skip-download", "-o", "json"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode in (0, 1), result.stderr[-3000:]
        report = json.loads(result.stdout)
        return report[0] if isinstance(report, list) else report

    return scan


def test_each_root_has_a_readme_with_the_order_of_commands(trees: dict[str, Tree]) -> None:
    for tree in trees.values():
        readme = (tree.root / "README.md").read_text("utf-8")
        s = tree.aws.settings
        assert s.state_bucket in readme and s.hosted_zone in readme
        assert readme.index("terraform init") < readme.index("terraform apply")
        for secret in (x for x in tree.aws.secrets if x.origin == "supplied"):
            assert secret.secret_name in readme
