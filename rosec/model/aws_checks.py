"""Semantic checks of the environments hosted on AWS: the `aws` block, the region's zones, the hosted zone, the
database sizes, and a Fargate task size for every service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.diagnostics import did_you_mean
from rosec.model.aws_catalog import DATABASE_CLASSES, REGION_ZONES, FargateSizeError, fargate_size
from rosec.model.service_build import build_resources
from rosec.spec.aws_models import AwsSpec, HostedZoneSpec
from rosec.spec.loader import PathKey
from rosec.spec.models import EnvironmentSpec, Resources

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext


def check_aws_environment(c: CheckContext, name: str, env: EnvironmentSpec) -> None:
    path: PathKey = ("environments", name)
    if env.hosting.value != "aws":
        if env.aws is not None:
            c.error((*path, "aws"), f"an aws block only applies to hosting aws, not {env.hosting.value}",
                    "remove `aws`, or set `hosting: aws`", at_key=True)
        return
    if env.region is not None and env.region not in REGION_ZONES:
        c.error((*path, "region"), f"unknown AWS region '{env.region}'",
                did_you_mean(env.region, REGION_ZONES, close_only=True) or
                "use a region rosec knows (rosec/model/aws_catalog.py), e.g. eu-west-1")
        return
    aws = env.aws
    if aws is not None and env.region is not None:
        _check_zones(c, path, env.region, aws.availability_zones)
        _check_hosted_zone(c, path, env.domain or c.spec.system.domain, aws.hosted_zone)
        _check_database_sizes(c, path, aws)
    _check_fargate_sizes(c, path, env)


def _check_zones(c: CheckContext, path: PathKey, region: str, count: int | None) -> None:
    available = len(REGION_ZONES[region])
    if count is not None and count > available:
        c.error((*path, "aws", "availability_zones"),
                f"{region} has {available} availability zones, not {count}",
                f"use at most {available}, or another region")


def _check_hosted_zone(c: CheckContext, path: PathKey, domain: str, zone: HostedZoneSpec | None) -> None:
    name = zone.name if zone else None
    if name is None or domain == name or domain.endswith("." + name):
        return
    parent = domain.split(".", 1)[1]
    c.error((*path, "aws", "hosted_zone", "name"), f"the domain {domain} is not in the hosted zone {name}",
            f"name the zone that holds {domain}, e.g. '{parent}' or '{domain}', or change the environment's domain")


def _check_database_sizes(c: CheckContext, path: PathKey, aws: AwsSpec) -> None:
    stores = c.spec.datastores
    for store, spec in aws.datastores.items():
        where = (*path, "aws", "datastores", store)
        if store not in stores:
            if c.unknown("datastore", "datastores"):
                c.error(where, f"unknown datastore '{store}'", did_you_mean(store, stores), at_key=True)
        elif stores[store].engine.value != "postgres":
            c.error(where, f"'{store}' is a volume (EFS): only postgres datastores have a database size",
                    f"remove `{store}` here", at_key=True)
        else:
            _check_size(c, (*where, "size"), spec.size)
    _check_size(c, (*path, "aws", "identity_database", "size"), aws.identity_database.size)


def _check_size(c: CheckContext, path: PathKey, size: str) -> None:
    if size not in DATABASE_CLASSES:
        c.error(path, f"database size '{size}' does not map to an RDS instance class",
                did_you_mean(size, DATABASE_CLASSES))


def _check_fargate_sizes(c: CheckContext, path: PathKey, env: EnvironmentSpec) -> None:
    """Every service's resources in this environment (its override, else its own) must fit a Fargate size."""
    for service_name, service in c.spec.services.items():
        override = env.services.get(service_name)
        if override is not None and override.resources is not None:
            resources, where = override.resources, (*path, "services", service_name, "resources")
        else:
            resources, where = service.resources, ("services", service_name, "resources")
        problem = _fargate_problem(resources)
        if problem:
            message, hint = problem
            c.error(where, f"{message}, in environment '{path[1]}' (hosting aws)", hint)


def _fargate_problem(resources: Resources) -> tuple[str, str] | None:
    r = build_resources(resources)
    try:
        fargate_size(r.cpu_millicores, r.memory_mib)
    except FargateSizeError as exc:
        return str(exc), exc.hint
    return None
