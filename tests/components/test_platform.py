"""The root component: two explicit providers with default tags and account guard, the parent tree, and outputs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from config.errors import PlanError
from config.stack import RESERVED_TAGS
from ops.engine import run_offline
from tests.components.conftest import (
    AWSX_VPC,
    PROVIDER,
    SECURITY_GROUP,
    decoded,
    group,
    regional_key,
)
from tests.conftest import ROOT, stack_values

STACKS = ("dev", "prod")
COMPONENTS = ROOT / "components"


def providers(run) -> dict[str, dict]:
    """Provider name -> its inputs, decoded."""
    return {p.name: {key: decoded(value) for key, value in p.inputs.items()} for p in run.find(PROVIDER)}


def platform(run):
    return run.one("webstack:index:Platform")


# -- providers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_exactly_two_aws_providers_for_the_stack_region_and_us_east_1(shipped_run, stack):
    found = providers(shipped_run(stack))
    assert {name: inputs["region"] for name, inputs in found.items()} == {
        f"webstack-{stack}-aws": "eu-west-1",
        f"webstack-{stack}-aws-global": "us-east-1",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_providers_tag_every_resource_with_ownership(shipped_run, stack):
    expected = {
        "Project": "webstack",
        "Environment": stack,
        "Stack": stack,
        "Owner": "platform-team",
        "CostCenter": "engineering",
        "ManagedBy": "pulumi",
    }
    for name, inputs in providers(shipped_run(stack)).items():
        tags = inputs["defaultTags"]["tags"]
        assert {key: tags.get(key) for key in RESERVED_TAGS} == expected, name


def test_providers_add_the_users_tags(shipped_run):
    for name, inputs in providers(shipped_run("prod")).items():
        assert inputs["defaultTags"]["tags"]["DataClassification"] == "confidential", name


def test_user_tags_cannot_override_webstacks_own(plan, dev_values):
    dev_values["webstack:tags"] = {"Environment": "prod", "Team": "web"}
    with pytest.raises(PlanError, match=r"webstack:tags: Environment are set by webstack itself"):
        plan(dev_values)


def test_prod_providers_act_only_in_the_configured_account(shipped_run):
    for name, inputs in providers(shipped_run("prod")).items():
        assert inputs["allowedAccountIds"] == ["111111111111"], name


def test_providers_without_an_account_id_have_no_account_restriction(shipped_run):
    for name, inputs in providers(shipped_run("dev")).items():
        assert "allowedAccountIds" not in inputs, name


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_names_one_of_the_two_providers(shipped_run, stack):
    run = shipped_run(stack)
    ours = {p.urn for p in run.find(PROVIDER)}
    resources = [r for r in run.registrations if r.custom and r.type.startswith("aws:")]
    assert len(resources) > 10
    assert [(r.name, r.provider) for r in resources if r.provider not in ours] == []


@pytest.mark.parametrize("stack", STACKS)
def test_regional_resources_use_the_regional_provider_and_cloudfronts_us_east_1(shipped_run, stack):
    run = shipped_run(stack)
    regional = run.one(PROVIDER, f"webstack-{stack}-aws").urn
    global_ = run.one(PROVIDER, f"webstack-{stack}-aws-global").urn
    by_provider = {}
    for r in run.registrations:
        if r.custom and r.type.startswith("aws:"):
            by_provider.setdefault(r.provider, set()).add(r.type.split(":")[1].split("/")[0])
    assert set(by_provider) == {regional, global_}
    # CloudFront, its certificate, its web ACL, that ACL's logs, the alarms on them, the topic those alarms
    # notify, and the key of the logs and the topic live in us-east-1.
    assert by_provider[global_] <= {"cloudfront", "acm", "wafv2", "cloudwatch", "kms", "sns"}
    assert "cloudfront" in by_provider[global_]
    assert not {"cloudfront", "wafv2"} & by_provider[regional]


@pytest.mark.parametrize("stack", STACKS)
def test_awsx_vpc_builds_its_resources_with_the_regional_provider(shipped_run, stack):
    run = shipped_run(stack)
    assert run.one(AWSX_VPC).providers == {"aws": run.one(PROVIDER, f"webstack-{stack}-aws").urn}


# -- the component tree --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_sits_under_the_platform(shipped_run, stack):
    run = shipped_run(stack)
    root = platform(run).urn
    by_urn = {r.urn: r for r in run.registrations}
    orphans = []
    for reg in run.registrations:
        if reg.urn == root:
            continue
        parent = reg.parent
        while parent in by_urn and parent != root:
            parent = by_urn[parent].parent
        if parent != root:
            orphans.append(reg.name)
    assert orphans == []


@pytest.mark.parametrize("stack", STACKS)
def test_component_type_tokens_are_webstack_area_name(shipped_run, stack):
    components = {r.type for r in shipped_run(stack).registrations if not r.custom and not r.type.startswith("awsx:")}
    assert {"webstack:index:Platform", "webstack:network:Network", "webstack:security:Encryption"} <= components
    assert [t for t in components if not re.fullmatch(r"webstack:[a-z]+:[A-Z][A-Za-z]+", t)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_children_are_named_after_their_parent_component(shipped_run, stack):
    run = shipped_run(stack)
    by_urn = {r.urn: r for r in run.registrations}
    # awsx names the children it creates itself (modelled here); webstack names everything else.
    own = [r for r in run.registrations if not r.modelled]
    misnamed = [r.name for r in own if r.parent in by_urn and not r.name.startswith(f"{by_urn[r.parent].name}-")]
    assert len(own) > 20
    assert misnamed == []


# -- stack outputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_output_vpc_id_is_the_vpc(shipped_run, stack):
    run = shipped_run(stack)
    assert run.outputs["vpcId"] == run.one(AWSX_VPC).outputs["vpcId"]
    assert run.outputs["vpcId"].startswith("vpc-")


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("tier", ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"])
def test_output_subnet_ids_are_one_per_az_per_tier(shipped_run, stack, tier):
    run = shipped_run(stack)
    ids = run.outputs[tier]
    assert ids == run.one(AWSX_VPC).outputs[tier]
    assert len(ids) == len(set(ids)) == len(run.outputs["availabilityZones"])


@pytest.mark.parametrize("stack", STACKS)
def test_output_availability_zones_are_the_vpcs(shipped_run, stack):
    run = shipped_run(stack)
    assert run.outputs["availabilityZones"] == run.one(AWSX_VPC).inputs["availabilityZoneNames"]


@pytest.mark.parametrize("stack", STACKS)
def test_output_security_group_ids_name_the_groups(shipped_run, stack):
    run = shipped_run(stack)
    expected = {role: group(run, role).outputs["id"] for role in ("alb", "app", "database", "cache")}
    assert run.outputs["securityGroupIds"] == expected
    assert len(set(expected.values())) == 4
    assert all(sg.outputs["id"].startswith("sg-") for sg in run.find(SECURITY_GROUP))


@pytest.mark.parametrize("stack", STACKS)
def test_output_kms_key_arn_is_the_key(shipped_run, stack):
    run = shipped_run(stack)
    assert run.outputs["kmsKeyArn"] == regional_key(run).outputs["arn"]
    assert run.outputs["kmsKeyArn"].startswith("arn:aws:kms:eu-west-1:")


def test_outputs_leave_nothing_out(shipped_run):
    assert set(shipped_run("prod").outputs) >= {
        "vpcId",
        "availabilityZones",
        "publicSubnetIds",
        "privateSubnetIds",
        "isolatedSubnetIds",
        "securityGroupIds",
        "kmsKeyArn",
    }


def test_a_run_on_other_values_changes_the_outputs(prod_values):
    # Guards the output tests above against comparing a value with itself.
    prod_values["webstack:network"]["cidr"] = "10.40.0.0/16"
    run = run_offline("other", prod_values)
    assert run.one(AWSX_VPC).inputs["cidrBlock"] == "10.40.0.0/16"
    assert run.outputs["vpcId"] == run.one(AWSX_VPC).outputs["vpcId"]
    assert run.outputs["vpcId"] != run_offline("prod", stack_values("prod")).outputs["vpcId"]


# -- every component ---------------------------------------------------------------------------


def _is_component(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(base, ast.Attribute) and base.attr == "ComponentResource")
        or (isinstance(base, ast.Name) and base.id == "ComponentResource")
        for base in node.bases
    )


def _ends_with_register_outputs(function: ast.FunctionDef) -> bool:
    last = function.body[-1]
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Attribute)
        and last.value.func.attr == "register_outputs"
        and isinstance(last.value.func.value, ast.Name)
        and last.value.func.value.id == "self"
    )


def test_every_component_registers_its_outputs_last():
    checked, wrong = [], []
    for path in sorted(COMPONENTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and _is_component(node):
                init = next(
                    (f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"),
                    None,
                )
                checked.append(node.name)
                if init is None or not _ends_with_register_outputs(init):
                    wrong.append(f"{Path(path).name}:{node.name}")
    assert {"Platform", "Network", "Encryption"} <= set(checked)
    assert wrong == []
