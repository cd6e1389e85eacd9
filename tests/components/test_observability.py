"""Observability under the mock engine: an alarm on every tier, each on this stack's resources and notifying the
topic of its region; the dashboard draws what the alarms watch; the budget; topics only this account's alarms
and budgets reach; every log group kept for a while and encrypted."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from config.errors import PlanError
from ops.engine import run_offline
from tests.components.conftest import KEY_POLICY
from tests.conftest import stack_values

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
BUDGET = "aws:budgets/budget:Budget"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
PROVIDER = "pulumi:providers:aws"

PROD_ALARMS = {
    "edge-5xx", "edge-waf-blocked",
    "load-balancer-5xx", "load-balancer-latency",
    "app-cpu", "app-memory", "app-tasks",
    "database-cpu", "database-storage", "database-memory", "database-connections",
    *(f"cache-node{n}-{what}" for n in (1, 2, 3) for what in ("cpu", "engine-cpu", "memory", "evictions", "lag")),
    "sessions-throttles", "sessions-errors",
}  # fmt: skip
DEPLOYMENT_ALARMS = {"app-5xx", "app-blue-unhealthy", "app-green-unhealthy"}


def alarms(run) -> dict[str, object]:
    """Tier alarms by their key (`database-cpu`), deployment alarms by theirs (`app-5xx`)."""
    found = {}
    for alarm in run.find(ALARM):
        stack_prefix = alarm.name.split("-monitoring-")[0] if "-monitoring-" in alarm.name else None
        key = alarm.name.split("-monitoring-", 1)[1] if stack_prefix else alarm.name.split("-", 2)[2]
        found[key.removesuffix("-alarm")] = alarm
    return found


def dimensions(alarm) -> list[dict]:
    return [query["metric"]["dimensions"] for query in alarm.inputs["metricQueries"] if query.get("metric")]


def topics(run, stack: str) -> tuple[str, str]:
    regional = run.one(TOPIC, f"webstack-{stack}-alerts-topic").outputs["arn"]
    global_ = run.one(TOPIC, f"webstack-{stack}-alerts-global-topic").outputs["arn"]
    return regional, global_


# -- the alarm set ------------------------------------------------------------------------------------------


def test_prod_has_an_alarm_on_every_tier_and_the_deployment_alarms(shipped_run):
    assert set(alarms(shipped_run("prod"))) == PROD_ALARMS | DEPLOYMENT_ALARMS


def test_dev_watches_its_serverless_cache_and_has_no_waf_or_task_count_alarm(shipped_run):
    found = set(alarms(shipped_run("dev")))
    assert {"cache-throttled", "cache-evictions"} <= found
    assert not {"edge-waf-blocked", "app-tasks"} & found  # no WAF; Container Insights is off in dev
    assert not any(key.startswith("cache-node") for key in found)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_alarm_notifies_the_topic_of_its_region_when_it_fires_and_when_it_clears(shipped_run, stack):
    run = shipped_run(stack)
    regional, global_ = topics(run, stack)
    us_east_1 = run.one(PROVIDER, f"webstack-{stack}-aws-global").urn
    for key, alarm in alarms(run).items():
        expected = [global_] if key.startswith("edge-") else [regional]
        assert alarm.inputs["alarmActions"] == expected, key
        assert alarm.inputs["okActions"] == expected, key
        assert (alarm.provider == us_east_1) is key.startswith("edge-"), key


def test_alarms_watch_this_stacks_resources(shipped_run):
    run = shipped_run("prod")
    found = alarms(run)
    database = run.one("aws:rds/instance:Instance")
    assert dimensions(found["database-cpu"]) == [{"DBInstanceIdentifier": database.outputs["identifier"]}]
    balancer = run.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    assert {d["LoadBalancer"] for d in dimensions(found["load-balancer-latency"])} == {balancer}
    service = run.one("aws:ecs/service:Service")
    cluster = run.one("aws:ecs/cluster:Cluster")
    assert dimensions(found["app-cpu"]) == [
        {"ClusterName": cluster.outputs["name"], "ServiceName": service.outputs["name"]}
    ]
    members = sorted(run.one("aws:elasticache/replicationGroup:ReplicationGroup").outputs["memberClusters"])
    assert [dimensions(found[f"cache-node{n}-cpu"])[0]["CacheClusterId"] for n in (1, 2, 3)] == members
    table = run.one("aws:dynamodb/table:Table").outputs["name"]
    assert {d["TableName"] for d in dimensions(found["sessions-errors"])} == {table}
    distribution = run.one("aws:cloudfront/distribution:Distribution").outputs["id"]
    assert dimensions(found["edge-5xx"]) == [{"DistributionId": distribution, "Region": "Global"}]
    waf = run.one("aws:wafv2/webAcl:WebAcl").inputs["visibilityConfig"]["metricName"]
    assert dimensions(found["edge-waf-blocked"]) == [{"WebACL": waf, "Rule": "ALL"}]


def test_thresholds_follow_the_database_class_and_its_storage(shipped_run):
    found = alarms(shipped_run("prod"))
    # db.m7g.large: 8 GiB; max_connections = 8 GiB / 9,531,392 bytes = 901; 80% of it.
    assert found["database-connections"].inputs["threshold"] == 721
    assert found["database-memory"].inputs["threshold"] == pytest.approx(8 * 2**30 * 0.10)
    # 5% of the 100 GB allocated (autoscaling adds space at 10% free); storage and memory alarm below it.
    assert found["database-storage"].inputs["threshold"] == pytest.approx(100 * 2**30 * 0.05)
    assert found["database-storage"].inputs["comparisonOperator"] == "LessThanThreshold"


def test_thresholds_and_m_of_n_come_from_the_config(plan):
    values = stack_values("prod")
    values["webstack:observability"]["alarms"] = {"cpuPercent": 65, "breachingMinutes": 2, "evaluationMinutes": 4}
    found = alarms(plan(values))
    cpu = found["database-cpu"].inputs
    assert (cpu["threshold"], cpu["datapointsToAlarm"], cpu["evaluationPeriods"]) == (65, 2, 4)
    # The deployment alarms keep the evaluation the release estimate assumes.
    deployment = found["app-5xx"].inputs
    assert (deployment["datapointsToAlarm"], deployment["evaluationPeriods"]) == (2, 3)


def test_missing_data_is_chosen_per_alarm(shipped_run):
    found = alarms(shipped_run("prod"))
    # A database or a node that stops reporting is down; no requests means nothing is failing.
    assert {found[key].inputs["treatMissingData"] for key in ("database-cpu", "database-storage", "app-tasks")} == {
        "breaching"
    }
    assert {found[key].inputs["treatMissingData"] for key in ("load-balancer-5xx", "edge-5xx", "sessions-errors")} == {
        "notBreaching"
    }


def test_the_ec2_app_is_watched_by_its_group(stack_file_run):
    run = stack_file_run("examples/Pulumi.prod-ec2.yaml")
    found = alarms(run)
    group = run.one("aws:autoscaling/group:Group").outputs["name"]
    assert {"app-cpu", "app-instances"} <= set(found)
    assert "app-memory" not in found  # needs the CloudWatch agent
    assert {d["AutoScalingGroupName"] for d in dimensions(found["app-instances"])} == {group}


# -- the dashboard -------------------------------------------------------------------------------------------


def test_the_dashboard_draws_every_alarm_with_its_threshold_tier_by_tier(shipped_run):
    run = shipped_run("prod")
    widgets = json.loads(run.one(DASHBOARD).inputs["dashboardBody"])["widgets"]
    headers = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    assert headers == [
        "## Edge: CloudFront and WAF",
        "## Load balancer",
        "## App (ECS Fargate)",
        "## Database (RDS PostgreSQL)",
        "## Cache (ElastiCache nodes)",
        "## Sessions (DynamoDB)",
    ]
    drawn = {
        (
            w["properties"]["annotations"]["horizontal"][0]["label"],
            w["properties"]["annotations"]["horizontal"][0]["value"],
        )
        for w in widgets
        if "annotations" in w.get("properties", {})
    }
    expected = {(a.inputs["alarmDescription"], a.inputs["threshold"]) for a in run.find(ALARM)}
    assert drawn == expected
    edge = [w for w in widgets if w["type"] == "metric" and "CloudFront" in json.dumps(w["properties"]["metrics"])]
    assert edge
    assert {w["properties"]["region"] for w in edge} == {"us-east-1"}
    golden = {w["properties"]["title"].rsplit("[", 1)[1].rstrip("]") for w in widgets if w["type"] == "metric"}
    assert golden == {"traffic", "errors", "latency", "saturation"}


def test_dev_has_no_dashboard(shipped_run):
    assert shipped_run("dev").find(DASHBOARD) == []


# -- the budget ---------------------------------------------------------------------------------------------


def test_the_budget_watches_this_stacks_cost_and_warns_early(shipped_run):
    run = shipped_run("prod")
    budget = run.one(BUDGET).inputs
    regional, _ = topics(run, "prod")
    assert (budget["budgetType"], budget["timeUnit"], budget["limitAmount"]) == ("COST", "MONTHLY", "3000")
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:Stack$prod"]}]
    alerts = {(n["threshold"], n["notificationType"]) for n in budget["notifications"]}
    assert alerts == {(80, "ACTUAL"), (100, "FORECASTED")}
    for notification in budget["notifications"]:
        assert notification["subscriberSnsTopicArns"] == [regional]
        assert notification["subscriberEmailAddresses"] == ["platform-oncall@example.com"]


# -- the topics ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "key", "budgets"), [("topic", "encryption-key", True), ("global-topic", "global-encryption-key", False)]
)
def test_each_topic_is_encrypted_with_its_regions_key_and_only_this_accounts_alarms_publish(
    shipped_run, topic, key, budgets
):
    run = shipped_run("prod")
    registered = run.one(TOPIC, f"webstack-prod-alerts-{topic}")
    key_arn = run.one(KEY, f"webstack-prod-{key}").outputs["arn"]
    assert registered.inputs["kmsMasterKeyId"] == key_arn
    policy = {
        s["Sid"]: s
        for s in json.loads(run.one(TOPIC_POLICY, f"webstack-prod-alerts-{topic}-policy").inputs["policy"])["Statement"]
    }
    alarms_publish = policy["ThisAccountsAlarmsPublish"]
    assert alarms_publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms_publish["Condition"]["StringEquals"] == {"aws:SourceAccount": "111111111111"}
    assert ("ThisAccountsBudgetsPublish" in policy) is budgets
    assert policy["DenyInsecureTransport"]["Effect"] == "Deny"
    key_policy = {
        s["Sid"]: s
        for s in json.loads(run.one(KEY_POLICY, f"webstack-prod-{key}-policy").inputs["policy"])["Statement"]
    }
    publish = key_policy["AlarmsAndBudgetsPublishToTopics"]
    region = registered.outputs["arn"].split(":")[3]
    assert publish["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:{region}:111111111111:*"}
    }


def test_each_address_is_subscribed_to_both_topics_under_a_name_its_position_does_not_change(plan):
    values = stack_values("prod")
    values["webstack:observability"]["alarmEmails"] = ["a@example.com", "b@example.com"]
    before = {s.name for s in plan(values).find(SUBSCRIPTION)}
    values["webstack:observability"]["alarmEmails"] = ["b@example.com"]
    after = {s.name for s in plan(values).find(SUBSCRIPTION)}
    assert len(before) == 4
    assert after < before  # removing a stays a removal: b's subscriptions keep their names


def test_a_webhook_is_subscribed_with_its_url_kept_secret(plan):
    values = stack_values("prod")
    values["webstack:observability"]["alarmWebhookUrl"] = "https://hooks.example.com/T0/B0/token-123"
    run = plan(values)
    hooks = [s for s in run.find(SUBSCRIPTION) if s.inputs["protocol"] == "https"]
    assert len(hooks) == 2
    assert {hook.inputs["endpoint"] for hook in hooks} == {"[secret]"}
    assert {hook.secret_inputs["endpoint"] for hook in hooks} == {"https://hooks.example.com/T0/B0/token-123"}
    assert "token-123" not in json.dumps([r.inputs for r in run.registrations])


# -- every log group ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stack_file",
    ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "examples/Pulumi.prod-ec2.yaml", "examples/Pulumi.prod-minimal.yaml",
     "examples/Pulumi.dev-lean.yaml"],
)  # fmt: skip
def test_every_log_group_has_a_retention_from_config_and_a_key(stack_file_run, stack_file):
    run = stack_file_run(stack_file)
    groups = run.find(LOG_GROUP)
    assert len(groups) >= 3
    keys = {k.outputs["arn"] for k in run.find(KEY)}
    without = [g.name for g in groups if not g.inputs.get("retentionInDays") or g.inputs.get("kmsKeyId") not in keys]
    assert without == []


def test_container_insights_writes_to_a_group_made_first_with_retention_and_the_key(shipped_run):
    run = shipped_run("prod")
    cluster = run.one("aws:ecs/cluster:Cluster")
    (insights,) = [g for g in run.find(LOG_GROUP) if g.name.endswith("-insights-logs")]
    assert insights.inputs["name"] == f"/aws/ecs/containerinsights/{cluster.inputs['name']}/performance"
    assert insights.urn in cluster.depends_on
    assert {s["name"]: s["value"] for s in cluster.inputs["settings"]} == {"containerInsights": "enhanced"}


# -- the engine refuses what CloudWatch refuses ---------------------------------------------------------------


def alarm_program(region: str, topic_region: str, datapoints: int = 1):
    def program() -> None:
        provider = aws.Provider("aws", region=region)
        aws.cloudwatch.MetricAlarm(
            "alarm",
            comparison_operator="GreaterThanThreshold",
            threshold=1,
            evaluation_periods=2,
            datapoints_to_alarm=datapoints,
            metric_queries=[
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="m",
                    return_data=True,
                    metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace="AWS/RDS", metric_name="CPUUtilization", period=60, stat="Average"
                    ),
                )
            ],
            alarm_actions=[f"arn:aws:sns:{topic_region}:123456789012:alerts"],
            opts=pulumi.ResourceOptions(provider=provider),
        )

    return program


def test_the_engine_refuses_an_alarm_that_notifies_another_regions_topic():
    run_offline("mock-test", stack_values("dev"), program=alarm_program("us-east-1", "us-east-1"))
    with pytest.raises(PlanError, match="an alarm in us-east-1 cannot notify the topic"):
        run_offline("mock-test", stack_values("dev"), program=alarm_program("us-east-1", "eu-west-1"))


def test_the_engine_refuses_more_breaching_datapoints_than_periods():
    with pytest.raises(PlanError, match="datapointsToAlarm 3 is more than evaluationPeriods 2"):
        run_offline("mock-test", stack_values("dev"), program=alarm_program("eu-west-1", "eu-west-1", datapoints=3))


# -- growth -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda values: values["webstack:compute"].update(containerInsights="enabled"),
        lambda values: values["webstack:observability"].update(dashboard=True),
        lambda values: values["webstack:observability"]["alarmEmails"].append("b@example.com"),
        lambda values: values["webstack:observability"].update(alarms={"cpuPercent": 70}),
    ],
    ids=["container-insights-on", "dashboard-on", "more-addresses", "new-threshold"],
)
def test_turning_monitoring_up_in_dev_adds_and_updates_only(shipped_run, change):
    from ops.diff import Action, diff_runs

    values = stack_values("dev")
    change(values)
    diff = diff_runs(shipped_run("dev"), run_offline("dev", values))
    assert diff.of(Action.REPLACE) == []
    assert [c.name for c in diff.of(Action.DELETE)] == []
    assert diff.changes


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_new_database_does_not_start_in_alarm_for_its_storage(shipped_run, stack):
    """A fresh database has (nearly) all its allocated storage free: the alarm must sit well below that."""
    run = shipped_run(stack)
    allocated = run.one("aws:rds/instance:Instance").inputs["allocatedStorage"] * 2**30
    threshold = alarms(run)["database-storage"].inputs["threshold"]
    assert threshold < 0.10 * allocated  # below where storage autoscaling steps in
