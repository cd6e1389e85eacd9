"""Presets per tier: each validates from the required keys alone, the stack wins, compute is chosen by kind."""

from __future__ import annotations

import copy

import pytest

from config import Environment, parse_config
from config.network import NatGateways
from config.presets import PRESETS, apply_preset


@pytest.mark.parametrize("tier", ["dev", "stage", "prod"])
def test_every_tier_validates_with_only_the_required_keys(minimal, tier):
    config = parse_config(minimal(tier))

    assert config.environment is Environment(tier)


@pytest.mark.parametrize("tier", ["dev", "stage", "prod"])
def test_every_tier_validates_with_ec2_compute(minimal, put, tier):
    config = parse_config(put(minimal(tier), "compute.kind", "ec2"))

    assert config.compute.kind == "ec2"


def test_prod_preset_needs_account_id(minimal, rejected):
    values = minimal("prod")
    del values["webstack:accountId"]

    assert list(rejected(values)) == ["webstack:accountId"]


def test_prod_preset_is_highly_available(minimal):
    config = parse_config(minimal("prod"))

    assert config.network.availability_zones == 3
    assert config.network.nat_gateways is NatGateways.ONE_PER_AZ
    assert config.data.postgres.multi_az is True
    assert config.compute.services["app"].spot_percent == 0
    assert config.compute.services["app"].on_demand_base == 3
    assert config.compute.services["app"].deployment.strategy.value == "canary"
    assert config.compute.services["app"].min_count >= 2


def test_dev_preset_is_cheap(minimal):
    config = parse_config(minimal("dev"))

    assert config.network.nat_gateways is NatGateways.SINGLE
    assert config.data.postgres.multi_az is False
    assert config.data.cache.replicas == 0
    assert config.compute.services["app"].spot_percent == 100
    assert (config.compute.services["app"].cpu, config.compute.services["app"].memory) == (256, 512)


def test_tiers_get_distinct_vpc_ranges(minimal):
    cidrs = {parse_config(minimal(tier)).network.cidr for tier in ("dev", "stage", "prod")}

    assert cidrs == {"10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/16"}


def test_stack_value_overrides_the_preset(minimal, put):
    config = parse_config(put(minimal("prod"), "data.postgres.backupRetentionDays", 30))

    assert config.data.postgres.backup_retention_days == 30


def test_stack_value_keeps_the_preset_siblings_it_does_not_set(minimal, put):
    config = parse_config(put(minimal("prod"), "network.flowLogs.retentionDays", 400))

    assert config.network.flow_logs.retention_days == 400
    assert config.network.flow_logs.enabled is True


def test_compute_defaults_to_fargate_with_preset_cpu_and_memory(minimal):
    compute = parse_config(minimal("prod")).compute
    app = compute.services["app"]

    assert (compute.kind, app.cpu, app.memory) == ("fargate", 1024, 2048)


@pytest.mark.parametrize(
    ("tier", "instance_type"), [("dev", "t4g.small"), ("stage", "t4g.medium"), ("prod", "m7g.large")]
)
def test_ec2_compute_gets_instance_type_from_the_preset(minimal, put, tier, instance_type):
    compute = parse_config(put(minimal(tier), "compute.kind", "ec2")).compute.services["app"]

    assert compute.instance_type == instance_type
    assert not hasattr(compute, "cpu")


def test_ec2_compute_gets_the_tier_counts(minimal, put):
    compute = parse_config(put(minimal("prod"), "compute.kind", "ec2")).compute.services["app"]

    assert (compute.min_count, compute.desired_count, compute.max_count) == (3, 3, 12)


def test_stack_instance_type_overrides_the_ec2_preset(minimal, put):
    values = put(minimal("dev"), "compute.kind", "ec2")

    compute = parse_config(put(values, "compute.instanceType", "m7i.large")).compute.services["app"]

    assert compute.instance_type == "m7i.large"


def test_applying_a_preset_leaves_the_presets_unchanged():
    before = copy.deepcopy(PRESETS)

    apply_preset(Environment.PROD, {"compute": {"kind": "ec2"}, "network": {"flowLogs": {"retentionDays": 90}}})

    assert before == PRESETS


def test_applying_a_preset_leaves_the_stack_values_unchanged():
    values = {"network": {"cidr": "10.99.0.0/16"}}

    apply_preset(Environment.DEV, values)

    assert values == {"network": {"cidr": "10.99.0.0/16"}}


def test_every_tier_has_a_compute_preset_for_each_kind():
    assert all(set(preset["compute"]) == {"fargate", "ec2"} for preset in PRESETS.values())
