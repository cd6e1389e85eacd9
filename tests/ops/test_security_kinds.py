"""The mock engine refuses what CloudTrail, Security Hub, EventBridge, Scheduler and EC2 refuse (no run needed)."""

from __future__ import annotations

import json

import pytest

from ops.mocks.monitor import Registration
from ops.mocks.resources import KINDS, Facts
from ops.mocks.security_kinds import subscriptions_follow_the_hub, trails_wait_for_their_policies

REGION, ACCOUNT = "eu-west-1", "123456789012"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:trail"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"
TRAIL = {
    "name": "webstack-prod-audit",
    "s3BucketName": "b",
    "isMultiRegionTrail": True,
    "includeGlobalServiceEvents": True,
    "kmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
    "cloudWatchLogsGroupArn": f"{GROUP}:*",
    "cloudWatchLogsRoleArn": ROLE,
}
SCHEDULE = {
    "name": "s",
    "scheduleExpression": "cron(0 19 ? * MON-FRI *)",
    "scheduleExpressionTimezone": "Europe/Dublin",
    "flexibleTimeWindow": {"mode": "OFF"},
    "target": {"arn": "arn:aws:scheduler:::aws-sdk:ec2:stopInstances", "roleArn": ROLE, "input": '{"InstanceIds": []}'},
}
INSTANCE = {
    "ami": "ami-1",
    "subnetId": "subnet-1",
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
    "rootBlockDevice": {"encrypted": True, "kmsKeyId": "k"},
    "iamInstanceProfile": "profile",
}
GOOD = {
    "aws:cloudtrail/trail:Trail": TRAIL,
    "aws:securityhub/standardsSubscription:StandardsSubscription": {
        "standardsArn": f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
    },
    "aws:cloudwatch/eventRule:EventRule": {
        "name": "r",
        "eventPattern": json.dumps({"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}),
    },
    "aws:scheduler/schedule:Schedule": SCHEDULE,
    "aws:ec2/instance:Instance": INSTANCE,
}


def problems(type_: str, inputs: dict) -> list[str]:
    return KINDS[type_].check(Facts(type_, "x", inputs, REGION, ACCOUNT))


@pytest.mark.parametrize("type_", sorted(GOOD))
def test_what_the_program_registers_is_accepted(type_):
    assert problems(type_, GOOD[type_]) == []


@pytest.mark.parametrize(
    ("type_", "change", "says"),
    [
        ("aws:cloudtrail/trail:Trail", {"cloudWatchLogsGroupArn": GROUP}, "must end with the log-stream wildcard"),
        ("aws:cloudtrail/trail:Trail", {"cloudWatchLogsGroupArn": None}, "go together"),
        ("aws:cloudtrail/trail:Trail", {"includeGlobalServiceEvents": False}, "must include global service events"),
        ("aws:cloudtrail/trail:Trail", {"kmsKeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"}, "home region"),
        ("aws:cloudtrail/trail:Trail", {"name": "a..b"}, "trail name"),
        ("aws:securityhub/standardsSubscription:StandardsSubscription",
         {"standardsArn": "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"},
         "not the hub's region"),
        ("aws:securityhub/standardsSubscription:StandardsSubscription",
         {"standardsArn": "aws-foundational-security-best-practices"}, "is not a Security Hub standard"),
        ("aws:cloudwatch/eventRule:EventRule", {"eventPattern": "{source: aws.guardduty}"}, "not JSON"),
        ("aws:cloudwatch/eventRule:EventRule", {"eventPattern": '{"source": "aws.guardduty"}'}, "non-empty lists"),
        ("aws:cloudwatch/eventRule:EventRule", {"name": "r" * 65}, "1-64"),
        ("aws:scheduler/schedule:Schedule", {"scheduleExpression": "cron(0 19 * * MON-FRI *)"}, "exactly one of"),
        ("aws:scheduler/schedule:Schedule", {"scheduleExpressionTimezone": "CEST"}, "IANA time zone"),
        ("aws:scheduler/schedule:Schedule", {"flexibleTimeWindow": {"mode": "FLEXIBLE"}}, "maximumWindowInMinutes"),
        ("aws:scheduler/schedule:Schedule",
         {"target": {**SCHEDULE["target"], "arn": "arn:aws:scheduler:::aws-sdk:ec2:StopInstances"}},
         "not a universal target"),
        ("aws:ec2/instance:Instance", {"rootBlockDevice": {"kmsKeyId": "k"}}, "needs encrypted"),
        ("aws:ec2/instance:Instance", {"metadataOptions": {"httpPutResponseHopLimit": 0}}, "1-64"),
        ("aws:ec2/instance:Instance", {"iamInstanceProfile": f"arn:aws:iam::{ACCOUNT}:instance-profile/p"}, "name"),
    ],
)  # fmt: skip
def test_what_aws_refuses_is_refused(type_, change, says):
    found = problems(type_, {**GOOD[type_], **change})

    assert any(says in problem for problem in found), found


def reg(
    type_: str, name: str, depends_on: tuple[str, ...] = (), inputs: dict | None = None, **deps: Registration
) -> Registration:
    urn = f"urn:pulumi:t::webstack::{type_}::{name}"
    return Registration(
        urn,
        type_,
        name,
        True,
        None,
        None,
        inputs or {},
        False,
        False,
        depends_on,
        (),
        {},
        property_dependencies={key: (source.urn,) for key, source in deps.items()},
    )


def test_a_trail_made_before_its_bucket_or_key_policy_is_refused():
    bucket = reg("aws:s3/bucket:Bucket", "b")
    policy = reg("aws:s3/bucketPolicy:BucketPolicy", "p", bucket=bucket)
    key_policy = reg("aws:kms/keyPolicy:KeyPolicy", "k")
    kms = {"kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"}
    waiting = reg("aws:cloudtrail/trail:Trail", "t", (policy.urn,), kms, s3BucketName=bucket, kmsKeyId=key_policy)
    eager = reg("aws:cloudtrail/trail:Trail", "t", (), kms, s3BucketName=bucket)

    assert list(trails_wait_for_their_policies([bucket, policy, key_policy, waiting])) == []
    assert [problem.split(" (")[-1] for problem in trails_wait_for_their_policies([bucket, policy, eager])] == [
        "InsufficientS3BucketPolicy)",
        "InsufficientEncryption)",
    ]


def test_a_standard_subscribed_before_the_hub_is_enabled_is_refused():
    hub = reg("aws:securityhub/account:Account", "hub")
    waiting = reg("aws:securityhub/standardsSubscription:StandardsSubscription", "fsbp", (hub.urn,))
    eager = reg("aws:securityhub/standardsSubscription:StandardsSubscription", "fsbp")

    assert list(subscriptions_follow_the_hub([hub, waiting])) == []
    assert list(subscriptions_follow_the_hub([hub, eager])) == [
        "fsbp: a standard is subscribed before Security Hub is enabled (depend on the hub)"
    ]
