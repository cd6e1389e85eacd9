"""`webstack:observability:LogBucket`: the private bucket that access logs are delivered to.

The load balancer and CloudFront write their access logs here. Load balancer logs support only
SSE-S3 (AWS-managed keys), so this one bucket is not encrypted with the environment key: the
logs hold request metadata, not data. CloudFront's standard logs are written with an ACL, so
ACLs stay enabled (bucket owner preferred). Otherwise a private bucket (components/buckets.py)
whose logs move to infrequent access after 30 days and expire after the configured retention.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.buckets import BucketSettings, PrivateBucket, Statement
from components.options import AwsContext
from config import catalog

# The key prefix of load balancer access logs in the bucket (AWS appends AWSLogs/<account>/...).
ALB_PREFIX = "alb"


@dataclass(frozen=True, kw_only=True)
class LogBucketArgs:
    context: AwsContext
    retention_days: int


def load_balancer_delivery(bucket_arn: str, account_id: str, partition: str, region: str) -> Statement:
    """The region's load balancer log delivery may write under the ALB prefix for this account."""
    return {
        "Sid": "LoadBalancerAccessLogs",
        "Effect": "Allow",
        "Principal": catalog.elb_log_delivery_principal(region, partition),
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/{ALB_PREFIX}/AWSLogs/{account_id}/*",
    }


class LogBucket(pulumi.ComponentResource):
    """A private, versioned, expiring bucket for access logs."""

    bucket_name: pulumi.Output[str]
    bucket_domain_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    alb_prefix: str

    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:observability:LogBucket", name, None, opts)
        context = args.context
        logs = PrivateBucket(
            name,
            BucketSettings(
                kms_key_arn=None,
                # CloudFront's standard logs are written with an ACL granting the bucket owner full control: ACLs
                # stay on, and the owner owns every object. The public access block still refuses any public ACL.
                object_ownership="BucketOwnerPreferred",
                expire_days=args.retention_days,
                noncurrent_days=1,
                infrequent_access_after_days=30,
            ),
            parent=self,
            context=context,
        )
        bucket = logs.bucket
        policy = logs.grant(
            pulumi.Output.all(bucket.arn, context.account_id, context.partition).apply(
                lambda values: [load_balancer_delivery(values[0], values[1], values[2], context.region)]
            )
        )

        # Writers wait for the policy (the load balancer checks it) and the ownership rule (CloudFront's ACLs).
        self.bucket_name = pulumi.Output.all(bucket.bucket, policy.id).apply(lambda values: values[0])
        self.bucket_domain_name = pulumi.Output.all(bucket.bucket_domain_name, logs.ownership.id).apply(
            lambda values: values[0]
        )
        self.bucket_arn = bucket.arn
        self.alb_prefix = ALB_PREFIX
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})
