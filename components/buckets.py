"""Private S3 buckets: the one way this project makes a bucket.

Every bucket is private (all four public-access blocks on), versioned, encrypted, reachable over
TLS only, tidied by a lifecycle rule and, in prod, protected and retained. What differs between
the buckets (their key, who owns written objects, how long objects live, who may read or write)
is passed in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import deny_without_tls
from components.options import AwsContext, stateful

Statement = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class BucketSettings:
    # None: SSE-S3 (what a load balancer's log delivery requires); otherwise SSE-KMS with this key.
    kms_key_arn: pulumi.Input[str] | None
    # "BucketOwnerEnforced" (no ACLs) unless a writer still uses ACLs (CloudFront's standard logs).
    object_ownership: str
    # Current objects expire after this many days (None: kept); noncurrent versions after `noncurrent_days`.
    expire_days: int | None
    noncurrent_days: int
    # Move current objects to infrequent access after this many days (None: stay in standard).
    infrequent_access_after_days: int | None = None
    # An S3 Bucket Key for SSE-KMS (far fewer KMS requests); off where a writer names its own encryption context.
    bucket_key: bool = True


class PrivateBucket:
    """A bucket and the settings that keep it private; `grant` adds its one bucket policy."""

    def __init__(self, prefix: str, settings: BucketSettings, *, parent: pulumi.Resource, context: AwsContext) -> None:
        self._prefix, self._parent = prefix, parent
        child = pulumi.ResourceOptions(parent=parent)
        bucket = aws.s3.Bucket(f"{prefix}-bucket", opts=stateful(parent, context))
        self._public_access = aws.s3.BucketPublicAccessBlock(
            f"{prefix}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{prefix}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=settings.object_ownership),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{prefix}-encryption",
            bucket=bucket.id,
            rules=[_encryption_rule(settings.kms_key_arn, bucket_key=settings.bucket_key)],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{prefix}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{prefix}-lifecycle",
            bucket=bucket.id,
            rules=[_lifecycle_rule(settings)],
            # Lifecycle rules on a versioned bucket apply once versioning is on.
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
        )
        self.bucket = bucket

    def grant(self, statements: pulumi.Input[list[Statement]]) -> aws.s3.BucketPolicy:
        """The bucket's one policy: TLS only, then these statements."""
        return aws.s3.BucketPolicy(
            f"{self._prefix}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, statements).apply(lambda values: _policy(values[0], values[1])),
            # S3 refuses a policy while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self._parent, depends_on=[self._public_access]),
        )


def tls_only_statement(bucket_arn: str) -> Statement:
    """Refuse every request to the bucket that does not use TLS."""
    return deny_without_tls("s3:*", [bucket_arn, f"{bucket_arn}/*"])


def _policy(bucket_arn: str, statements: list[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [tls_only_statement(bucket_arn), *statements]})


def _encryption_rule(
    kms_key_arn: pulumi.Input[str] | None, *, bucket_key: bool = True
) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgs:
    by_default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
    if kms_key_arn is None:
        return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=by_default(sse_algorithm="AES256")
        )
    return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=by_default(sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn),
        # One data key per bucket instead of per object: far fewer KMS requests, same protection.
        bucket_key_enabled=bucket_key,
    )


def _lifecycle_rule(settings: BucketSettings) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    ia_after = settings.infrequent_access_after_days
    expire = settings.expire_days
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="tidy",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        # S3 moves nothing to infrequent access before day 30, nor what expires first.
        transitions=[aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=ia_after, storage_class="STANDARD_IA")]
        if ia_after is not None and (expire is None or expire > ia_after)
        else None,
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire) if expire is not None else None,
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=settings.noncurrent_days
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=1
        ),
    )
