"""prometheus.yml of an environment: scrape jobs from the model, the rule files, the Alertmanager; and the
configuration of a metrics agent (Prometheus in agent mode: scrape and remote-write only) that finds its targets
through DNS, for the AWS environments (rules and alerts live in Amazon Managed Service for Prometheus there).

Kept to what both Prometheus 2.42 (Debian, the tests) and the 3.x release compose pins accept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rosec.model.environments import Environment
from rosec.model.scrape import ScrapeJob, ScrapeTarget, alertmanager_address, scrape_jobs
from rosec.model.system import System

RULE_FILES = "rules/*.yml"  # relative to prometheus.yml
SCRAPE_INTERVAL = "15s"


def prometheus_config(system: System, environment: Environment, addresses: Mapping[str, str] | None = None,
                      interval: str = SCRAPE_INTERVAL) -> dict[str, Any]:
    """The configuration of the Prometheus of `environment`; `addresses` replaces targets' host:port by name
    (the scrape targets' `service` label, or "alertmanager")."""
    return {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "external_labels": {"system": system.name, "environment": environment.name},
        },
        "rule_files": [RULE_FILES],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager_address(addresses)]}]}]},
        "scrape_configs": [_job(system, environment, job) for job in scrape_jobs(system, environment, addresses)],
    }


def agent_config(system: System, environment: Environment, discovery: Mapping[str, str],
                 interval: str = SCRAPE_INTERVAL) -> dict[str, Any]:
    """The configuration of the metrics agent of `environment` (no rules, no alerting: agent mode refuses them),
    whose targets are the DNS names of `discovery` by target name (rosec.model.scrape); the deployment adds
    remote_write."""
    jobs = scrape_jobs(system, environment, discovery=discovery)
    return {"global": _global(system, environment, interval),
            "scrape_configs": [_job(system, environment, job) for job in jobs]}


def _global(system: System, environment: Environment, interval: str) -> dict[str, Any]:
    return {"scrape_interval": interval,
            "external_labels": {"system": system.name, "environment": environment.name}}


def _job(system: System, environment: Environment, job: ScrapeJob) -> dict[str, Any]:
    config: dict[str, Any] = {"job_name": job.name}
    if job.honor_labels:
        config["honor_labels"] = True
    if job.metrics_path != "/metrics":
        config["metrics_path"] = job.metrics_path
    if job.params:
        config["params"] = {name: list(values) for name, values in job.params}
    fixed = [t for t in job.targets if not t.discovered]
    if fixed:
        config["static_configs"] = [{"targets": [t.address], "labels": _labels(system, environment, t)}
                                    for t in fixed]
    found = [t for t in job.targets if t.discovered]
    if found:
        config |= _discovered(system, environment, found)
    return config


def _labels(system: System, environment: Environment, target: ScrapeTarget) -> dict[str, str]:
    return {"system": system.name, "environment": environment.name, "service": target.name,
            **dict(target.labels)}


def _discovered(system: System, environment: Environment, targets: list[ScrapeTarget]) -> dict[str, Any]:
    """DNS service discovery of `targets` (A records: one target per task), and relabelling that gives each the
    labels a static target carries: `system` and `environment`, and by the name it was found under
    (__meta_dns_name) its `service` and own labels."""
    configs = []
    relabel: list[dict[str, Any]] = [{"target_label": "system", "replacement": system.name},
                                     {"target_label": "environment", "replacement": environment.name}]
    for target in targets:
        name, port = target.address.rsplit(":", 1)
        configs.append({"names": [name], "type": "A", "port": int(port)})
        for label, value in (("service", target.name), *target.labels):
            relabel.append({"source_labels": ["__meta_dns_name"], "regex": re.escape(name),
                            "target_label": label, "replacement": value})
    return {"dns_sd_configs": configs, "relabel_configs": relabel}
