"""The database access host of examples/Pulumi.prod-access.yaml: nobody can connect to it, Systems Manager manages it,
it reaches PostgreSQL and nothing else inside the VPC, and it sleeps outside working hours. That stack also shows
both providers assuming the deploy role."""

from __future__ import annotations

import json

import pytest

from components.compute.ec2 import AMI_PARAMETER, SSM_CORE_POLICY
from ops.mocks.invokes import ANSWERS
from tests.components.conftest import PROVIDER, decoded, group, regional_key, rules

EXAMPLE = "examples/Pulumi.prod-access.yaml"
INSTANCE = "aws:ec2/instance:Instance"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SCHEDULE = "aws:scheduler/schedule:Schedule"
NAME = "webstack-prod-access-access-host"


@pytest.fixture
def run(stack_file_run):
    return stack_file_run(EXAMPLE)


@pytest.fixture
def host(run):
    return run.one(INSTANCE)


def test_the_host_requires_imdsv2_has_no_key_and_no_public_address(host):
    inputs = host.inputs

    assert inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert "keyName" not in inputs
    assert inputs["associatePublicIpAddress"] is False
    assert inputs["instanceType"] == "t4g.nano"


def test_the_host_runs_the_latest_arm64_amazon_linux_from_its_public_parameter(run, host):
    answer = ANSWERS["aws:ssm/getParameter:getParameter"](None, {"name": AMI_PARAMETER.format(architecture="arm64")})

    assert host.inputs["ami"] == answer["value"]


def test_the_root_volume_is_encrypted_with_the_environment_key(run, host):
    volume = host.inputs["rootBlockDevice"]

    assert (volume["encrypted"], volume["kmsKeyId"]) == (True, regional_key(run).outputs["arn"])


def test_the_host_sits_in_an_app_subnet(run, host):
    assert host.inputs["subnetId"] in run.outputs["privateSubnetIds"]


def test_its_role_holds_only_the_ssm_managed_core_policy(run, host):
    (profile,) = [p for p in run.find(PROFILE) if p.outputs["name"] == host.inputs["iamInstanceProfile"]]
    role = run.one(ROLE, f"{NAME}-role")
    attached = [a.inputs["policyArn"] for a in run.find(ATTACHMENT) if a.inputs["role"] == role.outputs["name"]]
    inline = [p for p in run.find(ROLE_POLICY) if p.inputs["role"] == role.outputs["id"]]

    assert profile.inputs["role"] == role.outputs["name"]
    assert attached == [f"arn:aws:iam::aws:{SSM_CORE_POLICY}"]
    assert inline == []


def test_nothing_may_connect_to_the_host_and_it_reaches_only_ssm_and_postgres(run, host):
    access = group(run, "access")
    found = {(r.direction, r.port, r.peer) for r in rules(run) if r.group == "access"}

    assert host.inputs["vpcSecurityGroupIds"] == [access.outputs["id"]]
    assert found == {("egress", 443, "0.0.0.0/0"), ("egress", 5432, "database")}
    assert ("ingress", 5432, "access") in {(r.direction, r.port, r.peer) for r in rules(run) if r.group == "database"}


def test_it_stops_and_starts_on_the_crons_with_a_role_limited_to_it(run, host):
    schedules = {s.name.rsplit("-", 1)[-1]: s.inputs for s in run.find(SCHEDULE)}
    (statement,) = json.loads(run.one(ROLE_POLICY, f"{NAME}-scheduler-policy").inputs["policy"])["Statement"]

    assert schedules["stop"]["scheduleExpression"] == "cron(0 19 ? * MON-FRI *)"
    assert schedules["start"]["target"]["arn"] == "arn:aws:scheduler:::aws-sdk:ec2:startInstances"
    assert {s["scheduleExpressionTimezone"] for s in schedules.values()} == {"Europe/Dublin"}
    assert {s["target"]["input"] for s in schedules.values()} == {json.dumps({"InstanceIds": [host.outputs["id"]]})}
    assert statement["Resource"] == host.outputs["arn"]
    assert set(statement["Action"]) == {"ec2:StopInstances", "ec2:StartInstances"}


def test_the_stack_outputs_name_the_host(run, host):
    assert run.outputs["security"]["accessHostInstanceId"] == host.outputs["id"]


def test_both_providers_assume_the_deploy_role_in_a_session_named_after_the_stack(run):
    providers = run.find(PROVIDER)

    assert len(providers) == 2
    for provider in providers:
        assert decoded(provider.inputs["assumeRoles"]) == [
            {
                "roleArn": "arn:aws:iam::111111111111:role/webstack-deployer",
                "externalId": "webstack-ci-prod",
                "sessionName": "webstack-prod-access",
            }
        ]
        assert decoded(provider.inputs["allowedAccountIds"]) == ["111111111111"]


def test_without_a_deploy_role_the_providers_use_the_environments_credentials(shipped_run):
    assert all("assumeRoles" not in p.inputs for p in shipped_run("prod").find(PROVIDER))


def test_session_tags_name_the_project_stack_and_tier_when_asked_for():
    from components.platform import PlatformArgs, deploy_role
    from config import parse_config
    from tests.conftest import stack_values

    values = stack_values("prod")
    values.update(
        {"webstack:deployRoleArn": "arn:aws:iam::111111111111:role/d", "webstack:deployRoleSessionTags": "true"}
    )
    (role,) = deploy_role(PlatformArgs(config=parse_config(values), project="webstack", stack="prod.eu/1"))

    assert role.tags == {"Project": "webstack", "Stack": "prod.eu/1", "Environment": "prod"}
    assert role.session_name == "webstack-prod.eu-1"  # STS takes letters, digits and + = , . @ - _ only
    assert role.external_id is None
