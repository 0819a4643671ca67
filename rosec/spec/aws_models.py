"""The `aws` block of an environment hosted on AWS: account, state, network, DNS and database sizes.

Everything here is optional: the defaults give a production-grade environment (three availability zones where
the region has them, multi-AZ databases; deletion protection in every environment). The resolver checks what a
schema cannot: the region's zones, the hosted zone around the domain, the database sizes (rosec.model.aws_checks).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rosec.spec import names
from rosec.spec.base import DatastoreName, Spec

DatabaseSize = Annotated[str, Field(pattern=names.DB_SIZE, description=(
    "A database size: micro, small, medium, large, xlarge, 2xlarge, 4xlarge or 8xlarge (an RDS instance class)."))]


class StateSpec(Spec):
    bucket: Annotated[str, Field(pattern=names.S3_BUCKET, min_length=3, max_length=63)] | None = None
    """S3 bucket of the Terraform state (it must exist before `terraform init`). Default:
    <system>-terraform-state."""
    key: Annotated[str, Field(pattern=names.S3_KEY, max_length=1024)] | None = None
    """Object key of this environment's state in the bucket. Default: <system>/<environment>/terraform.tfstate."""
    region: Annotated[str, Field(pattern=names.AWS_REGION)] | None = None
    """Region of the state bucket. Default: the environment's region."""


class HostedZoneSpec(Spec):
    name: Annotated[str, Field(pattern=names.DOMAIN)]
    """The Route 53 public hosted zone that holds the environment's domain, e.g. example.com (it must exist)."""
    id: Annotated[str, Field(pattern=names.HOSTED_ZONE_ID)] | None = None
    """The zone's id (Z...); without it, Terraform looks the zone up by name."""


class DatabaseSpec(Spec):
    size: DatabaseSize = "small"
    """Instance class of the database: micro, small and medium are burstable (db.t4g.*), large and above general
    purpose (db.m7g.*)."""


class AwsSpec(Spec):
    account_id: Annotated[str, Field(pattern=names.AWS_ACCOUNT_ID)] | None = None
    """The AWS account (12 digits) the environment lives in: Terraform refuses to apply in any other account."""
    production: bool = True
    """Production: multi-AZ databases, a three-node broker across zones, final snapshots, longer backups, a NAT
    gateway per zone. Set false for a staging or test environment to save cost (deletion protection stays on)."""
    availability_zones: Annotated[int, Field(ge=2, le=6)] | None = None
    """How many availability zones the network spans. Default: 3 in production (2 otherwise), or the region's
    count when it has fewer."""
    vpc_cidr: Annotated[str, Field(pattern=names.VPC_CIDR)] = "10.0.0.0/16"
    """Address range of the environment's VPC, /16 to /20; each zone gets a public and a private subnet of 1/16
    of it."""
    state: StateSpec = StateSpec()
    """Where Terraform keeps the environment's state (S3 backend with a lock file)."""
    hosted_zone: HostedZoneSpec | None = None
    """The existing public hosted zone of the domain. Default: a zone named like the environment's domain."""
    datastores: dict[DatastoreName, DatabaseSpec] = {}
    """Size of each postgres datastore's RDS instance in this environment. Default: small."""
    identity_database: DatabaseSpec = DatabaseSpec()
    """Size of the identity provider's (Keycloak's) own RDS instance."""
