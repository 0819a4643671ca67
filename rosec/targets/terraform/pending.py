"""Stand-ins for the configuration builders of branches edge (Kong, Keycloak) and metrics (Prometheus), until
they land: the AWS root embeds what these return in its config bucket. Each is the smallest configuration that
gives the platform task a working start from the model as it is; re-point the three functions to
`rosec.targets.kong.kong_config`, `rosec.targets.keycloak.realm` and the metrics branch's scrape configuration
(with the AWS discovery names below) after merging.
"""

from __future__ import annotations

from typing import Any

from rosec.model.aws import AwsEnvironment, client_secret_names, realm_key_pair_names
from rosec.model.environments import Environment
from rosec.model.system import System

_SECONDS = {"second": "second", "minute": "minute", "hour": "hour", "day": "day"}


def kong_config(system: System, environment: Environment) -> dict[str, Any]:
    """Kong's declarative configuration: a service per exposed rose service (reached through Service Connect
    under its own host name), its route with the prefix stripped, and its rate limit per client IP."""
    services = []
    for s in system.services:
        if not s.gateway:
            continue
        entry: dict[str, Any] = {"name": s.name, "url": f"http://{s.host}:{s.port}",
                                 "routes": [{"name": s.name, "paths": [s.gateway.path], "strip_path": True}]}
        if s.gateway.rate_limit:
            limit = s.gateway.rate_limit
            entry["plugins"] = [{"name": "rate-limiting", "config": {
                _SECONDS[limit.unit]: limit.count, "limit_by": "ip", "policy": "local"}}]
        services.append(entry)
    return {"_format_version": "3.0", "services": services}


def realm(system: System, environment: Environment) -> dict[str, Any]:
    """The realm import: its roles and a confidential client per service whose secret Keycloak reads from the
    environment variable of the same name (`${VAR}` placeholders of the import)."""
    assert system.identity is not None
    secrets = dict((client, name) for name, client in client_secret_names(system))
    return {
        "realm": system.identity.realm,
        "enabled": True,
        "sslRequired": "external",
        "roles": {"realm": [{"name": role} for role in system.identity.roles]},
        "clients": [{"clientId": s.client_id, "enabled": True, "publicClient": False,
                     "serviceAccountsEnabled": True, "standardFlowEnabled": False,
                     "secret": "${" + secrets[s.client_id] + "}"} for s in system.services],
        "attributes": {"rosec.keyPairVariables": ",".join(realm_key_pair_names(system))},
    }


def prometheus_config(system: System, aws: AwsEnvironment) -> dict[str, Any]:
    """The metrics agent's scrape configuration: every task of every service, found through its A records in
    the private DNS namespace. Terraform adds remote_write (the Managed Prometheus workspace)."""
    jobs = [{
        "job_name": task.name,
        "metrics_path": "/metrics",
        "dns_sd_configs": [{"names": [f"{task.name}.{aws.discovery_namespace}"], "type": "A",
                            "port": task.ports[0].port}],
        "relabel_configs": [{"target_label": "service", "replacement": task.name}],
    } for task in aws.tasks if task.scraped]
    return {"global": {"scrape_interval": "30s", "external_labels": {"system": system.name,
                                                                     "environment": aws.name}},
            "scrape_configs": jobs}
