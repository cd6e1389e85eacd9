"""`webstack:security:Encryption`: the environment's customer-managed KMS key and its policy.

The key policy is one document, but its statements come from the key's consumers, and
some consumers exist only after the key (an S3 bucket read by a CloudFront distribution
needs a statement naming the distribution, which needs the bucket, which needs the key).
So the key is created first, every consumer contributes its statement (`grant`, `allow`),
and the root registers the policy once, last (`contributions()` ends):

- `grant(statement)` is for a consumer that the service checks against the policy when the
  consumer is created (a log group encrypted with the key): it returns the key's ARN as an
  output that resolves only once the policy holding the statement is in force.
- `allow(statement)` is for a statement that names a consumer built from the key: it adds
  the statement without making anything wait for the policy, so there is no cycle.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.options import AwsContext, stateful
from config.errors import WebstackError

KeyStatement = pulumi.Input[dict[str, Any]]
KEY_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


@dataclass(frozen=True, kw_only=True)
class EncryptionArgs:
    context: AwsContext


def administer_statement(account_id: str, partition: str) -> dict[str, Any]:
    """The account administers the key (and IAM policies may grant its use); no one is locked out."""
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def logs_statement(context: AwsContext) -> pulumi.Output[dict[str, Any]]:
    """CloudWatch Logs encrypts this account's log groups in this region, and nothing else, with the key."""
    region = context.region
    return pulumi.Output.all(context.account_id, context.partition).apply(
        lambda values: {
            "Sid": "CloudWatchLogsEncryptLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": KEY_USE,
            "Resource": "*",
            "Condition": {
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:{values[1]}:logs:{region}:{values[0]}:*"}
            },
        }
    )


def via_service_statement(context: AwsContext, sid: str, services: Sequence[str]) -> pulumi.Output[dict[str, Any]]:
    """Principals of this account may use the key only through these services (kms:ViaService), for their data.

    This is how an app role reads an encrypted table or secret without a KMS permission of its own,
    and how RDS and ElastiCache create the grants they need; no one can decrypt with the key directly.
    """
    region = context.region
    return context.account_id.apply(
        lambda account: {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [*KEY_USE, "kms:CreateGrant", "kms:ListGrants"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": account,
                    "kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in services],
                }
            },
        }
    )


def key_policy(base: dict[str, Any], contributed: list[dict[str, Any]]) -> str:
    """The whole key policy: the administration statement, then each contribution once, by Sid."""
    statements: dict[str, dict[str, Any]] = {}
    for statement in [base, *contributed]:
        sid = statement["Sid"]
        if sid in statements and statements[sid] != statement:
            raise ValueError(f"two different key policy statements share the Sid {sid}")
        statements[sid] = statement
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements.values())})


class Encryption(pulumi.ComponentResource):
    """One customer-managed key per environment, rotated yearly; every stateful resource uses it."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:security:Encryption", name, None, opts)
        self._name = name
        self._context = args.context
        self._statements: list[KeyStatement] = []
        self._sealed = False
        # Resolved when the policy is registered (or failed, if building the consumers failed).
        self._policy_arn: pulumi.Output[str]
        self._resolve_policy_arn: Callable[[pulumi.Output[str]], None]
        self._policy_arn, self._resolve_policy_arn = pulumi.deferred_output()
        context = args.context
        # No inline policy: the policy is its own resource (see `contributions`); until then AWS's default
        # policy (the account administers the key) applies.
        self._key = aws.kms.Key(
            f"{name}-key",
            description=f"{name}: encrypts logs, topics, databases, cache, tables and buckets",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            # The longest window gives the most time to notice a scheduled deletion in prod.
            deletion_window_in_days=30 if context.is_prod else 7,
            opts=stateful(self, context),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{name}",
            target_key_id=self._key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.key_arn = self._key.arn
        self.key_id = self._key.key_id
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id})

    def allow(self, statement: KeyStatement) -> None:
        """Add a statement that names a consumer built from the key; nothing waits for the policy."""
        if self._sealed:
            raise RuntimeError(f"{self._name}: the key policy is already registered; contribute inside contributions()")
        self._statements.append(statement)

    def grant(self, statement: KeyStatement) -> pulumi.Output[str]:
        """Add a statement and return the key's ARN, known once the policy holding it is in force."""
        self.allow(statement)
        return self._policy_arn

    def log_group(
        self, resource_name: str, retention_days: int, opts: pulumi.ResourceOptions, *, name: str | None = None
    ) -> aws.cloudwatch.LogGroup:
        """A log group that expires its logs and is encrypted with this key: the one way webstack makes one.

        CloudWatch Logs must be allowed to use the key before the group can name it, so the group waits
        for the policy. `name` fixes the group's name where a service writes to a name of its own.
        """
        return aws.cloudwatch.LogGroup(
            resource_name,
            name=name,
            retention_in_days=retention_days,
            kms_key_id=self.grant(logs_statement(self._context)),
            opts=opts,
        )

    @contextmanager
    def contributions(self) -> Iterator[None]:
        """Build the key's consumers inside this block; the policy is registered when it ends.

        If building fails, the policy is not registered (a half-built policy could lock out a
        consumer that exists), and whatever waits for it fails with the error instead of
        waiting forever: the engine waits for every pending registration before it exits.
        """
        try:
            yield
        except BaseException as error:
            self._sealed = True
            # The engine reports the first failed registration, not the program's exception: carry its message.
            self._resolve_policy_arn(pulumi.Output.from_input(_fail_with(error)))
            raise
        self._seal()

    def _seal(self) -> None:
        """Register the key policy with every contribution, once."""
        if self._sealed:
            raise RuntimeError(f"{self._name}: the key policy is already registered")
        self._sealed = True
        base = pulumi.Output.all(self._context.account_id, self._context.partition).apply(
            lambda values: administer_statement(values[0], values[1])
        )
        policy = aws.kms.KeyPolicy(
            f"{self._name}-key-policy",
            key_id=self._key.key_id,
            policy=pulumi.Output.all(base, *self._statements).apply(lambda parts: key_policy(parts[0], parts[1:])),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._resolve_policy_arn(pulumi.Output.all(self._key.arn, policy.id).apply(lambda values: values[0]))


async def _fail_with(error: BaseException) -> str:
    message = str(error) if isinstance(error, pulumi.RunError | WebstackError) else f"{type(error).__name__}: {error}"
    raise pulumi.RunError(message) from error
