"""The shop's prod root applied for real against moto (the AWS API emulator): what AWS then holds is what the spec
says, a second plan changes nothing, and destroy removes it.

One apply per test session (the provider's RDS waits make it the slowest step of the suite: two to three minutes)
in one test, so that one xdist worker runs it while the others run the rest of the suite (pytest-xdist 3.8's
`xdist_group` does not group under pytest 9: a module fixture would be set up on every worker that gets one of
the file's tests). Every check runs and reports; destroy comes last. What moto cannot apply is left out by
test-only overrides, each with its reason (support.MOTO_LEFT_OUT); attributes that moto does not give back are
listed in MOTO_NOT_READ_BACK.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from ruamel.yaml import YAML

from rosec.model.aws import SECRET_GENERATED, AwsEnvironment, aws_environment
from rosec.model.system import System
from rosec.targets.alertmanager import alertmanager_config
from terraform import support

ENVIRONMENT = "prod"
IMAGE_TAG = "test-1"
# Attributes moto accepts but does not return, so that the provider sees them change on every plan. Nothing else
# may differ between the configuration and what was applied.
MOTO_NOT_READ_BACK: dict[str, set[str]] = {
    "aws_vpc_security_group_ingress_rule": {"description"},  # DescribeSecurityGroupRules omits it
    "aws_vpc_security_group_egress_rule": {"description"},
    "aws_db_parameter_group": {"parameter"},  # DescribeDBParameters returns no custom parameters
    "aws_db_instance": {"performance_insights_enabled", "performance_insights_retention_period",
                        "performance_insights_kms_key_id"},  # moto has no Performance Insights
    "aws_ecs_service": {"enable_ecs_managed_tags", "availability_zone_rebalancing"},
    "aws_cloudfront_distribution": {"default_cache_behavior", "viewer_certificate"},  # defaults filled in
}
# Secrets whose values pass through the state (documented in the root's modules): Amazon MQ takes the broker
# password as an argument, CloudFront and the load balancer the origin header.
THROUGH_STATE = {"RABBITMQ_PASSWORD", "CLOUDFRONT_ORIGIN_SECRET"}
yaml = YAML(typ="safe")


@dataclass
class Applied:
    root: Path
    env: dict[str, str]
    endpoint: str
    system: System
    aws: AwsEnvironment
    apply_seconds: float

    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region or self.aws.settings.region,
                            aws_access_key_id="test", aws_secret_access_key="test")

    def terraform(self, *args: str) -> subprocess.CompletedProcess[str]:
        return support.run(self.env, self.root, *args, "-var", f"image_tag={IMAGE_TAG}", "-parallelism=30",
                           timeout=900)


@contextlib.contextmanager
def applied_root(work: Path, shop: System) -> Iterator[Applied]:
    """The shop's prod root applied against a fresh moto server (the hosted zone created first, as the README
    asks)."""
    tree = support.write_tree(shop, work)
    env = support.cli_config(work)
    environment = shop.environment(ENVIRONMENT)
    aws = aws_environment(shop, environment)
    with support.moto_server(work / "moto.log") as endpoint:
        boto3.client("route53", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                     aws_secret_access_key="test").create_hosted_zone(Name=aws.settings.hosted_zone,
                                                                      CallerReference="rosec-test")
        support.write_moto_overrides(tree, ENVIRONMENT, endpoint)
        root = tree / ENVIRONMENT
        support.run(env, root, "init")
        started = time.monotonic()
        result = Applied(root, env, endpoint, shop, aws, 0.0)
        result.terraform("apply", "-auto-approve")
        result.apply_seconds = time.monotonic() - started
        yield result


def _pages(client: Any, method: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(method).paginate(**kwargs) for item in page[key]]


def check_one_ecs_service_per_task_with_its_desired_count_and_fargate_size(applied: Applied) -> None:
    ecs = applied.client("ecs")
    arns = _pages(ecs, "list_services", "serviceArns", cluster=applied.aws.cluster)
    services = {s["serviceName"]: s for s in ecs.describe_services(cluster=applied.aws.cluster,
                                                                   services=arns)["services"]}
    assert set(services) == {t.name for t in applied.aws.tasks}
    assert {s.name for s in applied.system.services} <= set(services)
    for task in applied.aws.tasks:
        service = services[task.name]
        assert service["desiredCount"] == task.desired_count, task.name
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert (int(definition["cpu"]), int(definition["memory"])) == (task.size.cpu, task.size.memory), task.name
        container = next(c for c in definition["containerDefinitions"] if c["name"] == task.name)
        assert container["readonlyRootFilesystem"] == task.read_only
        assert container["user"] == task.user and container["user"] not in ("0", "root")


def check_services_get_the_model_variables_with_the_aws_addresses(applied: Applied) -> None:
    ecs, rds = applied.client("ecs"), applied.client("rds")
    definition = ecs.describe_task_definition(taskDefinition=f"{applied.aws.prefix}-orders")["taskDefinition"]
    container = next(c for c in definition["containerDefinitions"] if c["name"] == "orders")
    env = {e["name"]: e["value"] for e in container["environment"]}
    address = rds.describe_db_instances(DBInstanceIdentifier=f"{applied.aws.prefix}-orders-db")[
        "DBInstances"][0]["Endpoint"]["Address"]
    assert env["ORDERS_DB_URL"] == f"postgresql://orders_db@{address}:5432/orders_db?sslmode=require"
    assert env["INVENTORY_URL"] == "http://inventory:8103"  # Service Connect keeps the model's host names
    assert env["AMQP_URL"].startswith("amqps://shop@") and env["AMQP_URL"].endswith(":5671/")
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert secrets["ORDERS_DB_PASSWORD"].endswith(":password::")
    names = {s["ARN"]: s["Name"] for s in _pages(applied.client("secretsmanager"), "list_secrets", "SecretList")}
    assert names[secrets["AMQP_PASSWORD"]] == "shop/prod/RABBITMQ_PASSWORD"
    assert "PAYMENT_PROVIDER_API_KEY" not in secrets  # only payments reads it
    log = container["logConfiguration"]["options"]
    assert log["awslogs-group"] == applied.aws.task("orders").log_group


def check_one_rds_instance_per_database_with_its_engine_version_and_class(applied: Applied) -> None:
    instances = {d["DBInstanceIdentifier"]: d
                 for d in applied.client("rds").describe_db_instances()["DBInstances"]}
    assert set(instances) == {d.identifier for d in applied.aws.databases}
    stores = {d.name: d for d in applied.system.datastores if d.is_postgres}
    for database in applied.aws.databases:
        instance = instances[database.identifier]
        assert instance["Engine"] == "postgres"
        expected_version = stores[database.key].version if database.key in stores else database.engine_version
        assert instance["EngineVersion"].split(".")[0] == expected_version
        assert instance["DBInstanceClass"] == database.instance_class
        assert instance["StorageEncrypted"] and instance["MultiAZ"] and instance["DeletionProtection"]
        assert not instance["PubliclyAccessible"]
        assert "MasterUserSecret" in instance  # manage_master_user_password: no password in Terraform
    assert instances[f"{applied.aws.prefix}-orders-db"]["DBInstanceClass"] == "db.t4g.medium"  # size: medium


def check_one_immutable_scanned_repository_per_service(applied: Applied) -> None:
    repositories = {r["repositoryName"]: r for r in applied.client("ecr").describe_repositories()["repositories"]}
    assert set(repositories) == {s.image for s in applied.system.services}
    for repository in repositories.values():
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"]["scanOnPush"]
        assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"


def check_waf_has_the_managed_rules_and_the_gateway_rate_limits(applied: Applied) -> None:
    waf = applied.client("wafv2", "us-east-1")
    summary = next(a for a in waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"] if a["Name"] == applied.aws.prefix)
    acl = waf.get_web_acl(Name=summary["Name"], Scope="CLOUDFRONT", Id=summary["Id"])["WebACL"]
    rules = {r["Name"]: r for r in acl["Rules"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(rules)
    assert applied.aws.rate_rules, "the shop has gateway rate limits"
    assert any(r.method for r in applied.aws.rate_rules), "the shop limits an endpoint"
    for rule in applied.aws.rate_rules:
        statement = rules[rule.name]["Statement"]["RateBasedStatement"]
        assert (statement["Limit"], statement["EvaluationWindowSec"]) == (rule.rate.limit, rule.rate.window_s)
        scope = statement["ScopeDownStatement"]
        if rule.method is None:  # a gateway service: its prefix
            match = scope["ByteMatchStatement"]
            assert match["PositionalConstraint"] == "STARTS_WITH"
            assert match["SearchString"] in (rule.path, rule.path.encode())
        else:  # a route: its method and path
            method, path = scope["AndStatement"]["Statements"]
            assert method["ByteMatchStatement"]["SearchString"] in (rule.method, rule.method.encode())
            assert path["RegexMatchStatement"]["RegexString"] == rule.path
    logging = waf.get_logging_configuration(ResourceArn=summary["ARN"])["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"][0].split(":log-group:")[1].startswith("aws-waf-logs-")


def check_dns_aliases_point_at_cloudfront(applied: Applied) -> None:
    route53 = applied.client("route53", "us-east-1")
    zone = next(z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == f"{applied.aws.domain}.")
    records = _pages(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone["Id"])
    distribution = applied.client("cloudfront", "us-east-1").list_distributions()["DistributionList"]["Items"][0]
    names = [applied.aws.domain] + ([applied.aws.identity_domain] if applied.aws.identity_domain else [])
    for name in names:
        for kind in ("A", "AAAA"):
            record = next(r for r in records if r["Name"] == f"{name}." and r["Type"] == kind)
            assert record["AliasTarget"]["DNSName"].rstrip(".") == distribution["DomainName"]
    assert set(distribution["Aliases"]["Items"]) == set(names)
    assert any(r["Type"] == "CNAME" and r["Name"].startswith("_") for r in records), "certificate validation"


def check_secrets_exist_and_generated_values_never_reach_the_state(applied: Applied) -> None:
    manager = applied.client("secretsmanager")
    names = {s["Name"] for s in _pages(manager, "list_secrets", "SecretList")}
    assert {s.secret_name for s in applied.aws.secrets} <= names
    state = (applied.root / "moto.tfstate").read_text("utf-8")
    for secret in applied.aws.secrets:
        if secret.origin != SECRET_GENERATED:
            continue
        value = manager.get_secret_value(SecretId=secret.secret_name)["SecretString"]
        assert len(value) == 40
        assert (value in state) == (secret.name in THROUGH_STATE), secret.name


def check_databases_admit_only_the_services_that_use_them(applied: Applied) -> None:
    ec2 = applied.client("ec2")
    groups = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    rules = ec2.describe_security_group_rules()["SecurityGroupRules"]
    inbound = [r for r in rules if r["GroupId"] == groups[f"{applied.aws.prefix}-database-orders-db"]
               and not r["IsEgress"]]
    assert [(r["ReferencedGroupInfo"]["GroupId"], r["FromPort"]) for r in inbound] == [
        (groups[f"{applied.aws.prefix}-service-orders"], 5432)]


def check_each_service_mounting_a_volume_gets_its_access_point(applied: Applied) -> None:
    efs = applied.client("efs")
    points = efs.describe_access_points()["AccessPoints"]
    receipts = next(v for v in applied.aws.volumes if v.name == "receipts")
    assert sorted(p["Name"] for p in points) == [f"{receipts.file_system}-{u}" for u in sorted(receipts.users)]
    assert all(p["PosixUser"]["Uid"] == 10001 for p in points)


def check_broker_is_private_rabbitmq_across_zones(applied: Applied) -> None:
    mq = applied.client("mq")
    broker = mq.describe_broker(BrokerId=mq.list_brokers()["BrokerSummaries"][0]["BrokerId"])
    assert broker["EngineType"].lower() == "rabbitmq" and not broker["PubliclyAccessible"]
    assert broker["DeploymentMode"] == "CLUSTER_MULTI_AZ"


def check_the_platform_tasks_read_what_the_targets_build(applied: Applied) -> None:
    """The config bucket holds the root's files/ (the Kong target's kong.yaml, the realm, the agent's
    configuration with remote_write added); the gateway starts with its start command and the public key."""
    s3, ecs = applied.client("s3"), applied.client("ecs")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(applied.aws.config_bucket))
    for name in ("kong.yaml", "realm.json"):
        stored = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
        assert stored == (applied.root / "files" / name).read_bytes(), name
    agent = yaml.load(s3.get_object(Bucket=bucket, Key="prometheus.yml")["Body"].read())
    assert agent["remote_write"][0]["url"].endswith("/api/v1/remote_write")
    assert agent["scrape_configs"] == yaml.load((applied.root / "files" / "prometheus.yml").read_bytes())[
        "scrape_configs"]
    gateway = applied.aws.task("gateway")
    definition = ecs.describe_task_definition(taskDefinition=gateway.family)["taskDefinition"]
    container = next(c for c in definition["containerDefinitions"] if c["name"] == "gateway")
    assert container["entryPoint"] == list(gateway.entry_point) and gateway.entry_point
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["KONG_DECLARATIVE_CONFIG"] == "/tmp/kong.yaml" and env["KONG_TRUSTED_IPS"] == "10.0.0.0/16"
    names = {s["ARN"]: s["Name"] for s in _pages(applied.client("secretsmanager"), "list_secrets", "SecretList")}
    secrets = {s["name"]: names[s["valueFrom"]] for s in container["secrets"]}
    assert secrets["OIDC_SIGNING_PUBLIC_KEY"] == "shop/prod/OIDC_SIGNING_PUBLIC_KEY"
    assert secrets["GATEWAY_REDIS_PASSWORD"] == "shop/prod/GATEWAY_REDIS_PASSWORD"
    balancer = applied.client("elbv2").describe_load_balancers()["LoadBalancers"][0]
    attributes = {a["Key"]: a["Value"] for a in applied.client("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]}
    assert attributes["routing.http.xff_header_processing.mode"] == "preserve"


def check_the_metrics_workspace_has_the_rules_and_a_topic_per_alert_receiver(applied: Applied) -> None:
    amp = applied.client("amp")
    workspace = next(w for w in amp.list_workspaces()["workspaces"] if w["alias"] == applied.aws.metrics_workspace)
    namespaces = amp.list_rule_groups_namespaces(workspaceId=workspace["workspaceId"])["ruleGroupsNamespaces"]
    assert {n["name"] for n in namespaces} == {p.stem for p in (applied.root / "files" / "rules").iterdir()}
    described = amp.describe_rule_groups_namespace(workspaceId=workspace["workspaceId"], name="slo-orders")
    rules = (applied.root / "files" / "rules" / "slo-orders.yml").read_bytes()
    assert described["ruleGroupsNamespace"]["data"] == rules
    sns = applied.client("sns")
    topics = {t["TopicArn"].rsplit(":", 1)[1]: t["TopicArn"] for t in sns.list_topics()["Topics"]}
    assert set(topics) == {f"{applied.aws.prefix}-alerts-{r}" for r in applied.aws.alert_receivers}
    for arn in topics.values():
        attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert attributes["KmsMasterKeyId"]
        policy = json.loads(attributes["Policy"])
        assert [s["Principal"] for s in policy["Statement"]] == [{"Service": "aps.amazonaws.com"},
                                                                  {"Service": "cloudwatch.amazonaws.com"}]


def check_managed_services_have_cloudwatch_alarms_that_notify_the_routed_receiver(applied: Applied) -> None:
    """Every alarm of the model exists, on its metric or metric math, and notifies (and resolves to) the topic of
    the receiver that Alertmanager's routing picks for its severity and owner."""
    cloudwatch, aws = applied.client("cloudwatch"), applied.aws
    described = {a["AlarmName"]: a for a in _pages(cloudwatch, "describe_alarms", "MetricAlarms")}
    assert set(described) == {a.name for a in aws.alarms}
    assert {a["Namespace"] for a in described.values() if "Namespace" in a} == {"AWS/RDS", "AWS/AmazonMQ"}
    topics = {t["TopicArn"].rsplit(":", 1)[1]: t["TopicArn"] for t in applied.client("sns").list_topics()["Topics"]}
    routing = alertmanager_config(applied.system)["route"]
    for alarm in aws.alarms:
        found = described[alarm.name]
        receiver = support.routed_receiver(routing, {"severity": alarm.severity, "owner": alarm.owner})
        assert found["AlarmActions"] == found["OKActions"] == [topics[f"{aws.prefix}-alerts-{receiver}"]]
        assert (found["Threshold"], found["ComparisonOperator"]) == (alarm.threshold, alarm.comparison)
        assert bool(found.get("Metrics")) is (alarm.expression is not None)


def check_a_second_plan_changes_nothing(applied: Applied) -> None:
    applied.terraform("plan", "-out=second.plan")
    shown = support.run(applied.env, applied.root, "show", "-json", "second.plan")
    unexpected = []
    for change in json.loads(shown.stdout).get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        changed -= {k for k, v in (change["change"].get("after_unknown") or {}).items() if v is False}
        allowed = MOTO_NOT_READ_BACK.get(change["type"], set())
        if actions != ["update"] or not changed <= allowed:
            unexpected.append(f"{change['address']}: {actions} {sorted(changed - allowed)}")
    assert not unexpected, "the second plan would change:\n" + "\n".join(unexpected)


def check_destroy_removes_everything(applied: Applied) -> None:
    """Last: lift deletion protection, then destroy (the state is fresh: no second refresh). The root's README lifts
    it with `terraform apply -var deletion_protection=false`; here the same two API calls are made directly,
    because the provider then waits about 100 s for the databases to settle."""
    rds, elb = applied.client("rds"), applied.client("elbv2")
    for database in applied.aws.databases:
        rds.modify_db_instance(DBInstanceIdentifier=database.identifier, DeletionProtection=False,
                               ApplyImmediately=True)
    for balancer in elb.describe_load_balancers()["LoadBalancers"]:
        elb.modify_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"], Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "false"}])
    applied.terraform("destroy", "-auto-approve", "-refresh=false", "-var", "deletion_protection=false")
    assert applied.client("rds").describe_db_instances()["DBInstances"] == []
    assert applied.client("ecr").describe_repositories()["repositories"] == []
    clusters = applied.client("ecs").describe_clusters(clusters=[applied.aws.cluster])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in clusters)
    state = json.loads((applied.root / "moto.tfstate").read_text("utf-8"))
    assert state.get("resources", []) == []


CHECKS = (
    check_one_ecs_service_per_task_with_its_desired_count_and_fargate_size,
    check_services_get_the_model_variables_with_the_aws_addresses,
    check_one_rds_instance_per_database_with_its_engine_version_and_class,
    check_one_immutable_scanned_repository_per_service,
    check_waf_has_the_managed_rules_and_the_gateway_rate_limits,
    check_dns_aliases_point_at_cloudfront,
    check_secrets_exist_and_generated_values_never_reach_the_state,
    check_databases_admit_only_the_services_that_use_them,
    check_each_service_mounting_a_volume_gets_its_access_point,
    check_broker_is_private_rabbitmq_across_zones,
    check_the_platform_tasks_read_what_the_targets_build,
    check_the_metrics_workspace_has_the_rules_and_a_topic_per_alert_receiver,
    check_managed_services_have_cloudwatch_alarms_that_notify_the_routed_receiver,
    check_a_second_plan_changes_nothing,
)


@pytest.mark.long(seconds=250)
def test_the_shop_prod_root_applies_as_specified_replans_clean_and_destroys(
        tmp_path: Path, shop: System, capsys: pytest.CaptureFixture[str]) -> None:
    """One test, so that one xdist worker runs the one apply while the others run the rest of the suite: every
    check runs and reports, then destroy."""
    with applied_root(tmp_path, shop) as applied:
        failures = []
        for check in CHECKS:
            try:
                check(applied)
            except AssertionError as error:
                failures.append(f"{check.__name__}: {error}")
        check_destroy_removes_everything(applied)
        with capsys.disabled():
            print(f"\nmoto apply of the shop's prod root: {applied.apply_seconds:.0f} s")
    assert not failures, "\n\n".join(failures)
