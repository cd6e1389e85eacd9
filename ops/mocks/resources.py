"""What the mock engine knows about each AWS resource type: id format, ARN, auto-naming, computed outputs.

One entry per type token, grouped by AWS area. A component that adds a resource type adds
its entry here; a type without one fails the plan (`MockCoverageError`), because outputs
made up for an unknown type would let a mistake through.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def digest(*parts: str, length: int = 17) -> str:
    """Deterministic hex from the parts: the same resource gets the same id on every run."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Facts:
    """What a type's outputs may be built from."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    region: str
    account: str


IdRule = Callable[[Facts], str]
Extra = Callable[[Facts, str], dict[str, Any]]


@dataclass(frozen=True)
class ResourceKind:
    """How the provider answers for one resource type.

    `id`: the provider id. `arn`: a template over {region}, {account}, {id} and {name}, or
    None when the type has no ARN. `auto_named`: the provider generates `name` when the
    program leaves it out (the logical name plus 7 random hex characters). `extra`: other
    computed outputs.
    """

    id: IdRule
    arn: str | None = None
    auto_named: bool = False
    extra: Extra = field(default=lambda facts, resource_id: {})


def ec2_id(prefix: str) -> IdRule:
    """EC2-style ids: a prefix and 17 hex characters (sg-0123456789abcdef0)."""
    return lambda facts: f"{prefix}-{digest(facts.type, facts.name)}"


def by_name(facts: Facts) -> str:
    return str(facts.inputs["name"])


def key_uuid(facts: Facts) -> str:
    return str(uuid.UUID(digest(facts.type, facts.name, length=32)))


def role_policy_id(facts: Facts) -> str:
    # The provider's id of an inline role policy is `<role name>:<policy name>`.
    return f"{facts.inputs.get('role')}:{facts.inputs['name']}"


def owner(facts: Facts, resource_id: str) -> dict[str, Any]:
    return {"ownerId": facts.account}


KINDS: dict[str, ResourceKind] = {
    # -- EC2 / VPC -------------------------------------------------------------------------------------------
    "aws:ec2/securityGroup:SecurityGroup": ResourceKind(
        ec2_id("sg"), "arn:aws:ec2:{region}:{account}:security-group/{id}", auto_named=True, extra=owner
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ResourceKind(
        ec2_id("sg"), "arn:aws:ec2:{region}:{account}:security-group/{id}", extra=owner
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ResourceKind(
        ec2_id("sgr"),
        "arn:aws:ec2:{region}:{account}:security-group-rule/{id}",
        extra=lambda facts, resource_id: {"securityGroupRuleId": resource_id},
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ResourceKind(
        ec2_id("sgr"),
        "arn:aws:ec2:{region}:{account}:security-group-rule/{id}",
        extra=lambda facts, resource_id: {"securityGroupRuleId": resource_id},
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ResourceKind(
        ec2_id("vpce"), "arn:aws:ec2:{region}:{account}:vpc-endpoint/{id}", extra=owner
    ),
    "aws:ec2/flowLog:FlowLog": ResourceKind(ec2_id("fl"), "arn:aws:ec2:{region}:{account}:vpc-flow-log/{id}"),
    # -- CloudWatch Logs ---------------------------------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": ResourceKind(
        by_name, "arn:aws:logs:{region}:{account}:log-group:{name}", auto_named=True
    ),
    # -- IAM -------------------------------------------------------------------------------------------------
    "aws:iam/role:Role": ResourceKind(
        by_name,
        "arn:aws:iam::{account}:role/{name}",
        auto_named=True,
        extra=lambda facts, resource_id: {"uniqueId": f"AROA{digest(facts.name, length=17).upper()}"},
    ),
    "aws:iam/rolePolicy:RolePolicy": ResourceKind(role_policy_id, None, auto_named=True),
    # -- KMS -------------------------------------------------------------------------------------------------
    "aws:kms/key:Key": ResourceKind(
        key_uuid, "arn:aws:kms:{region}:{account}:key/{id}", extra=lambda facts, resource_id: {"keyId": resource_id}
    ),
    "aws:kms/alias:Alias": ResourceKind(by_name, "arn:aws:kms:{region}:{account}:{name}"),
    "aws:kms/keyPolicy:KeyPolicy": ResourceKind(lambda facts: str(facts.inputs["keyId"])),
}

# Ids of the children awsx creates inside `awsx:ec2:Vpc` (modelled, never registered by the program itself).
MODELLED_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/route:Route": "r",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule",
}
