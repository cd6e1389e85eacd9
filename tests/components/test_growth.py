"""Growth safety: each config change a user will make later plans as additions and updates in place.

Every test plans the stack before and after one change and compares the plans as `pulumi up`
would act on them (ops/diff.py): nothing that exists is replaced or deleted unless the change
itself removes it, and the resources that exist keep their URNs.
"""

from __future__ import annotations

import copy
import itertools

import pytest

from ops.diff import Action, diff_runs
from ops.engine import run_offline
from tests.components.conftest import AWSX_VPC, INGRESS
from tests.conftest import stack_values

SUBNET = "aws:ec2/subnet:Subnet"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ROUTE = "aws:ec2/route:Route"


def grow(base: dict, *changes):
    """Plan `base`, then `base` with each change applied in turn; the diff of every step."""
    values = copy.deepcopy(base)
    runs = [run_offline("growth", values)]
    for change in changes:
        change(values)
        runs.append(run_offline("growth", copy.deepcopy(values)))
    return runs, [diff_runs(before, after) for before, after in itertools.pairwise(runs)]


def network(values: dict) -> dict:
    return values["webstack:network"]


def assert_nothing_replaced_or_deleted(diff):
    assert diff.of(Action.REPLACE) == []
    assert diff.of(Action.DELETE) == []


def subnets(run) -> dict[str, str]:
    """Modelled subnet URN -> CIDR."""
    return {s.urn: s.inputs["cidrBlock"] for s in run.find(SUBNET, modelled=True)}


# -- add an availability zone --------------------------------------------------------------------


@pytest.fixture(scope="module")
def add_az():
    return grow(stack_values("dev"), lambda values: network(values).update(availabilityZones=3))


def test_adding_an_az_keeps_every_subnet_with_its_cidr_and_urn(add_az):
    (two, three), _ = add_az
    before, after = subnets(two), subnets(three)

    assert len(before) == 6
    assert len(after) == 9
    assert {urn: after[urn] for urn in before} == before


def test_adding_an_az_only_adds_resources_and_updates_the_gateway_endpoints(add_az):
    _, (diff,) = add_az

    assert_nothing_replaced_or_deleted(diff)
    assert {c.type for c in diff.of(Action.CREATE)} >= {SUBNET, "aws:ec2/routeTable:RouteTable"}
    # The gateway endpoints attach to every route table, so the new AZ's tables are added to them in place;
    # the database's subnet group, the load balancer and the app's tasks take the new AZ's subnets in place.
    assert {(c.type, c.keys) for c in diff.of(Action.UPDATE)} == {
        ("aws:ec2/vpcEndpoint:VpcEndpoint", ("routeTableIds",)),
        ("aws:rds/subnetGroup:SubnetGroup", ("subnetIds",)),
        ("aws:lb/loadBalancer:LoadBalancer", ("subnets",)),
        ("aws:ecs/service:Service", ("networkConfiguration",)),
    }


def test_adding_an_az_to_the_shipped_prod_stack_only_adds(shipped_run):
    values = stack_values("prod")
    network(values)["availabilityZones"] = 4
    diff = diff_runs(shipped_run("prod"), run_offline("prod", values))

    assert_nothing_replaced_or_deleted(diff)
    assert len(diff.of(Action.CREATE, SUBNET)) == 3
    assert len(diff.of(Action.CREATE, NAT_GATEWAY)) == 1


def test_pinning_the_azs_a_stack_already_uses_changes_nothing(shipped_run):
    run = shipped_run("prod")
    values = stack_values("prod")
    network(values)["availabilityZoneIds"] = run.outputs["availabilityZoneIds"]

    assert diff_runs(run, run_offline("prod", values)).changes == ()


def test_appending_a_pinned_az_only_adds(shipped_run):
    run = shipped_run("prod")
    values = stack_values("prod")
    offered = ["euw1-az1", "euw1-az2", "euw1-az3", "euw1-az4", "euw1-az5", "euw1-az6"]
    spare = next(zone for zone in offered if zone not in run.outputs["availabilityZoneIds"])
    network(values).update(availabilityZones=4, availabilityZoneIds=[*run.outputs["availabilityZoneIds"], spare])

    diff = diff_runs(run, run_offline("prod", values))

    assert_nothing_replaced_or_deleted(diff)
    assert len(diff.of(Action.CREATE, SUBNET)) == 3


# -- add a domain --------------------------------------------------------------------------------


def test_adding_a_domain_moves_the_load_balancer_rule_to_443_in_place(shipped_run):
    values = stack_values("dev")
    values["webstack:edge"] = {
        "domainName": "dev.example.com",
        "hostedZoneId": "Z0123456789ABCDEFGHIJ",
        "hostedZoneName": "example.com",
    }
    before = shipped_run("dev")
    after = run_offline("dev", values)
    diff = diff_runs(before, after)

    # The app's listener rule moves to the new HTTPS listener: a rule is routing, not state, and the HTTP
    # listener stays (now redirecting), so the load balancer, its target groups and the service stay too.
    assert [(c.type, c.keys) for c in diff.of(Action.REPLACE)] == [
        ("aws:lb/listenerRule:ListenerRule", ("listenerArn",))
    ]
    assert diff.of(Action.DELETE) == []
    assert {c.type for c in diff.of(Action.CREATE)} >= {"aws:lb/listener:Listener", "aws:acm/certificate:Certificate"}
    (rule,) = [c for c in diff.of(Action.UPDATE) if c.type == INGRESS]
    assert rule.name.endswith("-alb-in-cloudfront")
    assert rule.keys == ("description", "fromPort", "toPort")
    assert after.one(INGRESS, rule.name).inputs["fromPort"] == 443


# -- NAT: none -> single -> one per AZ -----------------------------------------------------------


@pytest.fixture(scope="module")
def nat_growth():
    base = stack_values("dev")
    network(base).update(natGateways="none", interfaceEndpoints=True)
    return grow(
        base,
        lambda values: network(values).update(natGateways="single"),
        lambda values: network(values).update(natGateways="onePerAz"),
    )


def test_switching_nat_on_adds_the_private_subnets_that_were_reserved(nat_growth):
    (none, single, _), (diff, _) = nat_growth

    assert_nothing_replaced_or_deleted(diff)
    created = {c.name: single.one(SUBNET, c.name, modelled=True) for c in diff.of(Action.CREATE, SUBNET)}
    reserved = next(s for s in none.one(AWSX_VPC).inputs["subnetSpecs"] if s["name"] == "private")
    assert reserved["type"] == "Unused"
    assert sorted(subnet.inputs["cidrBlock"] for subnet in created.values()) == sorted(reserved["cidrBlocks"])
    assert len(diff.of(Action.CREATE, NAT_GATEWAY)) == 1
    assert len(diff.of(Action.CREATE, EIP)) == 1


def test_switching_nat_on_moves_the_interface_endpoints_to_the_app_subnets_in_place(nat_growth):
    _, (diff, _) = nat_growth

    endpoints = [
        c for c in diff.of(Action.UPDATE) if c.type == "aws:ec2/vpcEndpoint:VpcEndpoint" and "subnetIds" in c.keys
    ]
    assert len(endpoints) == 4


def test_one_nat_per_az_adds_gateways_and_repoints_routes_in_place(nat_growth):
    (_, single, per_az), (_, diff) = nat_growth

    assert_nothing_replaced_or_deleted(diff)
    assert len(diff.of(Action.CREATE, NAT_GATEWAY)) == 1
    assert len(diff.of(Action.CREATE, EIP)) == 1
    assert {(c.type, c.keys) for c in diff.of(Action.UPDATE)} == {(ROUTE, ("natGatewayId",))}
    first_nat = single.one(NAT_GATEWAY, modelled=True)
    assert per_az.one(NAT_GATEWAY, first_nat.name, modelled=True).urn == first_nat.urn


# -- interface endpoints -------------------------------------------------------------------------


def test_switching_interface_endpoints_on_only_adds(shipped_run):
    values = stack_values("dev")
    network(values)["interfaceEndpoints"] = True
    diff = diff_runs(shipped_run("dev"), run_offline("dev", values))

    assert_nothing_replaced_or_deleted(diff)
    assert diff.of(Action.UPDATE) == []
    assert len(diff.of(Action.CREATE, "aws:ec2/vpcEndpoint:VpcEndpoint")) == 4


# -- the diff itself can fail --------------------------------------------------------------------


def test_the_diff_reports_a_subnet_re_carve_as_a_replacement(shipped_run):
    values = stack_values("dev")
    network(values)["privateSubnetMask"] = 21
    diff = diff_runs(shipped_run("dev"), run_offline("dev", values))

    replaced = diff.of(Action.REPLACE, SUBNET)
    assert replaced
    assert all("cidrBlock" in change.keys for change in replaced)
    # What hangs off a replaced subnet goes with it: its NAT gateway, route table association, ...
    assert any(keys.startswith("subnetId <- ") for change in diff.of(Action.REPLACE) for keys in change.keys)


def test_the_diff_reports_a_region_change_as_replacing_everything(shipped_run):
    values = stack_values("dev")
    values["aws:region"] = "eu-central-1"
    run = run_offline("dev", values)
    diff = diff_runs(shipped_run("dev"), run)

    regional = [r for r in run.registrations if r.custom and r.type.startswith("aws:") and "global" not in r.provider]
    # The gateway endpoints are named after their regional service, so they are new resources instead.
    rebuilt = {c.urn for c in (*diff.of(Action.REPLACE), *diff.of(Action.CREATE))}
    assert len(regional) > 40
    assert rebuilt >= {r.urn for r in regional}
