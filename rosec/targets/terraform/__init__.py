"""Terraform target: reusable modules under terraform/modules/ and one root per environment hosted on AWS under
terraform/<environment>/ (versions, providers, variables, main, outputs, the platform's configuration files and a
README with the order of commands).

The platform's files are what the other targets build, as they build it: the gateway's configuration (Kong
target), the realm (Keycloak target), the metrics agent's scrape configuration (Prometheus target, targets found
through the private DNS names of the AWS model), the rule files (Prometheus target) and the alert routing
(Alertmanager target) that Amazon Managed Service for Prometheus evaluates.

The modules are written once per kind of thing (rosec/resources/terraform/modules, copied with the header); the
roots are built as data from rosec.model.aws and written by rosec.emit.hcl, so that `terraform fmt` leaves them
unchanged.
"""

from __future__ import annotations

from importlib import resources

from rosec.emit.hcl import Block, dumps
from rosec.emit.serialize import text, to_yaml
from rosec.emit.templates import code_environment
from rosec.model import identity
from rosec.model.aws import AwsEnvironment, aws_environment
from rosec.model.aws_catalog import BROKER
from rosec.model.environments import Environment
from rosec.model.system import Layout, System
from rosec.targets.alertmanager import alert_routing
from rosec.targets.keycloak import realm_file
from rosec.targets.kong import kong_file
from rosec.targets.prometheus import agent_config, rule_files
from rosec.targets.terraform import files
from rosec.targets.terraform.files import AWS_PROVIDER
from rosec.targets.terraform.root import ALERT_ROUTING, FILES, main_blocks, rule_group

_README = code_environment("templates/terraform", {})
KEY_PAIR = (identity.SIGNING_PRIVATE_KEY_ENV, identity.SIGNING_PUBLIC_KEY_ENV)


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.terraform_dir}/",)


def render(system: System) -> dict[str, bytes]:
    environments = [e for e in system.environments if e.aws is not None]
    if not environments:
        return {}
    out = _modules(system)
    for environment in environments:
        out |= _root(system, environment)
    return out


def _modules(system: System) -> dict[str, bytes]:
    found = {}
    root = resources.files("rosec.resources") / "terraform" / "modules"
    for module in sorted(root.iterdir(), key=lambda p: p.name):
        base = f"{system.layout.terraform_dir}/modules/{module.name}"
        code = ""
        for source in sorted(module.iterdir(), key=lambda p: p.name):
            if source.name.endswith(".tf"):
                code += source.read_text("utf-8")
                found[f"{base}/{source.name}"] = (system.header() + source.read_text("utf-8")).encode("utf-8")
        found[f"{base}/versions.tf"] = _tf(system, files.module_versions(code))  # the root's pins, written once
    return found


def _tf(system: System, blocks: list[Block]) -> bytes:
    return dumps(blocks, system.header()).encode("utf-8")


def _root(system: System, environment: Environment) -> dict[str, bytes]:
    aws = aws_environment(system, environment)
    base = f"{system.layout.terraform_dir}/{environment.name}"
    found = {
        f"{base}/versions.tf": _tf(system, files.versions(aws)),
        f"{base}/providers.tf": _tf(system, files.providers(system, aws)),
        f"{base}/variables.tf": _tf(system, files.variables(aws)),
        f"{base}/main.tf": _tf(system, main_blocks(system, aws, environment.log_retention_days)),
        f"{base}/outputs.tf": _tf(system, files.outputs(system, aws)),
        f"{base}/README.md": _readme(system, environment, aws),
    }
    return found | {f"{base}/{FILES}/{name}": content for name, content in platform_files(system, environment).items()}


def platform_files(system: System, environment: Environment) -> dict[str, bytes]:
    """The files of the root's files/ directory, by name: what the gateway, the identity provider and the metrics
    agent read (copied to the config bucket), the rules and the alert routing of the metrics workspace."""
    aws, header = aws_environment(system, environment), system.header()
    found = {}
    if system.has_gateway:
        found["kong.yaml"] = kong_file(system, environment)
    if system.identity:
        found["realm.json"] = realm_file(system, environment)
    if aws.metrics_workspace:
        found["prometheus.yml"] = to_yaml(agent_config(system, environment, dict(aws.scrape_names)), header)
        found |= {rule_group(path): content for path, content in rule_files(system).items()}
        found[ALERT_ROUTING] = to_yaml(alert_routing(system), header)
    return found


def _readme(system: System, environment: Environment, aws: AwsEnvironment) -> bytes:
    s = aws.settings
    kinds = {t.kind for t in aws.tasks}
    return text(_README.get_template("README.md.jinja").render(
        header=system.header("").strip(), system=system.name, env=environment.name, region=s.region,
        production=s.production, provider=AWS_PROVIDER, bucket=s.state_bucket, state_region=s.state_region,
        key=s.state_key, zone=s.hosted_zone, zone_id=s.hosted_zone_id,
        aliases=[aws.domain] + ([aws.identity_domain] if aws.identity_domain else []),
        account=s.account_id or "(the credentials' account)", account_id=s.account_id,
        supplied=[x.secret_name for x in aws.secrets if x.origin == "supplied"],
        key_pair=[x.secret_name for x in aws.secrets if x.name in KEY_PAIR],
        realm=system.identity.realm if system.identity else "", gateway="gateway" in kinds,
        identity=aws.identity_domain, broker=" / ".join(BROKER[s.production]) if aws.broker else "",
        log_prefix=aws.log_group_prefix, retention=environment.log_retention_days, metrics="metrics" in kinds,
        rate_rules=aws.rate_rules, gateway_nodes=environment.gateway.replicas, vpc_cidr=s.vpc_cidr,
        namespace=aws.discovery_namespace, dashboards=system.layout.grafana_dashboards_dir,
        alarms=sorted({a.alert for a in aws.alarms}), alarm_count=len(aws.alarms)))
