"""The mock engine (ops/mocks.py, ops/engine.py): realistic answers, no guessing, no state shared between runs."""

from __future__ import annotations

import json
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
from ops.mocks.resources import KINDS, Facts
from tests.components.conftest import AWSX_VPC, INGRESS, SECURITY_GROUP, regional_key, regional_key_policy
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
    assert "arn:aws:iam::111111111111:root" in regional_key_policy(shipped_run("prod")).inputs["policy"]


# -- resources -----------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", AUTO_NAMED)
def test_auto_names_are_the_logical_name_and_seven_hex_characters(shipped_run, type_):
    found = [reg for reg in shipped_run("prod").find(type_) if "name" not in reg.inputs]
    assert found
    for reg in found:
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
    role = shipped_run("prod").one("aws:iam/role:Role", "webstack-prod-network-flow-logs-role")
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
    key = regional_key(shipped_run("prod"))
    assert str(uuid.UUID(key.outputs["keyId"])) == key.outputs["keyId"] == key.outputs["id"]
    assert key.outputs["arn"] == f"arn:aws:kms:{REGION}:111111111111:key/{key.outputs['keyId']}"


def test_a_kms_alias_arn_carries_the_alias_name(shipped_run):
    alias = shipped_run("prod").one("aws:kms/alias:Alias", "webstack-prod-encryption-alias")
    assert alias.outputs["arn"] == f"arn:aws:kms:{REGION}:111111111111:alias/webstack-prod-encryption"


def test_registrations_record_protect_and_retain_options(shipped_run):
    key = regional_key(shipped_run("prod"))
    alias = shipped_run("prod").one("aws:kms/alias:Alias", "webstack-prod-encryption-alias")
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


def vpc_program(strategy: str, types: list[str], **extra):
    def program():
        awsx.ec2.Vpc(
            "vpc",
            cidr_block="10.0.0.0/16",
            availability_zone_names=[f"{REGION}a", f"{REGION}b"],
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=[
                awsx.ec2.SubnetSpecArgs(type=kind, name=kind.lower(), cidr_mask=20 + index)
                for index, kind in enumerate(types)
            ],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=strategy),
            opts=pulumi.ResourceOptions(providers=[provider()]),
            **extra,
        )

    return program


@pytest.mark.parametrize("strategy", ["Single", "OnePerAz"])
def test_awsx_vpc_with_nat_gateways_but_no_public_subnet_is_rejected(strategy):
    with pytest.raises(PlanError, match=rf'NAT gateway strategy "{strategy}" needs a Public subnet spec'):
        run_program(vpc_program(strategy, ["Private", "Isolated"]))


def test_awsx_vpc_with_nat_gateways_and_only_public_subnets_is_rejected():
    with pytest.raises(PlanError, match="and a Private or Isolated one to route through them"):
        run_program(vpc_program("Single", ["Public"]))


def test_awsx_vpc_without_a_vpc_provider_is_refused_like_the_engine_would():
    def program():
        awsx.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", availability_zone_names=[f"{REGION}a", f"{REGION}b"])

    with pytest.raises(PlanError, match="awsx:ec2:Vpc vpc was not handed an aws provider"):
        run_program(program)


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


def test_awsx_vpc_mock_reads_the_same_inputs_the_sdk_sends(shipped_run):
    vpc = shipped_run("prod").one(AWSX_VPC)
    _, outputs = AwsMocks(REGION, account_id="111111111111").new_resource(
        MockResourceArgs(AWSX_VPC, vpc.name, vpc.inputs, custom=False)
    )
    assert outputs == vpc.outputs
    assert len(outputs["publicSubnetIds"]) == 3


# -- the children awsx will create (modelled) ------------------------------------------------------


def modelled(run, type_):
    return run.find(type_, modelled=True)


def test_prod_plan_shows_the_nine_subnets_three_nat_gateways_and_three_addresses_awsx_creates(shipped_run):
    run = shipped_run("prod")
    assert len(modelled(run, "aws:ec2/subnet:Subnet")) == 9
    assert len(modelled(run, "aws:ec2/natGateway:NatGateway")) == 3
    assert len(modelled(run, "aws:ec2/eip:Eip")) == 3
    assert len(modelled(run, "aws:ec2/internetGateway:InternetGateway")) == 1


def test_dev_plan_shows_one_nat_gateway_for_its_single_strategy(shipped_run):
    run = shipped_run("dev")
    assert len(modelled(run, "aws:ec2/natGateway:NatGateway")) == 1
    assert len(modelled(run, "aws:ec2/eip:Eip")) == 1
    assert len(modelled(run, "aws:ec2/subnet:Subnet")) == 6


def test_modelled_subnets_have_the_cidrs_webstack_sends_and_the_ids_awsx_outputs(shipped_run):
    run = shipped_run("prod")
    vpc = run.one(AWSX_VPC)
    specs = {spec["type"]: spec["cidrBlocks"] for spec in vpc.inputs["subnetSpecs"]}
    subnets = modelled(run, "aws:ec2/subnet:Subnet")
    for tier, key in (
        ("Public", "publicSubnetIds"),
        ("Private", "privateSubnetIds"),
        ("Isolated", "isolatedSubnetIds"),
    ):
        ours = [s for s in subnets if s.inputs["tags"]["SubnetType"] == tier]
        assert [s.outputs["id"] for s in ours] == vpc.outputs[key]
        assert [s.inputs["cidrBlock"] for s in ours] == specs[tier]


def test_each_private_subnet_routes_through_the_nat_gateway_of_its_own_az_in_prod(shipped_run):
    run = shipped_run("prod")
    nat_by_subnet = {
        nat.inputs["subnetId"]: nat.outputs["id"] for nat in modelled(run, "aws:ec2/natGateway:NatGateway")
    }
    zone_of = {s.outputs["id"]: s.inputs["availabilityZone"] for s in modelled(run, "aws:ec2/subnet:Subnet")}
    nat_zone = {nat: zone_of[subnet] for subnet, nat in nat_by_subnet.items()}
    private_routes = [r for r in modelled(run, "aws:ec2/route:Route") if r.inputs.get("natGatewayId")]
    assert len(private_routes) == 3
    for route in private_routes:
        table = run.one("aws:ec2/routeTable:RouteTable", route.name, modelled=True)
        assert route.inputs["routeTableId"] == table.outputs["id"]
        assert (
            nat_zone[route.inputs["natGatewayId"]]
            == zone_of[run.one("aws:ec2/subnet:Subnet", route.name, modelled=True).outputs["id"]]
        )


def test_modelled_children_are_marked_and_use_the_vpcs_provider(shipped_run):
    run = shipped_run("prod")
    vpc = run.one(AWSX_VPC)
    children = [r for r in run.registrations if r.modelled]
    assert len(children) > 40
    assert {child.provider for child in children} == {vpc.providers["aws"]}
    assert all(child.urn.startswith("urn:pulumi:prod::webstack::") for child in children)


def test_the_plan_manifest_marks_modelled_children(shipped_run):
    from ops.manifest import manifest

    resources = manifest(shipped_run("prod"))["resources"]
    assert {r["modelled"] for r in resources if r["type"] == "aws:ec2/subnet:Subnet"} == {True}
    assert {r["modelled"] for r in resources if r["type"] == AWSX_VPC} == {False}


# -- what the real engine refuses ----------------------------------------------------------------


def test_a_resource_without_an_explicit_provider_is_refused():
    def program():
        aws.iam.Role("orphan", assume_role_policy="{}")

    with pytest.raises(PlanError, match="aws:iam/role:Role orphan has no explicit provider"):
        run_program(program)


def test_an_invoke_without_an_explicit_provider_is_refused():
    def program():
        aws.get_caller_identity()

    with pytest.raises(PlanError, match="getCallerIdentity was invoked without an explicit provider"):
        run_program(program)


def test_an_output_invoke_without_a_provider_is_refused_too():
    def program():
        pulumi.export("zones", aws.get_availability_zones_output().names)

    with pytest.raises(PlanError, match="getAvailabilityZones was invoked without an explicit provider"):
        run_program(program)


def test_an_unknown_resource_type_fails_the_plan_naming_it():
    def program():
        aws.sns.PlatformApplication(
            "push", platform="GCM", platform_credential="x", opts=pulumi.ResourceOptions(provider=provider())
        )

    with pytest.raises(PlanError, match=re.escape("does not know the resource type aws:sns/platformApplication")):
        run_program(program)


def test_an_output_formatted_into_a_string_fails_the_plan():
    def program():
        role = aws.iam.Role("role", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=provider()))
        aws.iam.Role(
            "copy",
            description=f"copy of {role.arn}",
            assume_role_policy="{}",
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    with pytest.raises(PlanError, match="Calling __str__ on an Output"):
        run_program(program)


def prefix_list_rules(count: int, *, delete_first: bool = True):
    def program():
        p = provider()
        group = aws.ec2.SecurityGroup("group", vpc_id="vpc-1", opts=pulumi.ResourceOptions(provider=p))
        for index in range(count):
            aws.vpc.SecurityGroupIngressRule(
                f"rule-{index}",
                security_group_id=group.id,
                ip_protocol="tcp",
                from_port=443 + index,
                to_port=443 + index,
                prefix_list_id="pl-cloudfront",
                opts=pulumi.ResourceOptions(provider=p, delete_before_replace=delete_first),
            )

    return program


def test_one_cloudfront_prefix_list_rule_fits_the_security_group_quota():
    assert len(run_program(prefix_list_rules(1)).find(INGRESS)) == 1


def test_two_prefix_list_rules_on_one_group_exceed_the_security_group_quota():
    with pytest.raises(PlanError, match=r"110 inbound rules counting prefix list entries, over AWS's quota of 60"):
        run_program(prefix_list_rules(2))


def test_a_prefix_list_rule_that_would_be_replaced_create_before_delete_is_refused():
    with pytest.raises(PlanError, match="rule-0: a rule on a prefix list counts 55 of the group's 60 rules"):
        run_program(prefix_list_rules(1, delete_first=False))


def listener_rule(*conditions: aws.lb.ListenerRuleConditionArgs):
    def program():
        aws.lb.ListenerRule(
            "rule",
            listener_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/lb/0123456789abcdef/0123",
            priority=10,
            conditions=list(conditions),
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="fixed-response", fixed_response={"content_type": "text/plain", "status_code": "204"}
                )
            ],
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    return program


def header(name: str, *values: str) -> aws.lb.ListenerRuleConditionArgs:
    return aws.lb.ListenerRuleConditionArgs(
        http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(http_header_name=name, values=list(values))
    )


def test_a_listener_rule_header_value_over_128_characters_is_refused():
    run_program(listener_rule(header("X-Origin-Verify", "a" * 128)))
    with pytest.raises(PlanError, match="value is over 128 characters"):
        run_program(listener_rule(header("X-Origin-Verify", "a" * 129)))


def test_a_listener_rule_with_more_than_five_condition_values_is_refused():
    paths = aws.lb.ListenerRuleConditionArgs(
        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/a", "/b", "/c"])
    )
    hosts = aws.lb.ListenerRuleConditionArgs(
        host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=["a.example.com", "b.example.com"])
    )
    run_program(listener_rule(paths, hosts))
    with pytest.raises(PlanError, match="6 condition values; a rule evaluates at most 5"):
        run_program(listener_rule(paths, hosts, header("X-A", "1")))


def test_a_listener_rule_condition_with_more_than_three_values_is_refused():
    paths = aws.lb.ListenerRuleConditionArgs(
        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/a", "/b", "/c", "/d"])
    )
    with pytest.raises(PlanError, match="4 values in one pathPattern condition; a condition takes at most 3"):
        run_program(listener_rule(paths))


# -- what AWS refuses of one resource, asked of the kinds directly ------------------------------------------


def refusals(type_: str, **inputs: object) -> list[str]:
    return KINDS[type_].check(Facts(type_, "r", inputs, REGION, "123456789012"))


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


@pytest.mark.parametrize(
    ("type_", "document", "refusal"),
    [
        ("aws:iam/rolePolicy:RolePolicy", policy({**ALLOW_GET, "Principal": "*"}), "cannot name a Principal"),
        ("aws:iam/rolePolicy:RolePolicy", policy({"Effect": "Allow", "Action": "s3:GetObject"}), "no Resource"),
        ("aws:iam/rolePolicy:RolePolicy", policy(), "has no statement"),
        ("aws:sqs/queuePolicy:QueuePolicy", policy(ALLOW_GET), "needs a Principal"),
        (
            "aws:s3/bucketPolicy:BucketPolicy",
            policy({**ALLOW_GET, "Effect": "allow", "Principal": "*"}),
            "Allow or Deny",
        ),
        ("aws:kms/keyPolicy:KeyPolicy", '{"Version": "2008-10-17", "Statement": []}', "Version must be 2012-10-17"),
        ("aws:sns/topicPolicy:TopicPolicy", "{not json", "not JSON"),
    ],
)
def test_iam_refuses_a_malformed_policy_document(type_, document, refusal):
    assert any(refusal in problem for problem in refusals(type_, policy=document))


def test_a_well_formed_identity_and_resource_policy_pass():
    assert refusals("aws:iam/rolePolicy:RolePolicy", policy=policy(ALLOW_GET)) == []
    assert refusals("aws:sqs/queuePolicy:QueuePolicy", policy=policy({**ALLOW_GET, "Principal": "*"})) == []


@pytest.mark.parametrize(
    ("inputs", "refusal"),
    [
        ({"visibilityTimeoutSeconds": 43_201}, "visibilityTimeoutSeconds 43201 is not 0-43200"),
        ({"messageRetentionSeconds": 59}, "messageRetentionSeconds 59 is not 60-1209600"),
        ({"receiveWaitTimeSeconds": 21}, "receiveWaitTimeSeconds 21 is not 0-20"),
        ({"redrivePolicy": json.dumps({"deadLetterTargetArn": "x", "maxReceiveCount": 5})}, "the ARN of a queue"),
        (
            {"redrivePolicy": json.dumps({"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:1:q", "maxReceiveCount": 0})},
            "maxReceiveCount 0 is not 1-1000",
        ),
        ({"kmsMasterKeyId": "k", "sqsManagedSseEnabled": True}, "mutually exclusive"),
    ],
)
def test_sqs_refuses_attributes_out_of_range(inputs, refusal):
    assert any(refusal in problem for problem in refusals("aws:sqs/queue:Queue", name="q", **inputs))


def test_a_redrive_allow_policy_by_queue_needs_its_sources():
    allow = {"redrivePermission": "byQueue", "sourceQueueArns": []}
    assert refusals("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", redriveAllowPolicy=json.dumps(allow))


def test_ecs_refuses_a_grace_period_without_a_load_balancer_and_alarms_without_names():
    problems = refusals(
        "aws:ecs/service:Service", name="s", healthCheckGracePeriodSeconds=60, alarms={"enable": True, "alarmNames": []}
    )
    assert any("only valid for a service with a load balancer" in p for p in problems)
    assert any("name no alarm" in p for p in problems)


def test_service_connect_must_serve_a_port_the_task_names():
    def program(port_name: str):
        def build():
            task = aws.ecs.TaskDefinition(
                "task",
                family="task",
                network_mode="awsvpc",
                requires_compatibilities=["FARGATE"],
                cpu="256",
                memory="512",
                container_definitions=json.dumps(
                    [{"name": "app", "image": "nginx:1", "portMappings": [{"containerPort": 80, "name": "http"}]}]
                ),
                opts=pulumi.ResourceOptions(provider=provider()),
            )
            aws.ecs.Service(
                "service",
                name="service",
                cluster="arn:aws:ecs:eu-west-1:123456789012:cluster/c",
                task_definition=task.arn,
                service_connect_configuration=aws.ecs.ServiceServiceConnectConfigurationArgs(
                    enabled=True,
                    namespace="arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-1",
                    services=[aws.ecs.ServiceServiceConnectConfigurationServiceArgs(port_name=port_name)],
                ),
                opts=pulumi.ResourceOptions(provider=provider()),
            )

        return build

    run_program(program("http"))
    with pytest.raises(PlanError, match="Service Connect serves port 'web', which no container of task names"):
        run_program(program("web"))


# -- preview mode --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def previews():
    return {stack: run_offline(stack, stack_values(stack), preview=True) for stack in ("dev", "prod")}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_plan_in_preview_mode_too(previews, shipped_run, stack):
    preview = previews[stack]
    assert preview.preview is True
    assert sorted(r.urn for r in preview.registrations) == sorted(r.urn for r in shipped_run(stack).registrations)


def test_in_preview_computed_outputs_are_unknown_and_inputs_known(previews):
    preview = previews["prod"]
    group = preview.find(SECURITY_GROUP)[0]
    assert "id" not in group.outputs
    assert "arn" not in group.outputs
    assert group.outputs["description"] == group.inputs["description"]
    assert preview.outputs["vpcId"] == "(known after apply)"
    assert preview.outputs["availabilityZones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_in_preview_the_provider_still_picks_auto_names(previews):
    group = previews["prod"].find(SECURITY_GROUP)[0]
    assert re.fullmatch(rf"{re.escape(group.name)}-[0-9a-f]{{7}}", group.outputs["name"])


def test_code_that_needs_a_computed_value_to_be_known_fails_in_preview_only():
    def program():
        role = aws.iam.Role("role", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=provider()))
        pulumi.export("id", role.arn.apply(lambda arn: arn.split(":")[4]))
        # The bug a preview exposes: a decision taken on a value that is unknown until the resource exists.
        role.arn.apply(
            lambda arn: aws.iam.Role(
                f"second-{arn.split(':')[4]}", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=provider())
            )
        )

    run = run_offline("mock-test", stack_values("dev"), program=program)
    preview = run_offline("mock-test", stack_values("dev"), program=program, preview=True)
    assert len(run.find("aws:iam/role:Role")) == 2
    assert len(preview.find("aws:iam/role:Role")) == 1


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
