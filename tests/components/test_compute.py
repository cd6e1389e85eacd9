"""The app tier under the mock engine: the load balancer, Fargate and EC2, releases, scaling, roles and growth."""

from __future__ import annotations

import base64
import json
import shlex

import pytest

from config.loader import parse_config
from config.stackfile import read_stack_file
from ops.diff import Action, diff_runs
from ops.engine import run_offline
from tests.components.conftest import group, regional_key, regional_key_policy
from tests.conftest import ROOT, stack_values

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
CERTIFICATE = "aws:acm/certificate:Certificate"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GROUP = "aws:autoscaling/group:Group"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
STACKS = ("dev", "prod")
EC2_EXAMPLE = ROOT / "examples" / "Pulumi.prod-ec2.yaml"
LOG_BUCKET = "webstack-prod-access-logs-bucket"
LB_CERTIFICATE = "webstack-prod-certificates-load-balancer-certificate"


@pytest.fixture(scope="module")
def ec2_run():
    return run_offline("prod", read_stack_file(EC2_EXAMPLE))


def container(run) -> dict:
    (definition,) = json.loads(run.one(TASK).inputs["containerDefinitions"])
    return definition


def policy_of(run, name: str) -> list[dict]:
    return json.loads(run.one(ROLE_POLICY, name).inputs["policy"])["Statement"]


# -- the load balancer ---------------------------------------------------------------------------


def test_prod_load_balancer_is_strict_logged_and_cannot_be_deleted(shipped_run):
    run = shipped_run("prod")
    balancer = run.one(LOAD_BALANCER)
    inputs = balancer.inputs
    assert inputs["dropInvalidHeaderFields"] is True
    assert inputs["desyncMitigationMode"] == "strictest"
    assert inputs["enableDeletionProtection"] is True
    assert balancer.protect is True
    assert inputs["securityGroups"] == [group(run, "alb").outputs["id"]]
    assert inputs["accessLogs"]["enabled"] is True
    assert inputs["accessLogs"]["bucket"] == run.one(BUCKET, LOG_BUCKET).outputs["bucket"]
    assert len(inputs["name"]) <= 32


def test_dev_load_balancer_is_neither_protected_nor_logged(shipped_run):
    balancer = shipped_run("dev").one(LOAD_BALANCER)
    assert balancer.inputs["enableDeletionProtection"] is False
    assert balancer.protect is False
    assert "accessLogs" not in balancer.inputs


def test_an_internet_facing_load_balancer_sits_in_the_public_subnets(internet_facing_run):
    run = internet_facing_run
    assert run.one(LOAD_BALANCER).inputs["internal"] is False
    assert run.one(LOAD_BALANCER).inputs["subnets"] == run.outputs["publicSubnetIds"]


@pytest.mark.parametrize("stack", STACKS)
def test_by_default_the_load_balancer_is_internal_beside_the_app(shipped_run, stack):
    run = shipped_run(stack)
    assert run.one(LOAD_BALANCER).inputs["internal"] is True
    assert run.one(LOAD_BALANCER).inputs["subnets"] == run.outputs["privateSubnetIds"]


def test_prod_serves_https_with_a_tls13_policy_and_redirects_http(shipped_run):
    run = shipped_run("prod")
    listeners = {listener.inputs["port"]: listener.inputs for listener in run.find(LISTENER)}
    assert listeners[443]["protocol"] == "HTTPS"
    assert listeners[443]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
    assert listeners[443]["certificateArn"] == run.one(CERTIFICATE, LB_CERTIFICATE).outputs["arn"]
    assert listeners[443]["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    redirect = listeners[80]["defaultActions"][0]
    assert (redirect["type"], redirect["redirect"]["protocol"], redirect["redirect"]["port"]) == (
        "redirect",
        "HTTPS",
        "443",
    )


def test_two_certificates_one_validation_record_per_name_kept_for_renewal(shipped_run):
    run = shipped_run("prod")
    certificates = {c.name.rsplit("-", 2)[-2]: c for c in run.find(CERTIFICATE)}
    cloudfront = run.one(CERTIFICATE, "webstack-prod-certificates-cloudfront-certificate")
    balancer = run.one(CERTIFICATE, LB_CERTIFICATE)
    assert (cloudfront.inputs["domainName"], cloudfront.inputs.get("subjectAlternativeNames", [])) == (
        "app.example.com",
        [],
    )
    assert (balancer.inputs["domainName"], balancer.inputs["subjectAlternativeNames"]) == (
        "app.example.com",
        ["origin.app.example.com"],
    )
    assert len(certificates) == 2
    assert {c.inputs["validationMethod"] for c in (cloudfront, balancer)} == {"DNS"}
    records = [r for r in run.find("aws:route53/record:Record") if "-validation-" in r.name]
    assert {r.inputs["zoneId"] for r in records} == {"Z0123456789ABCDEFGHIJ"}
    options = {o["domainName"]: o["resourceRecordName"] for o in balancer.outputs["domainValidationOptions"]}
    by_label = {r.name.rsplit("-", 1)[-1]: r.inputs["name"] for r in records}
    assert by_label == {"site": options["app.example.com"], "origin": options["origin.app.example.com"]}
    assert all(r.inputs["allowOverwrite"] is True for r in records)


def test_dev_without_a_domain_serves_plain_http(shipped_run):
    run = shipped_run("dev")
    (listener,) = run.find(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    assert run.find(CERTIFICATE) == []


def test_access_logs_bucket_is_private_tls_only_and_writable_by_the_regional_log_delivery(shipped_run):
    run = shipped_run("prod")
    bucket = run.one(BUCKET, LOG_BUCKET)
    assert bucket.protect is True
    policy = json.loads(run.one(BUCKET_POLICY, "webstack-prod-access-logs-policy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    delivery = statements["LoadBalancerAccessLogs"]
    assert delivery["Principal"] == {"AWS": "arn:aws:iam::156460612806:root"}  # eu-west-1's ELB account
    assert delivery["Resource"] == f"{bucket.outputs['arn']}/alb/AWSLogs/111111111111/*"
    access = run.one(PUBLIC_ACCESS, "webstack-prod-access-logs-public-access").inputs
    assert all(
        access[key] is True
        for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    encryption = run.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "webstack-prod-access-logs-encryption",
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


# -- routing and releases ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_the_app_takes_every_request_through_its_rule_with_a_shallow_health_check(shipped_run, stack):
    run = shipped_run(stack)
    rule = run.one(RULE).inputs
    assert rule["priority"] == 50_000
    assert rule["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    weights = [(g["arn"], g["weight"]) for g in rule["actions"][0]["forward"]["targetGroups"]]
    blue, green = (run.one(TARGET_GROUP, f"webstack-{stack}-app-{colour}") for colour in ("blue", "green"))
    assert weights == [(blue.outputs["arn"], 100), (green.outputs["arn"], 0)]
    check = blue.inputs["healthCheck"]
    assert (check["path"], check["matcher"], check["protocol"]) == ("/", "200", "HTTP")
    assert blue.inputs["deregistrationDelay"] == 30
    assert all(len(g.inputs["name"]) <= 32 for g in (blue, green))


def test_prod_releases_by_canary_with_both_target_groups_and_ecs_moving_the_weights(shipped_run):
    run = shipped_run("prod")
    service = run.one(SERVICE)
    deployment = service.inputs["deploymentConfiguration"]
    assert deployment["strategy"] == "CANARY"
    assert deployment["canaryConfiguration"] == {"canaryPercent": 10, "canaryBakeTimeInMinutes": "5"}
    assert deployment["bakeTimeInMinutes"] == "5"
    (balancer,) = service.inputs["loadBalancers"]
    advanced = balancer["advancedConfiguration"]
    assert balancer["targetGroupArn"] == run.one(TARGET_GROUP, "webstack-prod-app-blue").outputs["arn"]
    assert advanced["alternateTargetGroupArn"] == run.one(TARGET_GROUP, "webstack-prod-app-green").outputs["arn"]
    assert advanced["productionListenerRule"] == run.one(RULE).outputs["arn"]
    role = run.one("aws:iam/role:Role", "webstack-prod-app-ecs-infrastructure-role")
    assert advanced["roleArn"] == role.outputs["arn"]
    attached = run.one(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "webstack-prod-app-ecs-infrastructure-policy"
    )
    assert attached.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"


def test_what_ecs_moves_during_a_release_is_not_moved_back_by_the_next_pulumi_up(shipped_run):
    prod, dev = shipped_run("prod"), shipped_run("dev")
    assert prod.one(RULE).ignore_changes == ("actions",)
    assert prod.one(SERVICE).ignore_changes == ("desiredCount", "loadBalancers")
    # A rolling service's weights never move: its rule stays fully managed.
    assert dev.one(RULE).ignore_changes == ()
    assert dev.one(SERVICE).ignore_changes == ("desiredCount",)


def test_dev_rolls_with_minimum_100_and_maximum_200_percent(shipped_run):
    inputs = shipped_run("dev").one(SERVICE).inputs
    assert inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}
    assert (inputs["deploymentMinimumHealthyPercent"], inputs["deploymentMaximumPercent"]) == (100, 200)
    assert "advancedConfiguration" not in inputs["loadBalancers"][0]


@pytest.mark.parametrize("stack", STACKS)
def test_a_bad_release_rolls_back_by_circuit_breaker_and_by_its_alarms(shipped_run, stack):
    run = shipped_run(stack)
    inputs = run.one(SERVICE).inputs
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    alarms = {a.outputs["name"]: a for a in run.find(ALARM)}
    assert inputs["alarms"]["enable"] is True
    assert inputs["alarms"]["rollback"] is True
    assert sorted(inputs["alarms"]["alarmNames"]) == sorted(run.outputs["app"]["deploymentAlarms"])
    assert set(inputs["alarms"]["alarmNames"]) <= set(alarms)


def test_the_5xx_alarm_reads_both_target_groups_of_the_service(shipped_run):
    run = shipped_run("prod")
    alarm = run.one(ALARM, "webstack-prod-app-5xx-alarm").inputs
    groups = {q["metric"]["dimensions"]["TargetGroup"] for q in alarm["metricQueries"] if "metric" in q}
    assert groups == {run.one(TARGET_GROUP, f"webstack-prod-app-{c}").outputs["arnSuffix"] for c in ("blue", "green")}
    (result,) = [q for q in alarm["metricQueries"] if q.get("returnData")]
    assert result["expression"].startswith("IF((")
    assert (alarm["threshold"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (5, 3, 2)
    assert alarm["treatMissingData"] == "notBreaching"


# -- the Fargate service -------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_tasks_run_in_the_app_subnets_without_public_addresses(shipped_run, stack):
    run = shipped_run(stack)
    network = run.one(SERVICE).inputs["networkConfiguration"]
    assert network["subnets"] == run.outputs["privateSubnetIds"]
    assert network["securityGroups"] == [group(run, "app").outputs["id"]]
    assert network["assignPublicIp"] is False


def test_without_nat_tasks_get_public_addresses_in_the_public_subnets(plan):
    values = stack_values("dev")
    values["webstack:network"]["natGateways"] = "none"
    run = plan(values)
    network = run.one(SERVICE).inputs["networkConfiguration"]
    assert network["assignPublicIp"] is True
    assert network["subnets"] == run.outputs["publicSubnetIds"]


def test_prod_keeps_three_tasks_on_demand_and_dev_runs_on_spot(shipped_run):
    prod = {s["capacityProvider"]: s for s in shipped_run("prod").one(SERVICE).inputs["capacityProviderStrategies"]}
    dev = {s["capacityProvider"]: s for s in shipped_run("dev").one(SERVICE).inputs["capacityProviderStrategies"]}
    assert (prod["FARGATE"]["base"], prod["FARGATE"]["weight"], prod["FARGATE_SPOT"]["weight"]) == (3, 100, 0)
    assert (dev["FARGATE"]["weight"], dev["FARGATE_SPOT"]["weight"]) == (0, 100)
    assert shipped_run("prod").one(SERVICE).inputs["desiredCount"] == 3


@pytest.mark.parametrize("stack", STACKS)
def test_the_container_logs_to_a_retained_encrypted_group_and_gets_settings_and_secrets_apart(shipped_run, stack):
    run = shipped_run(stack)
    app = container(run)
    options = app["logConfiguration"]["options"]
    logs = run.one(LOG_GROUP, options["awslogs-group"].rsplit("-", 1)[0])
    assert logs.inputs["kmsKeyId"] == regional_key(run).outputs["arn"]
    assert logs.inputs["retentionInDays"] == (365 if stack == "prod" else 7)
    settings = {variable["name"]: variable["value"] for variable in app["environment"]}
    assert settings["DATABASE_HOST"] == run.outputs["database"]["address"]
    assert settings["SESSIONS_TABLE"] == run.outputs["sessionsTable"]["name"]
    assert settings["CACHE_USER"] == run.outputs["cache"]["iamUser"]
    secrets = {secret["name"]: secret["valueFrom"] for secret in app["secrets"]}
    database_secret = run.outputs["database"]["secretArn"]
    assert secrets == {
        "DATABASE_PASSWORD": f"{database_secret}:password::",
        "DATABASE_USERNAME": f"{database_secret}:username::",
    }
    assert not {"DATABASE_PASSWORD", "DATABASE_USERNAME"} & set(settings)


def test_the_task_runs_on_graviton_with_the_configured_size(shipped_run):
    task = shipped_run("prod").one(TASK).inputs
    assert (task["cpu"], task["memory"]) == ("1024", "2048")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert (task["networkMode"], task["requiresCompatibilities"]) == ("awsvpc", ["FARGATE"])


def test_config_secrets_reach_the_task_as_secrets_and_the_execution_role_may_read_only_those(plan):
    values = stack_values("dev")
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbCdEf"
    values["webstack:compute"]["secrets"] = {"STRIPE_KEY": arn}
    run = plan(values)
    assert {"name": "STRIPE_KEY", "valueFrom": arn} in container(run)["secrets"]
    (read,) = [s for s in policy_of(run, "webstack-test-app-execution-policy") if s["Sid"] == "ReadItsSecrets"]
    assert read["Resource"] == sorted([arn, run.outputs["database"]["secretArn"]])


@pytest.mark.parametrize("stack", STACKS)
def test_no_role_of_the_app_names_a_wildcard_resource(shipped_run, stack):
    run = shipped_run(stack)
    for name in (f"webstack-{stack}-app-execution-policy", f"webstack-{stack}-app-task-policy"):
        resources = [
            r
            for s in policy_of(run, name)
            for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
        ]
        assert resources
        assert [r for r in resources if r == "*"] == [], name


def test_the_task_role_may_use_only_its_table_and_its_cache_user(shipped_run):
    run = shipped_run("prod")
    statements = {s["Sid"]: s for s in policy_of(run, "webstack-prod-app-task-policy")}
    table = run.outputs["sessionsTable"]["arn"]
    assert statements["UseItsSessionsTable"]["Resource"] == [table, f"{table}/index/*"]
    cache = statements["ConnectToItsCache"]
    assert cache["Action"] == "elasticache:Connect"
    assert cache["Resource"] == [
        run.one("aws:elasticache/replicationGroup:ReplicationGroup").outputs["arn"],
        run.one("aws:elasticache/user:User", "webstack-prod-cache-app-user").outputs["arn"],
    ]


def test_ecs_exec_is_off_by_default_and_logged_when_on(shipped_run, plan):
    assert shipped_run("prod").one(SERVICE).inputs["enableExecuteCommand"] is False
    values = stack_values("dev")
    values["webstack:compute"]["execCommand"] = True
    run = plan(values)
    assert run.one(SERVICE).inputs["enableExecuteCommand"] is True
    sids = {s["Sid"] for s in policy_of(run, "webstack-test-app-task-policy")}
    assert {"EcsExecChannels", "LogExecSessions", "EncryptExecSessions"} <= sids
    logging = run.one(CLUSTER).inputs["configuration"]["executeCommandConfiguration"]
    assert logging["logging"] == "OVERRIDE"
    assert logging["kmsKeyId"] == regional_key(run).outputs["arn"]


def test_the_cluster_has_container_insights(shipped_run):
    assert shipped_run("prod").one(CLUSTER).inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


# -- scaling -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_scaling_keeps_the_configured_bounds(shipped_run, stack):
    run = shipped_run(stack)
    compute = parse_config(stack_values(stack)).compute.services["app"]
    target = run.one(SCALING_TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (compute.min_count, compute.max_count)
    assert target["scalableDimension"] == "ecs:service:DesiredCount"


def test_prod_scales_on_cpu_only_while_releases_move_traffic_between_groups(shipped_run):
    policies = [p.inputs["targetTrackingScalingPolicyConfiguration"] for p in shipped_run("prod").find(SCALING_POLICY)]
    metrics = [p["predefinedMetricSpecification"]["predefinedMetricType"] for p in policies]
    assert metrics == ["ECSServiceAverageCPUUtilization"]
    assert policies[0]["targetValue"] == 60


def test_a_rolling_service_also_scales_on_requests_per_target(shipped_run):
    run = shipped_run("dev")
    labels = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"].get("resourceLabel")
        for p in run.find(SCALING_POLICY)
    }
    blue = run.one(TARGET_GROUP, "webstack-dev-app-blue").outputs["arnSuffix"]
    assert f"{run.one(LOAD_BALANCER).outputs['arnSuffix']}/{blue}" in labels


def test_a_non_prod_schedule_scales_to_zero_and_back(plan):
    values = stack_values("dev")
    values["webstack:compute"]["schedule"] = {
        "scaleDown": "cron(0 19 ? * MON-FRI *)",
        "scaleUp": "cron(0 7 ? * MON-FRI *)",
        "timeZone": "Europe/Dublin",
    }
    actions = {a.name: a.inputs for a in plan(values).find("aws:appautoscaling/scheduledAction:ScheduledAction")}
    down, up = actions["webstack-test-app-scale-down"], actions["webstack-test-app-scale-up"]
    assert down["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
    assert up["scalableTargetAction"] == {"minCapacity": 1, "maxCapacity": 2}
    assert down["timezone"] == up["timezone"] == "Europe/Dublin"


# -- the EC2 kind --------------------------------------------------------------------------------


def test_ec2_instances_use_imdsv2_no_key_pair_and_an_encrypted_volume(ec2_run):
    template = ec2_run.one(TEMPLATE).inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 2,
    }
    assert "keyName" not in template
    (volume,) = template["blockDeviceMappings"]
    assert (volume["ebs"]["volumeType"], volume["ebs"]["encrypted"]) == ("gp3", "true")
    assert volume["ebs"]["kmsKeyId"] == regional_key(ec2_run).outputs["arn"]
    assert template["vpcSecurityGroupIds"] == [group(ec2_run, "app").outputs["id"]]
    assert template["imageId"].startswith("ami-")


def test_ec2_group_refreshes_by_itself_and_rolls_back_on_the_deployment_alarms(ec2_run):
    group_inputs = ec2_run.one(GROUP).inputs
    refresh = group_inputs["instanceRefresh"]
    assert refresh["strategy"] == "Rolling"
    preferences = refresh["preferences"]
    assert preferences["autoRollback"] is True
    assert (preferences["minHealthyPercentage"], preferences["maxHealthyPercentage"]) == (100, 200)
    assert sorted(preferences["alarmSpecification"]["alarms"]) == sorted(ec2_run.outputs["app"]["deploymentAlarms"])
    assert group_inputs["launchTemplate"]["version"] == "1"  # a specific version: rollback needs one
    assert group_inputs["healthCheckType"] == "ELB"
    assert group_inputs["targetGroupArns"] == [ec2_run.one(TARGET_GROUP, "webstack-prod-app-blue").outputs["arn"]]
    assert (group_inputs["minSize"], group_inputs["maxSize"]) == (3, 9)
    assert group_inputs["vpcZoneIdentifiers"] == ec2_run.outputs["privateSubnetIds"]


def test_ec2_user_data_fetches_secrets_at_boot_and_never_holds_them(ec2_run):
    script = base64.b64decode(ec2_run.one(TEMPLATE).inputs["userData"]).decode()
    secret = ec2_run.outputs["database"]["secretArn"]
    assert f"--secret-id {shlex.quote(secret)}" in script
    assert "jq -r .password" in script
    assert "DATABASE_PASSWORD=$(aws secretsmanager get-secret-value" in script
    assert "docker run -d --restart always --name app -p 80:80" in script


def test_the_autoscaling_service_role_may_use_the_key_for_volumes(ec2_run):
    statements = {s["Sid"]: s for s in json.loads(regional_key_policy(ec2_run).inputs["policy"])["Statement"]}
    principal = statements["AutoScalingEncryptsVolumes"]["Principal"]["AWS"]
    assert principal.endswith(":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
    assert (
        "ec2.eu-west-1.amazonaws.com"
        in statements["Ec2UsesKeyForVolumes"]["Condition"]["StringEquals"]["kms:ViaService"]
    )


def test_the_ec2_example_keeps_its_release_within_the_goal(ec2_run):
    assert ec2_run.outputs["release"]["worstCaseLiveSeconds"] < 300


# -- growth: releases and resizes keep every URN -------------------------------------------------

KEPT = (SERVICE, CLUSTER, LOAD_BALANCER, TARGET_GROUP, RULE)


def urns(run) -> set[str]:
    return {r.urn for r in run.registrations if r.type in KEPT}


@pytest.mark.parametrize(
    ("change", "updated"),
    [
        ({"image": "public.ecr.aws/nginx/nginx:1.28"}, {TASK: "containerDefinitions", SERVICE: "taskDefinition"}),
        ({"cpu": 2048, "memory": 4096}, {TASK: "cpu", SERVICE: "taskDefinition"}),
        ({"desiredCount": 4, "minCount": 4, "maxCount": 20}, {SCALING_TARGET: "maxCapacity"}),
        ({"deployment": {"strategy": "blueGreen"}}, {SERVICE: "deploymentConfiguration"}),
        ({"deployment": {"strategy": "rolling"}}, {SERVICE: "deploymentConfiguration"}),
    ],
)
def test_a_release_a_resize_or_a_new_strategy_keeps_the_service_and_its_load_balancer(shipped_run, change, updated):
    values = stack_values("prod")
    values["webstack:compute"].update(change)
    before, after = shipped_run("prod"), run_offline("prod", values)
    diff = diff_runs(before, after)

    assert urns(after) == urns(before)
    assert [c for c in diff.of(Action.REPLACE) if c.type in KEPT] == []
    assert diff.of(Action.DELETE) == [] or {c.type for c in diff.of(Action.DELETE)} <= {
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        SCALING_POLICY,
    }
    changed = {(c.type, key) for c in (*diff.of(Action.UPDATE), *diff.of(Action.REPLACE)) for key in c.keys}
    for type_, key in updated.items():
        assert any(t == type_ and k.split(" ")[0] == key for t, k in changed), (type_, key, changed)


def test_a_new_image_replaces_only_the_task_definition(shipped_run):
    values = stack_values("prod")
    values["webstack:compute"]["image"] = "public.ecr.aws/nginx/nginx:1.28"
    diff = diff_runs(shipped_run("prod"), run_offline("prod", values))

    assert [c.type for c in diff.of(Action.REPLACE)] == [TASK]
    assert [(c.type, c.keys) for c in diff.of(Action.UPDATE)] == [(SERVICE, ("taskDefinition",))]
