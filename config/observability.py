"""`webstack:observability`: log retention, alarms and where they go, the dashboard and the budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from config.base import PROD, ConfigModel, at_least_in, required_in, rule
from config.types import Email, HttpsUrl, LogRetentionDays


@rule("breaching_minutes", "evaluation_minutes")
def _m_of_n(values: AlarmConfig) -> Iterator[tuple[str, str]]:
    if values.breaching_minutes > values.evaluation_minutes:
        yield (
            "breaching_minutes",
            f"{values.breaching_minutes} is more than alarms.evaluationMinutes ({values.evaluation_minutes}): "
            "an alarm fires when M of the last N one-minute periods breach, so M <= N",
        )


class AlarmConfig(ConfigModel):
    """Thresholds of the alarms on every tier. The deployment alarms (the app's 5xx rate and unhealthy
    targets) are set under compute.deployment: they also roll releases back."""

    breaching_minutes: int = Field(
        default=3, ge=1, le=60, description="M of M-of-N: how many of the last N minutes must breach to alarm."
    )
    evaluation_minutes: int = Field(
        default=5, ge=1, le=60, description="N of M-of-N: the minutes an alarm looks back over (at most 60)."
    )
    load_balancer_5xx_percent: float = Field(
        default=5, gt=0, le=100, description="The load balancer's own 5xx responses (502/503/504), % of requests."
    )
    latency_p99_seconds: float = Field(
        default=2, gt=0, le=60, description="p99 of the app's response time at the load balancer, in seconds."
    )
    cpu_percent: float = Field(
        default=80, gt=0, le=100, description="CPU of the app, the database and the cache (each its own alarm), %."
    )
    memory_percent: float = Field(
        default=80, gt=0, le=100, description="Memory used by the app's tasks and by the cache's data, %."
    )
    database_free_storage_percent: float = Field(
        default=5,
        gt=0,
        lt=10,
        description=(
            "Free database storage below this share of data.postgres.allocatedStorageGb, % (under 10: storage "
            "autoscaling adds space at 10% free, so this alarm means it did not, or is at its ceiling)."
        ),
    )
    database_freeable_memory_percent: float = Field(
        default=10, gt=0, lt=100, description="The database instance's freeable memory below this share of its RAM, %."
    )
    database_connections_percent: float = Field(
        default=80,
        gt=0,
        le=100,
        description="Connections above this share of PostgreSQL's default max_connections for the class, %.",
    )
    cache_evictions_per_minute: int = Field(
        default=100, ge=1, description="Keys the cache evicts per minute for lack of memory."
    )
    replication_lag_seconds: float = Field(
        default=30, gt=0, description="How far a cache replica may fall behind its primary, in seconds."
    )
    cdn_5xx_percent: float = Field(
        default=5, gt=0, le=100, description="CloudFront's share of 5xx responses to viewers, %."
    )
    waf_blocked_per_minute: int = Field(
        default=1000, ge=1, description="Requests the WAF blocks per minute before it counts as an attack."
    )
    queue_age_seconds: int = Field(
        default=900,
        ge=60,
        le=1_209_600,
        description="How long the oldest message of a worker's queue may wait before it alarms, in seconds.",
    )

    rules = (_m_of_n,)


@rule("alarm_emails")
def _each_address_once(values: ObservabilityConfig) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for address in values.alarm_emails:
        if address.lower() in seen:
            yield "alarm_emails", f"{address} is listed twice; list each address once"
        seen.add(address.lower())


class ObservabilityConfig(ConfigModel):
    """CloudWatch logs, alarms to SNS, a dashboard, access logs and an AWS Budgets alert."""

    log_retention_days: Annotated[
        LogRetentionDays, at_least_in(PROD, 30, "a prod incident must be traceable for at least a month")
    ] = Field(description="Days CloudWatch keeps the app's logs (at least 30 in prod).")
    alarm_emails: list[Email] = Field(
        default_factory=list,
        max_length=10,
        description="Addresses subscribed to the alarm topic (each must confirm by email).",
    )
    alarm_webhook_url: HttpsUrl | None = Field(
        default=None,
        description="An HTTPS endpoint (a chat webhook) subscribed to the alarm topics too; kept secret in the plan.",
    )
    alarms: AlarmConfig = Field(default_factory=AlarmConfig, description="Alarm thresholds.")
    dashboard: bool = Field(description="Create a CloudWatch dashboard of the golden signals ($3 a month).")
    access_logs: Annotated[bool, required_in(PROD, True, "every request to prod must be traceable")] = Field(
        description=(
            "Write load balancer and CloudFront access logs to an encrypted S3 bucket (CloudFront's only outside the "
            "opt-in regions, whose buckets it does not deliver to); S3 storage at about $0.023 per GB-month."
        )
    )
    monthly_budget_usd: int = Field(
        ge=1,
        le=10_000_000,
        description=(
            "Monthly AWS Budgets limit for the cost tagged Stack=<stack>, in USD; alerts at 80% spent and 100% "
            "forecast (activate the Stack cost-allocation tag in the billing console once per account)."
        ),
    )

    rules = (_each_address_once,)
