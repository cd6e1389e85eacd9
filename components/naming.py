"""Physical names for the few resources AWS makes us name, within each service's limits.

Everything else is auto-named by the provider. Where a name is required (an RDS identifier the
log groups must know in advance, ElastiCache user and group ids), it is built here from the
component's logical name, so two stacks never collide and the name never changes on its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    """What a service accepts: a length, lower case letters, digits and hyphens, starting with a letter."""

    service: str
    max_length: int


RDS_IDENTIFIER = NameRule("RDS DB instance identifier", 63)
RDS_SNAPSHOT = NameRule("RDS DB snapshot identifier", 255)
ELASTICACHE_ID = NameRule("ElastiCache replication group, serverless cache, user or user group id", 40)
ELB_NAME = NameRule("load balancer or target group name", 32)
ECS_NAME = NameRule("ECS cluster, service or task family", 255)
CLOUDFRONT_NAME = NameRule("CloudFront origin access control, VPC origin or policy name; WAF metric", 64)
EVENTS_NAME = NameRule("EventBridge rule or Scheduler schedule name", 64)
TRAIL_NAME = NameRule("CloudTrail trail name", 128)

_HASH_LENGTH = 7


def physical_name(rule: NameRule, *parts: str) -> str:
    """`parts` joined with hyphens and made acceptable to the service; cut with a hash suffix when too long.

    Lower case; anything but letters and digits becomes a hyphen; no double or trailing hyphen;
    it starts with a letter. A cut name keeps a hash of the whole, so two long names stay apart.
    """
    name = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"x-{name}".rstrip("-")
    if len(name) <= rule.max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_LENGTH]
    return f"{name[: rule.max_length - _HASH_LENGTH - 1].rstrip('-')}-{digest}"


def replaceable_name(rule: NameRule, name: str, *replaced_by: object) -> str:
    """A physical name that changes exactly when the resource must be replaced.

    AWS refuses two resources of one name, and Pulumi creates a replacement before it deletes
    the original: so the name carries a short hash of the inputs that force a replacement (a
    target group's port, a load balancer's scheme), and a replacement gets a name of its own.
    """
    suffix = hashlib.sha256(repr(replaced_by).encode()).hexdigest()[:6]
    return f"{physical_name(NameRule(rule.service, rule.max_length - len(suffix) - 1), name)}-{suffix}"
