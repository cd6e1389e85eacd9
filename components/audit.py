"""`webstack:security:Audit`: the account's CloudTrail trail, its bucket and its CloudWatch Logs copy.

A multi-region trail of management events with log-file validation, encrypted with the environment
key, delivered to a private bucket of its own (components/buckets.py) and to a log group
(`Encryption.log_group`) through a role that may write only there. CloudTrail checks the bucket
policy and the key policy when the trail is created, so the trail waits for both. The trail's name
is fixed (from the component's name) because both policies must name its ARN before it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import BucketSettings, PrivateBucket, Statement
from components.compute.app import write_logs_statement
from components.iam import document
from components.naming import TRAIL_NAME, physical_name
from components.options import AwsContext
from components.security import Encryption
from config.security import CloudTrailConfig

SERVICE = "cloudtrail.amazonaws.com"
# Old versions of a log file (it is never overwritten, only deleted) are kept this long: time to notice.
NONCURRENT_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class AuditArgs:
    config: CloudTrailConfig
    context: AwsContext
    encryption: Encryption


def trail_arn(partition: str, region: str, account: str, name: str) -> str:
    return f"arn:{partition}:cloudtrail:{region}:{account}:trail/{name}"


def bucket_statements(bucket_arn: str, account: str, source_arn: str) -> list[Statement]:
    """What CloudTrail needs of its bucket: read the ACL, write under AWSLogs/<account>/ giving the owner control,
    for this trail only ("Amazon S3 bucket policy for CloudTrail")."""
    only_this_trail = {"aws:SourceArn": source_arn}
    return [
        {
            "Sid": "CloudTrailChecksBucketAcl",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": only_this_trail},
        },
        {
            "Sid": "CloudTrailWritesLogs",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **only_this_trail}},
        },
    ]


def encrypt_statement(partition: str, account: str, source_arn: str) -> dict[str, Any]:
    """CloudTrail may encrypt this trail's log and digest files with the key, and nothing else ("Configure AWS
    KMS key policies for CloudTrail"). Readers decrypt through IAM: the key's administration statement delegates
    to the account's policies."""
    return {
        "Sid": "CloudTrailEncryptsLogs",
        "Effect": "Allow",
        "Principal": {"Service": SERVICE},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceArn": source_arn},
            "StringLike": {
                "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account}:trail/*"
            },
        },
    }


def describe_statement(source_arn: str) -> dict[str, Any]:
    """CloudTrail checks the key's properties, for this trail only."""
    return {
        "Sid": "CloudTrailDescribesKey",
        "Effect": "Allow",
        "Principal": {"Service": SERVICE},
        "Action": "kms:DescribeKey",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": source_arn}},
    }


class Audit(pulumi.ComponentResource):
    """A multi-region, validated, encrypted trail to a private bucket and a log group with retention."""

    trail_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: AuditArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:security:Audit", name, None, opts)
        config, context, encryption = args.config, args.context, args.encryption
        child = pulumi.ResourceOptions(parent=self)
        trail_name = physical_name(TRAIL_NAME, name)
        # Known before the trail exists: the bucket policy and the key policy name it.
        source_arn = pulumi.Output.all(context.partition, context.account_id).apply(
            lambda values: trail_arn(values[0], context.region, values[1], trail_name)
        )
        encryption.allow(
            pulumi.Output.all(context.partition, context.account_id, source_arn).apply(
                lambda values: encrypt_statement(values[0], values[1], values[2])
            )
        )
        # The trail names the key once the policy holding both statements is in force: CloudTrail checks it.
        key_arn = encryption.grant(source_arn.apply(describe_statement))
        logs = PrivateBucket(
            f"{name}-trail",
            BucketSettings(
                kms_key_arn=encryption.key_arn,
                object_ownership="BucketOwnerEnforced",
                expire_days=config.retention_days,
                noncurrent_days=NONCURRENT_DAYS,
                infrequent_access_after_days=30,
                # CloudTrail writes each file under its trail's encryption context, which the key policy checks; S3
                # Bucket Keys use the bucket's ARN as context instead. CloudTrail's writes cost no KMS requests.
                bucket_key=False,
            ),
            parent=self,
            context=context,
        )
        policy = logs.grant(
            pulumi.Output.all(logs.bucket.arn, context.account_id, source_arn).apply(
                lambda values: bucket_statements(values[0], values[1], values[2])
            )
        )
        group = encryption.log_group(f"{name}-trail-logs", config.log_retention_days, child)
        role = aws.iam.Role(
            f"{name}-trail-logs-role",
            description=f"{name}: CloudTrail delivers this trail's events to its log group, and nowhere else",
            # No aws:SourceAccount or aws:SourceArn here: CloudTrail does not send them when it assumes this role
            # ("Role policy document for CloudTrail to use CloudWatch Logs"); its permissions are the guard.
            assume_role_policy=document(
                [{"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}]
            ),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-trail-logs-policy",
            role=role.id,
            policy=group.arn.apply(lambda arn: document([write_logs_statement(arn)])),
            opts=child,
        )
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=logs.bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=key_arn,
            # CloudTrail takes the group's ARN with the log-stream wildcard.
            cloud_watch_logs_group_arn=group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=role.arn,
            # CloudTrail checks the bucket policy, and its role's permissions, when the trail is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, role_policy]),
        )

        self.trail_arn = trail.arn
        self.bucket_name = logs.bucket.bucket
        self.log_group_name = group.name
        self.register_outputs(
            {"trail_arn": self.trail_arn, "bucket_name": self.bucket_name, "log_group_name": self.log_group_name}
        )
