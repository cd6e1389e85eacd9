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
# What AWS or the provider refuses about one resource's own inputs, one sentence each.
Check = Callable[[Facts], list[str]]


@dataclass(frozen=True)
class ResourceKind:
    """How the provider answers for one resource type.

    `id`: the provider id. `arn`: a template over {region}, {account}, {id} and {name}, or
    None when the type has no ARN. `auto_named`: the provider generates `name` when the
    program leaves it out (the logical name plus 7 random hex characters). `extra`: other
    computed outputs. `check`: what AWS would refuse about the resource's own inputs.
    """

    id: IdRule
    arn: str | None = None
    auto_named: bool = False
    extra: Extra = field(default=lambda facts, resource_id: {})
    check: Check = field(default=lambda facts: [])


def ec2_id(prefix: str) -> IdRule:
    """EC2-style ids: a prefix and 17 hex characters (sg-0123456789abcdef0)."""
    return lambda facts: f"{prefix}-{digest(facts.type, facts.name)}"


def by_input(key: str) -> IdRule:
    """The provider id is one of the resource's inputs (its name, identifier, ...)."""
    return lambda facts: str(facts.inputs[key])


by_name = by_input("name")


def key_uuid(facts: Facts) -> str:
    return str(uuid.UUID(digest(facts.type, facts.name, length=32)))


def role_policy_id(facts: Facts) -> str:
    # The provider's id of an inline role policy is `<role name>:<policy name>`.
    return f"{facts.inputs.get('role')}:{facts.inputs['name']}"


def owner(facts: Facts, resource_id: str) -> dict[str, Any]:
    return {"ownerId": facts.account}


def short_region(region: str) -> str:
    """eu-west-1 -> euw1, as ElastiCache endpoints spell the region."""
    area, direction, number = region.split("-")
    return (
        area
        + "".join(word[0] for word in direction.replace("north", "n-").replace("south", "s-").split("-") if word)
        + number
    )


# -- RDS -----------------------------------------------------------------------------------------------------------


def rds_instance_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    identifier = facts.inputs.get("identifier")
    address = f"{identifier}.{digest(facts.account, str(identifier), length=12)}.{facts.region}.rds.amazonaws.com"
    port = facts.inputs.get("port", 5432)
    outputs: dict[str, Any] = {
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "resourceId": resource_id,
        "hostedZoneId": "Z29XKXDKYMONMX",
        "engineVersionActual": f"{facts.inputs.get('engineVersion')}.4",
    }
    if facts.inputs.get("manageMasterUserPassword"):
        secret = f"rds!db-{uuid.UUID(digest(facts.name, 'secret', length=32))}"
        outputs["masterUserSecrets"] = [
            {
                "secretArn": (
                    f"arn:aws:secretsmanager:{facts.region}:{facts.account}:secret:{secret}-{digest(secret, length=6)}"
                ),
                "kmsKeyId": facts.inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ]
    return outputs


def rds_instance_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    if inputs.get("manageMasterUserPassword") and inputs.get("password"):
        problems.append("password and manageMasterUserPassword are mutually exclusive")
    if inputs.get("manageMasterUserPassword") and inputs.get("replicateSourceDb"):
        problems.append("RDS cannot create a read replica of an instance whose master password it manages")
    if inputs.get("kmsKeyId") and not inputs.get("storageEncrypted"):
        problems.append("kmsKeyId needs storageEncrypted")
    if inputs.get("multiAz") and inputs.get("availabilityZone"):
        problems.append("availabilityZone cannot be set on a Multi-AZ instance")
    if not inputs.get("skipFinalSnapshot") and not inputs.get("finalSnapshotIdentifier"):
        problems.append("finalSnapshotIdentifier is required unless skipFinalSnapshot is true")
    if inputs.get("monitoringInterval") and not inputs.get("monitoringRoleArn"):
        problems.append("monitoringInterval above 0 needs monitoringRoleArn")
    retention = inputs.get("performanceInsightsRetentionPeriod")
    if retention is not None and not (retention == 7 or (retention % 31 == 0 and 31 <= retention <= 731)):
        problems.append(f"performanceInsightsRetentionPeriod {retention} is not 7 or a multiple of 31 up to 731")
    if inputs.get("maxAllocatedStorage") and inputs["maxAllocatedStorage"] < inputs.get("allocatedStorage", 0):
        problems.append("maxAllocatedStorage is below allocatedStorage")
    return problems


# -- ElastiCache ---------------------------------------------------------------------------------------------------


def replication_group_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    host = (
        f"{resource_id}.{digest(facts.account, resource_id, length=6)}.{short_region(facts.region)}.cache.amazonaws.com"
    )
    count = int(facts.inputs.get("numCacheClusters", 1))
    return {
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "memberClusters": [f"{resource_id}-{n:03d}" for n in range(1, count + 1)],
        "engineVersionActual": f"{facts.inputs.get('engineVersion')}.1",
    }


def replication_group_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    if inputs.get("automaticFailoverEnabled") and int(inputs.get("numCacheClusters", 1)) < 2:
        problems.append("automatic failover needs numCacheClusters of at least 2")
    if inputs.get("multiAzEnabled") and not inputs.get("automaticFailoverEnabled"):
        problems.append("multiAzEnabled needs automaticFailoverEnabled")
    if inputs.get("userGroupIds") and not inputs.get("transitEncryptionEnabled"):
        problems.append("user groups (RBAC) need transitEncryptionEnabled")
    if inputs.get("kmsKeyId") and not inputs.get("atRestEncryptionEnabled"):
        problems.append("kmsKeyId needs atRestEncryptionEnabled")
    if len(str(inputs.get("replicationGroupId", ""))) > 40:
        problems.append("replicationGroupId is longer than 40 characters")
    return problems


def serverless_cache_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    suffix = f"serverless.{short_region(facts.region)}.cache.amazonaws.com"
    host = f"{resource_id}-{digest(facts.account, resource_id, length=6)}.{suffix}"
    return {
        "endpoints": [{"address": host, "port": 6379}],
        "readerEndpoints": [{"address": host, "port": 6380}],
        "fullEngineVersion": f"{facts.inputs.get('majorEngineVersion')}.0",
        "status": "available",
    }


def elasticache_user_check(facts: Facts) -> list[str]:
    inputs = facts.inputs
    mode = (inputs.get("authenticationMode") or {}).get("type")
    if mode == "iam" and inputs.get("userId") != inputs.get("userName"):
        return ["a user with IAM authentication needs userId equal to userName"]
    return []


# -- DynamoDB ------------------------------------------------------------------------------------------------------


def table_check(facts: Facts) -> list[str]:
    inputs = facts.inputs
    keys = {inputs.get("hashKey"), inputs.get("rangeKey")}
    indexed = keys | {index.get("hashKey") for index in inputs.get("globalSecondaryIndexes") or []}
    problems = [
        f"attribute {attribute['name']!r} is declared but not a key of the table or an index"
        for attribute in inputs.get("attributes") or []
        if attribute["name"] not in indexed
    ]
    ttl = (inputs.get("ttl") or {}).get("attributeName")
    if ttl in keys:
        problems.append(f"the TTL attribute {ttl!r} cannot be a key attribute")
    return problems


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
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ResourceKind(
        lambda facts: f"{facts.inputs.get('role')}-{digest(facts.name, length=20)}"
    ),
    # -- KMS -------------------------------------------------------------------------------------------------
    "aws:kms/key:Key": ResourceKind(
        key_uuid, "arn:aws:kms:{region}:{account}:key/{id}", extra=lambda facts, resource_id: {"keyId": resource_id}
    ),
    "aws:kms/alias:Alias": ResourceKind(by_name, "arn:aws:kms:{region}:{account}:{name}"),
    "aws:kms/keyPolicy:KeyPolicy": ResourceKind(lambda facts: str(facts.inputs["keyId"])),
    # -- RDS -------------------------------------------------------------------------------------------------
    "aws:rds/subnetGroup:SubnetGroup": ResourceKind(
        by_name, "arn:aws:rds:{region}:{account}:subgrp:{name}", auto_named=True
    ),
    "aws:rds/parameterGroup:ParameterGroup": ResourceKind(
        by_name, "arn:aws:rds:{region}:{account}:pg:{name}", auto_named=True
    ),
    # Since provider v5 an instance's id is its DBI resource id, not its identifier.
    "aws:rds/instance:Instance": ResourceKind(
        lambda facts: "db-" + digest(facts.type, facts.name, length=26).upper(),
        "arn:aws:rds:{region}:{account}:db:{identifier}",
        extra=rds_instance_outputs,
        check=rds_instance_check,
    ),
    # -- ElastiCache -----------------------------------------------------------------------------------------
    "aws:elasticache/subnetGroup:SubnetGroup": ResourceKind(
        by_name, "arn:aws:elasticache:{region}:{account}:subnetgroup:{name}", auto_named=True
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": ResourceKind(
        by_input("replicationGroupId"),
        "arn:aws:elasticache:{region}:{account}:replicationgroup:{id}",
        extra=replication_group_outputs,
        check=replication_group_check,
    ),
    "aws:elasticache/serverlessCache:ServerlessCache": ResourceKind(
        by_name, "arn:aws:elasticache:{region}:{account}:serverlesscache:{id}", extra=serverless_cache_outputs
    ),
    "aws:elasticache/user:User": ResourceKind(
        by_input("userId"), "arn:aws:elasticache:{region}:{account}:user:{id}", check=elasticache_user_check
    ),
    "aws:elasticache/userGroup:UserGroup": ResourceKind(
        by_input("userGroupId"), "arn:aws:elasticache:{region}:{account}:usergroup:{id}"
    ),
    # -- DynamoDB --------------------------------------------------------------------------------------------
    "aws:dynamodb/table:Table": ResourceKind(
        by_name, "arn:aws:dynamodb:{region}:{account}:table/{name}", auto_named=True, check=table_check
    ),
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
