"""`webstack:observability:LogBucket`: the private bucket that access logs are delivered to.

Load balancer access logs support only SSE-S3 (AWS-managed keys), so this one bucket is not
encrypted with the environment key: the logs hold request metadata, not data. Everything else a
bucket can get it gets: no public access, bucket-owner-enforced ownership, TLS-only access,
versioning, expiry, and in prod protection against deletion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.options import AwsContext, stateful
from config import catalog

# The key prefix of load balancer access logs in the bucket (AWS appends AWSLogs/<account>/...).
ALB_PREFIX = "alb"


@dataclass(frozen=True, kw_only=True)
class LogBucketArgs:
    context: AwsContext
    retention_days: int


def tls_only_statement(bucket_arn: str) -> dict[str, Any]:
    """Refuse every request to the bucket that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def access_log_policy(bucket_arn: str, account_id: str, partition: str, region: str) -> str:
    """TLS only; the region's load balancer log delivery may write under the ALB prefix for this account."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                tls_only_statement(bucket_arn),
                {
                    "Sid": "LoadBalancerAccessLogs",
                    "Effect": "Allow",
                    "Principal": catalog.elb_log_delivery_principal(region, partition),
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/{ALB_PREFIX}/AWSLogs/{account_id}/*",
                },
            ],
        }
    )


class LogBucket(pulumi.ComponentResource):
    """A private, versioned, expiring bucket for access logs."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    alb_prefix: str

    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:observability:LogBucket", name, None, opts)
        context = args.context
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(f"{name}-bucket", opts=stateful(self, context))
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=1
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=1
                    ),
                )
            ],
            # Lifecycle rules on a versioned bucket apply once versioning is on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, context.account_id, context.partition).apply(
                lambda values: access_log_policy(values[0], values[1], values[2], context.region)
            ),
            # S3 refuses a policy while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )

        self.bucket_name = pulumi.Output.all(bucket.bucket, policy.id).apply(lambda values: values[0])
        self.bucket_arn = bucket.arn
        self.alb_prefix = ALB_PREFIX
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})
