"""What the mock engine answers for the data sources the program reads, as the AWS provider would.

One entry per function token. An invoke without an entry fails the plan (`MockCoverageError`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from config import catalog
from ops.mocks.resources import digest

# The zone letters a region offers, in order; `AwsMocks(zone_count=...)` offers the first ones.
ZONE_LETTERS = "abcdef"
# CloudFront's origin-facing prefix list holds this many entries; each rule on it counts that many.
CLOUDFRONT_PREFIX_LIST_ENTRIES = 55


@dataclass(frozen=True)
class Account:
    """The account and region the mock engine plays, how many AZs the region offers, and what its secrets hold."""

    region: str
    account_id: str
    zone_count: int
    # Secret id or ARN -> the string a SecretVersion the program made stored in it.
    secret_strings: dict[str, str] = field(default_factory=dict)


Answer = Callable[[Account, Mapping[str, Any]], dict[str, Any]]


def availability_zones(account: Account, args: Mapping[str, Any]) -> dict[str, Any]:
    # Zone ids follow AWS's scheme (euw1-az1); their order differs from the names' per account, as in AWS.
    prefix = catalog.zone_id_prefix(account.region)
    count = account.zone_count
    return {
        "names": [f"{account.region}{letter}" for letter in ZONE_LETTERS[:count]],
        "zoneIds": [f"{prefix}-az{(n + 1) % count + 1}" for n in range(count)],
        "id": account.region,
    }


def zone_ids(account: Account) -> dict[str, str]:
    """The account's AZ ids by AZ name, as `availability_zones` reports them."""
    zones = availability_zones(account, {})
    return dict(zip(zones["names"], zones["zoneIds"], strict=True))


def caller_identity(account: Account, args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "accountId": account.account_id,
        "arn": f"arn:aws:iam::{account.account_id}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
        "id": account.account_id,
    }


def managed_prefix_list(account: Account, args: Mapping[str, Any]) -> dict[str, Any]:
    name = str(args.get("name"))
    list_id = f"pl-{digest(name, length=8)}"
    return {
        "id": list_id,
        "name": name,
        "arn": f"arn:aws:ec2:{account.region}:aws:prefix-list/{list_id}",
        "maxEntries": CLOUDFRONT_PREFIX_LIST_ENTRIES,
    }


# What a secret holds in the offline plan. It must never appear in a plan: tests scan for it.
SECRET_VALUE_MARKER = "mock-secret-value-never-in-a-plan"


def secret_version(account: Account, args: Mapping[str, Any]) -> dict[str, Any]:
    """What the program stored in the secret, else what RDS stores in a master user secret."""
    secret = str(args.get("secretId"))
    stored = account.secret_strings.get(secret)
    return {
        "arn": secret,
        "id": secret,
        "secretId": secret,
        "secretString": stored or f'{{"username": "app_admin", "password": "{SECRET_VALUE_MARKER}"}}',
        "versionId": digest(secret, length=32),
        "versionStages": ["AWSCURRENT"],
    }


def security_group(account: Account, args: Mapping[str, Any]) -> dict[str, Any]:
    """A group found by name in a VPC (CloudFront's VPC origins' group, which CloudFront itself makes)."""
    names = [value for f in args.get("filters") or [] if f.get("name") == "group-name" for value in f["values"]]
    name = names[0] if names else str(args.get("name"))
    group_id = f"sg-{digest(name, str(args.get('vpcId')))}"
    return {
        "id": group_id,
        "name": name,
        "vpcId": args.get("vpcId"),
        "arn": f"arn:aws:ec2:{account.region}:{account.account_id}:security-group/{group_id}",
    }


ANSWERS: dict[str, Answer] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": caller_identity,
    "aws:index/getRegion:getRegion": lambda account, args: {
        "name": args.get("region") or account.region,
        "region": account.region,
        "id": account.region,
    },
    "aws:index/getPartition:getPartition": lambda account, args: {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    },
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": managed_prefix_list,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": secret_version,
    "aws:secretsmanager/getRandomPassword:getRandomPassword": lambda account, args: {
        "randomPassword": f"{SECRET_VALUE_MARKER}-generated",
        "id": "random",
    },
    "aws:ec2/getSecurityGroup:getSecurityGroup": security_group,
    "aws:ssm/getParameter:getParameter": lambda account, args: {
        "name": args.get("name"),
        "type": "String",
        "value": f"ami-{digest(str(args.get('name')))}",
        "id": args.get("name"),
    },
}
