"""`webstack:security:ThreatDetection`: GuardDuty, Security Hub and the route of their serious findings to the alerts.

Both services are enabled once per account and region (config/security.py says who owns them). A
finding worth waking someone for (GuardDuty severity 7 or more, a new HIGH or CRITICAL Security Hub
finding) reaches the regional alert topic through an EventBridge rule per service; the topic lets
this account's rules publish (components/observability/alerts.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.naming import EVENTS_NAME, physical_name
from components.options import AwsContext
from config.security import SecurityConfig

# Security Hub's AWS Foundational Security Best Practices standard ("Security Hub standards reference").
FOUNDATIONAL_STANDARD = "standards/aws-foundational-security-best-practices/v/1.0.0"
# GuardDuty's High band starts at 7.0 (Critical, 9.0 and above, included).
HIGH_SEVERITY = 7


@dataclass(frozen=True, kw_only=True)
class ThreatDetectionArgs:
    config: SecurityConfig
    context: AwsContext
    alert_topic_arn: pulumi.Input[str]


def guardduty_pattern() -> dict[str, Any]:
    """GuardDuty findings of high or critical severity."""
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", HIGH_SEVERITY]}]},
    }


def security_hub_pattern() -> dict[str, Any]:
    """New, active HIGH or CRITICAL Security Hub findings; GuardDuty's own arrive through their rule already."""
    return {
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {
            "findings": {
                "Severity": {"Label": ["HIGH", "CRITICAL"]},
                "Workflow": {"Status": ["NEW"]},
                "RecordState": ["ACTIVE"],
                "ProductName": [{"anything-but": "GuardDuty"}],
            }
        },
    }


def standards_arn(partition: str, region: str) -> str:
    return f"arn:{partition}:securityhub:{region}::{FOUNDATIONAL_STANDARD}"


class ThreatDetection(pulumi.ComponentResource):
    """A GuardDuty detector and/or Security Hub with the foundational standard, and their alert routes."""

    detector_id: pulumi.Output[str] | None
    security_hub_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: ThreatDetectionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:security:ThreatDetection", name, None, opts)
        self._name, self._topic = name, args.alert_topic_arn
        child = pulumi.ResourceOptions(parent=self)
        config, context = args.config, args.context

        detector = None
        if config.guard_duty.enabled:
            # Updates to a finding are published every 15 minutes instead of 6 hours (new ones at once either way).
            detector = aws.guardduty.Detector(
                f"{name}-guardduty", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES", opts=child
            )
            self._route("guardduty-findings", "GuardDuty findings of severity 7 or more", guardduty_pattern())
        hub = None
        if config.security_hub.enabled:
            # Only the standard chosen here: the defaults would also subscribe CIS 1.2, billed per check.
            hub = aws.securityhub.Account(
                f"{name}-security-hub",
                enable_default_standards=False,
                control_finding_generator="SECURITY_CONTROL",
                auto_enable_controls=True,
                opts=child,
            )
            aws.securityhub.StandardsSubscription(
                f"{name}-foundational-standard",
                standards_arn=context.partition.apply(lambda partition: standards_arn(partition, context.region)),
                # Security Hub must be enabled before a standard can be subscribed.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
            )
            self._route("security-hub-findings", "New HIGH and CRITICAL Security Hub findings", security_hub_pattern())

        self.detector_id = detector.id if detector else None
        self.security_hub_arn = hub.arn if hub else None
        self.register_outputs({"detector_id": self.detector_id, "security_hub_arn": self.security_hub_arn})

    def _route(self, role: str, description: str, pattern: dict[str, Any]) -> None:
        """An EventBridge rule for `pattern`, its matches sent to the alert topic as they are."""
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-{role}",
            # Named here: an auto-name (the logical name and 8 characters) outgrows the 64 allowed.
            name=physical_name(EVENTS_NAME, self._name, role),
            description=f"{description}, to the alert topic",
            event_pattern=json.dumps(pattern),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-{role}-alert",
            rule=rule.name,
            target_id="alert-topic",
            arn=self._topic,
            opts=pulumi.ResourceOptions(parent=self),
        )
