"""What the mock engine knows about the audit, threat detection and access host resources.

CloudTrail, GuardDuty, Security Hub, EventBridge rules and Scheduler schedules, and a plain EC2
instance: ids and ARNs in AWS's formats, and what each service refuses about a resource's own
inputs (merged into `resources.KINDS`). Two rules across resources run after the program
(ops/mocks/checks.py): a standard is subscribed only once Security Hub is enabled, and a trail is
created only once its bucket's and its key's policies let CloudTrail in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from config.types import scheduler_cron_problem, time_zone_problem
from ops.mocks.resources import Facts, ResourceKind, by_input, digest, ec2_id

if TYPE_CHECKING:  # the monitor imports this module's table through resources.py
    from ops.mocks.monitor import Registration

TRAIL = "aws:cloudtrail/trail:Trail"
SECURITY_HUB = "aws:securityhub/account:Account"
STANDARDS_SUBSCRIPTION = "aws:securityhub/standardsSubscription:StandardsSubscription"

# CloudTrail CreateTrail: 3-128 letters, digits, periods, underscores and dashes; starts and ends with a letter or
# digit; no two of . _ - side by side.
_TRAIL_NAME = re.compile(r"^(?!.*[._-]{2})[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")


def trail_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    name = str(inputs.get("name", ""))
    if not _TRAIL_NAME.match(name):
        problems.append(f"trail name {name!r} is not 3-128 letters, digits, . _ - (no two side by side)")
    if not inputs.get("s3BucketName"):
        problems.append("a trail needs s3BucketName")
    group, role = inputs.get("cloudWatchLogsGroupArn"), inputs.get("cloudWatchLogsRoleArn")
    if bool(group) != bool(role):
        problems.append("cloudWatchLogsGroupArn and cloudWatchLogsRoleArn go together (InvalidCloudWatchLogsRoleArn)")
    if group and not str(group).endswith(":*"):
        problems.append(f"cloudWatchLogsGroupArn {group!r} must end with the log-stream wildcard :*")
    if inputs.get("isMultiRegionTrail") and inputs.get("includeGlobalServiceEvents") is False:
        problems.append("a multi-region trail must include global service events (InvalidParameterCombination)")
    key = str(inputs.get("kmsKeyId") or "")
    if key.startswith("arn:") and key.split(":")[3] != facts.region:
        problems.append(f"the trail's KMS key {key} is not in its home region {facts.region}")
    return problems


DETECTOR_FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")


def detector_check(facts: Facts) -> list[str]:
    frequency = facts.inputs.get("findingPublishingFrequency", "SIX_HOURS")
    return (
        []
        if frequency in DETECTOR_FREQUENCIES
        else [f"findingPublishingFrequency {frequency!r} is not one of {DETECTOR_FREQUENCIES}"]
    )


def security_hub_check(facts: Facts) -> list[str]:
    generator = facts.inputs.get("controlFindingGenerator")
    if generator is not None and generator not in ("SECURITY_CONTROL", "STANDARD_CONTROL"):
        return [f"controlFindingGenerator {generator!r} is not SECURITY_CONTROL or STANDARD_CONTROL"]
    return []


# Security Hub's standards ARNs ("Security Hub standards reference"): regional `standards/...`, except CIS 1.2.
_STANDARD = re.compile(
    r"^arn:aws:securityhub:(?P<region>[a-z0-9-]*)::(?:standards/(?P<path>[a-z0-9-]+/v/\d+\.\d+\.\d+)"
    r"|ruleset/cis-aws-foundations-benchmark/v/1\.2\.0)$"
)


def standards_subscription_id(facts: Facts) -> str:
    match = _STANDARD.match(str(facts.inputs.get("standardsArn", "")))
    path = match["path"] if match and match["path"] else "cis-aws-foundations-benchmark/v/1.2.0"
    return f"arn:aws:securityhub:{facts.region}:{facts.account}:subscription/{path}"


def standards_subscription_check(facts: Facts) -> list[str]:
    arn = str(facts.inputs.get("standardsArn", ""))
    match = _STANDARD.match(arn)
    if match is None:
        return [f"standardsArn {arn!r} is not a Security Hub standard (arn:aws:securityhub:<region>::standards/...)"]
    if match["path"] and match["region"] != facts.region:
        return [f"standardsArn {arn!r} names {match['region'] or 'no region'}, not the hub's region {facts.region}"]
    return []


_EVENTS_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Content filters EventBridge accepts inside a match list ("Content filtering in Amazon EventBridge event patterns").
_FILTERS = {"prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "equals-ignore-case", "wildcard"}


def _pattern_problems(pattern: Any, where: str) -> Iterable[str]:
    """Every field of a pattern is an object of fields or a list of values or content filters."""
    if not isinstance(pattern, dict) or not pattern:
        yield f"{where or 'the pattern'} must be a non-empty JSON object"
        return
    for key, value in pattern.items():
        path = f"{where}.{key}" if where else key
        if key == "$or" and isinstance(value, list):
            for index, branch in enumerate(value):
                yield from _pattern_problems(branch, f"{path}[{index}]")
        elif isinstance(value, dict):
            yield from _pattern_problems(value, path)
        elif not isinstance(value, list) or not value:
            yield f"{path}: a pattern's values are non-empty lists, not {type(value).__name__}"
        else:
            for item in value:
                if isinstance(item, dict) and not (len(item) == 1 and next(iter(item)) in _FILTERS):
                    yield f"{path}: {json.dumps(item)} is not a content filter"


def event_rule_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    name = str(inputs.get("name", ""))
    if not _EVENTS_NAME.match(name):
        problems.append(f"rule name {name!r} is not 1-64 letters, digits, . _ -")
    pattern, schedule = inputs.get("eventPattern"), inputs.get("scheduleExpression")
    if not pattern and not schedule:
        problems.append("a rule needs an eventPattern or a scheduleExpression")
    if pattern:
        try:
            problems += list(_pattern_problems(json.loads(str(pattern)), ""))
        except json.JSONDecodeError:
            problems.append("eventPattern is not JSON (InvalidEventPatternException)")
    return problems


def event_target_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    target = str(inputs.get("targetId", ""))
    if not _EVENTS_NAME.match(target):
        problems.append(f"targetId {target!r} is not 1-64 letters, digits, . _ -")
    parts = str(inputs.get("arn", "")).split(":")
    if parts[2:3] == ["sns"] and parts[3] != facts.region:
        problems.append(f"a rule in {facts.region} cannot target the topic {inputs.get('arn')} of another region")
    return problems


def instance_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    address = f"10.{int(digest(resource_id, length=2), 16) % 256}.{int(digest(resource_id, 'b', length=2), 16)}.10"
    return {
        "privateIp": address,
        "privateDns": f"ip-{address.replace('.', '-')}.{facts.region}.compute.internal",
        "primaryNetworkInterfaceId": f"eni-{digest(resource_id, 'eni')}",
        "instanceState": "running",
        "ownerId": facts.account,
    }


def instance_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    metadata = inputs.get("metadataOptions") or {}
    if metadata.get("httpTokens", "optional") not in ("optional", "required"):
        problems.append(f"metadataOptions.httpTokens {metadata.get('httpTokens')!r} is not optional or required")
    if not 1 <= int(metadata.get("httpPutResponseHopLimit", 1)) <= 64:
        problems.append("metadataOptions.httpPutResponseHopLimit must be 1-64")
    root = inputs.get("rootBlockDevice") or {}
    if root.get("kmsKeyId") and not root.get("encrypted"):
        problems.append("rootBlockDevice.kmsKeyId needs encrypted (InvalidParameterDependency)")
    profile = str(inputs.get("iamInstanceProfile") or "")
    if profile.startswith("arn:"):
        problems.append("iamInstanceProfile takes the profile's name, not its ARN")
    credits = (inputs.get("creditSpecification") or {}).get("cpuCredits")
    if credits is not None and credits not in ("standard", "unlimited"):
        problems.append(f"cpuCredits {credits!r} is not standard or unlimited")
    if not inputs.get("ami") or not inputs.get("subnetId"):
        problems.append("an instance here needs an ami and a subnetId (the VPC has no default subnet)")
    return problems


# EventBridge Scheduler's universal targets: arn:aws:scheduler:::aws-sdk:<service>:<apiAction>, the action in camelCase.
_UNIVERSAL_TARGET = re.compile(r"^arn:aws:scheduler:::aws-sdk:[a-z0-9]+:[a-z][A-Za-z0-9]+$")
_SCHEDULE_RATE = re.compile(r"^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$")


def schedule_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    name = str(inputs.get("name", ""))
    if not _EVENTS_NAME.match(name):
        problems.append(f"schedule name {name!r} is not 1-64 letters, digits, . _ -")
    expression = str(inputs.get("scheduleExpression", ""))
    if expression.startswith("cron("):
        problem = scheduler_cron_problem(expression)
        problems += [problem] if problem else []
    elif not (_SCHEDULE_RATE.match(expression) or expression.startswith("at(")):
        problems.append(f"scheduleExpression {expression!r} is not at(...), rate(...) or cron(...)")
    zone = str(inputs.get("scheduleExpressionTimezone", "UTC"))
    problem = time_zone_problem(zone)
    problems += [f"scheduleExpressionTimezone: {problem}"] if problem else []
    window = inputs.get("flexibleTimeWindow") or {}
    if window.get("mode") not in ("OFF", "FLEXIBLE"):
        problems.append("flexibleTimeWindow.mode must be OFF or FLEXIBLE")
    elif (window.get("mode") == "FLEXIBLE") != ("maximumWindowInMinutes" in window):
        problems.append("flexibleTimeWindow.maximumWindowInMinutes is required with FLEXIBLE and refused with OFF")
    target = inputs.get("target") or {}
    arn = str(target.get("arn", ""))
    if not target.get("roleArn"):
        problems.append("a schedule's target needs a roleArn")
    if arn.startswith("arn:aws:scheduler:") and not _UNIVERSAL_TARGET.match(arn):
        problems.append(f"{arn!r} is not a universal target (arn:aws:scheduler:::aws-sdk:<service>:<apiAction>)")
    if "input" in target:
        try:
            json.loads(str(target["input"]))
        except json.JSONDecodeError:
            problems.append("the target's input is not JSON")
    return problems


SECURITY_KINDS: dict[str, ResourceKind] = {
    TRAIL: ResourceKind(
        by_input("name"),
        "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
        auto_named=True,
        extra=lambda facts, resource_id: {"homeRegion": facts.region},
        check=trail_check,
    ),
    "aws:guardduty/detector:Detector": ResourceKind(
        lambda facts: digest(facts.type, facts.name, length=32),
        "arn:aws:guardduty:{region}:{account}:detector/{id}",
        extra=lambda facts, resource_id: {"accountId": facts.account},
        check=detector_check,
    ),
    SECURITY_HUB: ResourceKind(
        lambda facts: facts.account, "arn:aws:securityhub:{region}:{account}:hub/default", check=security_hub_check
    ),
    STANDARDS_SUBSCRIPTION: ResourceKind(standards_subscription_id, "{id}", check=standards_subscription_check),
    "aws:cloudwatch/eventRule:EventRule": ResourceKind(
        by_input("name"), "arn:aws:events:{region}:{account}:rule/{name}", auto_named=True, check=event_rule_check
    ),
    "aws:cloudwatch/eventTarget:EventTarget": ResourceKind(
        lambda facts: f"{facts.inputs.get('rule')}-{facts.inputs.get('targetId')}", check=event_target_check
    ),
    "aws:ec2/instance:Instance": ResourceKind(
        ec2_id("i"), "arn:aws:ec2:{region}:{account}:instance/{id}", extra=instance_outputs, check=instance_check
    ),
    "aws:scheduler/schedule:Schedule": ResourceKind(
        lambda facts: f"default/{facts.inputs['name']}",
        "arn:aws:scheduler:{region}:{account}:schedule/default/{name}",
        auto_named=True,
        check=schedule_check,
    ),
}


def subscriptions_follow_the_hub(registrations: Sequence[Registration]) -> Iterable[str]:
    """Security Hub refuses a standards subscription until it is enabled: the subscription must wait for it."""
    hubs = {r.urn for r in registrations if r.type == SECURITY_HUB}
    for subscription in registrations:
        if subscription.type == STANDARDS_SUBSCRIPTION and not hubs & set(subscription.depends_on):
            yield f"{subscription.name}: a standard is subscribed before Security Hub is enabled (depend on the hub)"


def trails_wait_for_their_policies(registrations: Sequence[Registration]) -> Iterable[str]:
    """CloudTrail checks its bucket's policy and its key's policy when the trail is created
    (InsufficientS3BucketPolicyException, InsufficientEncryptionPolicyException): the trail must wait for both."""
    for trail in (r for r in registrations if r.type == TRAIL):
        waits_for = set(trail.depends_on) | {urn for urns in trail.property_dependencies.values() for urn in urns}
        buckets = set(trail.property_dependencies.get("s3BucketName") or ())
        policies = {
            r.urn
            for r in registrations
            if r.type == "aws:s3/bucketPolicy:BucketPolicy"
            and buckets & set(r.property_dependencies.get("bucket") or ())
        }
        if not policies & waits_for:
            yield f"{trail.name}: created before its bucket's policy lets CloudTrail write (InsufficientS3BucketPolicy)"
        key_policies = {r.urn for r in registrations if r.type == "aws:kms/keyPolicy:KeyPolicy"}
        if trail.inputs.get("kmsKeyId") and not key_policies & set(trail.property_dependencies.get("kmsKeyId") or ()):
            yield f"{trail.name}: names its key before the key's policy lets CloudTrail use it (InsufficientEncryption)"
