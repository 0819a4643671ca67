"""versions.tf, providers.tf, variables.tf and outputs.tf of an AWS root."""

from __future__ import annotations

from typing import Any

from rosec.emit.hcl import Block, Raw
from rosec.model.aws import SECRET_SUPPLIED, AwsEnvironment
from rosec.model.aws_catalog import EDGE_REGION
from rosec.model.system import System
from rosec.targets.terraform.tasks import module_name

TERRAFORM_VERSION = ">= 1.11"
AWS_PROVIDER = "5.100.0"


EDGE_ALIAS = "us_east_1"  # the provider of the CloudFront-scoped resources (EDGE_REGION)


def versions(aws: AwsEnvironment) -> list[Block]:
    s = aws.settings
    backend = Block("backend", ("s3",), [("bucket", s.state_bucket), ("key", s.state_key),
                                          ("region", s.state_region), ("encrypt", True), ("use_lockfile", True)])
    return [Block("terraform", (), [("required_version", TERRAFORM_VERSION), _required_providers(), backend])]


def module_versions(module_source: str) -> list[Block]:
    """versions.tf of a module: the root's pins, and the edge provider alias when the module's code uses it."""
    aliases = (EDGE_ALIAS,) if f"aws.{EDGE_ALIAS}" in module_source else ()
    return [Block("terraform", (), [("required_version", TERRAFORM_VERSION), _required_providers(aliases)])]


def _required_providers(aliases: tuple[str, ...] = ()) -> Block:
    aws: dict[str, Any] = {"source": "hashicorp/aws", "version": AWS_PROVIDER}
    if aliases:
        aws["configuration_aliases"] = [Raw(f"aws.{alias}") for alias in aliases]
    return Block("required_providers", (), [("aws", aws)])


def providers(system: System, aws: AwsEnvironment) -> list[Block]:
    tags = {"System": system.name, "Environment": aws.name, "ManagedBy": "rosec"}
    if system.owner:
        tags["Owner"] = system.owner

    def provider(region: str, alias: str | None) -> Block:
        body: list[Any] = [("alias", alias)] if alias else []
        body.append(("region", region))
        if aws.settings.account_id:
            body.append(("allowed_account_ids", [aws.settings.account_id]))
        body.append(Block("default_tags", (), [("tags", tags)]))
        return Block("provider", ("aws",), body)

    return [provider(aws.settings.region, None), provider(EDGE_REGION, EDGE_ALIAS)]


def _variable(name: str, type_: str, description: str, default: Any = ...) -> Block:
    body: list[Any] = [("description", description), ("type", Raw(type_))]
    if default is not ...:
        body.append(("default", default))
    return Block("variable", (name,), body)


def variables(aws: AwsEnvironment) -> list[Block]:
    s = aws.settings
    return [
        _variable("image_tag", "string", "Tag of the services' images to deploy (pushed to their ECR repositories)."),
        _variable("account_id", "string", "The AWS account; null: the credentials' account (STS).", s.account_id),
        _variable("deletion_protection", "bool", "Refuse to delete databases and the load balancer: set false and "
                  "apply before `terraform destroy`.", True),
        _variable("hosted_zone_id", "string", f"Id of the public hosted zone {s.hosted_zone}; null: look it up by "
                  "name.", s.hosted_zone_id),
        _variable("cloudfront_prefix_list_id", "string", "Id of the managed prefix list of CloudFront's "
                  "origin-facing addresses in this region; null: look it up.", None),
    ]


def outputs(system: System, aws: AwsEnvironment) -> list[Block]:
    found = [_output("url", f"https://{aws.domain}", "The system's public URL (CloudFront, then the gateway).")]
    if aws.identity_domain:
        found.append(_output("identity_url", f"https://{aws.identity_domain}", "The identity provider's URL."))
    found += [
        _output("repository_urls", Raw("{ for name, repository in module.repository : name => repository.url }"),
                "ECR repository URL of each service: push its image here, tagged with var.image_tag."),
        _output("cluster_name", Raw("module.cluster.name"), "The ECS cluster."),
        _output("service_names", {t.name: Raw(f"module.{module_name(t)}.service_name") for t in aws.tasks},
                "ECS service of each task."),
        _output("log_groups", {t.name: Raw(f"module.{module_name(t)}.log_group") for t in aws.tasks},
                "CloudWatch log group of each task."),
        _output("secrets_to_supply", [s.secret_name for s in aws.secrets if s.origin == SECRET_SUPPLIED],
                "Secrets whose values must be put into Secrets Manager before the services start."),
    ]
    if aws.databases:
        found.append(_output("database_addresses", Raw("{ for name, db in module.database : name => db.address }"),
                             "Host name of each RDS instance."))
    if aws.metrics_workspace:
        found.append(_output("metrics_query_url", Raw("module.metrics.query_url"),
                             "Prometheus query API of the metrics workspace (SigV4), e.g. for Grafana."))
    if any(t.load_balancing for t in aws.tasks):
        found.append(_output("distribution_id", Raw("module.edge.distribution_id"), "The CloudFront distribution."))
    return found


def _output(name: str, value: Any, description: str) -> Block:
    return Block("output", (name,), [("description", description), ("value", value)])
