"""`webstack:network`: the VPC, its subnet tiers, NAT strategy, endpoints and flow logs."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from config.base import PROD, ConfigModel, one_of_in, required_in
from config.types import Cidr, Environment, LogRetentionDays, SubnetMask


class NatGateways(StrEnum):
    """How the private tier reaches the internet."""

    NONE = "none"
    SINGLE = "single"
    ONE_PER_AZ = "onePerAz"


class SubnetTier(StrEnum):
    """The three subnet tiers, in the order their blocks are carved out of each AZ's range."""

    PRIVATE = "private"
    PUBLIC = "public"
    ISOLATED = "isolated"


@dataclass(frozen=True)
class SubnetLayout:
    """The exact subnet CIDRs per tier, one per AZ, as handed to awsx (`cidrBlocks`)."""

    az_mask: int
    masks: dict[SubnetTier, int]
    blocks: dict[SubnetTier, tuple[str, ...]]


def subnet_layout(cidr: str, az_count: int, masks: dict[SubnetTier, int]) -> SubnetLayout:
    """Carve `cidr` into one equal block per AZ, and each AZ block into the three tiers.

    Tiers are placed largest first, so every block is aligned without gaps. Raises
    ValueError, naming the sizes, when the tiers do not fit in an AZ's block.
    """
    vpc = ipaddress.IPv4Network(cidr)
    az_mask = vpc.prefixlen + math.ceil(math.log2(az_count))
    too_wide = [tier.value for tier, mask in masks.items() if mask < az_mask]
    needed = sum(2 ** (32 - mask) for mask in masks.values())
    available = 2 ** (32 - az_mask) if az_mask <= 32 else 0
    if too_wide or needed > available:
        wanted = " + ".join(f"{tier.value} /{mask}" for tier, mask in masks.items())
        raise ValueError(
            f"{cidr} is too small: {az_count} AZs get a /{az_mask} each ({available} addresses), "
            f"but each AZ's subnets ({wanted}) need {needed}; use a larger cidr or smaller subnet masks"
        )
    order = sorted(masks, key=lambda tier: masks[tier])
    blocks: dict[SubnetTier, list[str]] = {tier: [] for tier in SubnetTier}
    for az_block in list(vpc.subnets(new_prefix=az_mask))[:az_count]:
        cursor = int(az_block.network_address)
        for tier in order:
            subnet = ipaddress.IPv4Network((cursor, masks[tier]))
            blocks[tier].append(str(subnet))
            cursor += subnet.num_addresses
    return SubnetLayout(az_mask, dict(masks), {tier: tuple(cidrs) for tier, cidrs in blocks.items()})


class FlowLogsConfig(ConfigModel):
    """VPC flow logs to CloudWatch Logs, encrypted with the environment's KMS key."""

    enabled: Annotated[bool, required_in(PROD, True, "network forensics need a record of every flow")] = Field(
        description="Record VPC flow logs. Always on in prod."
    )
    retention_days: LogRetentionDays = Field(description="Days CloudWatch keeps the flow logs.")
    traffic_type: str = Field(
        default="ALL",
        pattern="^(ALL|ACCEPT|REJECT)$",
        description="Which flows to record: ALL, ACCEPT or REJECT.",
    )


class NetworkConfig(ConfigModel):
    """One VPC per environment across 2-6 AZs, with public, private and isolated subnet tiers."""

    cidr: Cidr = Field(description="The VPC's IPv4 range. Give each environment its own so they can be peered.")
    availability_zones: int = Field(
        ge=2,
        le=6,
        description="How many AZs the subnets span (2-6). The load balancer needs 2; prod presets 3.",
    )
    public_subnet_mask: SubnetMask = Field(default=24, description="Mask of each public subnet (load balancer, NAT).")
    private_subnet_mask: SubnetMask = Field(default=20, description="Mask of each private subnet (the app tier).")
    isolated_subnet_mask: SubnetMask = Field(
        default=24, description="Mask of each isolated subnet (database, cache; no route to the internet)."
    )
    nat_gateways: Annotated[
        NatGateways,
        one_of_in(
            (Environment.STAGE,),
            (NatGateways.SINGLE, NatGateways.ONE_PER_AZ),
            "`none` puts the app in public subnets, a dev-only economy",
        ),
        required_in(PROD, NatGateways.ONE_PER_AZ, "one NAT gateway per AZ keeps egress up when an AZ fails"),
    ] = Field(
        description=(
            "NAT gateways: `none` (dev only: the app runs in public subnets with public IPs, admitted only "
            "from the load balancer), `single` (one, about $33/month plus data) or `onePerAz` (required in prod)."
        )
    )
    interface_endpoints: bool = Field(
        default=False,
        description=(
            "Create interface endpoints for ECR (api, dkr), CloudWatch Logs and Secrets Manager so the app "
            "reaches them without NAT. Costs about $7.30/month per endpoint per AZ (4 endpoints x AZs) plus "
            "$0.01/GB. Gateway endpoints for S3 and DynamoDB are always created (free)."
        ),
    )
    flow_logs: FlowLogsConfig = Field(description="VPC flow logs.")

    def layout(self) -> SubnetLayout:
        """The subnet CIDRs this config yields (validated to fit)."""
        return subnet_layout(self.cidr, self.availability_zones, self._masks())

    def _masks(self) -> dict[SubnetTier, int]:
        return {
            SubnetTier.PRIVATE: self.private_subnet_mask,
            SubnetTier.PUBLIC: self.public_subnet_mask,
            SubnetTier.ISOLATED: self.isolated_subnet_mask,
        }

    def problems(self) -> Iterator[tuple[str, str]]:
        try:
            self.layout()
        except ValueError as error:
            yield "cidr", str(error)
