"""`webstack:network`: the VPC, its subnet tiers, NAT strategy, endpoints and flow logs."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from config.base import PROD, ConfigModel, at_least_in, one_of_in, required_in, rule
from config.types import AvailabilityZoneId, Cidr, Environment, LogRetentionDays, SubnetMask


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


# The most AZs a stack may span. Each AZ owns a fixed slot of the VPC range sized for this many,
# so adding an AZ later only adds subnets and never moves an existing one.
MAX_AVAILABILITY_ZONES = 6


def az_slot_mask(vpc_prefix: int) -> int:
    """Mask of each AZ's slot: the VPC split into the power of two that holds MAX_AVAILABILITY_ZONES slots."""
    return vpc_prefix + math.ceil(math.log2(MAX_AVAILABILITY_ZONES))


def subnet_layout(cidr: str, az_count: int, masks: dict[SubnetTier, int]) -> SubnetLayout:
    """AZ `i` takes slot `i` of the VPC range, whatever the AZ count; each slot holds the three tiers.

    Tiers are placed largest first, so every subnet is aligned without gaps. Raises
    ValueError, naming the sizes, when the tiers do not fit in a slot.
    """
    vpc = ipaddress.IPv4Network(cidr)
    az_mask = az_slot_mask(vpc.prefixlen)
    too_wide = [tier.value for tier, mask in masks.items() if mask < az_mask]
    needed = sum(2 ** (32 - mask) for mask in masks.values())
    available = 2 ** (32 - az_mask) if az_mask <= 32 else 0
    if too_wide or needed > available:
        wanted = " + ".join(f"{tier.value} /{mask}" for tier, mask in masks.items())
        raise ValueError(
            f"{cidr} is too small: each AZ gets a fixed /{az_mask} slot ({available} addresses, room for "
            f"{MAX_AVAILABILITY_ZONES} AZs so adding one never moves a subnet), but each AZ's subnets ({wanted}) "
            f"need {needed}; use a larger cidr (a smaller mask number, e.g. /16) or smaller subnets "
            "(larger mask numbers, e.g. privateSubnetMask: 22)"
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


class TrafficType(StrEnum):
    """Which flows the flow log records."""

    ALL = "ALL"
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


class FlowLogsConfig(ConfigModel):
    """VPC flow logs to CloudWatch Logs, encrypted with the environment's KMS key."""

    enabled: Annotated[bool, required_in(PROD, True, "network forensics need a record of every flow")] = Field(
        description="Record VPC flow logs (about $0.57/GB ingested in eu-west-1). Always on in prod."
    )
    retention_days: Annotated[
        LogRetentionDays, at_least_in(PROD, 365, "an incident is often found months after it began")
    ] = Field(description="Days CloudWatch keeps the flow logs (at least 365 in prod).")
    traffic_type: TrafficType = Field(
        default=TrafficType.ALL, description="Which flows to record: ALL, ACCEPT or REJECT."
    )


def _masks(values: Any) -> dict[SubnetTier, int]:
    return {
        SubnetTier.PRIVATE: values.private_subnet_mask,
        SubnetTier.PUBLIC: values.public_subnet_mask,
        SubnetTier.ISOLATED: values.isolated_subnet_mask,
    }


@rule("cidr", "availability_zones", "public_subnet_mask", "private_subnet_mask", "isolated_subnet_mask")
def _layout_fits(values: NetworkConfig) -> Iterator[tuple[str, str]]:
    try:
        subnet_layout(values.cidr, values.availability_zones, _masks(values))
    except ValueError as error:
        yield "cidr", str(error)


@rule("availability_zones", "availability_zone_ids")
def _one_id_per_zone(values: NetworkConfig) -> Iterator[tuple[str, str]]:
    ids = values.availability_zone_ids
    if ids is None:
        return
    repeated = sorted({zone for zone in ids if ids.count(zone) > 1})
    if repeated:
        yield "availability_zone_ids", f"{', '.join(repeated)} listed more than once; each AZ once"
    elif len(ids) != values.availability_zones:
        yield (
            "availability_zone_ids",
            f"lists {len(ids)} zone ids but network.availabilityZones is {values.availability_zones}; "
            "set both to the same count",
        )


class NetworkConfig(ConfigModel):
    """One VPC per environment across 2-6 AZs, with public, private and isolated subnet tiers."""

    cidr: Cidr = Field(
        description=(
            "The VPC's IPv4 range. Give each environment its own so they can be peered. Each AZ takes a fixed "
            "eighth of it, so the range never has to be re-carved when an AZ is added."
        )
    )
    availability_zones: int = Field(
        ge=2,
        le=MAX_AVAILABILITY_ZONES,
        description=(
            "How many AZs the subnets span (2-6). The load balancer needs 2; prod presets 3. Raising it later only "
            "adds subnets; lowering it removes the last AZ's subnets. With a NAT gateway per AZ each AZ adds about "
            "$39 a month (the gateway and its address, eu-west-1)."
        ),
    )
    availability_zone_ids: list[AvailabilityZoneId] | None = Field(
        default=None,
        description=(
            "Pin the AZs by zone id (e.g. [euw1-az1, euw1-az2, euw1-az3]); one per AZ, in order. Zone ids name "
            "the same AZ in every account, zone names do not. Unset: the region's first AZs by name, chosen "
            "without regard to their current state, so an AZ outage never changes them. To add an AZ, append "
            "its id; never reorder."
        ),
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
            "from the load balancer, each task paying $3.65/month for its public IPv4), `single` (one, about $35 a "
            "month plus $3.65 for its address and $0.048/GB in eu-west-1) or `onePerAz` (that in every AZ; "
            "required in prod)."
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
        return subnet_layout(self.cidr, self.availability_zones, _masks(self))

    rules = (_layout_fits, _one_id_per_zone)
