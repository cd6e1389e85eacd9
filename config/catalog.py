"""What AWS offers, as data: regions and partitions, AZ-id prefixes, CloudFront VPC-origin regions,
RDS for PostgreSQL versions and instance classes, ElastiCache node types and EC2 instance types.

Every table names the AWS page it was read from and when. The `*_problem` functions return None for
a value AWS accepts, or one sentence saying what is wrong and what is allowed; they never echo more
than 60 characters of the input (config/text.py quotes them).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from config.text import MAX_QUOTED, quote, words

# ---------------------------------------------------------------------------------------------------
# Regions and partitions
# ---------------------------------------------------------------------------------------------------

# AWS page "AWS Regions" (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html),
# as of 2026-11-26: "There are currently 34 Regions." Value: where the region is (the official name is
# "<area> (<location>)", e.g. "Europe (Ireland)").
# fmt: off
COMMERCIAL_REGIONS: dict[str, str] = {
    "us-east-1": "N. Virginia",
    "us-east-2": "Ohio",
    "us-west-1": "N. California",
    "us-west-2": "Oregon",
    "af-south-1": "Cape Town",
    "ap-east-1": "Hong Kong",
    "ap-east-2": "Taipei",
    "ap-northeast-1": "Tokyo",
    "ap-northeast-2": "Seoul",
    "ap-northeast-3": "Osaka",
    "ap-south-1": "Mumbai",
    "ap-south-2": "Hyderabad",
    "ap-southeast-1": "Singapore",
    "ap-southeast-2": "Sydney",
    "ap-southeast-3": "Jakarta",
    "ap-southeast-4": "Melbourne",
    "ap-southeast-5": "Malaysia",
    "ap-southeast-6": "New Zealand",
    "ap-southeast-7": "Thailand",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Calgary",
    "eu-central-1": "Frankfurt",
    "eu-central-2": "Zurich",
    "eu-north-1": "Stockholm",
    "eu-south-1": "Milan",
    "eu-south-2": "Spain",
    "eu-west-1": "Ireland",
    "eu-west-2": "London",
    "eu-west-3": "Paris",
    "il-central-1": "Tel Aviv",
    "me-central-1": "UAE",
    "me-south-1": "Bahrain",
    "mx-central-1": "Mexico",
    "sa-east-1": "São Paulo",
}
# fmt: on

# Regions the AWS SDK already lists (botocore 1.44.8 data/partitions.json, released 2026-11-20) that no AWS
# documentation page confirmed as of 2026-11-26. Not accepted: move one into COMMERCIAL_REGIONS and
# ZONE_ID_PREFIX once the "AWS Regions" page lists it.
UNCONFIRMED_REGIONS: dict[str, str] = {
    "me-west-1": "Middle East (Saudi Arabia)",
    "sa-west-1": "South America (Chile)",
}


@dataclass(frozen=True)
class Partition:
    """An AWS partition other than `aws`: its own accounts, IAM, endpoints and ARN prefix."""

    name: str
    title: str
    region_prefix: str
    regions: tuple[str, ...]


# GovCloud: "Amazon Resource Names (ARNs) in GovCloud (US) Regions" (AWS GovCloud (US) User Guide); China:
# "AWS Regions" (an AWS (China) account has the Beijing and Ningxia Regions only). Partition names, region
# prefixes and the ISO and European Sovereign Cloud regions: the AWS SDK's partition data (botocore 1.44.8
# data/partitions.json, regionRegex per partition), as of 2026-11-26; the European Sovereign Cloud
# (aws-eusc, eusc-de-east-1, Brandenburg) opened in January 2026.
# fmt: off
OTHER_PARTITIONS: dict[str, Partition] = {
    "aws-us-gov": Partition("aws-us-gov", "AWS GovCloud (US)", "us-gov-", ("us-gov-east-1", "us-gov-west-1")),
    "aws-cn": Partition("aws-cn", "AWS China", "cn-", ("cn-north-1", "cn-northwest-1")),
    "aws-eusc": Partition("aws-eusc", "the AWS European Sovereign Cloud", "eusc-", ("eusc-de-east-1",)),
    "aws-iso": Partition("aws-iso", "AWS ISO (US)", "us-iso-", ("us-iso-east-1", "us-iso-west-1")),
    "aws-iso-b": Partition("aws-iso-b", "AWS ISOB (US)", "us-isob-", ("us-isob-east-1", "us-isob-west-1")),
    "aws-iso-e": Partition("aws-iso-e", "AWS ISOE (Europe)", "eu-isoe-", ("eu-isoe-west-1",)),
    "aws-iso-f": Partition("aws-iso-f", "AWS ISOF (US)", "us-isof-", ("us-isof-east-1", "us-isof-south-1")),
}
# fmt: on

# AWS page "AWS Availability Zones" (global-infrastructure/latest/regions/aws-availability-zones.html), as of
# 2026-11-26: every AZ ID of each region, e.g. euw1-az1. The page now says only "a Region-specific prefix";
# its older wording ("the first three letters of the Region code, followed by the number") is wrong for
# ap-northeast-1 (apne1) and ap-southeast-1 (apse1). The rule that holds for all 34 regions, with no
# exception: the area code, then the initials of the direction word (north-east -> ne, central -> c), then
# the number: ap-northeast-1 -> apne1, ca-central-1 -> cac1, mx-central-1 -> mxc1.
# fmt: off
ZONE_ID_PREFIX: dict[str, str] = {
    "us-east-1": "use1", "us-east-2": "use2", "us-west-1": "usw1", "us-west-2": "usw2",
    "af-south-1": "afs1",
    "ap-east-1": "ape1", "ap-east-2": "ape2",
    "ap-northeast-1": "apne1", "ap-northeast-2": "apne2", "ap-northeast-3": "apne3",
    "ap-south-1": "aps1", "ap-south-2": "aps2",
    "ap-southeast-1": "apse1", "ap-southeast-2": "apse2", "ap-southeast-3": "apse3", "ap-southeast-4": "apse4",
    "ap-southeast-5": "apse5", "ap-southeast-6": "apse6", "ap-southeast-7": "apse7",
    "ca-central-1": "cac1", "ca-west-1": "caw1",
    "eu-central-1": "euc1", "eu-central-2": "euc2", "eu-north-1": "eun1",
    "eu-south-1": "eus1", "eu-south-2": "eus2",
    "eu-west-1": "euw1", "eu-west-2": "euw2", "eu-west-3": "euw3",
    "il-central-1": "ilc1", "me-central-1": "mec1", "me-south-1": "mes1",
    "mx-central-1": "mxc1", "sa-east-1": "sae1",
}
# fmt: on

# CloudFront Developer Guide, "Restrict access with VPC origins", section "Supported AWS Regions for VPC
# origins", as of 2026-11-26: all 34 commercial regions are listed (ap-southeast-6 included), so none is
# unsupported. Four AZs are excepted; a VPC origin's subnets must avoid them.
CLOUDFRONT_VPC_ORIGIN_UNSUPPORTED_REGIONS: frozenset[str] = frozenset()
CLOUDFRONT_VPC_ORIGIN_UNSUPPORTED_ZONE_IDS: frozenset[str] = frozenset(
    {"use1-az3", "usw1-az2", "apne1-az3", "cac1-az3"}
)

# CloudFront Developer Guide, "Configure standard logging (legacy)", "Choose an Amazon S3 bucket for standard
# logs", as of 2026-11-26: CloudFront does not deliver standard (legacy) logs to buckets in the opt-in regions
# (those launched since March 2019, off until an account enables them; "AWS Regions", "Opt-in status").
CLOUDFRONT_LEGACY_LOGS_UNSUPPORTED_REGIONS: frozenset[str] = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    }
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# RDS for PostgreSQL versions
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresMajor:
    """One PostgreSQL major version on RDS. `latest_minor` documents the newest minor seen; RDS picks the minor."""

    rds_release: date
    end_of_standard_support: date
    end_of_extended_support: date
    parameter_group_family: str
    latest_minor: str


# RDS for PostgreSQL Release Notes, "Release calendars for Amazon RDS for PostgreSQL"
# (AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html), as of 2026-11-26: the majors
# under RDS standard support; latest minors from the minor-version calendar (RDS release 2026-08-25).
# Parameter-group family: "postgres" + major, as the RDS API reference's DBParameterGroupFamily example
# ("postgres13") and describe-db-engine-versions output (postgres17, postgres18) show.
# fmt: off
POSTGRES_MAJOR_VERSIONS: dict[str, PostgresMajor] = {
    "14": PostgresMajor(date(2022, 2, 3), date(2027, 2, 28), date(2030, 2, 28), "postgres14", "14.24"),
    "15": PostgresMajor(date(2023, 2, 27), date(2028, 2, 29), date(2031, 2, 28), "postgres15", "15.19"),
    "16": PostgresMajor(date(2023, 11, 20), date(2029, 2, 28), date(2032, 2, 29), "postgres16", "16.15"),
    "17": PostgresMajor(date(2024, 11, 14), date(2030, 2, 28), date(2033, 2, 28), "postgres17", "17.11"),
    "18": PostgresMajor(date(2025, 11, 14), date(2031, 2, 28), date(2034, 2, 28), "postgres18", "18.6"),
}
# fmt: on

# Same page: majors past their RDS end of standard support. RDS still creates them, but enrolls them in
# paid RDS Extended Support; webstack does not offer them. Value: the end of standard support.
POSTGRES_EXTENDED_SUPPORT_ONLY: dict[str, date] = {
    "11": date(2024, 2, 29),
    "12": date(2025, 2, 28),
    "13": date(2026, 2, 28),
}

# ---------------------------------------------------------------------------------------------------
# RDS instance classes for PostgreSQL
# ---------------------------------------------------------------------------------------------------

_RDS_SOURCE = "'Supported DB engines for DB instance classes' in the Amazon RDS User Guide"

_M7G = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_M5 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
_M6I = (*_M5, "32xlarge")
_M8G = (*_M5, "48xlarge")
_T = ("micro", "small", "medium", "large", "xlarge", "2xlarge")

# Amazon RDS User Guide, "Supported DB engines for DB instance classes"
# (AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html), as of 2026-11-26: every family whose
# PostgreSQL column is not "No" or "Deprecated", with those sizes. Metal sizes and the Oracle-only
# db.r5/db.r5b/db.r6i/db.r7i "...tpcN.memNx" shapes are not offered for PostgreSQL.
# fmt: off
RDS_INSTANCE_CLASSES: dict[str, tuple[str, ...]] = {
    # general purpose
    "db.m9g": _M8G, "db.m8g": _M8G, "db.m8gd": _M8G, "db.m8a": _M8G, "db.m7i": _M8G,
    "db.m7g": _M7G, "db.m6g": _M7G, "db.m6gd": _M7G,
    "db.m6i": _M6I, "db.m6id": _M6I, "db.m6idn": _M6I, "db.m6in": _M6I,
    "db.m5": _M5, "db.m5d": _M5,
    # memory optimized
    "db.r8g": _M8G, "db.r8gd": _M8G, "db.r8a": _M8G, "db.r7i": _M8G,
    "db.r7g": _M7G, "db.r6g": _M7G, "db.r6gd": _M7G,
    "db.r6i": _M6I, "db.r6id": _M6I, "db.r6in": _M6I, "db.r6idn": _M6I[1:],  # db.r6idn has no large
    "db.r5": _M5, "db.r5b": _M5, "db.r5d": _M5,
    "db.x2g": _M7G,
    "db.x2idn": ("16xlarge", "24xlarge", "32xlarge"),
    "db.x2iedn": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "24xlarge", "32xlarge"),
    # burstable
    "db.t4g": _T, "db.t3": _T,
}
# fmt: on

# Same page: families whose PostgreSQL cell names only some majors. db.x2idn lists "PostgreSQL 15 versions,
# 14.6, and 13.9"; 14.6 is no longer offered, so only 15 remains. (Most other families list 17, 16 and 15
# but not yet 18; the page lags there and webstack does not hold 18 against them.)
RDS_POSTGRES_MAJORS_BY_FAMILY: dict[str, frozenset[str]] = {"db.x2idn": frozenset({"15"})}

# Same page: families RDS has but not for PostgreSQL, and why (for the message).
# fmt: off
RDS_UNAVAILABLE_FAMILIES: dict[str, str] = {
    "db.m8i": "RDS offers it for SQL Server and Oracle only",
    "db.r8i": "RDS offers it for SQL Server and Oracle only",
    "db.z1d": "RDS offers it for SQL Server and Oracle only",
    "db.x2m": "RDS offers it for SQL Server only",
    "db.x2iezn": "RDS offers it for Oracle only",
    "db.x1": "RDS offers it for SQL Server and Oracle only, and has deprecated it",
    "db.x1e": "RDS offers it for SQL Server and Oracle only, and has deprecated it",
    "db.c6gd": "RDS offers it for Multi-AZ DB cluster deployments only, not for a DB instance",
    "db.m4": "RDS has deprecated it", "db.m3": "RDS has deprecated it",
    "db.r4": "RDS has deprecated it", "db.r3": "RDS has deprecated it", "db.t2": "RDS has deprecated it",
}
# fmt: on

# ---------------------------------------------------------------------------------------------------
# ElastiCache node types
# ---------------------------------------------------------------------------------------------------

_CACHE_SOURCE = "'Supported node types' in the Amazon ElastiCache User Guide"

# Amazon ElastiCache User Guide, "Supported node types" (AmazonElastiCache/latest/dg/
# CacheNodes.SupportedTypes.html), as of 2026-11-26: the "Current Generation (Valkey)" tables, which AWS
# still fills with m4/r4. cache.t2 is left out: "You will no longer be able to create new ElastiCache
# clusters using T2 instances".
# fmt: off
CACHE_NODE_TYPES: dict[str, tuple[str, ...]] = {
    "cache.m8g": _M7G, "cache.m7g": _M7G, "cache.m6g": _M7G,
    "cache.m5": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "cache.m4": ("large", "xlarge", "2xlarge", "4xlarge", "10xlarge"),
    "cache.r8g": _M7G, "cache.r7g": _M7G, "cache.r6g": _M7G,
    "cache.r5": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "cache.r4": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"),
    "cache.r6gd": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),  # data tiering
    "cache.c8gn": _M7G, "cache.c7gn": _M7G,
    "cache.t4g": ("micro", "small", "medium"), "cache.t3": ("micro", "small", "medium"),
}
# fmt: on

# Same page: the "Current Generation (Redis OSS)" tables have every family above except these three.
CACHE_VALKEY_ONLY_FAMILIES: frozenset[str] = frozenset({"cache.m8g", "cache.r8g", "cache.c8gn"})

CACHE_UNAVAILABLE_FAMILIES: dict[str, str] = {
    "cache.t2": "ElastiCache no longer creates new clusters on T2 nodes; use cache.t4g or cache.t3",
}

# ---------------------------------------------------------------------------------------------------
# EC2 instance types for the app tier
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ec2Family:
    """An EC2 instance family: its sizes, whether it is AWS Graviton (arm64), and its category."""

    sizes: tuple[str, ...]
    graviton: bool
    category: str


_EC2_SOURCE = "'Amazon EC2 instance types' (general purpose, compute and memory optimized specifications)"

_GP, _CO, _MO, _BU = "general purpose", "compute optimized", "memory optimized", "burstable"
_X5 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
_X5M = (*_X5, "metal")
_C5 = ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge", "metal")
_X6A = (*_X5, "32xlarge", "48xlarge", "metal")
_X6I = (*_X5, "32xlarge", "metal")
_G6 = ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_G6M = (*_G6, "metal")
_X7A = ("medium", *_X5, "32xlarge", "48xlarge", "metal-48xl")
_X7I = (*_X5, "48xlarge", "metal-24xl", "metal-48xl")
_X8A = ("medium", *_X5, "48xlarge", "metal-24xl", "metal-48xl")
_X8I = (*_X5, "32xlarge", "48xlarge", "96xlarge", "metal-48xl", "metal-96xl")
_X9G = ("medium", *_X5, "48xlarge", "metal-48xl")
_FLEX = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_NE = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge")
_TS = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge")


def _family(sizes: tuple[str, ...], category: str, *, graviton: bool = False) -> Ec2Family:
    return Ec2Family(sizes, graviton, category)


# Amazon EC2 Instance Types guide, "Specifications for Amazon EC2 general purpose / compute optimized /
# memory optimized instances" (ec2/latest/instancetypes/gp.html, co.html, mo.html), tables "Instance
# families and instance types" and "Instance family summary" (architecture), as of 2026-11-26: every M, T,
# C and R family. Left out on purpose: Mac, the high-memory U, X and z1d families (EC2_OTHER_FAMILIES).
# fmt: off
EC2_INSTANCE_FAMILIES: dict[str, Ec2Family] = {
    # general purpose
    "m5": _family(_X5M, _GP), "m5a": _family(_X5, _GP), "m5ad": _family(_X5, _GP),
    "m5d": _family(_X5M, _GP), "m5dn": _family(_X5M, _GP), "m5n": _family(_X5M, _GP),
    "m5zn": _family(("large", "xlarge", "2xlarge", "3xlarge", "6xlarge", "12xlarge", "metal"), _GP),
    "m6a": _family(_X6A, _GP),
    "m6g": _family(_G6M, _GP, graviton=True), "m6gd": _family(_G6M, _GP, graviton=True),
    "m6i": _family(_X6I, _GP), "m6id": _family(_X6I, _GP), "m6idn": _family(_X6I, _GP), "m6in": _family(_X6I, _GP),
    "m7a": _family(_X7A, _GP),
    "m7g": _family(_G6M, _GP, graviton=True), "m7gd": _family(_G6M, _GP, graviton=True),
    "m7i": _family(_X7I, _GP), "m7i-flex": _family(_FLEX, _GP),
    "m8a": _family(_X8A, _GP),
    "m8azn": _family(
        ("medium", "large", "xlarge", "3xlarge", "6xlarge", "12xlarge", "24xlarge", "metal-12xl", "metal-24xl"), _GP
    ),
    "m8g": _family(_X8A, _GP, graviton=True), "m8gb": _family(_X8A, _GP, graviton=True),
    "m8gd": _family(_X8A, _GP, graviton=True), "m8gn": _family(_X8A, _GP, graviton=True),
    "m8i": _family(_X8I, _GP), "m8id": _family(_X8I, _GP), "m8i-flex": _family(_FLEX, _GP),
    "m8in": _family(_X8I, _GP), "m8idn": _family(_X8I, _GP), "m8ine": _family(_NE, _GP),
    "m8ib": _family(_X8I, _GP), "m8idb": _family(_X8I, _GP),
    "m9g": _family(_X9G, _GP, graviton=True), "m9gd": _family(_X9G, _GP, graviton=True),
    # burstable (listed with general purpose)
    "t2": _family(_TS, _BU), "t3": _family(_TS, _BU), "t3a": _family(_TS, _BU),
    "t4g": _family(_TS, _BU, graviton=True), "t8i": _family(("nano", "micro", "small", "medium"), _BU),
    # compute optimized
    "c5": _family(_C5, _CO),
    "c5a": _family(_X5, _CO), "c5ad": _family(_X5, _CO),
    "c5d": _family(_C5, _CO),
    "c5n": _family(("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge", "metal"), _CO),
    "c6a": _family(_X6A, _CO),
    "c6g": _family(_G6M, _CO, graviton=True), "c6gd": _family(_G6M, _CO, graviton=True),
    "c6gn": _family(_G6, _CO, graviton=True),
    "c6i": _family(_X6I, _CO), "c6id": _family(_X6I, _CO), "c6in": _family(_X6I, _CO),
    "c7a": _family(_X7A, _CO),
    "c7g": _family(_G6M, _CO, graviton=True), "c7gd": _family(_G6M, _CO, graviton=True),
    "c7gn": _family(_G6M, _CO, graviton=True),
    "c7i": _family(_X7I, _CO), "c7i-flex": _family(_FLEX, _CO),
    "c8a": _family(_X8A, _CO),
    "c8g": _family(_X8A, _CO, graviton=True), "c8gb": _family(_X8A, _CO, graviton=True),
    "c8gd": _family(_X8A, _CO, graviton=True), "c8gn": _family(_X8A, _CO, graviton=True),
    "c8i": _family(_X8I, _CO), "c8id": _family(_X8I, _CO), "c8i-flex": _family(_FLEX, _CO),
    "c8in": _family(_X8I, _CO), "c8ine": _family(_NE, _CO), "c8ib": _family(_X8I, _CO),
    "c9g": _family(_X9G, _CO, graviton=True), "c9gd": _family(_X9G, _CO, graviton=True),
    # memory optimized
    "r5": _family(_X5M, _MO), "r5a": _family(_X5, _MO), "r5ad": _family(_X5, _MO),
    "r5b": _family(_X5M, _MO), "r5d": _family(_X5M, _MO), "r5dn": _family(_X5M, _MO), "r5n": _family(_X5M, _MO),
    "r6a": _family(_X6A, _MO),
    "r6g": _family(_G6M, _MO, graviton=True), "r6gd": _family(_G6M, _MO, graviton=True),
    "r6i": _family(_X6I, _MO), "r6id": _family(_X6I, _MO), "r6idn": _family(_X6I, _MO), "r6in": _family(_X6I, _MO),
    "r7a": _family(_X7A, _MO),
    "r7g": _family(_G6M, _MO, graviton=True), "r7gd": _family(_G6M, _MO, graviton=True),
    "r7i": _family(_X7I, _MO),
    "r7iz": _family(
        ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "32xlarge", "metal-16xl",
         "metal-32xl"), _MO
    ),
    "r8a": _family(_X8A, _MO),
    "r8g": _family(_X8A, _MO, graviton=True), "r8gb": _family(_X8A, _MO, graviton=True),
    "r8gd": _family(_X8A, _MO, graviton=True), "r8gn": _family(_X8A, _MO, graviton=True),
    "r8i": _family(_X8I, _MO), "r8id": _family(_X8I, _MO), "r8i-flex": _family(_FLEX, _MO),
    "r8in": _family(_X8I, _MO), "r8idn": _family(_X8I, _MO), "r8ib": _family(_X8I, _MO), "r8idb": _family(_X8I, _MO),
    # Not yet on mo.html as mirrored; sizes from the EC2 User Guide's "ENA queues" page and the EC2 API's
    # InstanceType enum (botocore 1.44.8), which agree.
    "r9g": _family(_X9G, _MO, graviton=True), "r9gd": _family(_X9G, _MO, graviton=True),
}
# fmt: on

# Same pages: families EC2 has that webstack does not run its app tier on, and why.
# fmt: off
EC2_OTHER_FAMILIES: dict[str, str] = {
    **dict.fromkeys(
        ("x1", "x1e", "x2gd", "x2idn", "x2iedn", "x2iezn", "x8g", "x8aedz", "x8i", "z1d", "u-3tb1", "u-6tb1",
         "u-9tb1", "u-12tb1", "u-18tb1", "u-24tb1", "u7i-6tb", "u7i-8tb", "u7i-12tb", "u7in-16tb", "u7in-24tb",
         "u7in-32tb", "u7inh-32tb"),
        "a high-memory family for in-memory databases, not a web tier",
    ),
    **dict.fromkeys(
        ("mac1", "mac2", "mac2-m1ultra", "mac2-m2", "mac2-m2pro", "mac-m3ultra", "mac-m4", "mac-m4pro", "mac-m4max"),
        "a Mac family that runs on Dedicated Hosts only",
    ),
}
# fmt: on

# ---------------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------------


def _close(value: str, candidates: list[str], cutoff: float = 0.75) -> list[str]:
    """The candidates nearest to `value` (ties included, at most three), or none that is near enough."""
    # difflib is quadratic in the length of its input, and a long value is no typo anyway.
    if len(value) > MAX_QUOTED:
        return []
    scored = sorted(
        ((difflib.SequenceMatcher(None, value, candidate).ratio(), candidate) for candidate in candidates),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not scored or scored[0][0] < cutoff:
        return []
    return [candidate for ratio, candidate in scored if ratio >= scored[0][0] - 0.02][:3]


_PARTITION_ONLY = "webstack supports the aws partition only: CloudFront, ARNs and prices assume it"
_ZONE_NAME = re.compile(r"(?P<region>[a-z]{2}-[a-z]+-\d+)[a-z]")


def other_partition(region: str) -> Partition | None:
    """The non-`aws` partition whose region names `region` follows (us-gov-west-1 -> aws-us-gov), if any."""
    for partition in sorted(OTHER_PARTITIONS.values(), key=lambda p: len(p.region_prefix), reverse=True):
        if region.startswith(partition.region_prefix) and re.fullmatch(r"[a-z]+(-[a-z]+)+-\d+", region):
            return partition
    return None


def region_problem(value: str) -> str | None:
    """None for a region of the aws partition; otherwise what is wrong: a typo, another partition, no region."""
    if value in COMMERCIAL_REGIONS:
        return None
    cleaned = value.strip().lower()
    if cleaned in COMMERCIAL_REGIONS:
        return f"{quote(value)} must be written {cleaned}: lower case, no spaces"
    partition = other_partition(cleaned)
    if partition is not None:
        known = "" if cleaned in partition.regions else ", which has no such region"
        return f"{quote(value)} is in {partition.title} (partition {partition.name}{known}); {_PARTITION_ONLY}"
    if cleaned in UNCONFIRMED_REGIONS:
        return (
            f"{cleaned} ({UNCONFIRMED_REGIONS[cleaned]}) is in the AWS SDK's region list but not yet in the AWS "
            "documentation webstack's region catalog follows; add it to config/catalog.py once AWS documents it"
        )
    zone = _ZONE_NAME.fullmatch(cleaned)
    if zone and zone["region"] in COMMERCIAL_REGIONS:
        return f"{quote(value)} is an Availability Zone; give its region, {zone['region']}"
    suggestions = _close(cleaned, list(COMMERCIAL_REGIONS))
    if suggestions:
        return f"{quote(value)} is not an AWS region; did you mean {words(suggestions)}?"
    return (
        f"{quote(value)} is not a region of the aws partition; expected one like eu-west-1 or us-east-1 "
        f"({len(COMMERCIAL_REGIONS)} regions as of November 2026)"
    )


def zone_id_prefix(region: str) -> str:
    """The AZ-id prefix of a region of the aws partition: eu-west-1 -> euw1 (its AZ ids are euw1-az1, ...)."""
    prefix = ZONE_ID_PREFIX.get(region)
    if prefix is None:
        raise ValueError(region_problem(region) or f"{quote(region)} has no AZ-id prefix in the catalog")
    return prefix


def postgres_major_version_problem(value: str) -> str | None:
    """None for a PostgreSQL major version RDS offers under standard support; otherwise what to use instead."""
    if value in POSTGRES_MAJOR_VERSIONS:
        return None
    offered = words(list(POSTGRES_MAJOR_VERSIONS))
    minor = re.fullmatch(r"(\d+)\.\d+", value.strip())
    if minor and minor[1] in POSTGRES_MAJOR_VERSIONS:
        return f"{quote(value)} is a minor version; give the major version, {minor[1]} (RDS applies minor versions)"
    if value.strip() in POSTGRES_EXTENDED_SUPPORT_ONLY:
        ended = POSTGRES_EXTENDED_SUPPORT_ONLY[value.strip()].isoformat()
        return (
            f"PostgreSQL {value.strip()} left RDS standard support on {ended} (a new instance would be billed for "
            f"RDS Extended Support); use {offered}"
        )
    return f"{quote(value)} is not a PostgreSQL major version RDS offers; use {offered}"


def postgres_parameter_group_family(major: str) -> str:
    """The DB parameter group family of a PostgreSQL major version: 16 -> postgres16."""
    problem = postgres_major_version_problem(major)
    if problem:
        raise ValueError(problem)
    return POSTGRES_MAJOR_VERSIONS[major].parameter_group_family


def _family_and_size(value: str, prefix: str) -> tuple[str, str]:
    family, _, size = value.rpartition(".")
    return (family, size) if family.startswith(prefix) else ("", "")


def _size_problem(value: str, family: str, sizes: tuple[str, ...], source: str) -> str:
    return f"{quote(value)}: {family} comes in {', '.join(sizes)}; see {source}"


def _family_suggestion(family: str, families: list[str]) -> str:
    suggestions = _close(family, families, cutoff=0.6)
    return f"; did you mean {words(suggestions)}?" if suggestions else ""


@dataclass(frozen=True)
class _ClassCatalog:
    """The node classes one managed service offers, and how its messages name them."""

    prefix: str  # "db."
    kind: str  # "RDS for PostgreSQL instance class"
    example: str  # "db.t4g.micro or db.m7g.large"
    families: dict[str, tuple[str, ...]]
    unavailable: dict[str, str]
    source: str
    other_prefix: str  # the other service's prefix, a common mix-up
    other_kind: str


_RDS = _ClassCatalog(
    "db.", "RDS for PostgreSQL instance class", "db.t4g.micro or db.m7g.large", RDS_INSTANCE_CLASSES,
    {family: f"not offered for PostgreSQL: {family}: {why}" for family, why in RDS_UNAVAILABLE_FAMILIES.items()},
    _RDS_SOURCE, "cache.", "an ElastiCache node type",
)  # fmt: skip
_CACHE = _ClassCatalog(
    "cache.", "ElastiCache node type", "cache.t4g.micro or cache.m7g.large", CACHE_NODE_TYPES,
    CACHE_UNAVAILABLE_FAMILIES, _CACHE_SOURCE, "db.", "an RDS instance class",
)  # fmt: skip


def _class_problem(value: str, catalog: _ClassCatalog) -> str | None:
    """None for a class the service offers; otherwise the likeliest slip: case, prefix, size or family."""
    family, size = _family_and_size(value, catalog.prefix)
    sizes = catalog.families.get(family)
    if sizes is not None and size in sizes:
        return None
    lowered = value.strip().lower()
    if lowered != value and _class_problem(lowered, catalog) is None:
        return f"{quote(value)} must be written {lowered}: lower case, no spaces"
    if value.startswith(catalog.other_prefix):
        return f"{quote(value)} is {catalog.other_kind}; an {catalog.kind} looks like {catalog.example.split()[0]}"
    if not value.startswith(catalog.prefix):
        if _class_problem(catalog.prefix + lowered, catalog) is None:
            return f"{quote(value)} lacks the {catalog.prefix} prefix: {catalog.prefix}{lowered}"
        return f"{quote(value)} is not an {catalog.kind}; they look like {catalog.example}"
    if family in catalog.unavailable:
        return f"{quote(value)}: {catalog.unavailable[family]}"
    if sizes is not None:
        return _size_problem(value, family, sizes, catalog.source)
    if value.count(".") > 2:
        return f"{quote(value)} is not an {catalog.kind} (those look like {catalog.example})"
    hint = _family_suggestion(family, list(catalog.families))
    return f"{quote(value)} is not an {catalog.kind}{hint or f'; see {catalog.source}'}"


def rds_instance_class_problem(value: str, postgres_major: str | None = None) -> str | None:
    """None for an RDS instance class RDS for PostgreSQL offers (for `postgres_major`, when given)."""
    problem = _class_problem(value, _RDS)
    family = value.rpartition(".")[0]
    majors = RDS_POSTGRES_MAJORS_BY_FAMILY.get(family)
    if problem is None and postgres_major is not None and majors is not None and postgres_major not in majors:
        return f"{value} runs PostgreSQL {words(sorted(majors))} only, not {postgres_major}; see {_RDS_SOURCE}"
    return problem


# Amazon RDS User Guide, "Hardware specifications for DB instance classes", as of 2026-11-26: a size's vCPUs
# (large 2, xlarge 4, then doubling by the multiplier) and each family's memory per vCPU: m 4 GiB, r 8 GiB,
# x2g and x2idn 16 GiB, x2iedn 32 GiB. Burstable classes have a fixed memory per size.
_VCPUS = {"large": 2, "xlarge": 4}
_GIB_PER_VCPU = {"m": 4, "r": 8, "x2g": 16, "x2idn": 16, "x2iedn": 32}
_BURSTABLE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
# RDS for PostgreSQL's default max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000) (Amazon RDS User
# Guide, "Maximum number of database connections"). DBInstanceClassMemory is a little less than the class's
# memory (the OS keeps some), so this is an upper bound.
POSTGRES_BYTES_PER_CONNECTION = 9_531_392
POSTGRES_MAX_CONNECTIONS = 5000


def rds_memory_gib(instance_class: str) -> float:
    """The memory of an RDS instance class that `rds_instance_class_problem` accepts, in GiB."""
    family, _, size = instance_class.removeprefix("db.").partition(".")
    if family.startswith("t"):
        return float(_BURSTABLE_GIB[size])
    vcpus = _VCPUS.get(size) or 4 * int(size.removesuffix("xlarge"))
    kind = next(prefix for prefix in sorted(_GIB_PER_VCPU, key=len, reverse=True) if family.startswith(prefix))
    return float(vcpus * _GIB_PER_VCPU[kind])


def postgres_max_connections(instance_class: str) -> int:
    """RDS for PostgreSQL's default max_connections on this class (an upper bound; see above)."""
    memory = rds_memory_gib(instance_class) * 2**30
    return min(int(memory // POSTGRES_BYTES_PER_CONNECTION), POSTGRES_MAX_CONNECTIONS)


def cache_node_type_problem(value: str, engine: str | None = None) -> str | None:
    """None for an ElastiCache node type of the engine ("valkey" or "redis"; either when None)."""
    problem = _class_problem(value, _CACHE)
    if problem is None and engine == "redis" and value.rpartition(".")[0] in CACHE_VALKEY_ONLY_FAMILIES:
        return f"{value} runs Valkey only, not Redis OSS; use the valkey engine or a 7th-generation type"
    return problem


def ec2_instance_type_problem(value: str) -> str | None:
    """None for an EC2 instance type of a family webstack runs its app tier on (M, C, R and T)."""
    family, _, size = value.partition(".")
    known = EC2_INSTANCE_FAMILIES.get(family)
    if known is not None and size in known.sizes:
        return None
    lowered = value.strip().lower()
    if lowered != value and ec2_instance_type_problem(lowered) is None:
        return f"{quote(value)} must be written {lowered}: lower case, no spaces"
    if value.startswith(("db.", "cache.")):
        rest = value.split(".", 1)[1]
        hint = f"; the EC2 type is {rest}" if ec2_instance_type_problem(rest) is None else ""
        return f"{quote(value)} is an RDS or ElastiCache class, not an EC2 instance type{hint}"
    if family in EC2_OTHER_FAMILIES:
        return f"{quote(value)} is {EC2_OTHER_FAMILIES[family]}; use an M, C, R or T family such as m8g or t4g"
    if known is not None:
        return _size_problem(value, family, known.sizes, _EC2_SOURCE)
    hint = _family_suggestion(family, list(EC2_INSTANCE_FAMILIES))
    return f"{quote(value)} is not an EC2 instance type webstack runs on (M, C, R or T families){hint}"


def ec2_is_graviton(instance_type: str) -> bool:
    """Whether an EC2 instance type is AWS Graviton (arm64): t4g.small, m7g.large, c8gn.xlarge, ..."""
    family = EC2_INSTANCE_FAMILIES.get(instance_type.partition(".")[0])
    return family is not None and family.graviton


def ec2_is_burstable(instance_type: str) -> bool:
    """Whether an EC2 instance type earns CPU credits (the T families: t4g.nano, t3.small, ...)."""
    return instance_type.startswith("t")


def ec2_architecture(instance_type: str) -> str:
    """The AMI architecture an EC2 instance type needs: "arm64" for Graviton, "x86_64" otherwise."""
    return "arm64" if ec2_is_graviton(instance_type) else "x86_64"


# ---------------------------------------------------------------------------------------------------
# Elastic Load Balancing access logs
# ---------------------------------------------------------------------------------------------------

# AWS page "Enable access logs for your Application Load Balancer" (also terraform-provider-aws's
# elb service account table), as of 2026-11-26: regions available before August 2022 deliver access
# logs from these ELB accounts; newer regions from the service principal ELB_LOG_DELIVERY_SERVICE.
# fmt: off
ELB_LOG_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378", "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
# fmt: on
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def elb_log_delivery_principal(region: str, partition: str = "aws") -> dict[str, str]:
    """Who writes a region's load balancer access logs: its ELB account, or the log-delivery service."""
    account = ELB_LOG_ACCOUNTS.get(region)
    if account:
        return {"AWS": f"arn:{partition}:iam::{account}:root"}
    return {"Service": ELB_LOG_DELIVERY_SERVICE}
