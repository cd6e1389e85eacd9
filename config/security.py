"""`webstack:security`: the audit trail, threat detection, and the host that reaches the database with no open port.

CloudTrail, GuardDuty and Security Hub are account-level: one stack per account and region owns them
(prod presets them on, dev and stage off), and every other stack of that account turns them off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from config import catalog
from config.base import PROD, ConfigModel, at_least_in, rule
from config.types import Allowed, LogRetentionDays, SchedulerCron, TimeZone, checked_by

# Said in every account-level feature's description: why only one stack per account may own it.
_ONE_OWNER = (
    " Account-level: only ONE stack per account and region should own it; turn it off in every other stack of the "
    "account (and where the organization already provides it)."
)
# The interface endpoints a host managed by Systems Manager needs when it has no NAT gateway.
SSM_ENDPOINT_SERVICES = ("ssm", "ssmmessages", "ec2messages")


class CloudTrailConfig(ConfigModel):
    """A multi-region CloudTrail trail: every region's management events, validated, encrypted, kept."""

    enabled: bool = Field(
        description=(
            "Record the account's management events in every region to a private, versioned bucket and a CloudWatch "
            "log group, with log-file validation, encrypted with the environment key. The first copy of management "
            "events is free; a second trail in the same account pays for its copy ($2.00 per 100,000 events)."
            + _ONE_OWNER
        )
    )
    retention_days: Annotated[int, at_least_in(PROD, 365, "an intrusion is often found months after it began")] = Field(
        default=365,
        ge=1,
        le=3653,
        description="Days the bucket keeps the log files (at least 365 in prod); older versions go after 30 days.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=90,
        description="Days the CloudWatch Logs copy is kept for searching and metric filters; the bucket is the record.",
    )


class GuardDutyConfig(ConfigModel):
    """Amazon GuardDuty: threat detection from CloudTrail, VPC flow and DNS logs."""

    enabled: bool = Field(
        description=(
            "Enable a GuardDuty detector (billed by the events and GB it analyses; `ops cost` prices the usage). "
            "High-severity findings (7 or more) go to the alert topic. AWS allows one detector per account and "
            "region: a second one fails." + _ONE_OWNER
        )
    )


class SecurityHubConfig(ConfigModel):
    """AWS Security Hub CSPM with the AWS Foundational Security Best Practices standard."""

    enabled: bool = Field(
        description=(
            "Enable Security Hub CSPM and subscribe the AWS Foundational Security Best Practices standard (billed per "
            "security check). New HIGH and CRITICAL findings go to the alert topic. Its controls evaluate resources "
            "through AWS Config, which must be recording in the account and region (webstack does not set it up). "
            "Security Hub is enabled once per account and region: a second enablement fails." + _ONE_OWNER
        )
    )


@rule("stop", "start")
def _stop_is_not_start(values: AccessScheduleConfig) -> Iterator[tuple[str, str]]:
    if values.stop == values.start:
        yield "start", f"{values.start} is also security.accessHost.schedule.stop; start the host at another time"


class AccessScheduleConfig(ConfigModel):
    """Stop the access host outside working hours and start it again (EventBridge Scheduler)."""

    stop: SchedulerCron = Field(description="When to stop the host, e.g. cron(0 19 ? * MON-FRI *).")
    start: SchedulerCron = Field(description="When to start it again, e.g. cron(0 7 ? * MON-FRI *).")
    time_zone: TimeZone = Field(default="UTC", description="IANA time zone of both crons, e.g. Europe/Dublin.")

    rules = (_stop_is_not_start,)


class AccessHostConfig(ConfigModel):
    """A host for database maintenance that nobody can connect to: Systems Manager sessions only."""

    enabled: bool = Field(
        default=False,
        description=(
            "Run an access host in an app subnet: no SSH key, no inbound rule, IMDSv2, managed by Systems Manager, "
            "allowed to reach only PostgreSQL. Forward a local port to the database through it with `aws ssm "
            "start-session` (docs/runbook.md). It reaches Systems Manager through a NAT gateway, so it needs "
            "network.natGateways single or onePerAz."
        ),
    )
    instance_type: Annotated[
        str, checked_by(catalog.ec2_instance_type_problem), Allowed("an EC2 instance type, e.g. t4g.nano")
    ] = Field(
        default="t4g.nano",
        description="Its EC2 type; the smallest Graviton (about $3.40 a month in eu-west-1) forwards a port fine.",
    )
    schedule: AccessScheduleConfig | None = Field(
        default=None, description="Stop it outside working hours (unset: it runs around the clock)."
    )


class SecurityConfig(ConfigModel):
    """Audit, threat detection and admin access with no open port."""

    cloud_trail: CloudTrailConfig = Field(description="The audit trail.")
    guard_duty: GuardDutyConfig = Field(description="Threat detection.")
    security_hub: SecurityHubConfig = Field(description="Security posture checks.")
    access_host: AccessHostConfig = Field(
        default_factory=AccessHostConfig, description="The database access host, reached through Systems Manager."
    )
