"""The network: what awsx is asked to build per environment, endpoints, flow logs and the security group chain."""

from __future__ import annotations

import ipaddress
import json

import pytest
from pulumi.runtime.mocks import MockCallArgs

from config.errors import PlanError
from config.loader import parse_config
from config.network import SubnetTier, subnet_layout
from ops.engine import run_offline
from ops.mocks import AwsMocks
from tests.components.conftest import (
    AWSX_VPC,
    EGRESS,
    INGRESS,
    VPC_ENDPOINT,
    VPC_ORIGINS,
    admitted,
    cloudfront_prefix_list,
    group,
    regional_key,
    rules,
)
from tests.conftest import stack_values

REGION = "eu-west-1"
STACKS = ("dev", "prod")
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
FLOW_LOG_GROUP = "webstack-prod-network-flow-logs"
FLOW_LOG_ROLE = "webstack-prod-network-flow-logs-role"


def vpc_inputs(run):
    return run.one(AWSX_VPC).inputs


def specs_by_name(run):
    return {spec["name"]: spec for spec in vpc_inputs(run)["subnetSpecs"]}


def expected_layout(stack: str):
    network = parse_config(stack_values(stack)).network
    masks = {
        SubnetTier.PUBLIC: network.public_subnet_mask,
        SubnetTier.PRIVATE: network.private_subnet_mask,
        SubnetTier.ISOLATED: network.isolated_subnet_mask,
    }
    return network.cidr, subnet_layout(network.cidr, network.availability_zones, masks)


# -- the VPC awsx is asked for -------------------------------------------------------------------


def test_prod_vpc_spans_three_availability_zones(shipped_run):
    assert vpc_inputs(shipped_run("prod"))["availabilityZoneNames"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_dev_vpc_spans_two_availability_zones(shipped_run):
    assert vpc_inputs(shipped_run("dev"))["availabilityZoneNames"] == ["eu-west-1a", "eu-west-1b"]


def test_prod_has_one_nat_gateway_per_az(shipped_run):
    assert vpc_inputs(shipped_run("prod"))["natGateways"] == {"strategy": "OnePerAz"}


def test_dev_has_a_single_nat_gateway(shipped_run):
    assert vpc_inputs(shipped_run("dev"))["natGateways"] == {"strategy": "Single"}


@pytest.mark.parametrize("stack", STACKS)
def test_subnet_strategy_is_set_explicitly_to_auto(shipped_run, stack):
    assert vpc_inputs(shipped_run(stack))["subnetStrategy"] == "Auto"


@pytest.mark.parametrize("stack", STACKS)
def test_vpc_has_public_private_and_isolated_tiers(shipped_run, stack):
    specs = specs_by_name(shipped_run(stack))
    assert {name: spec["type"] for name, spec in specs.items()} == {
        "public": "Public",
        "private": "Private",
        "isolated": "Isolated",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_subnet_cidrs_are_the_configured_layout(shipped_run, stack):
    _, layout = expected_layout(stack)
    specs = specs_by_name(shipped_run(stack))
    for tier in SubnetTier:
        assert specs[tier.value]["cidrBlocks"] == list(layout.blocks[tier]), tier
        assert specs[tier.value]["cidrMask"] == layout.masks[tier], tier


@pytest.mark.parametrize("stack", STACKS)
def test_each_tier_has_one_subnet_per_az_inside_the_vpc_without_overlap(shipped_run, stack):
    inputs = vpc_inputs(shipped_run(stack))
    vpc = ipaddress.IPv4Network(inputs["cidrBlock"])
    zones = len(inputs["availabilityZoneNames"])
    subnets = []
    for spec in inputs["subnetSpecs"]:
        assert len(spec["cidrBlocks"]) == zones, spec["name"]
        subnets += [ipaddress.IPv4Network(block) for block in spec["cidrBlocks"]]
    assert all(subnet.subnet_of(vpc) for subnet in subnets)
    assert not [(a, b) for i, a in enumerate(subnets) for b in subnets[i + 1 :] if a.overlaps(b)]


def test_vpc_uses_the_configured_cidr(shipped_run):
    cidr, _ = expected_layout("prod")
    assert vpc_inputs(shipped_run("prod"))["cidrBlock"] == cidr == "10.30.0.0/16"


def test_without_nat_the_private_range_stays_reserved_as_unused(no_nat_run):
    inputs = vpc_inputs(no_nat_run)
    private = specs_by_name(no_nat_run)["private"]
    assert inputs["natGateways"] == {"strategy": "None"}
    assert private["type"] == "Unused"
    assert private["cidrBlocks"] == list(expected_layout("dev")[1].blocks[SubnetTier.PRIVATE])


def test_without_nat_the_app_subnets_are_the_public_ones(no_nat_run):
    # The interface endpoints sit in the app subnets, which is where the app runs.
    endpoint_subnets = {
        tuple(endpoint.inputs["subnetIds"]) for endpoint in no_nat_run.find(VPC_ENDPOINT, modelled=False)
    }
    assert endpoint_subnets == {tuple(no_nat_run.outputs["publicSubnetIds"])}
    assert no_nat_run.outputs["privateSubnetIds"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_gateway_endpoints_for_s3_and_dynamodb_in_the_stack_region(shipped_run, stack):
    inputs = vpc_inputs(shipped_run(stack))
    assert inputs["vpcEndpointStrategy"] == "Auto"
    assert sorted((spec["serviceName"], spec["vpcEndpointType"]) for spec in inputs["vpcEndpointSpecs"]) == [
        (f"com.amazonaws.{REGION}.dynamodb", "Gateway"),
        (f"com.amazonaws.{REGION}.s3", "Gateway"),
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_vpc_dns_hostnames_and_support_are_on(shipped_run, stack):
    inputs = vpc_inputs(shipped_run(stack))
    assert inputs["enableDnsHostnames"] is True
    assert inputs["enableDnsSupport"] is True


class _ZoneLookups(AwsMocks):
    """Mocks that remember the arguments of every availability-zone lookup."""

    def __init__(self, region, **kwargs):
        super().__init__(region, **kwargs)
        self.lookups = []

    def call(self, args):
        if args.token.endswith("getAvailabilityZones"):
            self.lookups.append(args.args)
        return super().call(args)


def test_azs_are_chosen_without_regard_to_their_current_state():
    # A state filter would drop an AZ during an incident and shift every later AZ's subnets.
    mocks = _ZoneLookups(REGION)
    run_offline("test", stack_values("dev"), mocks=mocks)
    (lookup,) = mocks.lookups
    assert "state" not in lookup
    assert lookup["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]


def test_pinned_zone_ids_pick_their_zones_in_the_order_given(plan):
    values = stack_values("prod")
    values["webstack:network"]["availabilityZoneIds"] = ["euw1-az1", "euw1-az6", "euw1-az3"]
    run = plan(values)
    assert run.outputs["availabilityZoneIds"] == ["euw1-az1", "euw1-az6", "euw1-az3"]
    # The mock region maps ids to names per account as AWS does: euw1-az1 is eu-west-1f here.
    assert run.outputs["availabilityZones"] == ["eu-west-1f", "eu-west-1e", "eu-west-1b"]
    assert vpc_inputs(run)["availabilityZoneNames"] == run.outputs["availabilityZones"]


def test_a_pinned_zone_id_the_account_does_not_have_stops_the_run_naming_what_it_offers():
    values = stack_values("prod")
    values["webstack:network"]["availabilityZoneIds"] = ["euw1-az1", "euw1-az2", "euw1-az9"]
    mocks = _CloudResourceCounter(REGION, zone_count=3)
    with pytest.raises(PlanError, match=r"webstack:network\.availabilityZoneIds: euw1-az9 not offered") as raised:
        run_offline("test", values, mocks=mocks)
    assert "it offers euw1-az1, euw1-az2, euw1-az3" in str(raised.value)
    assert mocks.created == []


class _CloudResourceCounter(AwsMocks):
    """Mocks that remember every cloud resource (not providers, not components) registered."""

    def __init__(self, region, zone_count):
        super().__init__(region, zone_count=zone_count)
        self.created = []

    def new_resource(self, args):
        if args.custom and not args.typ.startswith("pulumi:providers:"):
            self.created.append(args.typ)
        return super().new_resource(args)


def test_a_region_with_fewer_zones_than_requested_stops_cleanly_before_creating_anything():
    values = stack_values("dev")
    values["webstack:network"]["availabilityZones"] = 3
    mocks = _CloudResourceCounter(REGION, zone_count=2)
    with pytest.raises(
        PlanError, match=r"webstack:network\.availabilityZones: 3 requested, but the region offers only 2"
    ) as raised:
        run_offline("test", values, mocks=mocks)
    assert type(raised.value.__cause__).__name__ == "RunError"  # the CLI shows the message, no traceback
    assert mocks.created == []


# -- security groups -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_default_security_group_is_adopted_with_no_rules(shipped_run, stack):
    run = shipped_run(stack)
    default = run.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["vpcId"] == run.outputs["vpcId"]
    assert default.inputs["ingress"] == []
    assert default.inputs["egress"] == []


@pytest.fixture(params=["dev", "prod", "endpoints", "no-nat", "internet-facing"])
def any_run(request, shipped_run, endpoints_run, no_nat_run, internet_facing_run):
    variants = {"endpoints": endpoints_run, "no-nat": no_nat_run, "internet-facing": internet_facing_run}
    return variants.get(request.param) or shipped_run(request.param)


def test_every_rule_has_a_description(any_run):
    undescribed = [
        reg.name for type_ in (INGRESS, EGRESS) for reg in any_run.find(type_) if not reg.inputs.get("description")
    ]
    assert any_run.find(INGRESS)
    assert undescribed == []


def test_every_security_group_has_a_description(any_run):
    groups = any_run.find("aws:ec2/securityGroup:SecurityGroup")
    assert len(groups) >= 4
    assert [g.name for g in groups if not g.inputs.get("description")] == []


def test_every_rule_names_exactly_one_peer(any_run):
    peers = ("referencedSecurityGroupId", "prefixListId", "cidrIpv4", "cidrIpv6")
    for type_ in (INGRESS, EGRESS):
        for reg in any_run.find(type_):
            assert sum(1 for key in peers if reg.inputs.get(key)) == 1, reg.name


@pytest.mark.parametrize("stack", STACKS)
def test_ingress_comes_only_from_groups(shipped_run, stack):
    run = shipped_run(stack)
    ingress = [rule for rule in rules(run) if rule.direction == "ingress"]
    groups = {"alb", "app", "database", "cache", "endpoints", VPC_ORIGINS}
    assert ingress
    assert [rule for rule in ingress if rule.peer not in groups] == []


def test_an_internet_facing_design_admits_groups_and_only_cloudfronts_prefix_list(internet_facing_run):
    ingress = [rule for rule in rules(internet_facing_run) if rule.direction == "ingress"]
    groups = {"alb", "app", "database", "cache", "endpoints"}
    assert [rule for rule in ingress if rule.peer not in groups] == [
        rule for rule in ingress if rule.peer == cloudfront_prefix_list(REGION)
    ]


def test_no_ingress_is_open_to_the_world(any_run):
    open_ingress = [
        reg.name
        for reg in any_run.find(INGRESS)
        if reg.inputs.get("cidrIpv4") == "0.0.0.0/0" or reg.inputs.get("cidrIpv6") == "::/0"
    ]
    assert any_run.find(INGRESS)
    assert open_ingress == []


def test_the_only_rule_open_to_the_world_is_the_app_https_egress(any_run):
    world = [(rule.direction, rule.group, rule.port) for rule in rules(any_run) if rule.peer in ("0.0.0.0/0", "::/0")]
    assert world == [("egress", "app", 443)]


@pytest.mark.parametrize("role", ["database", "cache"])
def test_database_and_cache_have_no_egress(shipped_run, role):
    assert [rule for rule in rules(shipped_run("prod")) if rule.direction == "egress" and rule.group == role] == []


@pytest.mark.parametrize("stack", STACKS)
def test_app_admits_only_the_load_balancer_on_the_app_port(shipped_run, stack):
    app_port = parse_config(stack_values(stack)).compute.services["app"].container_port
    assert admitted(shipped_run(stack), "app") == {(app_port, "alb")}


@pytest.mark.parametrize("stack", STACKS)
def test_database_admits_only_the_app_on_5432(shipped_run, stack):
    assert admitted(shipped_run(stack), "database") == {(5432, "app")}


@pytest.mark.parametrize("stack", STACKS)
def test_cache_admits_only_the_app_on_6379(shipped_run, stack):
    assert admitted(shipped_run(stack), "cache") == {(6379, "app")}


def test_app_reaches_database_and_cache_only_through_their_groups(shipped_run):
    egress = {(rule.port, rule.peer) for rule in rules(shipped_run("prod")) if rule.direction == "egress"}
    assert {(5432, "database"), (6379, "cache")} <= egress


def test_prod_load_balancer_admits_only_cloudfronts_vpc_origins_on_https(shipped_run):
    # prod sets a domain, so CloudFront speaks HTTPS to the origin; the group is the one its VPC origins use.
    assert admitted(shipped_run("prod"), "alb") == {(443, VPC_ORIGINS)}


def test_dev_load_balancer_admits_only_cloudfronts_vpc_origins_on_http(shipped_run):
    # dev has no domain, so no certificate for the origin: CloudFront speaks HTTP to it.
    assert admitted(shipped_run("dev"), "alb") == {(80, VPC_ORIGINS)}


def test_the_vpc_origins_group_is_the_one_cloudfront_makes_in_this_vpc(shipped_run):
    run = shipped_run("prod")
    (rule,) = [r for r in run.find(INGRESS) if r.name.endswith("-alb-in-cloudfront")]
    answer, _ = AwsMocks(REGION).call(
        MockCallArgs(
            "aws:ec2/getSecurityGroup:getSecurityGroup",
            {
                "vpcId": run.outputs["vpcId"],
                "filters": [{"name": "group-name", "values": ["CloudFront-VPCOrigins-Service-SG"]}],
            },
            "",
        )
    )
    assert rule.inputs["referencedSecurityGroupId"] == answer["id"]
    assert "cidrIpv4" not in rule.inputs  # never the VPC's range


def test_an_internet_facing_load_balancer_admits_only_cloudfronts_prefix_list(internet_facing_run):
    assert admitted(internet_facing_run, "alb") == {(443, cloudfront_prefix_list(REGION))}


def test_load_balancer_sends_only_to_the_app(shipped_run):
    run = shipped_run("prod")
    assert {(rule.port, rule.peer) for rule in rules(run) if rule.direction == "egress" and rule.group == "alb"} == {
        (80, "app")
    }


@pytest.mark.parametrize("stack", STACKS)
def test_rule_names_never_carry_a_port(shipped_run, stack):
    # A port changes (80 -> 443 with a domain); a rule named after it would be replaced, not updated.
    names = [r.name for r in (*shipped_run(stack).find(INGRESS), *shipped_run(stack).find(EGRESS))]
    assert len(names) == 8
    assert [name for name in names if any(part.isdigit() for part in name.split("-"))] == []


@pytest.mark.parametrize("stack", STACKS)
def test_rules_keep_their_earlier_port_named_urns_through_an_alias(shipped_run, stack):
    run = shipped_run(stack)
    rule = next(r for r in run.find(INGRESS) if r.name.endswith("-database-in-app"))
    assert rule.aliases == ({"spec": {"name": rule.name.replace("-in-app", "-in-5432-app"), "parentUrn": ""}},)


def test_the_rule_on_cloudfronts_prefix_list_is_deleted_before_it_is_replaced(internet_facing_run):
    # The prefix list counts 55 of the group's 60 rules: a replacement made create-first would exceed the quota.
    on_prefix_list = [r for r in internet_facing_run.find(INGRESS) if r.inputs.get("prefixListId")]
    assert [r.delete_before_replace for r in on_prefix_list] == [True]
    others = [r for r in internet_facing_run.find(INGRESS) if not r.inputs.get("prefixListId")]
    assert others
    assert not any(r.delete_before_replace for r in others)


@pytest.mark.parametrize("stack", STACKS)
def test_security_groups_live_in_the_vpc(shipped_run, stack):
    run = shipped_run(stack)
    groups = run.find("aws:ec2/securityGroup:SecurityGroup")
    assert {g.inputs["vpcId"] for g in groups} == {run.outputs["vpcId"]}


# -- interface endpoints -------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_no_interface_endpoints_by_default(shipped_run, stack):
    run = shipped_run(stack)
    assert run.find(VPC_ENDPOINT, modelled=False) == []
    assert [g for g in run.find("aws:ec2/securityGroup:SecurityGroup") if g.name.endswith("-endpoints-sg")] == []


def test_interface_endpoints_for_ecr_logs_and_secrets_manager(endpoints_run):
    endpoints = endpoints_run.find(VPC_ENDPOINT, modelled=False)
    assert sorted(endpoint.inputs["serviceName"] for endpoint in endpoints) == [
        f"com.amazonaws.{REGION}.{service}" for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager")
    ]
    assert {endpoint.inputs["vpcEndpointType"] for endpoint in endpoints} == {"Interface"}


def test_interface_endpoints_have_private_dns(endpoints_run):
    endpoints = endpoints_run.find(VPC_ENDPOINT, modelled=False)
    assert endpoints
    assert all(endpoint.inputs["privateDnsEnabled"] is True for endpoint in endpoints)


def test_interface_endpoints_sit_in_the_app_subnets(endpoints_run):
    # With NAT the app runs in the private subnets.
    endpoints = endpoints_run.find(VPC_ENDPOINT, modelled=False)
    assert endpoints
    assert all(endpoint.inputs["subnetIds"] == endpoints_run.outputs["privateSubnetIds"] for endpoint in endpoints)
    assert all(endpoint.inputs["vpcId"] == endpoints_run.outputs["vpcId"] for endpoint in endpoints)


def test_interface_endpoints_admit_https_only_from_the_app(endpoints_run):
    endpoints_group = group(endpoints_run, "endpoints")
    assert admitted(endpoints_run, "endpoints") == {(443, "app")}
    assert {tuple(e.inputs["securityGroupIds"]) for e in endpoints_run.find(VPC_ENDPOINT, modelled=False)} == {
        (endpoints_group.outputs["id"],)
    }


# -- flow logs -----------------------------------------------------------------------------------


def test_prod_records_all_vpc_traffic_to_its_log_group(shipped_run):
    run = shipped_run("prod")
    flow_log = run.one(FLOW_LOG)
    assert flow_log.inputs["vpcId"] == run.outputs["vpcId"]
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == run.one(LOG_GROUP, FLOW_LOG_GROUP).outputs["arn"]


def test_flow_log_group_keeps_the_configured_retention(shipped_run):
    retention = parse_config(stack_values("prod")).network.flow_logs.retention_days
    assert shipped_run("prod").one(LOG_GROUP, FLOW_LOG_GROUP).inputs["retentionInDays"] == retention == 365


def test_flow_log_group_is_encrypted_with_the_environment_key(shipped_run):
    run = shipped_run("prod")
    assert run.one(LOG_GROUP, FLOW_LOG_GROUP).inputs["kmsKeyId"] == regional_key(run).outputs["arn"]


def test_flow_log_role_trusts_only_vpc_flow_logs_on_behalf_of_the_account(shipped_run):
    run = shipped_run("prod")
    role = run.one(ROLE, FLOW_LOG_ROLE)
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}
    assert run.one(FLOW_LOG).inputs["iamRoleArn"] == role.outputs["arn"]


def test_flow_log_role_may_write_only_to_its_log_group(shipped_run):
    run = shipped_run("prod")
    policy = run.one(ROLE_POLICY, "webstack-prod-network-flow-logs-policy")
    log_group_arn = run.one(LOG_GROUP, FLOW_LOG_GROUP).outputs["arn"]
    assert policy.inputs["role"] == run.one(ROLE, FLOW_LOG_ROLE).outputs["name"]
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }


def test_dev_has_no_flow_logs(shipped_run):
    run = shipped_run("dev")
    assert run.find(FLOW_LOG) == []
    assert run.find(LOG_GROUP, "webstack-dev-network-flow-logs") == []
    assert run.find(ROLE, "webstack-dev-network-flow-logs-role") == []
    assert run.find(ROLE_POLICY, "webstack-dev-network-flow-logs-policy") == []
