"""`webstack:network`: the subnet layout math (pure) and the network section's rules."""

from __future__ import annotations

import ipaddress
import itertools

import pytest

from config import parse_config
from config.network import SubnetTier, subnet_layout

DEFAULT_MASKS = {SubnetTier.PRIVATE: 20, SubnetTier.PUBLIC: 24, SubnetTier.ISOLATED: 24}


def networks(cidrs):
    return [ipaddress.IPv4Network(cidr) for cidr in cidrs]


# --- subnet_layout: pure math ----------------------------------------------------------------------------------


def test_layout_of_prod_vpc_gives_exact_cidrs():
    layout = subnet_layout("10.30.0.0/16", 3, DEFAULT_MASKS)

    assert layout.az_mask == 19
    assert layout.blocks == {
        SubnetTier.PRIVATE: ("10.30.0.0/20", "10.30.32.0/20", "10.30.64.0/20"),
        SubnetTier.PUBLIC: ("10.30.16.0/24", "10.30.48.0/24", "10.30.80.0/24"),
        SubnetTier.ISOLATED: ("10.30.17.0/24", "10.30.49.0/24", "10.30.81.0/24"),
    }


def test_layout_gives_one_subnet_per_az_per_tier_with_its_mask():
    layout = subnet_layout("10.10.0.0/16", 2, DEFAULT_MASKS)

    for tier, mask in DEFAULT_MASKS.items():
        assert [net.prefixlen for net in networks(layout.blocks[tier])] == [mask, mask]


@pytest.mark.parametrize("az_count", [2, 3, 4, 5, 6])
def test_layout_subnets_are_disjoint_and_inside_the_vpc(az_count):
    vpc = ipaddress.IPv4Network("10.0.0.0/16")

    layout = subnet_layout(str(vpc), az_count, DEFAULT_MASKS)

    subnets = networks(itertools.chain.from_iterable(layout.blocks.values()))
    assert len(subnets) == 3 * az_count
    assert all(subnet.subnet_of(vpc) for subnet in subnets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(subnets, 2))


def test_layout_keeps_each_az_inside_its_own_block():
    layout = subnet_layout("10.0.0.0/16", 3, DEFAULT_MASKS)

    az_blocks = list(ipaddress.IPv4Network("10.0.0.0/16").subnets(new_prefix=layout.az_mask))
    for az in range(3):
        assert all(networks([layout.blocks[tier][az]])[0].subnet_of(az_blocks[az]) for tier in SubnetTier)


def test_layout_places_the_largest_tier_first_in_each_az():
    masks = {SubnetTier.PRIVATE: 24, SubnetTier.PUBLIC: 22, SubnetTier.ISOLATED: 23}

    layout = subnet_layout("10.0.0.0/16", 2, masks)

    assert layout.blocks[SubnetTier.PUBLIC] == ("10.0.0.0/22", "10.0.32.0/22")
    assert layout.blocks[SubnetTier.ISOLATED] == ("10.0.4.0/23", "10.0.36.0/23")
    assert layout.blocks[SubnetTier.PRIVATE] == ("10.0.6.0/24", "10.0.38.0/24")


def test_layout_fits_when_tiers_fill_an_az_slot_exactly():
    masks = {SubnetTier.PRIVATE: 22, SubnetTier.PUBLIC: 23, SubnetTier.ISOLATED: 23}

    layout = subnet_layout("10.0.0.0/18", 2, masks)

    assert layout.blocks[SubnetTier.ISOLATED] == ("10.0.6.0/23", "10.0.14.0/23")


def test_layout_rejects_one_address_block_too_many():
    masks = {SubnetTier.PRIVATE: 22, SubnetTier.PUBLIC: 23, SubnetTier.ISOLATED: 22}

    with pytest.raises(
        ValueError, match=r"10\.0\.0\.0/18 is too small: each AZ gets a fixed /21 slot \(2048 addresses"
    ):
        subnet_layout("10.0.0.0/18", 2, masks)


def test_layout_rejects_a_tier_wider_than_an_az_block():
    masks = {SubnetTier.PRIVATE: 16, SubnetTier.PUBLIC: 28, SubnetTier.ISOLATED: 28}

    with pytest.raises(ValueError, match=r"private /16 \+ public /28 \+ isolated /28\) need 65568"):
        subnet_layout("10.0.0.0/16", 2, masks)


@pytest.mark.parametrize("count", [2, 3, 4, 5, 6])
def test_each_az_has_a_fixed_slot_whatever_the_az_count(count):
    assert subnet_layout("10.0.0.0/16", count, DEFAULT_MASKS).az_mask == 19


@pytest.mark.parametrize(("before", "after"), [(2, 3), (3, 4), (2, 6), (5, 6)])
def test_adding_azs_keeps_every_existing_subnet_and_adds_only_new_ones(before, after):
    old = subnet_layout("10.0.0.0/16", before, DEFAULT_MASKS)
    new = subnet_layout("10.0.0.0/16", after, DEFAULT_MASKS)

    for tier in SubnetTier:
        assert new.blocks[tier][:before] == old.blocks[tier]
        assert len(new.blocks[tier]) == after
    added = [networks(new.blocks[tier][before:]) for tier in SubnetTier]
    existing = [subnet for tier in SubnetTier for subnet in networks(old.blocks[tier])]
    assert not [(a, b) for group in added for a in group for b in existing if a.overlaps(b)]


def test_six_azs_fit_in_the_fixed_slots_without_overlap():
    layout = subnet_layout("10.0.0.0/16", 6, DEFAULT_MASKS)
    subnets = [subnet for tier in SubnetTier for subnet in networks(layout.blocks[tier])]

    assert len(subnets) == 18
    assert not [(a, b) for i, a in enumerate(subnets) for b in subnets[i + 1 :] if a.overlaps(b)]


# --- the network section ---------------------------------------------------------------------------------------


def test_network_layout_follows_the_configured_masks(dev_values, put):
    put(dev_values, "network.privateSubnetMask", 22)

    layout = parse_config(dev_values).network.layout()

    assert layout.blocks[SubnetTier.PRIVATE] == ("10.10.0.0/22", "10.10.32.0/22")


def test_network_rejects_masks_too_large_for_its_cidr_at_the_cidr_key(dev_values, put, rejected):
    put(dev_values, "network.cidr", "10.10.0.0/20")

    problems = rejected(dev_values)

    assert list(problems) == ["webstack:network.cidr"]
    assert "10.10.0.0/20 is too small: each AZ gets a fixed /23 slot" in problems["webstack:network.cidr"]


@pytest.mark.parametrize(("count", "message"), [(1, "must be at least 2; got 1"), (7, "must be at most 6; got 7")])
def test_network_rejects_availability_zones_outside_two_to_six(dev_values, put, rejected, count, message):
    problems = rejected(put(dev_values, "network.availabilityZones", count))

    assert message in problems["webstack:network.availabilityZones"]


def test_network_rejects_unknown_nat_strategy(dev_values, put, rejected):
    problems = rejected(put(dev_values, "network.natGateways", "perAz"))

    assert problems["webstack:network.natGateways"] == "must be none, single or onePerAz; got 'perAz'"


def test_flow_logs_reject_unknown_traffic_type(dev_values, put, rejected):
    problems = rejected(put(dev_values, "network.flowLogs.trafficType", "SOME"))

    assert problems["webstack:network.flowLogs.trafficType"] == "must be ALL, ACCEPT or REJECT; got 'SOME'"
