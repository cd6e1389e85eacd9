"""`webstack:security:Encryption`: the environment's customer-managed KMS key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.options import AwsContext, stateful

# Services that encrypt the environment's data with the key on behalf of principals in the account.
DATA_SERVICES = ("rds", "elasticache", "dynamodb", "s3", "secretsmanager", "ecs", "ssm")


@dataclass(frozen=True, kw_only=True)
class EncryptionArgs:
    context: AwsContext


def key_policy(account_id: str, partition: str, region: str) -> dict[str, Any]:
    """The key policy: the account administers the key; CloudWatch Logs, SNS and the data services use it.

    Use through a service is limited by `kms:ViaService` and the calling account, so a
    principal cannot decrypt the data directly with the key.
    """
    root = f"arn:{partition}:iam::{account_id}:root"
    use = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsEncryptLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": use,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:*"}
                },
            },
            {
                "Sid": "AlarmsPublishToEncryptedTopics",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudwatch.amazonaws.com", "sns.amazonaws.com"]},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "DataServicesUseKeyForAccount",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [*use, "kms:CreateGrant", "kms:ListGrants"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": account_id,
                        "kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in DATA_SERVICES],
                    }
                },
            },
        ],
    }


class Encryption(pulumi.ComponentResource):
    """One customer-managed key per environment, rotated yearly; every stateful resource uses it."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:security:Encryption", name, None, opts)
        context = args.context
        policy = pulumi.Output.all(context.account_id, context.partition).apply(
            lambda values: json.dumps(key_policy(values[0], values[1], context.region))
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=f"{name}: encrypts logs, topics, databases, cache, tables and buckets",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            # The longest window gives the most time to notice a scheduled deletion in prod.
            deletion_window_in_days=30 if context.is_prod else 7,
            policy=policy,
            opts=stateful(self, context),
        )
        aws.kms.Alias(
            f"{name}-alias", name=f"alias/{name}", target_key_id=key.key_id, opts=pulumi.ResourceOptions(parent=self)
        )

        self.key_arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id})
