"""Rules AWS applies across resources, checked once the program has registered everything.

Security groups: the rule quota. RDS: an instance's parameter group family. ElastiCache: the
`default` user every user group needs. CloudFront: the AZs a VPC origin's load balancer may use,
and the bucket its standard logs go to. ECS: the ports and namespace Service Connect uses.

A mock answers one resource at a time; these rules need the whole plan (every rule of a
security group), so `run_offline` runs them after the program ends and fails the plan
with what they find.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from config import catalog
from ops.mocks.invokes import CLOUDFRONT_PREFIX_LIST_ENTRIES
from ops.mocks.monitor import Registration
from ops.mocks.security_kinds import subscriptions_follow_the_hub, trails_wait_for_their_policies

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
# The default quota of inbound, and separately of outbound, rules per security group (VPC quotas).
RULES_PER_SECURITY_GROUP = 60


def rule_weight(rule: Registration) -> int:
    """What a rule counts against the quota: a prefix list counts its maximum entries, anything else one."""
    return CLOUDFRONT_PREFIX_LIST_ENTRIES if rule.inputs.get("prefixListId") else 1


def security_group_rule_quota(registrations: Sequence[Registration]) -> Iterable[str]:
    """No group may hold more rules in one direction than the quota, counting prefix lists by their size.

    Groups are told apart by the URN the rule's `securityGroupId` came from, which is known in
    a preview too. A replacement made create-before-delete holds old and new rule at once, so
    a prefix-list rule must be `deleteBeforeReplace`.
    """
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for rule in registrations:
        if rule.type not in (INGRESS, EGRESS):
            continue
        (group,) = rule.property_dependencies.get("securityGroupId") or (str(rule.inputs.get("securityGroupId")),)
        direction = "inbound" if rule.type == INGRESS else "outbound"
        weights[(group, direction)] += rule_weight(rule)
        if rule.inputs.get("prefixListId") and not rule.delete_before_replace:
            yield (
                f"{rule.name}: a rule on a prefix list counts {rule_weight(rule)} of the group's "
                f"{RULES_PER_SECURITY_GROUP} rules; it must be deleteBeforeReplace, or its replacement fails with "
                "RulesPerSecurityGroupLimitExceeded"
            )
    for (group, direction), weight in sorted(weights.items()):
        if weight > RULES_PER_SECURITY_GROUP:
            yield (
                f"{group.rsplit('::', 1)[-1]}: {weight} {direction} rules counting prefix list entries, over AWS's "
                f"quota of {RULES_PER_SECURITY_GROUP} (RulesPerSecurityGroupLimitExceeded)"
            )


def _source(registrations: Sequence[Registration], consumer: Registration, key: str) -> Registration | None:
    """The registration an input of `consumer` came from (its property dependency), if one."""
    urns = consumer.property_dependencies.get(key) or ()
    return next((r for r in registrations if r.urn in urns), None)


def parameter_group_family(registrations: Sequence[Registration]) -> Iterable[str]:
    """RDS refuses a parameter group whose family is not the instance's engine and major version."""
    for instance in registrations:
        if instance.type != "aws:rds/instance:Instance":
            continue
        group = _source(registrations, instance, "parameterGroupName")
        wanted = f"{instance.inputs.get('engine')}{str(instance.inputs.get('engineVersion', '')).split('.')[0]}"
        if group is not None and group.inputs.get("family") != wanted:
            yield (
                f"{instance.name}: the parameter group {group.name} is of family {group.inputs.get('family')}, "
                f"but engine {instance.inputs.get('engine')} {instance.inputs.get('engineVersion')} needs {wanted}"
            )


def user_group_has_default_user(registrations: Sequence[Registration]) -> Iterable[str]:
    """ElastiCache refuses a user group without a user named `default`."""
    for group in registrations:
        if group.type != "aws:elasticache/userGroup:UserGroup":
            continue
        urns = set(group.property_dependencies.get("userIds") or ())
        names = {r.inputs.get("userName") for r in registrations if r.urn in urns}
        if "default" not in names:
            yield f"{group.name}: a user group must hold a user named 'default'"


def vpc_origin_zones(registrations: Sequence[Registration]) -> Iterable[str]:
    """CloudFront refuses a VPC origin whose load balancer has a subnet in an AZ VPC origins cannot reach.

    Needs the subnets' ids, so it checks a plan, not a preview (where they are unknown).
    """
    for origin in registrations:
        if origin.type != "aws:cloudfront/vpcOrigin:VpcOrigin":
            continue
        balancer = _source(registrations, origin, "vpcOriginEndpointConfig")
        subnets = balancer.outputs.get("subnets") if balancer else None
        if not isinstance(subnets, list):
            continue  # unknown in a preview
        subnet_ids = set(subnets)
        zones = {
            str(subnet.outputs.get("availabilityZoneId"))
            for subnet in registrations
            if subnet.type == "aws:ec2/subnet:Subnet" and subnet.outputs.get("id") in subnet_ids
        }
        blocked = sorted(zones & catalog.CLOUDFRONT_VPC_ORIGIN_UNSUPPORTED_ZONE_IDS)
        if blocked:
            yield f"{origin.name}: the load balancer has subnets in {', '.join(blocked)}, that VPC origins can't reach"


def cloudfront_log_bucket(registrations: Sequence[Registration]) -> Iterable[str]:
    """CloudFront's standard logs need a bucket with ACLs enabled, outside the regions it cannot deliver to."""
    for distribution in registrations:
        if distribution.type != "aws:cloudfront/distribution:Distribution":
            continue
        urns = set(distribution.property_dependencies.get("loggingConfig") or ())
        for bucket in (r for r in registrations if r.urn in urns and r.type == "aws:s3/bucket:Bucket"):
            region = bucket.outputs.get("region")
            if region in catalog.CLOUDFRONT_LEGACY_LOGS_UNSUPPORTED_REGIONS:
                yield f"{distribution.name}: CloudFront does not deliver standard logs to a bucket in {region}"
            for ownership in registrations:
                if (
                    ownership.type == "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
                    and bucket.urn in (ownership.property_dependencies.get("bucket") or ())
                    and (ownership.inputs.get("rule") or {}).get("objectOwnership") == "BucketOwnerEnforced"
                ):
                    yield (
                        f"{distribution.name}: the log bucket {bucket.name} has ACLs disabled (BucketOwnerEnforced); "
                        "CloudFront's standard logs are written with an ACL"
                    )


def service_connect_ports(registrations: Sequence[Registration]) -> Iterable[str]:
    """ECS refuses a Service Connect service whose port name is not a named port of the task's container,
    and a service in Service Connect in a cluster without a namespace of its own or a default one."""
    for service in registrations:
        connect = service.inputs.get("serviceConnectConfiguration") or {}
        if service.type != "aws:ecs/service:Service" or not connect.get("enabled"):
            continue
        cluster = _source(registrations, service, "cluster")
        if not connect.get("namespace") and not (cluster and cluster.inputs.get("serviceConnectDefaults")):
            yield f"{service.name}: Service Connect needs a namespace (its own or the cluster's default)"
        task = _source(registrations, service, "taskDefinition")
        if task is None:
            continue
        try:
            containers = json.loads(str(task.inputs.get("containerDefinitions")))
        except json.JSONDecodeError:
            continue  # the task definition's own check reports it
        named = {str(port.get("name")) for c in containers for port in c.get("portMappings", []) if port.get("name")}
        for served in connect.get("services") or []:
            if served.get("portName") not in named:
                yield (
                    f"{service.name}: Service Connect serves port {served.get('portName')!r}, which no container of "
                    f"{task.name} names (named ports: {', '.join(sorted(named)) or 'none'})"
                )


AFTER_RUN_CHECKS: tuple[Callable[[Sequence[Registration]], Iterable[str]], ...] = (
    security_group_rule_quota,
    parameter_group_family,
    user_group_has_default_user,
    vpc_origin_zones,
    cloudfront_log_bucket,
    service_connect_ports,
    subscriptions_follow_the_hub,
    trails_wait_for_their_policies,
)
