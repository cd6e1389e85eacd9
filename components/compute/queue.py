"""`webstack:compute:WorkQueue`: a worker's SQS queue, its dead-letter queue and the redrive alarm.

Made before the services, because the services that send to it need its URL and ARN. Both queues
are encrypted with the environment key (SQS uses it on the caller's behalf, kms:ViaService), refuse
requests without TLS, and only the roles the config names are granted anything on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import deny_without_tls, document
from components.observability.alarms import AlarmSpec
from components.observability.signals import dead_letters, oldest_message
from components.options import AwsContext, stateful
from components.security import Encryption, via_service_statement
from config.compute import QueueConfig

DAY_SECONDS = 86_400
# The dead-letter queue keeps a failed message as long as SQS allows, for a person to look at it.
DEAD_LETTER_RETENTION_SECONDS = 14 * DAY_SECONDS
# How long SQS may reuse a data key before asking KMS again: fewer KMS requests, same protection.
DATA_KEY_REUSE_SECONDS = 300


@dataclass(frozen=True, kw_only=True)
class WorkQueueArgs:
    worker: str
    config: QueueConfig
    context: AwsContext
    encryption: Encryption
    # How long the oldest message may wait before someone is told.
    max_age_seconds: int


class WorkQueue(pulumi.ComponentResource):
    """One worker's queue: its messages, the ones that failed too often, and the alarms on both."""

    url: pulumi.Output[str]
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    dead_letter_arn: pulumi.Output[str]
    alarms: tuple[AlarmSpec, ...]

    def __init__(self, name: str, args: WorkQueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:compute:WorkQueue", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        # Messages waiting (and failed ones kept for a person to look at) go with a queue: kept in prod.
        kept = stateful(self, args.context)
        args.encryption.allow(via_service_statement(args.context, "SqsUsesKey", ["sqs"]))
        encrypted: dict[str, Any] = {
            "kms_master_key_id": args.encryption.key_arn,
            "kms_data_key_reuse_period_seconds": DATA_KEY_REUSE_SECONDS,
        }
        dead = aws.sqs.Queue(
            f"{name}-dead-letters", message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS, **encrypted, opts=kept
        )
        queue = aws.sqs.Queue(
            f"{name}-messages",
            visibility_timeout_seconds=config.visibility_timeout_seconds,
            message_retention_seconds=config.retention_days * DAY_SECONDS,
            # Long polling: fewer empty receives, billed per request.
            receive_wait_time_seconds=20,
            redrive_policy=dead.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": config.max_receive_count})
            ),
            **encrypted,
            opts=kept,
        )
        # Only this queue may move its failures here (a policy of its own: the two queues name each other).
        aws.sqs.RedriveAllowPolicy(
            f"{name}-redrive-allow",
            queue_url=dead.url,
            redrive_allow_policy=queue.arn.apply(
                lambda arn: json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})
            ),
            opts=child,
        )
        for role, target in (("messages", queue), ("dead-letters", dead)):
            aws.sqs.QueuePolicy(
                f"{name}-{role}-policy",
                queue_url=target.url,
                policy=target.arn.apply(_tls_only),
                opts=child,
            )

        self.url = queue.url
        self.arn = queue.arn
        self.name = queue.name
        self.dead_letter_arn = dead.arn
        self.alarms = (
            dead_letters(args.worker, dead.name),
            oldest_message(args.worker, queue.name, args.max_age_seconds),
        )
        self.register_outputs({"url": self.url, "arn": self.arn, "dead_letter_arn": self.dead_letter_arn})


def _tls_only(queue_arn: str) -> str:
    return document([deny_without_tls("sqs:*", queue_arn)])


def consume_statement(queue_arn: str) -> dict[str, Any]:
    """A worker takes messages from its own queue, and from no other."""
    return {
        "Sid": "WorkItsQueue",
        "Effect": "Allow",
        "Action": [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
        ],
        "Resource": queue_arn,
    }


def send_statement(queue_arns: list[str]) -> dict[str, Any]:
    """A sender may put messages on the queues it is named a sender of."""
    return {
        "Sid": "SendToItsWorkers",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        "Resource": sorted(queue_arns),
    }
