"""`webstack:observability`: log retention, alarms and where they go, the dashboard and the budget."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from config.base import PROD, ConfigModel, at_least_in, required_in
from config.types import Email, LogRetentionDays


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
    dashboard: bool = Field(default=True, description="Create a CloudWatch dashboard of the golden signals.")
    access_logs: Annotated[bool, required_in(PROD, True, "every request to prod must be traceable")] = Field(
        description=(
            "Write load balancer and CloudFront access logs to an encrypted S3 bucket (CloudFront's only outside the "
            "opt-in regions, whose buckets it does not deliver to)."
        )
    )
    monthly_budget_usd: int = Field(
        ge=1, le=10_000_000, description="Monthly AWS Budgets limit for this environment's tagged cost, in USD."
    )
