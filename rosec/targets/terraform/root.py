"""main.tf of an AWS root: the lookups, then the environment's modules in dependency order (key, network,
firewall, secrets, images, cluster, databases, volumes, broker, metrics, alarms, configuration, certificates, load
balancer, edge), then one module per ECS task."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from rosec.emit.hcl import Block, Raw, Template, quote
from rosec.model import aws_catalog as catalog
from rosec.model.aws import ORIGIN_HEADER, ORIGIN_SECRET, AwsEnvironment
from rosec.model.aws_firewall import LOAD_BALANCER, task_group, volume_group
from rosec.model.system import System
from rosec.targets.prometheus import rule_files
from rosec.targets.terraform.tasks import MODULES, key, task_module

CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
SERVICE_UID = 10001
FILES = "files"  # configuration files of the platform's tasks, beside main.tf
RULES = "rules"  # under FILES: the metrics workspace's rule files, one rule group namespace each
ALERT_ROUTING = "alertmanager.yml"  # under FILES: the alert routing of the metrics workspace


def rule_group(path: str) -> str:
    """Where a rule file of the Prometheus target (rules/<name>.yml) lies under FILES; its namespace is <name>."""
    return f"{RULES}/{PurePosixPath(path).name}"


def main_blocks(system: System, aws: AwsEnvironment, log_retention_days: int) -> list[Block]:
    s = aws.settings
    blocks = [_locals(aws, log_retention_days), *_lookups(aws), *_foundation(aws)]
    blocks += [_secrets(aws), _repositories(aws), _module("cluster", "cluster", name=aws.cluster,
                                                          discovery_namespace=aws.discovery_namespace,
                                                          vpc_id=Raw("module.network.vpc_id"))]
    if aws.databases:
        blocks.append(_databases(aws))
    if aws.volumes:
        blocks.append(_volumes(aws))
    if aws.broker:
        assert system.messaging is not None
        size, mode = catalog.BROKER[s.production]
        blocks.append(_module(
            "broker", "broker", name=aws.broker_name, engine_version=catalog.BROKER_ENGINE_VERSION,
            instance_type=size, deployment_mode=mode, username=system.messaging.user,
            password_secret_arn=Raw(f"module.secrets.arns{key(system.messaging.password_env)}"),
            password_version=Raw(f"module.secrets.generated{key(system.messaging.password_env)}"),
            subnet_ids=Raw("module.network.private_subnet_ids"),
            security_group_id=Raw(f"module.firewall.ids{key('broker')}"),
            kms_key_arn=Raw("module.encryption.key_arn")))
    if aws.metrics_workspace:
        blocks.append(_metrics(system, aws))
    if aws.alarms:
        blocks.append(_alarms(aws))
    blocks.append(_config(aws, s.region))
    if any(t.load_balancing for t in aws.tasks):
        blocks += _edge(aws)
    blocks += [task_module(system, aws, t) for t in aws.tasks]
    return blocks


def _metrics(system: System, aws: AwsEnvironment) -> Block:
    rules = {PurePosixPath(path).stem: Raw(f'file("${{path.module}}/{FILES}/{rule_group(path)}")')
             for path in rule_files(system)}
    return _module("metrics", "metrics", name=aws.metrics_workspace, account_id=Raw("local.account_id"),
                   kms_key_arn=Raw("module.encryption.key_arn"),
                   log_retention_days=Raw("local.log_retention_days"), rule_groups=rules,
                   alert_routing=Raw(f'file("${{path.module}}/{FILES}/{ALERT_ROUTING}")'),
                   alert_receivers=list(aws.alert_receivers))


def _alarms(aws: AwsEnvironment) -> Block:
    """The CloudWatch alarms of the databases and the broker, notifying the metrics module's alert topics (none
    without a metrics workspace). Their dimensions are the model's names of the instances and the broker."""
    alarms = {a.key: {"name": a.name, "description": f"{a.alert} ({a.severity}): {a.description}",
                      "namespace": a.namespace, "metric": a.metric, "dimensions": dict(a.dimensions),
                      "statistic": a.statistic, "period": a.period_s,
                      "evaluation_periods": a.evaluation_periods, "comparison": a.comparison,
                      "threshold": a.threshold, "missing_data": a.missing_data, "receiver": a.receiver,
                      **({"expression": a.expression} if a.expression else {})}
              for a in aws.alarms}
    topics = Raw("module.metrics.alert_topic_arns") if aws.metrics_workspace else {}
    return _module("alarms", "alarms", alarms=alarms, topic_arns=topics)


def _module(label: str, source: str, /, *, providers: dict[Any, Raw] | None = None, **arguments: Any) -> Block:
    body: list[Any] = [("source", f"{MODULES}/{source}")]
    if providers:
        body.append(("providers", providers))
    return Block("module", (label,), body + list(arguments.items()))


def _locals(aws: AwsEnvironment, log_retention_days: int) -> Block:
    body: list[Any] = [
        ("account_id", Raw("coalesce(var.account_id, one(data.aws_caller_identity.current[*].account_id))")),
        ("zone_id", Raw("coalesce(var.hosted_zone_id, one(data.aws_route53_zone.this[*].zone_id))")),
        ("cloudfront_prefix_list_id",
         Raw("coalesce(var.cloudfront_prefix_list_id, one(data.aws_ec2_managed_prefix_list.cloudfront[*].id))")),
        ("log_retention_days", log_retention_days),
    ]
    return Block("locals", (), body)


def _lookups(aws: AwsEnvironment) -> list[Block]:
    """What Terraform looks up in the account when the variables do not give it (they make an offline plan
    possible): the caller's account, the hosted zone, CloudFront's prefix list."""
    found = [Block("data", ("aws_caller_identity", "current"), [("count", Raw("var.account_id == null ? 1 : 0"))])]
    found.append(Block("data", ("aws_route53_zone", "this"), [
        ("count", Raw("var.hosted_zone_id == null ? 1 : 0")), ("name", aws.settings.hosted_zone),
        ("private_zone", False)]))
    found.append(Block("data", ("aws_ec2_managed_prefix_list", "cloudfront"), [
        ("count", Raw("var.cloudfront_prefix_list_id == null ? 1 : 0")), ("name", CLOUDFRONT_PREFIX_LIST)]))
    return found


def _foundation(aws: AwsEnvironment) -> list[Block]:
    s = aws.settings
    rules = {f"{r.source}-to-{r.target}-{r.port}": {"target": r.target, "source": r.source, "port": r.port,
                                                     "description": r.description} for r in aws.ingress}
    tasks = [task_group(t.name, t.kind) for t in aws.tasks]
    return [
        _module("encryption", "encryption", name=aws.prefix, account_id=Raw("local.account_id"),
                **({"alerts": True} if aws.metrics_workspace else {})),
        _module("edge_encryption", "encryption", providers={"aws": Raw("aws.us_east_1")},
                name=f"{aws.prefix}-edge", account_id=Raw("local.account_id")),
        _module("network", "network", name=aws.prefix, cidr=s.vpc_cidr, zones=list(s.zones),
                nat_per_zone=s.production, kms_key_arn=Raw("module.encryption.key_arn"),
                log_retention_days=Raw("local.log_retention_days")),
        _module("firewall", "firewall", name=aws.prefix, vpc_id=Raw("module.network.vpc_id"),
                groups=dict(aws.groups), rules=rules, internet_egress=tasks,
                outside_egress={f"{e.group}-{e.port}": {"group": e.group, "port": e.port, "description": e.description}
                                for e in aws.outside_egress},
                load_balancer={"group": LOAD_BALANCER, "prefix_list_id": Raw("local.cloudfront_prefix_list_id")}),
    ]


def _secrets(aws: AwsEnvironment) -> Block:
    secrets = {s.name: {"name": s.secret_name, "origin": s.origin, "description": s.description}
               for s in aws.secrets}
    return _module("secrets", "secrets", secrets=secrets, kms_key_arn=Raw("module.encryption.key_arn"),
                   recovery_window_days=30 if aws.settings.production else 7)


def _repositories(aws: AwsEnvironment) -> Block:
    return Block("module", ("repository",), [
        ("for_each", dict(aws.repositories)), ("source", f"{MODULES}/ecr"), ("name", Raw("each.value")),
        ("kms_key_arn", Raw("module.encryption.key_arn"))])


def _databases(aws: AwsEnvironment) -> Block:
    production = aws.settings.production
    instances = {d.key: {"identifier": d.identifier, "database": d.database, "username": d.username,
                         "engine_version": d.engine_version, "instance_class": d.instance_class,
                         "storage_gb": d.storage_gb}
                 for d in aws.databases}
    return Block("module", ("database",), [
        ("for_each", instances), ("source", f"{MODULES}/postgres"),
        ("identifier", Raw("each.value.identifier")), ("database", Raw("each.value.database")),
        ("username", Raw("each.value.username")), ("engine_version", Raw("each.value.engine_version")),
        ("instance_class", Raw("each.value.instance_class")), ("storage_gb", Raw("each.value.storage_gb")),
        ("production", production),
        ("deletion_protection", Raw("var.deletion_protection")),
        ("backup_retention_days", catalog.RDS_BACKUP_RETENTION_DAYS[production]),
        ("subnet_ids", Raw("module.network.private_subnet_ids")),
        ("security_group_id", Raw('module.firewall.ids["database-${each.key}"]')),
        ("kms_key_arn", Raw("module.encryption.key_arn")),
    ])


def _volumes(aws: AwsEnvironment) -> Block:
    volumes = {v.name: {"file_system": v.file_system, "users": list(v.users)} for v in aws.volumes}
    assert all(volume_group(v.name) in aws.groups for v in aws.volumes)
    return Block("module", ("volume",), [
        ("for_each", volumes), ("source", f"{MODULES}/file_volume"), ("name", Raw("each.value.file_system")),
        ("users", Raw("each.value.users")), ("uid", SERVICE_UID),
        ("subnet_ids", Raw("module.network.private_subnet_ids")),
        ("security_group_id", Raw('module.firewall.ids["volume-${each.key}"]')),
        ("kms_key_arn", Raw("module.encryption.key_arn")),
    ])


def _config(aws: AwsEnvironment, region: str) -> Block:
    files: dict[str, Any] = {}
    for task in aws.tasks:
        for name in task.config_files:
            files[name] = Raw(f'file("${{path.module}}/{FILES}/{name}")')
    if "prometheus.yml" in files:
        remote_write = f"{{ url = module.metrics.remote_write_url, sigv4 = {{ region = {quote(region)} }} }}"
        files["prometheus.yml"] = Raw(
            f'yamlencode(merge(yamldecode(file("${{path.module}}/{FILES}/prometheus.yml")), '
            f"{{ remote_write = [{remote_write}] }}))")
    return _module("config", "config_bucket", name=Template((aws.config_bucket, Raw("local.account_id"))),
                   kms_key_arn=Raw("module.encryption.key_arn"), files=files)


def _edge(aws: AwsEnvironment) -> list[Block]:
    targets = {t.name: {"name": lb.target_group, "host": lb.host, "port": lb.port, "health_port": lb.health_port,
                        "health_path": lb.health_path}
               for t in aws.tasks if (lb := t.load_balancing)}
    aliases = [aws.domain] + ([aws.identity_domain] if aws.identity_domain else [])
    origin = Raw("data.aws_secretsmanager_secret_version.origin.secret_string")
    both = {"aws": Raw("aws"), Raw("aws.us_east_1"): Raw("aws.us_east_1")}
    return [
        Block("data", ("aws_secretsmanager_secret_version", "origin"), [
            ("secret_id", Raw(f"module.secrets.arns{key(ORIGIN_SECRET)}")),
            ("version_id", Raw(f"module.secrets.generated{key(ORIGIN_SECRET)}"))]),
        _module("certificates", "certificates", providers=both, domain=aws.domain, alternative_names=aliases[1:],
                zone_id=Raw("local.zone_id")),
        _module("load_balancer", "load_balancer", name=aws.load_balancer, vpc_id=Raw("module.network.vpc_id"),
                subnet_ids=Raw("module.network.public_subnet_ids"),
                security_group_id=Raw(f"module.firewall.ids{key(LOAD_BALANCER)}"),
                certificate_arn=Raw("module.certificates.regional_arn"), origin_secret=origin,
                origin_header=ORIGIN_HEADER, targets=targets, deletion_protection=Raw("var.deletion_protection"),
                log_retention_days=Raw("local.log_retention_days")),
        _module("edge", "edge", providers=both, name=aws.prefix, aliases=aliases, zone_id=Raw("local.zone_id"),
                certificate_arn=Raw("module.certificates.edge_arn"),
                origin_domain=Raw("module.load_balancer.dns_name"), origin_header=ORIGIN_HEADER,
                origin_secret=origin,
                rate_rules=[{"name": r.name, "path": r.path, "method": r.method, "limit": r.rate.limit,
                             "window": r.rate.window_s} for r in aws.rate_rules],
                kms_key_arn=Raw("module.edge_encryption.key_arn"), log_retention_days=Raw("local.log_retention_days")),
    ]
