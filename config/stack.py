"""The root of the stack configuration: every `webstack:` key of a Pulumi.<stack>.yaml, plus `aws:region`."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from config.base import PROD, ConfigModel, TierRule
from config.compute import ComputeConfig
from config.data import DataConfig
from config.edge import EdgeConfig
from config.network import NetworkConfig
from config.observability import ObservabilityConfig
from config.types import AwsAccountId, AwsRegion, Environment, Name, TagKey, TagValue

# Tags webstack sets on every resource through the providers' default tags.
RESERVED_TAGS = ("Project", "Environment", "Stack", "Owner", "CostCenter", "ManagedBy")


def _own_tags(tags: dict[str, str]) -> dict[str, str]:
    # A field rule, not a `problems()` one: those run only when every other key of the stack is valid.
    clashes = sorted(set(tags) & set(RESERVED_TAGS))
    if clashes:
        raise ValueError(f"{', '.join(clashes)} are set by webstack itself; use another tag name")
    return tags


class StackConfig(ConfigModel):
    """A whole environment; build it with `config.parse_config`, which applies the tier's presets and rules."""

    environment: Environment = Field(description="Environment tier: dev, stage or prod. Picks every default below.")
    region: AwsRegion = Field(
        description="Region of the stack (`aws:region`). CloudFront's certificate and WAF live in us-east-1 regardless."
    )
    owner: Name = Field(description="Team or person accountable for the environment; tagged on every resource.")
    cost_center: Name = Field(description="Cost center billed for the environment; tagged on every resource.")
    account_id: Annotated[
        AwsAccountId | None,
        AfterValidator(
            TierRule(
                PROD, lambda value: value is not None, "set", "a prod config must never be applied to another account"
            )
        ),
    ] = Field(
        default=None,
        description="The only AWS account the providers may act in (`allowedAccountIds`). Required in prod.",
    )
    network: NetworkConfig = Field(description="The VPC and its subnets.")
    edge: EdgeConfig = Field(description="CloudFront, certificate, DNS, WAF and static assets.")
    compute: ComputeConfig = Field(description="The app tier: `kind: fargate` or `kind: ec2`.")
    data: DataConfig = Field(description="Database, cache and sessions table.")
    observability: ObservabilityConfig = Field(description="Logs, alarms, dashboard and budget.")
    tags: Annotated[dict[TagKey, TagValue], AfterValidator(_own_tags)] = Field(
        default_factory=dict,
        max_length=40,
        description="Extra tags for every resource. " + ", ".join(RESERVED_TAGS) + " are set by webstack.",
    )
