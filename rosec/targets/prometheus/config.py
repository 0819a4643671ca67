"""prometheus.yml of an environment: scrape jobs from the model, the rule files, the Alertmanager.

Kept to what both Prometheus 2.42 (Debian, the tests) and the 3.x release compose pins accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rosec.model.environments import Environment
from rosec.model.scrape import ScrapeJob, alertmanager_address, scrape_jobs
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


def _job(system: System, environment: Environment, job: ScrapeJob) -> dict[str, Any]:
    config: dict[str, Any] = {"job_name": job.name}
    if job.honor_labels:
        config["honor_labels"] = True
    if job.metrics_path != "/metrics":
        config["metrics_path"] = job.metrics_path
    if job.params:
        config["params"] = {name: list(values) for name, values in job.params}
    config["static_configs"] = [{
        "targets": [target.address],
        "labels": {"system": system.name, "environment": environment.name, "service": target.name,
                   **dict(target.labels)},
    } for target in job.targets]
    return config
