"""The module block of each ECS task of an AWS root: a rose service, the gateway, the identity provider or the
metrics agent, with its variables, secrets, volumes, configuration files and load balancer target."""

from __future__ import annotations

from typing import Any

from rosec.emit.hcl import Block, Raw, Template
from rosec.model.aws import AwsEnvironment
from rosec.model.aws_firewall import task_group
from rosec.model.aws_tasks import CONFIG_IMAGE, METRICS, Ref, Task, TaskVar
from rosec.model.naming import python_identifier
from rosec.model.system import System

MODULES = "../modules"


def module_name(task: Task) -> str:
    """service_<name> for a rose service; gateway, identity, metrics_agent for the platform's tasks."""
    if task.kind == "service":
        return f"service_{python_identifier(task.name)}"
    return "metrics_agent" if task.kind == METRICS else task.kind


def key(name: str) -> str:
    """A map key in a reference: module.database["orders-db"]."""
    return '["' + name + '"]'


def reference(ref: Ref) -> str:
    if ref.kind == "database":
        return f"module.database{key(ref.name)}.{ref.attribute}"
    if ref.kind == "broker":
        return f"module.broker.{ref.attribute}"
    return f"module.secrets.arns{key(ref.name)}"


def _value(var: TaskVar) -> Any:
    if var.ref is None:
        return var.value
    return Template(tuple(p for p in (var.value, Raw(reference(var.ref)), var.after) if p != ""))


def _secret(ref: Ref) -> Any:
    """valueFrom of a task secret: a secret's ARN, or the password key of a database's RDS-managed secret."""
    if ref.kind == "database":
        return Template((Raw(f"module.database{key(ref.name)}.secret_arn"), ":password::"))
    return Raw(reference(ref))


def _secret_arns(task: Task) -> list[Raw]:
    arns = {(r.kind, r.name): Raw(f"module.database{key(r.name)}.secret_arn" if r.kind == "database"
                                  else reference(r)) for r in (s.ref for s in task.secrets)}
    return list(arns.values())


def task_module(system: System, aws: AwsEnvironment, task: Task) -> Block:
    body: list[Any] = [
        ("source", f"{MODULES}/ecs_service"),
        ("name", task.name),
        ("family", task.family),
        ("role_names", {"execution": task.execution_role, "task": task.task_role}),
        ("cluster", {"arn": Raw("module.cluster.arn"), "name": Raw("module.cluster.name")}),
        ("image", task.image or Template((Raw(f"module.repository{key(task.name)}.url"), ":",
                                          Raw("var.image_tag")))),
    ]
    if task.image is None:
        body.append(("repository_arn", Raw(f"module.repository{key(task.name)}.arn")))
    body += [("cpu", task.size.cpu), ("memory", task.size.memory), ("desired_count", task.desired_count)]
    if task.autoscaling:
        a = task.autoscaling
        body.append(("autoscaling", {"min": a.min, "max": a.max, "cpu_target": a.cpu_target}))
    body += [("user", task.user)]
    if task.entry_point:
        body.append(("entry_point", list(task.entry_point)))
    if task.command:
        body.append(("command", list(task.command)))
    body += [
        ("health_command", list(task.health_command)),
        ("ports", [{"name": p.name, "port": p.port, "discoverable": p.discoverable} for p in task.ports]),
        ("environment", {v.name: _value(v) for v in task.env}),
        ("secrets", {s.name: _secret(s.ref) for s in task.secrets}),
        ("secret_arns", _secret_arns(task)),
        ("kms_key_arn", Raw("module.encryption.key_arn")),
        ("log_group", task.log_group),
        ("log_retention_days", Raw("local.log_retention_days")),
        ("subnet_ids", Raw("module.network.private_subnet_ids")),
        ("security_group_id", Raw(f"module.firewall.ids{key(task_group(task.name, task.kind))}")),
        ("namespace_arn", Raw("module.cluster.namespace_arn")),
    ]
    if task.metrics_port:
        body.append(("discovery", {"namespace_id": Raw("module.cluster.discovery_namespace_id")}))
    body += [("read_only_root", task.read_only), ("writable_paths", list(task.writable))]
    if task.mounts:
        body.append(("volumes", {volume: _volume(volume, task.name, path) for volume, path in task.mounts}))
    if task.config_files:
        body.append(("config", _config(task)))
    if task.load_balancing:
        body.append(("load_balancer", {"target_group_arn": Raw(f"module.load_balancer.target_group_arns"
                                                               f"{key(task.name)}"),
                                       "port": task.load_balancing.port}))
    if task.kind == METRICS:
        body.append(("task_policy_json", Raw("module.metrics.writer_policy_json")))
    return Block("module", (module_name(task),), body)


def _volume(volume: str, user: str, path: str) -> dict[str, Any]:
    base = f"module.volume{key(volume)}"
    point = f"{base}.access_points{key(user)}"
    return {"file_system_id": Raw(f"{base}.id"), "file_system_arn": Raw(f"{base}.arn"),
            "access_point_id": Raw(f"{point}.id"), "access_point_arn": Raw(f"{point}.arn"), "path": path}


def _config(task: Task) -> dict[str, Any]:
    return {
        "bucket": Raw("module.config.name"),
        "bucket_arn": Raw("module.config.arn"),
        "files": list(task.config_files),
        "dir": task.config_dir,
        "image": CONFIG_IMAGE,
        "versions": {f: Raw(f"module.config.versions{key(f)}") for f in task.config_files},
    }
