"""`webstack:usage`: the traffic the cost report assumes. It changes no resource, only `ops cost`'s estimate.

The defaults per tier are a small site; set what you expect, or override one with `ops cost`'s flags.
"""

from __future__ import annotations

from pydantic import Field

from config.base import ConfigModel


class UsageConfig(ConfigModel):
    """Monthly usage the cost report prices (resources are priced from the plan itself)."""

    requests_per_month: int = Field(
        ge=0, le=10**12, description="Viewer requests to CloudFront a month (the WAF inspects each one)."
    )
    static_percent: int = Field(
        default=50, ge=0, le=100, description="Share of the requests served from the static-assets bucket, %."
    )
    data_out_gb: float = Field(ge=0, le=10**7, description="GB CloudFront sends to viewers a month.")
    nat_data_gb: float = Field(
        ge=0, le=10**7, description="GB the app sends through NAT gateways a month (image pulls, external APIs)."
    )
    log_ingest_gb: float = Field(ge=0, le=10**6, description="GB of app logs a month.")
    flow_log_gb: float = Field(ge=0, le=10**6, description="GB of VPC flow logs a month (when flow logs are on).")
    cache_data_gb: float = Field(
        default=0.5, ge=0, le=10**5, description="GB held by a serverless cache (metered, billed per GB-hour)."
    )
    cache_commands_per_request: float = Field(
        default=2, ge=0, le=1000, description="Cache commands per app request (one ECPU each, up to 1 KB)."
    )
    session_writes_percent: float = Field(
        default=10, ge=0, le=100, description="App requests that write the session (each reads it once), %."
    )
    sessions_gb: float = Field(default=0.1, ge=0, le=10**5, description="GB in the sessions table.")
    static_assets_gb: float = Field(default=1, ge=0, le=10**6, description="GB in the static-assets bucket.")
    queue_messages_per_month: int = Field(
        default=1_000_000,
        ge=0,
        le=10**12,
        description="Messages each worker's queue carries a month (sent, received and deleted: 3 requests each).",
    )
    kms_requests_per_month: int = Field(
        default=100_000, ge=0, le=10**12, description="KMS requests a month (S3 bucket keys keep these few)."
    )
    management_events_million: float = Field(
        default=1,
        ge=0,
        le=10**6,
        description=(
            "CloudTrail management events a month, in millions (each API call, KMS use included): the trail's "
            "CloudWatch Logs copy and GuardDuty's analysis are priced from it."
        ),
    )
    security_checks: int = Field(
        default=20_000,
        ge=0,
        le=10**9,
        description="Security Hub security checks a month (one per control per resource evaluated, when enabled).",
    )
