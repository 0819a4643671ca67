"""The settings of an environment hosted on AWS, resolved from its `aws` block with every default applied.

Plain data on the Environment; rosec.model.aws derives the names of the AWS resources from it."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model.aws_catalog import default_zone_count, zone_names
from rosec.spec.aws_models import AwsSpec


@dataclass(frozen=True)
class AwsSettings:
    region: str
    account_id: str | None
    production: bool
    zones: tuple[str, ...]  # availability zone names, e.g. eu-west-1a
    vpc_cidr: str
    state_bucket: str
    state_key: str
    state_region: str
    hosted_zone: str  # name of the public hosted zone that holds the domain
    hosted_zone_id: str | None  # None: Terraform looks the zone up by name
    database_sizes: tuple[tuple[str, str], ...]  # (datastore, size) for every postgres datastore
    identity_database_size: str


def build_aws_settings(spec: AwsSpec | None, system: str, environment: str, region: str, domain: str,
                       postgres: tuple[str, ...]) -> AwsSettings:
    spec = spec or AwsSpec()
    count = spec.availability_zones or default_zone_count(region, spec.production)
    zone = spec.hosted_zone
    return AwsSettings(
        region=region,
        account_id=spec.account_id,
        production=spec.production,
        zones=zone_names(region, count),
        vpc_cidr=spec.vpc_cidr,
        state_bucket=spec.state.bucket or f"{system}-terraform-state",
        state_key=spec.state.key or f"{system}/{environment}/terraform.tfstate",
        state_region=spec.state.region or region,
        hosted_zone=zone.name if zone else domain,
        hosted_zone_id=zone.id if zone else None,
        database_sizes=tuple((store, spec.datastores[store].size if store in spec.datastores else "small")
                             for store in postgres),
        identity_database_size=spec.identity_database.size,
    )
