"""The account's audit trail and threat detection: on in prod, validated, encrypted, private, routed to the alerts;
absent from dev unless configured; and turning them on later only adds and updates."""

from __future__ import annotations

import json

import pytest

from components.detection import FOUNDATIONAL_STANDARD
from ops.diff import Action, diff_runs
from ops.engine import run_offline
from tests.components.conftest import regional_key, regional_key_policy
from tests.conftest import stack_values

TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DETECTOR = "aws:guardduty/detector:Detector"
HUB = "aws:securityhub/account:Account"
SUBSCRIPTION = "aws:securityhub/standardsSubscription:StandardsSubscription"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
INSTANCE = "aws:ec2/instance:Instance"
ACCOUNT = "111111111111"
TRAIL_ARN = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/webstack-prod-audit"


def by_sid(document: str) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in json.loads(document)["Statement"]}


@pytest.fixture
def prod(shipped_run):
    return shipped_run("prod")


def trail_bucket(run):
    return run.one(BUCKET, "webstack-prod-audit-trail-bucket")


def companion(run, type_: str, bucket) -> dict:
    (found,) = [r for r in run.find(type_) if bucket.urn in r.property_dependencies.get("bucket", ())]
    return found.inputs


# -- the trail -------------------------------------------------------------------------------------------------


def test_the_prod_trail_records_every_region_validated_and_encrypted_with_the_environment_key(prod):
    trail = prod.one(TRAIL).inputs

    assert trail["isMultiRegionTrail"] is True
    assert trail["includeGlobalServiceEvents"] is True
    assert trail["enableLogFileValidation"] is True
    assert trail["kmsKeyId"] == regional_key(prod).outputs["arn"]
    assert prod.outputs["security"]["trailArn"] == TRAIL_ARN


def test_the_trail_bucket_is_private_versioned_tls_only_expiring_and_protected(prod):
    bucket = trail_bucket(prod)
    policy = by_sid(companion(prod, BUCKET_POLICY, bucket)["policy"])

    assert set(companion(prod, PUBLIC_ACCESS, bucket).values()) >= {True}
    assert all(
        companion(prod, PUBLIC_ACCESS, bucket)[key] is True for key in ("blockPublicAcls", "restrictPublicBuckets")
    )
    assert companion(prod, VERSIONING, bucket)["versioningConfiguration"]["status"] == "Enabled"
    (rule,) = companion(prod, LIFECYCLE, bucket)["rules"]
    assert rule["expiration"]["days"] == 365
    assert policy["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)


def test_the_bucket_policy_lets_only_this_trail_check_the_acl_and_write_owned_log_files(prod):
    bucket = trail_bucket(prod)
    policy = by_sid(companion(prod, BUCKET_POLICY, bucket)["policy"])
    arn = bucket.outputs["arn"]

    acl, write = policy["CloudTrailChecksBucketAcl"], policy["CloudTrailWritesLogs"]
    assert (acl["Principal"], acl["Action"], acl["Resource"]) == (
        {"Service": "cloudtrail.amazonaws.com"},
        "s3:GetBucketAcl",
        arn,
    )
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    assert (write["Action"], write["Resource"]) == ("s3:PutObject", f"{arn}/AWSLogs/{ACCOUNT}/*")
    assert write["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}
    }


def test_the_trail_waits_for_the_bucket_policy_and_writes_to_the_bucket(prod):
    trail = prod.one(TRAIL)
    policy = prod.one(BUCKET_POLICY, "webstack-prod-audit-trail-policy")

    assert policy.urn in trail.depends_on
    assert trail.inputs["s3BucketName"] == trail_bucket(prod).outputs["id"]


def test_the_key_lets_cloudtrail_encrypt_for_this_trail_only(prod):
    statements = by_sid(regional_key_policy(prod).inputs["policy"])

    encrypt = statements["CloudTrailEncryptsLogs"]
    assert (encrypt["Principal"], encrypt["Action"]) == (
        {"Service": "cloudtrail.amazonaws.com"},
        "kms:GenerateDataKey*",
    )
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL_ARN},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
    }
    assert statements["CloudTrailDescribesKey"]["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}


def test_the_trail_delivers_to_its_log_group_through_a_role_that_may_write_only_there(prod):
    trail = prod.one(TRAIL).inputs
    group = prod.one(LOG_GROUP, "webstack-prod-audit-trail-logs")
    role = prod.one(ROLE, "webstack-prod-audit-trail-logs-role")
    (statement,) = json.loads(prod.one(ROLE_POLICY, "webstack-prod-audit-trail-logs-policy").inputs["policy"])[
        "Statement"
    ]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]

    assert trail["cloudWatchLogsGroupArn"] == f"{group.outputs['arn']}:*"
    assert trail["cloudWatchLogsRoleArn"] == role.outputs["arn"]
    assert group.inputs["retentionInDays"] == 90
    assert group.inputs["kmsKeyId"] == regional_key(prod).outputs["arn"]
    assert statement["Resource"] == f"{group.outputs['arn']}:*"
    assert set(statement["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    # CloudTrail sends no source account or ARN when it assumes this role: a condition on them would lock it out.
    assert trust == {
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


# -- threat detection ----------------------------------------------------------------------------------------


def test_prod_has_a_detector_and_security_hub_with_the_foundational_standard(prod):
    hub = prod.one(HUB)
    subscription = prod.one(SUBSCRIPTION)

    assert prod.one(DETECTOR).inputs["enable"] is True
    assert hub.inputs["enableDefaultStandards"] is False
    assert subscription.inputs["standardsArn"] == f"arn:aws:securityhub:eu-west-1::{FOUNDATIONAL_STANDARD}"
    assert hub.urn in subscription.depends_on
    assert prod.outputs["security"]["guardDutyDetectorId"] == prod.one(DETECTOR).outputs["id"]


def test_high_severity_findings_of_both_services_reach_the_alert_topic(prod):
    topic = prod.one(TOPIC, "webstack-prod-alerts-topic").outputs["arn"]
    patterns = {rule.outputs["name"]: json.loads(rule.inputs["eventPattern"]) for rule in prod.find(EVENT_RULE)}
    targets = {target.inputs["rule"]: target.inputs["arn"] for target in prod.find(EVENT_TARGET)}

    guardduty = patterns["webstack-prod-threat-detection-guardduty-findings"]
    hub = patterns["webstack-prod-threat-detection-security-hub-findings"]["detail"]["findings"]
    assert guardduty["detail"] == {"severity": [{"numeric": [">=", 7]}]}
    assert hub["Severity"] == {"Label": ["HIGH", "CRITICAL"]}
    assert hub["Workflow"] == {"Status": ["NEW"]}
    assert targets == dict.fromkeys(patterns, topic)


def test_the_alert_topic_lets_this_accounts_rules_publish_and_use_its_key(prod):
    policy = by_sid(prod.one(TOPIC_POLICY, "webstack-prod-alerts-topic-policy").inputs["policy"])
    key = by_sid(regional_key_policy(prod).inputs["policy"])["AlarmsAndBudgetsPublishToTopics"]

    events = policy["ThisAccountsEventRulesPublish"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert events["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/*"},
    }
    assert "events.amazonaws.com" in key["Principal"]["Service"]


# -- dev, and turning them on later -------------------------------------------------------------------------


def test_dev_has_no_trail_detector_hub_rules_or_access_host(shipped_run):
    dev = shipped_run("dev")

    assert [
        r.type for r in dev.registrations if r.type in (TRAIL, DETECTOR, HUB, SUBSCRIPTION, EVENT_RULE, INSTANCE)
    ] == []
    assert "ThisAccountsEventRulesPublish" not in by_sid(
        dev.one(TOPIC_POLICY, "webstack-dev-alerts-topic-policy").inputs["policy"]
    )
    assert set(dev.outputs["security"].values()) == {None}


@pytest.fixture(scope="module")
def everything_on():
    """dev with the trail, GuardDuty, Security Hub and the scheduled access host turned on."""
    values = stack_values("dev")
    values["webstack:security"] = {
        "cloudTrail": {"enabled": True},
        "guardDuty": {"enabled": True},
        "securityHub": {"enabled": True},
        "accessHost": {
            "enabled": True,
            "schedule": {"stop": "cron(0 19 ? * MON-FRI *)", "start": "cron(0 7 ? * MON-FRI *)"},
        },
    }
    return run_offline("dev", values)


def test_turning_them_on_in_dev_only_adds_and_updates_policies(shipped_run, everything_on):
    diff = diff_runs(shipped_run("dev"), everything_on)

    assert diff.of(Action.REPLACE) == []
    assert diff.of(Action.DELETE) == []
    assert {c.type for c in diff.of(Action.CREATE)} >= {TRAIL, DETECTOR, HUB, SUBSCRIPTION, INSTANCE}
    # The key and topic policies take the new publishers and writers; nothing else that exists changes.
    assert {(c.type, c.keys) for c in diff.of(Action.UPDATE)} == {
        ("aws:kms/keyPolicy:KeyPolicy", ("policy",)),
        (TOPIC_POLICY, ("policy",)),
    }
