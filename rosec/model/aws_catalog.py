"""What AWS offers, as rosec relies on it: regions and their availability zones, Fargate task sizes, RDS instance
classes, Amazon MQ broker sizes and WAF rate-limit windows. Pure data and the mappings onto it."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Availability zone letters of each commercial and GovCloud region, as new accounts see them (us-west-1's names
# differ between accounts: older ones see a and c). Kept as letters because the set is not always a..n
# (ap-northeast-1 has no b). Sources: the AWS Regions and Availability Zones documentation.
REGION_ZONES: dict[str, str] = {
    "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "bc", "us-west-2": "abcd",
    "ca-central-1": "abd", "ca-west-1": "abc", "mx-central-1": "abc", "sa-east-1": "abc",
    "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc", "eu-central-1": "abc", "eu-central-2": "abc",
    "eu-north-1": "abc", "eu-south-1": "abc", "eu-south-2": "abc",
    "ap-northeast-1": "acd", "ap-northeast-2": "abcd", "ap-northeast-3": "abc", "ap-east-1": "abc",
    "ap-east-2": "abc", "ap-south-1": "abc", "ap-south-2": "abc", "ap-southeast-1": "abc", "ap-southeast-2": "abc",
    "ap-southeast-3": "abc", "ap-southeast-4": "abc", "ap-southeast-5": "abc", "ap-southeast-7": "abc",
    "af-south-1": "abc", "il-central-1": "abc", "me-central-1": "abc", "me-south-1": "abc",
    "us-gov-east-1": "abc", "us-gov-west-1": "abc",
}
PRODUCTION_ZONES = 3
STAGING_ZONES = 2

# CloudFront's certificates and WAF web ACLs of the CLOUDFRONT scope live in us-east-1, whatever the region.
EDGE_REGION = "us-east-1"


def default_zone_count(region: str, production: bool) -> int:
    wanted = PRODUCTION_ZONES if production else STAGING_ZONES
    return min(wanted, len(REGION_ZONES.get(region, "abc")))


def zone_names(region: str, count: int) -> tuple[str, ...]:
    return tuple(f"{region}{letter}" for letter in REGION_ZONES[region][:count])


# Fargate task sizes: CPU units -> the memory sizes (MiB) it may have.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


@dataclass(frozen=True)
class FargateSize:
    cpu: int  # CPU units (1024 = 1 vCPU)
    memory: int  # MiB


class FargateSizeError(ValueError):
    """The requested CPU and memory fit no Fargate task size; the message says why, `hint` what would."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def fargate_size(millicores: int, memory_mib: int) -> FargateSize:
    """The smallest Fargate size with at least the requested CPU, and at least the requested memory among the
    sizes of that CPU. More memory than that CPU allows is an error, not a silent jump to a larger CPU."""
    units = math.ceil(millicores * 1024 / 1000)
    cpu = next((c for c in FARGATE_MEMORY if c >= units), None)
    if cpu is None:
        raise FargateSizeError(f"{millicores}m CPU is more than Fargate's largest task ({max(FARGATE_MEMORY) // 1024} "
                            "vCPU)", "request at most 16 vCPU (cpu: \"16\")")
    memory = next((m for m in FARGATE_MEMORY[cpu] if m >= memory_mib), None)
    if memory is None:
        larger = next((c for c in FARGATE_MEMORY if c > cpu and FARGATE_MEMORY[c][-1] >= memory_mib), None)
        allowed = f"{_gib(FARGATE_MEMORY[cpu][0])} to {_gib(FARGATE_MEMORY[cpu][-1])}"
        hint = (f"raise cpu to {_vcpu(larger)} (the smallest Fargate CPU with {_gib(memory_mib)}), or lower memory"
                if larger else "lower memory: Fargate's largest task has 120 GiB")
        raise FargateSizeError(f"no Fargate task size has {_vcpu(cpu)} vCPU and {_gib(memory_mib)} of memory "
                            f"({_vcpu(cpu)} vCPU allows {allowed})", hint)
    return FargateSize(cpu, memory)


def _vcpu(units: int | None) -> str:
    return format((units or 0) / 1024, "g")


def _gib(mib: int) -> str:
    return f"{format(mib / 1024, 'g')} GiB"


# Database sizes of the language -> RDS instance classes (burstable up to medium, general purpose above).
DATABASE_CLASSES: dict[str, str] = {
    "micro": "db.t4g.micro", "small": "db.t4g.small", "medium": "db.t4g.medium", "large": "db.m7g.large",
    "xlarge": "db.m7g.xlarge", "2xlarge": "db.m7g.2xlarge", "4xlarge": "db.m7g.4xlarge", "8xlarge": "db.m7g.8xlarge",
}
RDS_MIN_STORAGE_GB = 20  # gp3's minimum
RDS_BACKUP_RETENTION_DAYS = {True: 14, False: 3}  # production or not

# Amazon MQ for RabbitMQ: a three-node cluster across zones in production, one small broker otherwise.
BROKER_ENGINE_VERSION = "3.13"
BROKER_PORT = 5671  # AMQP over TLS: Amazon MQ's only AMQP listener
BROKER = {True: ("mq.m5.large", "CLUSTER_MULTI_AZ"), False: ("mq.t3.micro", "SINGLE_INSTANCE")}

# AWS WAF rate-based rules count requests per IP over one of these windows (seconds); the limit is at least 10.
WAF_WINDOWS = (60, 120, 300, 600)
WAF_MIN_LIMIT = 10
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class WafRate:
    limit: int
    window_s: int
    exact: bool  # whether the WAF rule allows exactly the spec's rate (else: the nearest it can express)


def waf_rate(count: int, unit: str) -> WafRate:
    """A rate of the spec as a WAF rate-based limit: per minute exactly (60 s window); per second scaled up to the
    60 s window (bursts within a minute pass); per hour and day scaled down to the longest window, 600 s, rounded
    up and at least WAF_MIN_LIMIT (so a client may spend its hour's budget faster, never less)."""
    seconds = UNIT_SECONDS[unit]
    window = min((w for w in WAF_WINDOWS if w >= seconds), default=WAF_WINDOWS[-1])
    scaled = count * window / seconds
    limit = max(math.ceil(scaled), WAF_MIN_LIMIT)
    return WafRate(limit, window, exact=limit == scaled and window == seconds)
