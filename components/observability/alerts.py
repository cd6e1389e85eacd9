"""`webstack:observability:Alerts`: the SNS topics every alarm and the budget notify, and who they reach.

An alarm can only notify a topic in its own region, and CloudFront's and the WAF's metrics live in
us-east-1, so there are two topics: the stack region's and us-east-1's, each encrypted with its
region's key and subscribed by the same people (an email address confirms each topic once).
CloudWatch (and, on the regional topic, AWS Budgets and, with threat detection on, EventBridge) may publish,
for this account only, over TLS.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import deny_without_tls
from components.options import AwsContext
from components.security import Encryption
from config.observability import ObservabilityConfig

PUBLISH_KEY_USE = ["kms:Decrypt", "kms:GenerateDataKey*"]


@dataclass(frozen=True, kw_only=True)
class AlertsArgs:
    config: ObservabilityConfig
    context: AwsContext
    encryption: Encryption
    global_encryption: Encryption
    global_provider: aws.Provider
    global_region: str
    # EventBridge rules of this account (GuardDuty and Security Hub findings) publish to the regional topic.
    events: bool = False


def publisher_key_statement(context: AwsContext, region: str, services: list[str]) -> pulumi.Output[dict[str, Any]]:
    """The services that publish to the encrypted topics may use the key for that, and only for this account's
    topics in the region: SNS names the topic in the encryption context of every data key it asks for."""
    return pulumi.Output.all(context.account_id, context.partition).apply(
        lambda values: {
            "Sid": "AlarmsAndBudgetsPublishToTopics",
            "Effect": "Allow",
            "Principal": {"Service": sorted(services)},
            "Action": PUBLISH_KEY_USE,
            "Resource": "*",
            "Condition": {
                "ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": f"arn:{values[1]}:sns:{region}:{values[0]}:*"}
            },
        }
    )


def topic_policy(
    topic_arn: str, account_id: str, partition: str, region: str, budgets: bool, *, events: bool = False
) -> str:
    """The account manages the topic; this account's alarms (budgets, EventBridge rules) publish; nothing
    without TLS."""

    def publishes(sid: str, service: str, source_arn: str) -> dict[str, Any]:
        """One AWS service may publish, for this account's resources only (confused-deputy guard)."""
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, "ArnLike": {"aws:SourceArn": source_arn}},
        }

    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountManagesTopic",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": [
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
                "sns:Publish",
            ],
            "Resource": topic_arn,
        },
        publishes(
            "ThisAccountsAlarmsPublish",
            "cloudwatch.amazonaws.com",
            f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:*",
        ),
    ]
    if budgets:
        statements.append(
            publishes("ThisAccountsBudgetsPublish", "budgets.amazonaws.com", f"arn:{partition}:budgets::{account_id}:*")
        )
    if events:
        statements.append(
            publishes(
                "ThisAccountsEventRulesPublish",
                "events.amazonaws.com",
                f"arn:{partition}:events:{region}:{account_id}:rule/*",
            )
        )
    statements.append(deny_without_tls("sns:Publish", topic_arn))
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class Alerts(pulumi.ComponentResource):
    """The regional and the us-east-1 alert topics, with the configured emails and webhook subscribed."""

    topic_arn: pulumi.Output[str]
    global_topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:observability:Alerts", name, None, opts)
        self._name, self._args = name, args
        self.topic_arn = self._topic(
            f"{name}-topic",
            args.encryption,
            args.context.region,
            pulumi.ResourceOptions(parent=self),
            budgets=True,
            events=args.events,
        )
        self.global_topic_arn = self._topic(
            f"{name}-global-topic",
            args.global_encryption,
            args.global_region,
            pulumi.ResourceOptions(parent=self, provider=args.global_provider),
            budgets=False,
        )
        self.register_outputs({"topic_arn": self.topic_arn, "global_topic_arn": self.global_topic_arn})

    def _topic(
        self,
        name: str,
        encryption: Encryption,
        region: str,
        opts: pulumi.ResourceOptions,
        *,
        budgets: bool,
        events: bool = False,
    ) -> pulumi.Output[str]:
        """One topic with its policy and subscriptions; its ARN once the policy lets the publishers in."""
        config, context = self._args.config, self._args.context
        publishers = ["cloudwatch.amazonaws.com", *(["budgets.amazonaws.com"] if budgets else [])]
        publishers += ["events.amazonaws.com"] if events else []
        topic = aws.sns.Topic(
            name, kms_master_key_id=encryption.grant(publisher_key_statement(context, region, publishers)), opts=opts
        )
        policy = aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, context.account_id, context.partition).apply(
                lambda values: topic_policy(values[0], values[1], values[2], region, budgets, events=events)
            ),
            opts=opts,
        )
        for email in config.alarm_emails:
            # Named by the address, not its place in the list: removing one address leaves the others subscribed.
            aws.sns.TopicSubscription(
                f"{name}-email-{_address_key(email)}", topic=topic.arn, protocol="email", endpoint=email, opts=opts
            )
        if config.alarm_webhook_url is not None:
            aws.sns.TopicSubscription(
                f"{name}-webhook",
                topic=topic.arn,
                protocol="https",
                # The URL may carry the webhook's token: secret in the state and every plan.
                endpoint=pulumi.Output.secret(config.alarm_webhook_url),
                # The endpoint must confirm the subscription (SNS sends it a SubscriptionConfirmation first).
                endpoint_auto_confirms=False,
                opts=opts,
            )
        return pulumi.Output.all(topic.arn, policy.id).apply(lambda values: values[0])


def _address_key(email: str) -> str:
    """A short stable key for an address (addresses differ in case only when they are the same mailbox)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10]
