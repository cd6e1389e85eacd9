"""`webstack:network:Network`: the VPC, its endpoints and flow logs, and the chain of security groups.

Security groups are chained by group id: CloudFront -> ALB -> app -> database / cache.
The only ingress not from another group is CloudFront's origin-facing prefix list on the
ALB (or, for an internal ALB behind a CloudFront VPC origin, the VPC's own range).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from components.iam import document, service_trust_policy
from components.options import AwsContext
from components.security import Encryption
from config import catalog
from config.compute import SINGLE_APP
from config.errors import ConfigError, Problem
from config.network import NatGateways, NetworkConfig, SubnetTier

CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")

_NAT_STRATEGY = {
    NatGateways.NONE: awsx.ec2.NatGatewayStrategy.NONE,
    NatGateways.SINGLE: awsx.ec2.NatGatewayStrategy.SINGLE,
    NatGateways.ONE_PER_AZ: awsx.ec2.NatGatewayStrategy.ONE_PER_AZ,
}
_SUBNET_TYPE = {
    SubnetTier.PUBLIC: awsx.ec2.SubnetType.PUBLIC,
    SubnetTier.PRIVATE: awsx.ec2.SubnetType.PRIVATE,
    SubnetTier.ISOLATED: awsx.ec2.SubnetType.ISOLATED,
}


@dataclass(frozen=True)
class _Group:
    role: str
    resource: aws.ec2.SecurityGroup


@dataclass(frozen=True)
class _Peer:
    """The other side of a rule: another group, a managed prefix list or a CIDR.

    `label` names the rule together with its group and direction, never the port: a port
    changes (80 -> 443 when a domain is added) and a rule renamed would be created before
    the old one is deleted.
    """

    label: str
    group_id: pulumi.Input[str] | None = None
    prefix_list: pulumi.Input[str] | None = None
    cidr: str | None = None

    @staticmethod
    def of(group: _Group) -> _Peer:
        return _Peer(group.role, group_id=group.resource.id)


@dataclass(frozen=True)
class Zone:
    """An availability zone by name (per account) and by id (the same physical AZ in every account)."""

    name: str
    zone_id: str


def select_availability_zones(
    config: NetworkConfig, opts: pulumi.InvokeOptions, *, vpc_origin: bool, region: str
) -> list[Zone]:
    """The stack's AZs: the pinned zone ids, else the region's first AZs; a ConfigError when they cannot serve.

    No state filter: an AZ in an incident is still the stack's AZ, so an outage never moves
    subnets or blocks a deploy. The few AZs CloudFront VPC origins cannot reach come last,
    whether or not the stack uses a VPC origin, so turning one on or off never moves a subnet;
    a stack with a VPC origin that cannot avoid them is refused. Called by the root before any
    cloud resource is registered, so a region that cannot serve the config stops the run with
    nothing half-created.
    """
    offered = aws.get_availability_zones(
        # Local and Wavelength Zones need an opt-in and cannot host these subnets.
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
        opts=opts,
    )
    unreachable = catalog.CLOUDFRONT_VPC_ORIGIN_UNSUPPORTED_ZONE_IDS
    zones = sorted(
        (Zone(name, zone_id) for name, zone_id in zip(offered.names, offered.zone_ids, strict=True)),
        key=lambda z: (z.zone_id in unreachable, z.name),
    )
    if config.availability_zone_ids is not None:
        by_id = {zone.zone_id: zone for zone in zones}
        missing = [zone_id for zone_id in config.availability_zone_ids if zone_id not in by_id]
        if missing:
            offered_ids = ", ".join(sorted(by_id))
            raise _zone_error(
                "availabilityZoneIds",
                f"{', '.join(missing)} not offered to this account in the region; it offers {offered_ids}",
            )
        chosen = [by_id[zone_id] for zone_id in config.availability_zone_ids]
        key = "availabilityZoneIds"
    elif len(zones) < config.availability_zones:
        raise _zone_error(
            "availabilityZones", f"{config.availability_zones} requested, but the region offers only {len(zones)}"
        )
    else:
        chosen, key = zones[: config.availability_zones], "availabilityZones"
    blocked = [zone.zone_id for zone in chosen if zone.zone_id in unreachable]
    if vpc_origin and blocked:
        reachable = sorted(zone.zone_id for zone in zones if zone.zone_id not in unreachable)
        raise _zone_error(
            key,
            f"{', '.join(blocked)} cannot hold a load balancer behind a CloudFront VPC origin (edge.vpcOrigin); "
            f"in {region} this account's other AZs are {', '.join(reachable) or 'none'}: choose among them with "
            "network.availabilityZoneIds, use fewer AZs, or set edge.vpcOrigin: false",
        )
    return chosen


def _service_group_description(service: str) -> str:
    # A group's description cannot change in place: it names the service and nothing that config may change.
    if service == SINGLE_APP:
        return "App tier: the app port from the load balancer only"
    return f"Service {service}: its port from the load balancer and its declared callers only"


def _named(service: str, single_app_words: str) -> str:
    """How rule descriptions name a service; the single app keeps the words its rules always had."""
    return single_app_words if service == SINGLE_APP else f"service {service}"


def _zone_error(key: str, message: str) -> ConfigError:
    return ConfigError("stack configuration", [Problem(f"webstack:network.{key}", message)])


@dataclass(frozen=True, kw_only=True)
class ServiceReach:
    """Who reaches an app service and what it reaches: the rules of its security group."""

    name: str
    # None: a worker, which listens on no port.
    port: int | None
    from_load_balancer: bool
    callers: tuple[str, ...]
    database: bool
    cache: bool


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    config: NetworkConfig
    availability_zones: tuple[Zone, ...]
    context: AwsContext
    encryption: Encryption
    services: tuple[ServiceReach, ...]
    alb_port: int
    alb_internal: bool
    postgres_port: int = 5432
    cache_port: int = 6379


class Network(pulumi.ComponentResource):
    """A VPC across 2-6 AZs with public, private and isolated tiers, and least-privilege security groups."""

    vpc_id: pulumi.Output[str]
    availability_zones: list[str]
    availability_zone_ids: list[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    app_subnet_ids: pulumi.Output[Sequence[str]]
    app_public_ip: bool
    alb_security_group_id: pulumi.Output[str]
    service_security_group_ids: dict[str, pulumi.Output[str]]
    database_security_group_id: pulumi.Output[str]
    cache_security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:network:Network", name, None, opts)
        self._prefix = name
        self._rule_names: set[str] = set()
        config = args.config
        zones = [zone.name for zone in args.availability_zones]
        layout = config.layout()
        nat_none = config.nat_gateways is NatGateways.NONE

        def spec(tier: SubnetTier) -> awsx.ec2.SubnetSpecArgs:
            # Without NAT the private range stays reserved (Unused), so adding NAT later moves nothing.
            kind = awsx.ec2.SubnetType.UNUSED if tier is SubnetTier.PRIVATE and nat_none else _SUBNET_TYPE[tier]
            return awsx.ec2.SubnetSpecArgs(
                type=kind, name=tier.value, cidr_mask=layout.masks[tier], cidr_blocks=list(layout.blocks[tier])
            )

        vpc = awsx.ec2.Vpc(
            f"{name}-vpc",
            awsx.ec2.VpcArgs(
                cidr_block=config.cidr,
                availability_zone_names=zones,
                # Set explicitly: awsx's default strategy has changed between versions and replaced subnets.
                subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
                subnet_specs=[spec(tier) for tier in (SubnetTier.PUBLIC, SubnetTier.PRIVATE, SubnetTier.ISOLATED)],
                nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=_NAT_STRATEGY[config.nat_gateways]),
                enable_dns_hostnames=True,
                enable_dns_support=True,
                # Auto attaches the gateway endpoints to every route table the VPC creates.
                vpc_endpoint_strategy=awsx.ec2.VpcEndpointStrategy.AUTO,
                vpc_endpoint_specs=[
                    awsx.ec2.VpcEndpointSpecArgs(
                        service_name=f"com.amazonaws.{args.context.region}.{service}", vpc_endpoint_type="Gateway"
                    )
                    for service in GATEWAY_ENDPOINT_SERVICES
                ],
                subnet_name_tag_strategy=awsx.ec2.SubnetNameTagStrategy.AVAILABILITY_ZONE,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        # The VPC's default group is adopted and left with no rules, so nothing can use it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.vpc_id,
            ingress=[],
            egress=[],
            tags={"Name": f"{name}-default-locked"},
            opts=pulumi.ResourceOptions(parent=self),
        )

        alb_sg = self._group("alb", vpc.vpc_id, "Application Load Balancer: HTTP(S) from CloudFront only")
        database_sg = self._group("database", vpc.vpc_id, "PostgreSQL: the engine port from the app tier only")
        cache_sg = self._group("cache", vpc.vpc_id, "Cache: the cache port from the app tier only")

        self._alb_group, self._alb_port = alb_sg, args.alb_port
        # The access host, when there is one, gets its group and the database's rule later (admit_access_host).
        self._vpc_id, self._database_group, self._postgres_port = vpc.vpc_id, database_sg, args.postgres_port
        # An internal load balancer admits CloudFront's VPC origins once they exist (admit_vpc_origins).
        if not args.alb_internal:
            prefix_list = aws.ec2.get_managed_prefix_list_output(
                name=CLOUDFRONT_PREFIX_LIST, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self._admit_cloudfront(_Peer("cloudfront", prefix_list=prefix_list.id))
        service_groups = {
            service.name: self._group(service.name, vpc.vpc_id, _service_group_description(service.name))
            for service in args.services
        }
        for service in args.services:
            self._chain(service, service_groups, alb_sg, database_sg, cache_sg, args)

        app_subnet_ids = vpc.public_subnet_ids if nat_none else vpc.private_subnet_ids
        if config.interface_endpoints:
            self._interface_endpoints(vpc.vpc_id, app_subnet_ids, list(service_groups.values()), args.context.region)
        if config.flow_logs.enabled:
            self._flow_logs(vpc.vpc_id, args)

        self.vpc_id = vpc.vpc_id
        self.availability_zones = zones
        self.availability_zone_ids = [zone.zone_id for zone in args.availability_zones]
        self.public_subnet_ids = vpc.public_subnet_ids
        self.private_subnet_ids = vpc.private_subnet_ids
        self.isolated_subnet_ids = vpc.isolated_subnet_ids
        self.app_subnet_ids = app_subnet_ids
        self.app_public_ip = nat_none
        self.alb_security_group_id = alb_sg.resource.id
        self.service_security_group_ids = {name: group.resource.id for name, group in service_groups.items()}
        self.database_security_group_id = database_sg.resource.id
        self.cache_security_group_id = cache_sg.resource.id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "isolated_subnet_ids": self.isolated_subnet_ids,
                "app_subnet_ids": self.app_subnet_ids,
                "alb_security_group_id": self.alb_security_group_id,
                "service_security_group_ids": self.service_security_group_ids,
                "database_security_group_id": self.database_security_group_id,
                "cache_security_group_id": self.cache_security_group_id,
            }
        )

    def _chain(
        self,
        service: ServiceReach,
        groups: dict[str, _Group],
        alb_sg: _Group,
        database_sg: _Group,
        cache_sg: _Group,
        args: NetworkArgs,
    ) -> None:
        """A service's rules: from the load balancer and its declared callers only, to its stores and AWS APIs."""
        group = groups[service.name]
        if service.port is not None:
            if service.from_load_balancer:
                self._egress(
                    alb_sg,
                    service.port,
                    f"requests and health checks to {_named(service.name, 'the app')}",
                    _Peer.of(group),
                )
                self._ingress(group, service.port, "requests from the load balancer", _Peer.of(alb_sg))
            for caller in service.callers:
                self._egress(groups[caller], service.port, f"calls to {service.name}", _Peer.of(group))
                self._ingress(group, service.port, f"calls from {caller}", _Peer.of(groups[caller]))
        anywhere = _Peer("anywhere", cidr="0.0.0.0/0")
        self._egress(group, 443, "HTTPS to AWS APIs and the image registry (via NAT or endpoints)", anywhere)
        if service.database:
            self._egress(group, args.postgres_port, "queries to PostgreSQL", _Peer.of(database_sg))
            self._ingress(
                database_sg,
                args.postgres_port,
                f"PostgreSQL from {_named(service.name, 'the app tier')}",
                _Peer.of(group),
            )
        if service.cache:
            self._egress(group, args.cache_port, "commands to the cache", _Peer.of(cache_sg))
            self._ingress(
                cache_sg,
                args.cache_port,
                f"the cache protocol from {_named(service.name, 'the app tier')}",
                _Peer.of(group),
            )

    def admit_vpc_origins(self, group_id: pulumi.Input[str]) -> None:
        """Let the group CloudFront's VPC origins use reach the load balancer: the narrowest rule there is."""
        self._admit_cloudfront(_Peer("cloudfront", group_id=group_id))

    def admit_access_host(self) -> pulumi.Output[str]:
        """The access host's group, which admits nothing: out to Systems Manager and PostgreSQL, and the
        database admitting it. Returns the group's id."""
        access = self._group("access", self._vpc_id, "Access host: no inbound; HTTPS to Systems Manager, PostgreSQL")
        self._egress(access, 443, "HTTPS to Systems Manager (via NAT)", _Peer("anywhere", cidr="0.0.0.0/0"))
        self._egress(access, self._postgres_port, "port forwarding to PostgreSQL", _Peer.of(self._database_group))
        self._ingress(self._database_group, self._postgres_port, "PostgreSQL from the access host", _Peer.of(access))
        return access.resource.id

    def _admit_cloudfront(self, peer: _Peer) -> None:
        # One rule, one name, in both designs: switching them updates or replaces this rule, never adds one.
        port = self._alb_port
        self._ingress(self._alb_group, port, f"port {port} from CloudFront only", peer)

    def _group(self, role: str, vpc_id: pulumi.Input[str], description: str) -> _Group:
        # No inline rules: every rule is its own resource with its own description.
        group = aws.ec2.SecurityGroup(
            f"{self._prefix}-{role}-sg",
            vpc_id=vpc_id,
            description=description,
            revoke_rules_on_delete=True,
            tags={"Name": f"{self._prefix}-{role}"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        return _Group(role, group)

    def _ingress(self, group: _Group, port: int, description: str, peer: _Peer) -> None:
        self._rule(aws.vpc.SecurityGroupIngressRule, "in", group, port, description, peer)

    def _egress(self, group: _Group, port: int, description: str, peer: _Peer) -> None:
        self._rule(aws.vpc.SecurityGroupEgressRule, "out", group, port, description, peer)

    def _rule(self, kind: Any, direction: str, group: _Group, port: int, description: str, peer: _Peer) -> None:
        name = f"{self._prefix}-{group.role}-{direction}-{peer.label}"
        if name in self._rule_names:
            raise ValueError(f"two {direction} rules of the {group.role} group to {peer.label}: give each a label")
        self._rule_names.add(name)
        kind(
            name,
            security_group_id=group.resource.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=description,
            referenced_security_group_id=peer.group_id,
            prefix_list_id=peer.prefix_list,
            cidr_ipv4=peer.cidr,
            opts=pulumi.ResourceOptions(
                parent=self,
                # Until this release rule names carried the port; the alias keeps deployed rules in place.
                aliases=[pulumi.Alias(name=f"{self._prefix}-{group.role}-{direction}-{port}-{peer.label}")],
                # A prefix list counts as its size against the group's rule quota (CloudFront's: 55 of 60), so a
                # replacement must delete the old rule before it creates the new one.
                delete_before_replace=peer.prefix_list is not None,
            ),
        )

    def _interface_endpoints(
        self,
        vpc_id: pulumi.Output[str],
        subnet_ids: pulumi.Output[Sequence[str]],
        service_groups: list[_Group],
        region: str,
    ) -> None:
        endpoints_sg = self._group("endpoints", vpc_id, "Interface endpoints: HTTPS from the app tier only")
        for group in service_groups:
            self._ingress(
                endpoints_sg, 443, f"HTTPS from {_named(group.role, 'the app tier')} to AWS APIs", _Peer.of(group)
            )
        for service in INTERFACE_ENDPOINT_SERVICES:
            aws.ec2.VpcEndpoint(
                f"{self._prefix}-{service.replace('.', '-')}-endpoint",
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[endpoints_sg.resource.id],
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _flow_logs(self, vpc_id: pulumi.Output[str], args: NetworkArgs) -> None:
        settings = args.config.flow_logs
        log_group = args.encryption.log_group(
            f"{self._prefix}-flow-logs", settings.retention_days, pulumi.ResourceOptions(parent=self)
        )
        role = aws.iam.Role(
            f"{self._prefix}-flow-logs-role",
            description="Lets VPC Flow Logs write to its own log group",
            assume_role_policy=service_trust_policy("vpc-flow-logs.amazonaws.com", args.context.account_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{self._prefix}-flow-logs-policy",
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: document(
                    [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            "Resource": [arn, f"{arn}:*"],
                        }
                    ]
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ec2.FlowLog(
            f"{self._prefix}-flow-log",
            vpc_id=vpc_id,
            traffic_type=settings.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=pulumi.ResourceOptions(parent=self),
        )
