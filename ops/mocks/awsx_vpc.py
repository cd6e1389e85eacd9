"""What `awsx:ec2:Vpc` builds inside itself, modelled from awsx's documented allocation for the offline plan.

awsx is a remote component: its children (the VPC, subnets, route tables, routes, NAT gateways, Elastic IPs,
endpoints) are registered by the awsx provider process, never by this program, so the mock engine would not
see them. `model_vpc` works them out from the same inputs, following awsx's own allocation: which children,
under which logical names and parents, with which inputs, and which input rules make awsx throw. The engine
records these children marked as modelled: they are a reading of awsx's source, not registrations the
program made.

Read from pulumi/pulumi-awsx: awsx/ec2/vpc.ts, subnetDistributorNew.ts, subnetNaming.ts, subnetSpecs.ts and
their tests. The snapshot has no v3.9-v3.11 tags; awsx/ec2 is identical at v3.8.0 (3f19048c) and the newest
commit (e60adf3c), and the installed 3.11.0 Python SDK is byte-identical to that commit's sdk/python. Modelled:
subnetStrategy "Auto" and "Exact", with explicit `cidrBlocks` (what webstack sends) or awsx's automatic
allocation; anything else is reported as a problem starting "Not modelled".
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# -- the children awsx registers --------------------------------------------------------------------------------

VPC = "aws:ec2/vpc:Vpc"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROUTE = "aws:ec2/route:Route"
EIP = "aws:ec2/eip:Eip"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"

# The type of each child's parent (vpc.ts). `ModelledResource.parent` is a logical name, and a subnet, its route
# table, association and route all share one, so this says which is meant. The aws:ec2/vpc:Vpc's parent is the
# awsx:ec2:Vpc component itself (parent None).
PARENT_TYPE: Mapping[str, str] = {
    INTERNET_GATEWAY: VPC,
    SUBNET: VPC,
    ROUTE_TABLE: SUBNET,
    ROUTE_TABLE_ASSOCIATION: ROUTE_TABLE,
    ROUTE: ROUTE_TABLE,
    EIP: SUBNET,
    NAT_GATEWAY: SUBNET,
    VPC_ENDPOINT: VPC,
    SECURITY_GROUP: VPC,
    SECURITY_GROUP_RULE: VPC,
}

# arn:aws:ec2:{region}:{account}:{kind}/{id}. Routes, associations, NAT gateways and rules have no ARN.
ARN_KIND = {
    VPC: "vpc",
    SUBNET: "subnet",
    INTERNET_GATEWAY: "internet-gateway",
    ROUTE_TABLE: "route-table",
    EIP: "elastic-ip",
    VPC_ENDPOINT: "vpc-endpoint",
    SECURITY_GROUP: "security-group",
}
OWNED = {VPC, SUBNET, INTERNET_GATEWAY, ROUTE_TABLE, VPC_ENDPOINT, SECURITY_GROUP}  # the provider reports ownerId
PROVIDER_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    NAT_GATEWAY: {"connectivityType": "public"},
    EIP: {"domain": "vpc"},
    VPC_ENDPOINT: {"state": "available"},
}

# The aws.ec2.Vpc inputs awsx passes on from its own arguments (vpc.ts spreads them; the aws SDK keeps these).
VPC_PASSTHROUGH = (
    "assignGeneratedIpv6CidrBlock",
    "enableDnsHostnames",
    "enableDnsSupport",
    "enableNetworkAddressUsageMetrics",
    "instanceTenancy",
    "ipv4IpamPoolId",
    "ipv4NetmaskLength",
    "ipv6CidrBlock",
    "ipv6CidrBlockNetworkBorderGroup",
    "ipv6IpamPoolId",
    "ipv6NetmaskLength",
    "region",
)
# The endpoint spec fields awsx passes through to aws.ec2.VpcEndpoint unchanged (vpc.ts).
ENDPOINT_PASSTHROUGH = (
    "autoAccept",
    "dnsOptions",
    "ipAddressType",
    "policy",
    "resourceConfigurationArn",
    "serviceName",
    "serviceNetworkArn",
    "serviceRegion",
    "subnetConfigurations",
    "vpcEndpointType",
)

# -- awsx's names (subnetNaming.ts, vpc.ts) ----------------------------------------------------------------------
# {spec} is the spec's `name`, else its type lower-cased; {az_num} the AZ's 1-based position in the list.
# Logical names never depend on subnetNameTagStrategy: only the AWS Name tag does.

SUBNET_NAME = "{vpc}-{spec}-{az_num}"  # the subnet, its route table, association and default route
SUBNET_NAME_TAG = {"Legacy": SUBNET_NAME, "AvailabilityZone": "{vpc}-{spec}-{az_suffix}"}  # also the route table's
NAT_NAME = "{vpc}-{az_num}"  # the NAT gateway and its Elastic IP, and their Name tag under either strategy
ENDPOINT_NAME = "{service}"  # no VPC prefix: two awsx VPCs in one stack with one service would collide
ENDPOINT_SECURITY_GROUP_NAME = "{service}-sg"
ENDPOINT_INGRESS_NAME = "{service}-ingress"
AZ_REGION_PREFIX = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-")  # stripped for {az_suffix}: eu-west-1a -> 1a

# -- awsx's tiers (vpc.ts) ---------------------------------------------------------------------------------------

SUBNET_TYPES = ("Public", "Private", "Isolated", "Unused")  # Unused reserves its ranges and creates nothing
# Within an AZ, subnets are created public first and isolated last (compareSubnetSpecs), so a private subnet's
# NAT gateway already exists; the id lists follow creation order: by AZ, then by spec.
CREATION_ORDER = {"Public": 0, "Private": 1, "Isolated": 2}
OUTPUT_LIST = {"Public": "publicSubnetIds", "Private": "privateSubnetIds", "Isolated": "isolatedSubnetIds"}
ROUTE_TARGET = {"Public": "gatewayId", "Private": "natGatewayId"}  # 0.0.0.0/0; isolated subnets get no route
NAT_STRATEGIES = ("None", "Single", "OnePerAz")  # awsx's default: OnePerAz
NAT_NEEDS = "a Public subnet spec to host the NAT gateways and a Private or Isolated one to route through them"
SUBNET_STRATEGIES = ("Legacy", "Auto", "AutoMerge", "Exact")  # awsx's default: Legacy
NAME_TAG_STRATEGIES = ("Legacy", "AvailabilityZone")  # awsx's default: Legacy
ENDPOINT_STRATEGIES = ("Legacy", "Auto")  # awsx's default: Legacy
INTERFACE_ENDPOINT_TIERS = ("Private", "Isolated", "Public")  # Auto interface endpoints: one subnet per AZ, first found
DEFAULT_VPC_CIDR = "10.0.0.0/16"  # used when neither cidrBlock nor an IPAM pool is given
DEFAULT_SPECS = (("Private", 1), ("Public", 2))  # no subnetSpecs: masks are max(AZ mask, 16) + these
ANY = "0.0.0.0/0"

# What AWS (not awsx) refuses: CreateSubnet and CreateVpc take /16 to /28, and the provider wants network addresses.
AWS_PREFIX_RANGE = range(16, 29)


@dataclass(frozen=True)
class ModelledResource:
    """One child awsx registers, as the mock engine should record it."""

    type: str  # e.g. "aws:ec2/subnet:Subnet"
    name: str  # logical name as awsx registers it
    parent: str | None  # logical name of the modelled parent (its type: PARENT_TYPE), None for the component
    inputs: dict[str, Any]  # camelCase inputs as the AWS provider receives them
    outputs: dict[str, Any]  # inputs plus computed outputs: "id", "arn" where AWS has one, and a few more


@dataclass(frozen=True)
class ModelledVpc:
    """Everything awsx would do with one set of `awsx:ec2:Vpc` inputs."""

    resources: tuple[ModelledResource, ...]  # in awsx's registration order; empty when awsx would throw
    outputs: dict[str, Any]  # vpcId and the three subnet id lists (never natGateways); empty when awsx would throw
    problems: tuple[str, ...]  # every input rule broken, one sentence each; empty when awsx would accept them


@dataclass(frozen=True)
class _Spec:
    """One subnetSpecs entry as awsx reads it."""

    type: str
    name: str
    cidr_mask: int | None
    cidr_blocks: tuple[str, ...] | None
    tags: Mapping[str, Any]


@dataclass(frozen=True)
class _Slot:
    """One spec in one AZ: a subnet, or a reserved range when the spec is Unused."""

    spec: _Spec
    az_index: int
    cidr: str


def model_vpc(
    name: str,
    inputs: Mapping[str, Any],
    *,
    region: str,
    account_id: str,
    resource_id: Callable[[str, str], str],
    zone_ids: Mapping[str, str],
) -> ModelledVpc:
    """Model what awsx's Vpc named `name` registers for `inputs` (camelCase, as the mock engine receives them).

    `resource_id(type_token, logical_name)` returns the mock id for a child (e.g. "subnet-0123..."); use it for
    every child id so ids are deterministic. `zone_ids` maps the account's AZ names to AZ ids (a subnet reports
    both).
    """
    zones = [str(zone) for zone in inputs.get("availabilityZoneNames") or []]
    # awsx stops at the first rule broken; all of them are reported here, its argument checks first (vpc.ts).
    slots, layout_problems = _layout(name, inputs, zones) if zones else ([], [])
    problems = _argument_problems(inputs, zones) + layout_problems
    if problems:
        # awsx throws before it registers any child when the VPC's cidrBlock is known up front (vpc.ts).
        return ModelledVpc((), {}, tuple(problems))
    return _build(name, inputs, zones, slots, _Children(region, account_id, resource_id, zone_ids))


# -- awsx's rules ----------------------------------------------------------------------------------------------


def _argument_problems(inputs: Mapping[str, Any], zones: list[str]) -> list[str]:
    """The checks vpc.ts runs on its arguments before any subnet is laid out."""
    problems: list[str] = []
    if inputs.get("ipv4IpamPoolId") is not None:
        if inputs.get("cidrBlock") is not None and inputs.get("ipv4NetmaskLength") is not None:
            problems.append("Only one of cidrBlock and ipv4NetmaskLength may be given with ipv4IpamPoolId.")
        if inputs.get("cidrBlock") is None and inputs.get("ipv4NetmaskLength") is None:
            problems.append("ipv4IpamPoolId needs ipv4NetmaskLength or cidrBlock as well.")
        if inputs.get("cidrBlock") is None:
            problems.append("Not modelled: a VPC range allocated by IPAM (webstack always passes cidrBlock).")
    problems += _enum_problems(inputs)
    problems += _endpoint_problems(inputs)
    if inputs.get("availabilityZoneNames") and inputs.get("numberOfAvailabilityZones"):
        problems.append("Only one of availabilityZoneNames and numberOfAvailabilityZones may be given.")
    if not zones:
        problems.append(
            "Not modelled: awsx looks the availability zones up itself (webstack always passes availabilityZoneNames)."
        )
    if len(set(zones)) < len(zones):
        # Not an awsx check: awsx would create each duplicated AZ's subnets twice and the engine refuse the names.
        problems.append(f"availabilityZoneNames {zones} repeats a zone; each zone's subnets would be registered twice.")
    problems += _nat_problems(inputs, zones)
    if _name_tag_strategy(inputs) == "AvailabilityZone":
        suffixes: dict[str, str] = {}
        for zone in zones:
            other = suffixes.get(_az_suffix(zone))
            suffixes[_az_suffix(zone)] = zone
            if other is not None:  # a zone listed twice collides with itself, as in subnetNaming.ts
                problems.append(
                    f'subnetNameTagStrategy "AvailabilityZone" needs zones with distinct suffixes, but {other!r} '
                    f"and {zone!r} both give {_az_suffix(zone)!r}."
                )
    if _ipv6_requested(inputs):
        problems.append("Not modelled: IPv6 subnets and endpoints (webstack is IPv4 only).")
    return problems


def _enum_problems(inputs: Mapping[str, Any]) -> list[str]:
    """The awsx schema's enumerations."""
    problems = []
    for key, allowed in (
        ("subnetStrategy", SUBNET_STRATEGIES),
        ("subnetNameTagStrategy", NAME_TAG_STRATEGIES),
        ("vpcEndpointStrategy", ENDPOINT_STRATEGIES),
    ):
        value = inputs.get(key)
        if value is not None and value not in allowed:
            problems.append(f"{key} {value!r} is not one of awsx's values ({', '.join(allowed)}).")
    for index, spec in enumerate(inputs.get("subnetSpecs") or []):
        if spec.get("type") not in SUBNET_TYPES:
            problems.append(
                f"subnetSpecs[{index}].type {spec.get('type')!r} is not one of awsx's subnet types "
                f"({', '.join(SUBNET_TYPES)})."
            )
    return problems


def _nat_problems(inputs: Mapping[str, Any], zones: list[str]) -> list[str]:
    """vpc.ts validateEips: NAT strategy against the Elastic IPs supplied."""
    strategy = _nat_strategy(inputs)
    eips = list((inputs.get("natGateways") or {}).get("elasticIpAllocationIds") or [])
    if strategy not in NAT_STRATEGIES:
        return [f"natGateways.strategy {strategy!r} is not one of awsx's values ({', '.join(NAT_STRATEGIES)})."]
    if strategy == "None" and eips:
        return ['Elastic IP allocation ids cannot be given when the NAT gateway strategy is "None".']
    if strategy == "Single" and len(eips) > 1:
        return ['At most one Elastic IP allocation id may be given when the NAT gateway strategy is "Single".']
    if strategy == "OnePerAz" and eips and len(eips) != len(zones):
        return [
            f"The number of Elastic IP allocation ids ({len(eips)}) must match the number of availability zones "
            f'({len(zones)}) when the NAT gateway strategy is "OnePerAz".'
        ]
    return []


def _endpoint_problems(inputs: Mapping[str, Any]) -> list[str]:
    """vpc.ts: what vpcEndpointStrategy "Auto" requires of the endpoint specs and the VPC's DNS settings."""
    problems = []
    specs = list(inputs.get("vpcEndpointSpecs") or [])
    services = [str(spec.get("serviceName")) for spec in specs]
    for service in sorted({s for s in services if services.count(s) > 1}):
        # Not an awsx check: awsx names each endpoint after its service, so the engine would refuse the duplicate.
        problems.append(f"vpcEndpointSpecs name the service {service!r} twice; each endpoint is named after it.")
    if _endpoint_strategy(inputs) != "Auto":
        return problems
    for spec in specs:
        if _endpoint_kind(spec) is None:
            problems.append(
                f'vpcEndpointStrategy "Auto" needs the vpcEndpointType of endpoint {spec.get("serviceName")!r} '
                "to be omitted or a plain string."
            )
    if any(_wants_private_dns(spec) for spec in specs):
        for key in ("enableDnsHostnames", "enableDnsSupport"):
            if inputs.get(key) is False:
                problems.append(
                    f'vpcEndpointStrategy "Auto" needs {key} true when an Interface endpoint has private DNS.'
                )
    return problems


def _layout(name: str, inputs: Mapping[str, Any], zones: list[str]) -> tuple[list[_Slot], list[str]]:
    """The subnet ranges awsx lays out, AZ by AZ, and the layout rules they break (subnetDistributorNew.ts, vpc.ts)."""
    vpc_cidr = str(inputs.get("cidrBlock") or DEFAULT_VPC_CIDR)
    vpc = _network(vpc_cidr)
    if vpc is None:
        return [], [f"cidrBlock {vpc_cidr!r} is not an IPv4 CIDR block."]
    strategy = _subnet_strategy(inputs)
    az_mask = _int(inputs.get("availabilityZoneCidrMask")) or vpc.prefixlen + _new_bits(len(zones))
    raw_specs = inputs.get("subnetSpecs")
    if raw_specs is None:
        specs, problems = _default_specs(strategy, az_mask)
    else:
        specs, problems = _specs(raw_specs, len(zones))
    if problems:
        return [], problems
    explicit = any(spec.cidr_blocks is not None for spec in specs)
    if strategy == "AutoMerge" and explicit:
        return [], ['subnetStrategy "AutoMerge" does not take explicit cidrBlocks; use "Auto" or "Exact".']
    if strategy == "Legacy":
        # subnetDistributorLegacy.ts lays subnets out its own way: it never reads cidrBlocks and drops Unused specs.
        return [], [
            'Not modelled: subnetStrategy "Legacy", awsx\'s default, which ignores cidrBlocks (webstack sends "Auto").'
        ]
    if strategy == "AutoMerge":
        return [], [
            'Not modelled: subnetStrategy "AutoMerge", which mixes in awsx\'s default specs (webstack sends "Auto").'
        ]
    if explicit:
        slots = [
            _Slot(spec, az, spec.cidr_blocks[az]) for az in range(len(zones)) for spec in specs if spec.cidr_blocks
        ]
    else:
        slots, problems = _allocate(vpc, az_mask, len(zones), specs)
    problems += _overlap_problems(name, slots)
    if strategy == "Exact":
        problems += _gap_problems(name, vpc, slots)
    nat = _nat_strategy(inputs)
    tiers = {spec.type for spec in specs}
    if nat != "None" and ("Public" not in tiers or not tiers & {"Private", "Isolated"}):
        problems.append(f'NAT gateway strategy "{nat}" needs {NAT_NEEDS}.')
    return slots, problems + _aws_problems(name, vpc_cidr, vpc, slots)


def _default_specs(strategy: str, az_mask: int) -> tuple[list[_Spec], list[str]]:
    """No subnetSpecs: a private and a public subnet per AZ (subnetDistributorNew.ts defaultSubnetInputs)."""
    if strategy not in ("Auto", "AutoMerge"):  # pickSubnetAllocator sends the others to the legacy allocator
        return [], [f'Not modelled: subnetStrategy "{strategy}" without subnetSpecs (webstack sends "Auto").']
    if az_mask > 26:
        return [], [f"awsx's default subnets need at least a /26 per AZ, but each AZ gets a /{az_mask}."]
    base = max(az_mask, 16)
    return [_Spec(tier, tier.lower(), base + extra, None, {}) for tier, extra in DEFAULT_SPECS], []


def _specs(raw_specs: Sequence[Mapping[str, Any]], az_count: int) -> tuple[list[_Spec], list[str]]:
    """subnetDistributorNew.ts validateAndNormalizeSubnetInputs: the specs, and every rule they break."""
    specs = [_spec(raw) for raw in raw_specs]
    explicit = any(spec.cidr_blocks is not None for spec in specs)
    problems = _duplicate_name_problems(raw_specs)
    for index, (raw, spec) in enumerate(zip(raw_specs, specs, strict=True)):
        problems += _spec_problems(f"subnetSpecs[{index}]", raw, spec, az_count, explicit=explicit)
    return specs, problems


def _spec(raw: Mapping[str, Any]) -> _Spec:
    spec_type = str(raw.get("type"))
    mask, size = _int(raw.get("cidrMask")), _int(raw.get("size"))
    blocks = raw.get("cidrBlocks")
    return _Spec(
        type=spec_type,
        name=str(raw["name"]) if raw.get("name") is not None else spec_type.lower(),
        cidr_mask=mask if mask is not None or size is None else _MASK_FOR_SIZE.get(size),
        cidr_blocks=None if blocks is None else tuple(str(block) for block in blocks),
        tags=raw.get("tags") or {},
    )


def _spec_problems(where: str, raw: Mapping[str, Any], spec: _Spec, az_count: int, *, explicit: bool) -> list[str]:
    size = _int(raw.get("size"))
    if size is not None and size not in _MASK_FOR_SIZE:
        return [f"{where}.size {size} is not a valid subnet size (a power of two from 4 to 2^32)."]
    if not explicit:
        if size is not None and raw.get("cidrMask") is not None and _MASK_FOR_SIZE[size] != spec.cidr_mask:
            return [f"{where}.size {size} does not match its cidrMask /{spec.cidr_mask}."]
        return []
    if spec.cidr_blocks is None:
        return [f"{where} has no cidrBlocks: when one subnet spec has cidrBlocks, every spec must."]
    if len(spec.cidr_blocks) != az_count:
        return [f"{where} has {len(spec.cidr_blocks)} cidrBlocks; it needs one per availability zone ({az_count})."]
    networks = [_network(block) for block in spec.cidr_blocks]
    if any(net is None for net in networks):
        return [f"{where}.cidrBlocks {list(spec.cidr_blocks)} holds something that is not an IPv4 CIDR block."]
    if raw.get("cidrMask") is not None and any(net and net.prefixlen != spec.cidr_mask for net in networks):
        return [f"{where}.cidrMask /{spec.cidr_mask} must match every one of its cidrBlocks, or be left out."]
    if size is not None and any(net and net.num_addresses != size for net in networks):
        return [f"{where}.size {size} must match every one of its cidrBlocks, or be left out."]
    return []


def _duplicate_name_problems(raw_specs: Sequence[Mapping[str, Any]]) -> list[str]:
    """Specs of one type need distinct names: the name is part of each subnet's resource name."""
    problems = []
    for spec_type in dict.fromkeys(str(raw.get("type")).lower() for raw in raw_specs):
        names = [raw.get("name") for raw in raw_specs if str(raw.get("type")).lower() == spec_type]
        named = [n for n in names if n is not None]
        if names.count(None) > 1 or len(set(named)) < len(named):
            problems.append(
                f'Subnet specs of type "{spec_type}" need unique names: at most one may be unnamed, the rest distinct.'
            )
    return problems


def _allocate(
    vpc: ipaddress.IPv4Network, az_mask: int, az_count: int, specs: list[_Spec]
) -> tuple[list[_Slot], list[str]]:
    """subnetDistributorNew.ts allocateSubnetCidrBlocks: each AZ gets an equal block, filled spec after spec."""
    if not specs:
        return [], ["subnetSpecs is empty: awsx needs at least one subnet spec."]
    masks = [az_mask + _new_bits(len(specs)) if spec.cidr_mask is None else spec.cidr_mask for spec in specs]
    needed, available = sum(2 ** (32 - mask) for mask in masks), 2 ** (32 - az_mask)
    if needed > available:
        return [], [f"Subnets are too large for the VPC: each AZ has {available} addresses, its subnets need {needed}."]
    slots = []
    az_start = int(ipaddress.IPv4Network((vpc.network_address, az_mask), strict=False).network_address)
    try:
        for az in range(az_count):
            previous: ipaddress.IPv4Network | None = None
            for spec, mask in zip(specs, masks, strict=True):
                if previous is None:
                    subnet = ipaddress.IPv4Network((az_start, mask), strict=False)
                else:
                    # nextNetmask: the block of this size holding the previous subnet's end, then the one after it.
                    holder = ipaddress.IPv4Network((int(previous.broadcast_address), mask), strict=False)
                    subnet = ipaddress.IPv4Network((int(holder.network_address) + holder.num_addresses, mask))
                slots.append(_Slot(spec, az, str(subnet)))
                previous = subnet
            az_start += available
    except ValueError:
        return [], [f"The subnets run past the end of the address space from the VPC's {vpc}."]
    return slots, []


def _overlap_problems(name: str, slots: list[_Slot]) -> list[str]:
    """vpc.ts validateSubnets: no two ranges may overlap, Unused ones included."""
    ranges = [(_slot_name(name, slot), _network(slot.cidr)) for slot in slots]
    overlapping = [
        f"{label} {net}"
        for index, (label, net) in enumerate(ranges)
        if net and any(other and i != index and net.overlaps(other) for i, (_, other) in enumerate(ranges))
    ]
    if not overlapping:
        return []
    return [f"Subnet ranges overlap (awsx requires them disjoint, Unused ones included): {', '.join(overlapping)}."]


def _gap_problems(name: str, vpc: ipaddress.IPv4Network, slots: list[_Slot]) -> list[str]:
    """vpc.ts validateNoGaps, for subnetStrategy "Exact": the ranges, AZ by AZ, must tile the VPC with no gap."""
    gaps = []
    expected = int(vpc.network_address)
    for slot in slots:
        net = _network(slot.cidr)
        if net is None:
            continue
        if int(net.network_address) != expected:
            gaps.append(f"{_slot_name(name, slot)} {slot.cidr} does not start at {ipaddress.IPv4Address(expected)}")
        expected = int(net.broadcast_address) + 1
    if expected != int(vpc.broadcast_address) + 1:
        gaps.append(f"the last range ends before the VPC's {vpc} does")
    return [f'subnetStrategy "Exact" forbids gaps between subnet ranges: {"; ".join(gaps)}.'] if gaps else []


def _aws_problems(name: str, vpc_cidr: str, vpc: ipaddress.IPv4Network, slots: list[_Slot]) -> list[str]:
    """Not awsx's rules: what the AWS provider or EC2 would refuse once awsx created the resources."""
    problems = []
    if str(vpc) != vpc_cidr or vpc.prefixlen not in AWS_PREFIX_RANGE:
        problems.append(f"AWS would refuse VPC cidrBlock {vpc_cidr}: it must be a network address, /16 to /28.")
    for slot in slots:
        net = _network(slot.cidr)
        if slot.spec.type == "Unused" or net is None:
            continue
        if str(net) != slot.cidr or net.prefixlen not in AWS_PREFIX_RANGE or not net.subnet_of(vpc):
            problems.append(
                f"AWS would refuse subnet {_slot_name(name, slot)} {slot.cidr}: a subnet must be a network "
                f"address, /16 to /28, inside the VPC's {vpc}."
            )
    return problems


# -- the children ------------------------------------------------------------------------------------------------


class _Children:
    """Registers the children in awsx's order (vpc.ts initialize), with ids, ARNs and provider-computed outputs."""

    def __init__(
        self, region: str, account_id: str, resource_id: Callable[[str, str], str], zone_ids: Mapping[str, str]
    ) -> None:
        self.region = region
        self.zone_ids = zone_ids
        self.account_id = account_id
        self.resource_id = resource_id
        self.resources: list[ModelledResource] = []
        self.subnet_ids: dict[str, list[str]] = {tier: [] for tier in OUTPUT_LIST}
        self.subnets_by_az: dict[int, dict[str, str]] = {}  # the first subnet id of each tier, per AZ
        self.route_table_ids: list[str] = []
        self.nat_ids: list[str] = []

    def add(self, type_: str, name: str, parent: str | None, inputs: Mapping[str, Any]) -> str:
        """Record one child and return its id. Inputs left as None are dropped, as the SDK drops undefined ones."""
        kept = {key: value for key, value in inputs.items() if value is not None}
        child_id = self.resource_id(type_, name)
        outputs = {**PROVIDER_DEFAULTS.get(type_, {}), **kept, "id": child_id}
        if type_ in ARN_KIND:
            region = kept.get("region", self.region)
            outputs["arn"] = f"arn:aws:ec2:{region}:{self.account_id}:{ARN_KIND[type_]}/{child_id}"
        if type_ in OWNED:
            outputs["ownerId"] = self.account_id
        if type_ == SUBNET:
            outputs["availabilityZoneId"] = self.zone_ids.get(str(kept.get("availabilityZone")), "")
        if type_ == EIP:
            outputs["allocationId"] = child_id  # a VPC Elastic IP's id is its allocation id (eipalloc-...)
        self.resources.append(ModelledResource(type_, name, parent, kept, outputs))
        return child_id


def _build(name: str, inputs: Mapping[str, Any], zones: list[str], slots: list[_Slot], out: _Children) -> ModelledVpc:
    """vpc.ts initialize: the VPC and its internet gateway, AZ by AZ each subnet and its children, the endpoints."""
    region = inputs.get("region")
    shared_tags = {"Name": name, **(inputs.get("tags") or {})}  # the user's tags may rename it
    vpc_cidr = str(inputs.get("cidrBlock") or DEFAULT_VPC_CIDR)
    vpc_inputs = {key: inputs.get(key) for key in VPC_PASSTHROUGH} | {"cidrBlock": vpc_cidr, "tags": shared_tags}
    endpoint_specs = inputs.get("vpcEndpointSpecs") or []
    if _endpoint_strategy(inputs) == "Auto" and any(_wants_private_dns(spec) for spec in endpoint_specs):
        vpc_inputs["enableDnsHostnames"] = inputs.get("enableDnsHostnames", True)
        vpc_inputs["enableDnsSupport"] = inputs.get("enableDnsSupport", True)
    vpc_id = out.add(VPC, name, None, vpc_inputs)
    # Created even when no subnet is public: AWS does not charge for it (vpc.ts).
    igw_id = out.add(INTERNET_GATEWAY, name, name, {"region": region, "vpcId": vpc_id, "tags": shared_tags})
    for az, zone in enumerate(zones):
        in_az = [slot for slot in slots if slot.az_index == az and slot.spec.type != "Unused"]
        for slot in sorted(in_az, key=lambda s: CREATION_ORDER[s.spec.type]):
            _add_subnet(name, inputs, slot, zone, (vpc_id, igw_id), shared_tags, out)
    for spec in endpoint_specs:
        _add_endpoint(name, spec, inputs, (vpc_id, vpc_cidr), shared_tags, out)
    outputs: dict[str, Any] = {"vpcId": vpc_id} | {OUTPUT_LIST[tier]: ids for tier, ids in out.subnet_ids.items()}
    return ModelledVpc(tuple(out.resources), outputs, ())


def _add_subnet(
    vpc_name: str,
    inputs: Mapping[str, Any],
    slot: _Slot,
    zone: str,
    gateways: tuple[str, str],
    shared_tags: Mapping[str, Any],
    out: _Children,
) -> None:
    """vpc.ts: a subnet, its route table and association, the AZ's NAT gateway (and Elastic IP) when it is
    the one to host it, and the tier's default route."""
    vpc_id, igw_id = gateways
    region, tier, az = inputs.get("region"), slot.spec.type, slot.az_index
    name = _slot_name(vpc_name, slot)
    tag_pattern = SUBNET_NAME_TAG[_name_tag_strategy(inputs)]
    name_tag = tag_pattern.format(vpc=vpc_name, spec=slot.spec.name, az_num=az + 1, az_suffix=_az_suffix(zone))
    tags = {**shared_tags, "Name": name_tag, "SubnetType": tier}
    subnet = {"region": region, "vpcId": vpc_id, "availabilityZone": zone, "mapPublicIpOnLaunch": tier == "Public"}
    subnet |= {"cidrBlock": slot.cidr, "assignIpv6AddressOnCreation": False}
    subnet_id = out.add(SUBNET, name, vpc_name, subnet | {"tags": {**shared_tags, **slot.spec.tags, **tags}})
    out.subnet_ids[tier].append(subnet_id)
    out.subnets_by_az.setdefault(az, {}).setdefault(tier, subnet_id)
    table_id = out.add(ROUTE_TABLE, name, name, {"region": region, "vpcId": vpc_id, "tags": tags})
    out.route_table_ids.append(table_id)
    out.add(ROUTE_TABLE_ASSOCIATION, name, name, {"region": region, "routeTableId": table_id, "subnetId": subnet_id})

    nat = _nat_strategy(inputs)
    if tier == "Public" and len(out.nat_ids) < _nat_gateways_wanted(nat, az):
        nat_name = NAT_NAME.format(vpc=vpc_name, az_num=az + 1)
        nat_tags = {**(inputs.get("tags") or {}), "Name": nat_name}  # the user's tags, not the VPC's Name
        elastic_ips = (inputs.get("natGateways") or {}).get("elasticIpAllocationIds") or []
        eip = elastic_ips[az] if elastic_ips else out.add(EIP, nat_name, name, {"region": region, "tags": nat_tags})
        nat_gateway = {"region": region, "subnetId": subnet_id, "allocationId": eip, "tags": nat_tags}
        out.nat_ids.append(out.add(NAT_GATEWAY, nat_name, name, nat_gateway))

    target = {"Public": igw_id, "Private": _nat_for(nat, out.nat_ids, az)}.get(tier)
    if target is not None:
        route = {"region": region, "routeTableId": table_id, ROUTE_TARGET[tier]: target, "destinationCidrBlock": ANY}
        out.add(ROUTE, name, name, route)


def _add_endpoint(
    vpc_name: str,
    spec: Mapping[str, Any],
    inputs: Mapping[str, Any],
    vpc: tuple[str, str],
    shared_tags: Mapping[str, Any],
    out: _Children,
) -> None:
    """vpc.ts: one endpoint per spec, parented to the aws:ec2/vpc:Vpc. Under "Auto", a gateway endpoint joins every
    route table awsx made, and an interface endpoint gets one subnet per AZ, private DNS and a security group that
    admits HTTPS from the VPC; whatever the spec sets itself is kept."""
    vpc_id, vpc_cidr = vpc
    service = str(spec.get("serviceName"))
    auto, kind = _endpoint_strategy(inputs) == "Auto", _endpoint_kind(spec)
    region = spec.get("region") or inputs.get("region")
    tags = {**shared_tags, **(spec.get("tags") or {})}
    endpoint = {key: spec.get(key) for key in ENDPOINT_PASSTHROUGH} | {
        "region": region,
        "vpcId": vpc_id,
        "tags": tags,
        "routeTableIds": spec.get("routeTableIds"),
        "subnetIds": spec.get("subnetIds"),
        "securityGroupIds": spec.get("securityGroupIds"),
        "privateDnsEnabled": spec.get("privateDnsEnabled"),
    }
    if auto and kind == "gateway" and endpoint["routeTableIds"] is None:
        endpoint["routeTableIds"] = list(out.route_table_ids)  # public, private and isolated, in creation order
    if auto and kind == "interface":
        if endpoint["subnetIds"] is None and spec.get("subnetConfigurations") is None:
            endpoint["subnetIds"] = [
                next(by_tier[tier] for tier in INTERFACE_ENDPOINT_TIERS if tier in by_tier)
                for by_tier in out.subnets_by_az.values()
            ]
        if endpoint["privateDnsEnabled"] is None:
            endpoint["privateDnsEnabled"] = True
        if endpoint["securityGroupIds"] is None:
            group = {"region": region, "vpcId": vpc_id, "tags": tags}
            group_id = out.add(SECURITY_GROUP, ENDPOINT_SECURITY_GROUP_NAME.format(service=service), vpc_name, group)
            ingress = {"region": region, "type": "ingress", "securityGroupId": group_id, "protocol": "tcp"}
            ingress |= {"fromPort": 443, "toPort": 443, "cidrBlocks": [vpc_cidr]}
            out.add(SECURITY_GROUP_RULE, ENDPOINT_INGRESS_NAME.format(service=service), vpc_name, ingress)
            endpoint["securityGroupIds"] = [group_id]
    out.add(VPC_ENDPOINT, ENDPOINT_NAME.format(service=service), vpc_name, endpoint)


# -- small readings of the inputs ------------------------------------------------------------------------------

_MASK_FOR_SIZE = {2 ** (32 - mask): mask for mask in range(31)}  # awsx's valid subnet sizes: 4 to 2^32 addresses


def _nat_strategy(inputs: Mapping[str, Any]) -> str:
    return str((inputs.get("natGateways") or {}).get("strategy") or "OnePerAz")


def _subnet_strategy(inputs: Mapping[str, Any]) -> str:
    return str(inputs.get("subnetStrategy") or "Legacy")


def _name_tag_strategy(inputs: Mapping[str, Any]) -> str:
    return str(inputs.get("subnetNameTagStrategy") or "Legacy")


def _endpoint_strategy(inputs: Mapping[str, Any]) -> str:
    return str(inputs.get("vpcEndpointStrategy") or "Legacy")


def _nat_gateways_wanted(strategy: str, az: int) -> int:
    """vpc.ts shouldCreateNatGateway: how many NAT gateways exist once AZ `az`'s first public subnet is made."""
    return {"None": 0, "Single": 1, "OnePerAz": az + 1}[strategy]


def _nat_for(strategy: str, nat_ids: list[str], az: int) -> str | None:
    """The NAT gateway a private subnet in AZ `az` routes through: the only one (Single) or its own AZ's."""
    if strategy == "None" or not nat_ids:
        return None
    return nat_ids[0] if strategy == "Single" else nat_ids[az]


def _endpoint_kind(spec: Mapping[str, Any]) -> str | None:
    """The endpoint type, lower-cased; "gateway" when omitted (AWS's default); None when not a plain string."""
    value = spec.get("vpcEndpointType")
    if value is None:
        return "gateway"
    return value.lower() if isinstance(value, str) else None


def _wants_private_dns(spec: Mapping[str, Any]) -> bool:
    return _endpoint_kind(spec) == "interface" and spec.get("privateDnsEnabled") in (None, True)


def _ipv6_requested(inputs: Mapping[str, Any]) -> bool:
    specs = inputs.get("subnetSpecs") or []
    endpoints = inputs.get("vpcEndpointSpecs") or []
    return bool(
        inputs.get("assignGeneratedIpv6CidrBlock")
        or inputs.get("ipv6CidrBlock")
        or inputs.get("ipv6IpamPoolId")
        or any(spec.get("assignIpv6AddressOnCreation") for spec in specs)
        or any(str(spec.get("ipAddressType", "")).lower() in ("ipv6", "dualstack") for spec in endpoints)
    )


def _az_suffix(zone: str) -> str:
    """subnetNaming.ts azSuffix: eu-west-1a -> 1a; a name that does not parse is kept whole."""
    return AZ_REGION_PREFIX.sub("", zone) if AZ_REGION_PREFIX.match(zone) else zone


def _slot_name(vpc_name: str, slot: _Slot) -> str:
    return SUBNET_NAME.format(vpc=vpc_name, spec=slot.spec.name, az_num=slot.az_index + 1)


def _network(cidr: str) -> ipaddress.IPv4Network | None:
    """The range a CIDR string covers, host bits cleared as awsx's netmask library does; None if not IPv4 CIDR."""
    try:
        return ipaddress.IPv4Network(cidr, strict=False) if "/" in cidr else None
    except ValueError:
        return None


def _int(value: object) -> int | None:
    """Numbers arrive from the engine as floats (24.0)."""
    return int(value) if isinstance(value, int | float) else None


def _new_bits(count: int) -> int:
    """Bits needed to split a range into `count` equal parts (subnetDistributorNew.ts newBits)."""
    return math.ceil(math.log2(count)) if count > 0 else 0
