"""The mock engine (ops/mocks.py, ops/engine.py): realistic answers, no guessing, no state shared between runs."""

from __future__ import annotations

import re
import uuid

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from config.errors import MockCoverageError, PlanError
from ops.engine import run_offline
from ops.mocks import AwsMocks
from tests.components.conftest import AWSX_VPC, KMS_KEY, SECURITY_GROUP
from tests.conftest import stack_values

REGION = "eu-west-1"
AUTO_NAMED = (
    SECURITY_GROUP,
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
)


def provider() -> aws.Provider:
    return aws.Provider("aws", region=REGION)


def run_program(program) -> object:
    return run_offline("mock-test", stack_values("dev"), program=program)


@pytest.fixture(scope="module")
def fresh_runs():
    """dev, then prod, then dev again, each a fresh run in this process."""
    return [run_offline(stack, stack_values(stack)) for stack in ("dev", "prod", "dev")]


# -- invokes -------------------------------------------------------------------------------------


def test_an_unknown_invoke_fails_the_plan_naming_the_data_source():
    def program():
        aws.ec2.get_vpc(default=True, opts=pulumi.InvokeOptions(provider=provider()))

    with pytest.raises(MockCoverageError, match=re.escape("aws:ec2/getVpc:getVpc")):
        run_program(program)


def test_an_unknown_invoke_in_output_form_fails_the_plan_too():
    def program():
        vpc = aws.ec2.get_vpc_output(default=True, opts=pulumi.InvokeOutputOptions(provider=provider()))
        pulumi.export("vpc", vpc.id)

    with pytest.raises(MockCoverageError, match=re.escape("aws:ec2/getVpc:getVpc")):
        run_program(program)


def test_the_mocks_offer_six_zones_by_default_and_fewer_on_request():
    def zones(mocks: AwsMocks) -> list[str]:
        answer, _ = mocks.call(MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, ""))
        return answer["names"]

    assert zones(AwsMocks(REGION)) == [f"{REGION}{letter}" for letter in "abcdef"]
    assert zones(AwsMocks(REGION, zone_count=2)) == [f"{REGION}a", f"{REGION}b"]


def test_caller_identity_answers_the_configured_account(shipped_run):
    # prod names its account, and the key policy is built from the caller identity the engine answers.
    assert "arn:aws:iam::111111111111:root" in shipped_run("prod").one(KMS_KEY).inputs["policy"]


# -- resources -----------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", AUTO_NAMED)
def test_auto_names_are_the_logical_name_and_seven_hex_characters(shipped_run, type_):
    found = shipped_run("prod").find(type_)
    assert found
    for reg in found:
        assert "name" not in reg.inputs
        assert re.fullmatch(rf"{re.escape(reg.name)}-[0-9a-f]{{7}}", reg.outputs["name"]), reg.outputs["name"]


def test_an_explicit_name_is_kept():
    def program():
        aws.iam.Role(
            "role",
            name="exact-name",
            assume_role_policy="{}",
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    (role,) = run_program(program).find("aws:iam/role:Role")
    assert role.outputs["name"] == "exact-name"


def test_an_iam_role_id_is_its_name_as_aws_reports_it(shipped_run):
    role = shipped_run("prod").one("aws:iam/role:Role")
    assert role.outputs["id"] == role.outputs["name"]
    assert role.outputs["arn"] == f"arn:aws:iam::111111111111:role/{role.outputs['name']}"


@pytest.mark.parametrize(
    ("type_", "pattern"),
    [
        (SECURITY_GROUP, r"sg-[0-9a-f]{17}"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", r"sgr-[0-9a-f]{17}"),
        ("aws:ec2/flowLog:FlowLog", r"fl-[0-9a-f]{17}"),
    ],
)
def test_ids_have_the_aws_format(shipped_run, type_, pattern):
    found = shipped_run("prod").find(type_)
    assert found
    assert all(re.fullmatch(pattern, reg.outputs["id"]) for reg in found)


def test_a_kms_key_has_a_uuid_id_and_a_key_arn(shipped_run):
    key = shipped_run("prod").one(KMS_KEY)
    assert str(uuid.UUID(key.outputs["keyId"])) == key.outputs["keyId"] == key.outputs["id"]
    assert key.outputs["arn"] == f"arn:aws:kms:{REGION}:111111111111:key/{key.outputs['keyId']}"


def test_a_kms_alias_arn_carries_the_alias_name(shipped_run):
    alias = shipped_run("prod").one("aws:kms/alias:Alias")
    assert alias.outputs["arn"] == f"arn:aws:kms:{REGION}:111111111111:alias/webstack-prod-encryption"


def test_registrations_record_protect_and_retain_options(shipped_run):
    key = shipped_run("prod").one(KMS_KEY)
    alias = shipped_run("prod").one("aws:kms/alias:Alias")
    assert (key.protect, key.retain_on_delete) == (True, True)
    assert (alias.protect, alias.retain_on_delete) == (False, False)


def test_the_program_runs_in_update_mode_so_applies_run():
    seen = []

    def program():
        pulumi.export("doubled", pulumi.Output.from_input(21).apply(lambda value: seen.append(value) or value * 2))

    run = run_program(program)
    assert seen == [21]
    assert run.outputs["doubled"] == 42


def test_a_failing_program_is_a_plan_error_naming_the_cause():
    def program():
        raise RuntimeError("boom")

    with pytest.raises(PlanError, match="RuntimeError: boom"):
        run_program(program)


# -- awsx:ec2:Vpc --------------------------------------------------------------------------------


def vpc_program(strategy: str, types: list[str]):
    def program():
        awsx.ec2.Vpc(
            "vpc",
            cidr_block="10.0.0.0/16",
            availability_zone_names=[f"{REGION}a", f"{REGION}b"],
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=[awsx.ec2.SubnetSpecArgs(type=kind, name=kind.lower()) for kind in types],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=strategy),
            opts=pulumi.ResourceOptions(providers=[provider()]),
        )

    return program


@pytest.mark.parametrize("strategy", ["Single", "OnePerAz"])
def test_awsx_vpc_with_nat_gateways_but_no_public_subnet_is_rejected(strategy):
    with pytest.raises(PlanError, match=rf"NAT gateway strategy '{strategy}' needs a Public subnet"):
        run_program(vpc_program(strategy, ["Private", "Isolated"]))


def test_awsx_vpc_accepts_private_subnets_without_nat_like_awsx_does():
    # awsx >= 1.0 allows it (pulumi-awsx#907): the private subnets then have no route to the internet.
    run = run_program(vpc_program("None", ["Public", "Private"]))
    assert len(run.one(AWSX_VPC).outputs["privateSubnetIds"]) == 2


def test_awsx_vpc_answers_subnet_ids_per_declared_tier_and_zone():
    run = run_program(vpc_program("Single", ["Public", "Unused", "Isolated"]))
    outputs = run.one(AWSX_VPC).outputs
    assert [len(outputs[key]) for key in ("publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds")] == [2, 0, 2]
    assert all(re.fullmatch(r"subnet-[0-9a-f]{17}", subnet) for subnet in outputs["publicSubnetIds"])


def test_awsx_vpc_does_not_echo_its_nat_gateways_input(shipped_run):
    vpc = shipped_run("prod").one(AWSX_VPC)
    assert "natGateways" in vpc.inputs
    assert "natGateways" not in vpc.outputs


def test_awsx_vpc_mock_reads_the_same_inputs_the_sdk_sends():
    mocks = AwsMocks(REGION)
    _, outputs = mocks.new_resource(
        MockResourceArgs(
            AWSX_VPC,
            "vpc",
            {"availabilityZoneNames": ["a", "b", "c"], "subnetSpecs": [{"type": "Public"}], "natGateways": {}},
            custom=False,
        )
    )
    assert len(outputs["publicSubnetIds"]) == 3
    assert outputs["privateSubnetIds"] == []


# -- isolation between runs ----------------------------------------------------------------------


def test_a_second_run_registers_the_same_resources_as_the_first(fresh_runs):
    first, _, second = fresh_runs
    # Registration order follows the event loop; the set of resources does not.
    assert len(second.registrations) == len(first.registrations)
    assert sorted(r.urn for r in second.registrations) == sorted(r.urn for r in first.registrations)


def test_a_run_holds_no_registration_of_an_earlier_stack(fresh_runs):
    _, prod, dev = fresh_runs
    assert all(r.urn.startswith("urn:pulumi:prod::") for r in prod.registrations)
    assert all(r.urn.startswith("urn:pulumi:dev::") for r in dev.registrations)


def test_outputs_are_the_same_on_every_run(fresh_runs, shipped_run):
    first, _, second = fresh_runs
    assert first.outputs == second.outputs == shipped_run("dev").outputs
    assert first.outputs["vpcId"]


def test_resource_outputs_are_the_same_on_every_run(fresh_runs):
    first, _, second = fresh_runs
    outputs = {r.urn: r.outputs for r in first.registrations}
    assert outputs == {r.urn: r.outputs for r in second.registrations}
    assert any(outputs.values())
