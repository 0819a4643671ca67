"""Running the real Terraform over generated roots: the CLI configuration for the local provider mirror, the
test-only overrides (offline plan, moto), a moto server, and the generated tree in a scratch directory."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rosec.model.system import System
from rosec.targets import terraform

PROVIDER = "registry.terraform.io/hashicorp/aws"
MIRROR_CANDIDATES = ("/opt/tf-plugins",)
INSTALL_HINT = ("Terraform 1.11 must be on the PATH and the AWS provider 5.100.0 in a filesystem mirror "
                "(<mirror>/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64); set ROSEC_TF_MIRROR to the "
                "mirror directory if it is not /opt/tf-plugins. Neither can be downloaded here: see scripts/setup.sh.")
ACCESS = {"access_key": "test", "secret_key": "test"}
SKIPS = ("skip_credentials_validation", "skip_metadata_api_check", "skip_region_validation")
# Every AWS API the roots call, pointed at moto.
MOTO_SERVICES = ("acm", "amp", "appautoscaling", "cloudfront", "cloudwatch", "ec2", "ecr", "ecs", "efs", "elbv2",
                 "iam", "kms", "logs", "mq", "rds", "route53", "s3", "secretsmanager", "servicediscovery", "sns",
                 "sts", "wafv2")


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if found is None:
        pytest.fail(f"terraform is not on the PATH. {INSTALL_HINT}")
    return found


def mirror() -> Path:
    for candidate in (os.environ.get("ROSEC_TF_MIRROR"), *MIRROR_CANDIDATES):
        if candidate and (Path(candidate) / PROVIDER).is_dir():
            return Path(candidate)
    pytest.fail(f"the AWS provider mirror is missing. {INSTALL_HINT}")


def cli_config(directory: Path) -> dict[str, str]:
    """The environment of every terraform command: a CLI config that installs the AWS provider from the mirror
    only (nothing from the registry), no telemetry, no color, no prompts."""
    config = directory / "terraform.rc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror()}"\n    include = ["{PROVIDER}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER}"]\n  }}\n'
        "}\n", "utf-8")
    return {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0"}


def run(env: dict[str, str], cwd: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """A terraform command that must succeed; on failure the test fails with its output."""
    result = subprocess.run([terraform_binary(), *args, "-no-color"], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"terraform {' '.join(args)} failed in {cwd}:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return result


def write_tree(system: System, directory: Path) -> Path:
    """The system's generated terraform/ directory, written under `directory`."""
    for path, content in terraform.render(system).items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return directory / system.layout.terraform_dir


def _provider(alias: str | None, settings: list[str]) -> str:
    lines = ['provider "aws" {'] + ([f'  alias = "{alias}"'] if alias else []) + [f"  {s}" for s in settings]
    return "\n".join([*lines, "}"])


def _providers(settings: list[str]) -> str:
    return _provider(None, settings) + "\n\n" + _provider("us_east_1", settings) + "\n"


def _local_backend(path: str) -> str:
    return f'\nterraform {{\n  backend "local" {{\n    path = "{path}"\n  }}\n}}\n'


def write_offline_override(root: Path) -> None:
    """Dummy keys and every skip_* setting: plan runs without AWS. The account guard is lifted (no account is
    asked for), and the state is local."""
    settings = [f'{k} = "{v}"' for k, v in ACCESS.items()] + [f"{s} = true" for s in SKIPS]
    settings += ["skip_requesting_account_id = true", "allowed_account_ids = null"]
    (root / "offline_override.tf").write_text(_providers(settings) + _local_backend("offline.tfstate"), "utf-8")


# What moto (5.2) does not implement, or does not give back, left out of the moto apply by test-only overrides in
# the module directories, with the reason. Everything else of the root is applied.
MOTO_LEFT_OUT: dict[str, tuple[str, str, str]] = {
    "efs policies": ("file_volume", 'resource "aws_efs_backup_policy" "this" {\n  count = 0\n}\n\n'
                     'resource "aws_efs_file_system_policy" "this" {\n  count = 0\n}\n',
                     "moto does not implement EFS PutBackupPolicy, nor DeleteFileSystemPolicy (destroy)"),
    "autoscaling": ("ecs_service", 'resource "aws_appautoscaling_target" "this" {\n  count = 0\n}\n\n'
                    'resource "aws_appautoscaling_policy" "cpu" {\n  count = 0\n}\n',
                    "moto does not implement Application Auto Scaling ListTagsForResource, which the provider "
                    "calls after creating a scalable target"),
    "response headers policy": ("edge", 'resource "aws_cloudfront_response_headers_policy" "this" {\n  count = 0\n'
                                "}\n\nresource \"aws_cloudfront_distribution\" \"this\" {\n  default_cache_behavior "
                                '{\n    target_origin_id         = "load-balancer"\n    viewer_protocol_policy   = '
                                '"redirect-to-https"\n    allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", '
                                '"POST", "PATCH", "DELETE"]\n    cached_methods           = ["GET", "HEAD"]\n    '
                                "cache_policy_id          = local.caching_disabled\n    origin_request_policy_id = "
                                "local.all_viewer\n  }\n}\n",
                                "moto does not implement CloudFront response headers policies; the distribution is "
                                "applied without one"),
    "workspace key": ("metrics", 'resource "aws_prometheus_workspace" "this" {\n  kms_key_arn = null\n}\n',
                      "moto does not return a Managed Prometheus workspace's KMS key, which would force a "
                      "replacement on every plan"),
    "alert manager definition": ("metrics", 'resource "aws_prometheus_alert_manager_definition" "this" {\n'
                                 "  count = 0\n}\n",
                                 "moto does not implement Managed Prometheus alert manager definitions"),
    "config bucket policy": ("config_bucket", 'resource "aws_s3_bucket_policy" "this" {\n  count = 0\n}\n',
                             "moto evaluates the policy's aws:SecureTransport condition without the request's "
                             "transport and so denies every object upload"),
}


def write_moto_overrides(tree: Path, environment: str, endpoint: str) -> None:
    settings = [f'{k} = "{v}"' for k, v in ACCESS.items()] + [f"{s} = true" for s in SKIPS]
    settings += ["s3_use_path_style = true", "endpoints {"]
    settings += [f'  {service} = "{endpoint}"' for service in MOTO_SERVICES] + ["}"]
    root = tree / environment
    (root / "moto_override.tf").write_text(_providers(settings) + _local_backend("moto.tfstate"), "utf-8")
    overrides: dict[str, list[str]] = {}
    for module, override, _ in MOTO_LEFT_OUT.values():
        overrides.setdefault(module, []).append(override)
    for module, texts in overrides.items():
        (tree / "modules" / module / "moto_override.tf").write_text("\n".join(texts), "utf-8")


def routed_receiver(route: dict[str, Any], labels: dict[str, str]) -> str:
    """The receiver Alertmanager's routing tree (alertmanager.yml's `route`) sends an alert with these labels to:
    the first child route whose matchers all match, recursively, else the route's own receiver."""
    for child in route.get("routes", []):
        matchers = dict(m.split("=", 1) for m in child["matchers"])
        if all(labels.get(label, "") == json.loads(value) for label, value in matchers.items()):
            return routed_receiver({"receiver": route["receiver"]} | child, labels)
    return str(route["receiver"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def moto_server(log: Path) -> Iterator[str]:
    """moto's server (moto_main.py) on a free loopback port: certificates validate at once, AWS managed policies
    are loaded."""
    try:
        import moto.server  # noqa: F401 - only to fail with the install hint
    except ImportError:
        pytest.fail("moto[server] is missing: install the dev extra (`pip install -e '.[dev]'`)")
    port = free_port()
    env = {**os.environ, "MOTO_ACM_VALIDATION_WAIT": "0", "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("moto_main.py")), "-H", "127.0.0.1",
                                    "-p", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"moto_server did not listen on port {port}: {log.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
