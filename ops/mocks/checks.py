"""Rules AWS applies across resources, checked once the program has registered everything.

Security groups: the rule quota. RDS: an instance's parameter group family. ElastiCache: the
`default` user every user group needs.

A mock answers one resource at a time; these rules need the whole plan (every rule of a
security group), so `run_offline` runs them after the program ends and fails the plan
with what they find.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from ops.mocks.invokes import CLOUDFRONT_PREFIX_LIST_ENTRIES
from ops.mocks.monitor import Registration

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


AFTER_RUN_CHECKS: tuple[Callable[[Sequence[Registration]], Iterable[str]], ...] = (
    security_group_rule_quota,
    parameter_group_family,
    user_group_has_default_user,
)
