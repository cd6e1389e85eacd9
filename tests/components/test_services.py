"""Several services on one platform (examples/Pulumi.prod-services.yaml: web, api, worker): routing, roles,
discovery, the security group chain, the worker's queue, growth, and the single-app form's URNs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from config.compute import rule_priority
from config.loader import parse_config
from config.stackfile import read_stack_file
from ops.diff import Action, diff_runs
from ops.engine import OfflineRun, run_offline
from tests.components.conftest import admitted, regional_key, rules
from tests.conftest import ROOT, stack_values

EXAMPLE = "examples/Pulumi.prod-services.yaml"
STACK = "prod-services"
SERVICES = ("web", "api", "worker")
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
NAMESPACE = "aws:servicediscovery/httpNamespace:HttpNamespace"
CLUSTER = "aws:ecs/cluster:Cluster"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SHIPPED = {
    "dev": "Pulumi.dev.yaml",
    "prod": "Pulumi.prod.yaml",
    "prod-ec2": "examples/Pulumi.prod-ec2.yaml",
    "dev-lean": "examples/Pulumi.dev-lean.yaml",
    "prod-minimal": "examples/Pulumi.prod-minimal.yaml",
    "prod-access": "examples/Pulumi.prod-access.yaml",
}
URN_SNAPSHOTS = ROOT / "tests" / "data" / "urns"


@pytest.fixture
def run(stack_file_run) -> OfflineRun:
    return stack_file_run(EXAMPLE)


def owned(run: OfflineRun, type_: str, service: str) -> list:
    """The resources of `type_` a service's component made (their names start with `<root>-<service>-`)."""
    return [r for r in run.find(type_) if r.name.startswith(f"webstack-prod-services-{service}-")]


def task_role_policy(run: OfflineRun, service: str) -> list[dict]:
    return json.loads(run.one(ROLE_POLICY, f"webstack-prod-services-{service}-task-policy").inputs["policy"])[
        "Statement"
    ]


def environment(run: OfflineRun, service: str) -> dict[str, str]:
    (task,) = owned(run, TASK, service)
    (container,) = json.loads(task.inputs["containerDefinitions"])
    return {variable["name"]: variable["value"] for variable in container["environment"]}


def queue(run: OfflineRun, role: str):
    return run.one(QUEUE, f"webstack-prod-services-worker-queue-{role}")


# -- routing -------------------------------------------------------------------------------------


def test_each_public_service_has_its_target_groups_and_rule_and_the_worker_none(run):
    assert {s: len(owned(run, TARGET_GROUP, s)) for s in SERVICES} == {"web": 2, "api": 2, "worker": 0}
    assert {s: len(owned(run, RULE, s)) for s in SERVICES} == {"web": 1, "api": 1, "worker": 0}
    (worker,) = owned(run, SERVICE, "worker")
    assert "loadBalancers" not in worker.inputs
    assert "healthCheckGracePeriodSeconds" not in worker.inputs


def test_the_api_takes_its_paths_at_a_priority_from_its_name_and_the_web_takes_the_rest_last(run):
    (api,) = owned(run, RULE, "api")
    (web,) = owned(run, RULE, "web")
    config = parse_config(read_stack_file(ROOT / EXAMPLE)).compute.services["api"].routing

    assert api.inputs["priority"] == rule_priority("api", config) < web.inputs["priority"] == 50_000
    assert api.inputs["conditions"] == [{"pathPattern": {"values": ["/api/*"]}}]
    assert web.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]


def test_derived_priorities_depend_on_the_name_alone():
    from config.compute import RoutingConfig

    routing = RoutingConfig.model_validate({"paths": ["/a/*"]})
    assert rule_priority("api", routing) == rule_priority("api", RoutingConfig.model_validate({"paths": ["/b/*"]}))
    assert rule_priority("api", routing) != rule_priority("admin", routing)
    assert rule_priority("api", RoutingConfig.model_validate({"paths": ["/a/*"], "priority": 7})) == 7


# -- roles: each service touches only what it declares --------------------------------------------------


def test_the_worker_consumes_its_own_queue_and_reads_only_the_database_secret(run):
    statements = {s["Sid"]: s for s in task_role_policy(run, "worker")}

    assert set(statements) == {"RereadItsDatabaseSecret", "WorkItsQueue"}
    assert statements["WorkItsQueue"]["Resource"] == queue(run, "messages").outputs["arn"]
    assert "sqs:SendMessage" not in statements["WorkItsQueue"]["Action"]


def test_the_api_may_send_to_the_worker_queue_but_not_take_from_it(run):
    statements = {s["Sid"]: s for s in task_role_policy(run, "api")}

    assert statements["SendToItsWorkers"]["Resource"] == [queue(run, "messages").outputs["arn"]]
    assert "sqs:ReceiveMessage" not in json.dumps(statements)
    assert {"UseItsSessionsTable", "RereadItsDatabaseSecret", "ConnectToItsCache"} <= set(statements)


def test_the_web_front_touches_only_the_sessions_table(run):
    statements = task_role_policy(run, "web")

    assert [s["Sid"] for s in statements] == ["UseItsSessionsTable"]
    assert "sqs" not in json.dumps(statements)
    assert "DATABASE_HOST" not in environment(run, "web")


def test_no_role_names_another_services_log_group(run):
    for service in SERVICES:
        policy = json.loads(run.one(ROLE_POLICY, f"webstack-prod-services-{service}-execution-policy").inputs["policy"])
        (log_group,) = owned(run, "aws:cloudwatch/logGroup:LogGroup", service)
        logs = [s for s in policy["Statement"] if s["Sid"] == "WriteItsLogs"]
        assert [s["Resource"] for s in logs] == [f"{log_group.outputs['arn']}:*"]


# -- discovery and the security group chain --------------------------------------------------------------


def test_the_api_is_found_by_name_and_the_web_is_its_only_caller(run):
    assert run.one(CLUSTER).inputs["serviceConnectDefaults"]["namespace"] == run.one(NAMESPACE).outputs["arn"]
    (api,) = owned(run, SERVICE, "api")
    (web,) = owned(run, SERVICE, "web")
    (worker,) = owned(run, SERVICE, "worker")
    served = api.inputs["serviceConnectConfiguration"]["services"]

    assert served == [{"portName": "http", "discoveryName": "api", "clientAlias": [{"port": 8000, "dnsName": "api"}]}]
    assert web.inputs["serviceConnectConfiguration"]["enabled"] is True
    assert "services" not in web.inputs["serviceConnectConfiguration"]
    assert "serviceConnectConfiguration" not in worker.inputs
    assert environment(run, "web")["API_URL"] == "http://api:8000"


def test_each_service_group_admits_only_the_load_balancer_and_its_declared_callers(run):
    assert admitted(run, "web") == {(8080, "alb")}
    assert admitted(run, "api") == {(8000, "alb"), (8000, "web")}
    assert admitted(run, "worker") == set()
    assert admitted(run, "database") == {(5432, "api"), (5432, "worker")}
    assert admitted(run, "cache") == {(6379, "api")}
    web_out = {(r.port, r.peer) for r in rules(run) if r.direction == "egress" and r.group == "web"}
    assert web_out == {(443, "0.0.0.0/0"), (8000, "api")}


# -- the worker's queue ------------------------------------------------------------------------------------


def test_the_worker_queue_is_encrypted_with_a_dead_letter_queue_and_kept_in_prod(run):
    messages, dead = queue(run, "messages"), queue(run, "dead-letters")
    key = regional_key(run).outputs["arn"]

    assert messages.inputs["kmsMasterKeyId"] == dead.inputs["kmsMasterKeyId"] == key
    assert json.loads(messages.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dead.outputs["arn"],
        "maxReceiveCount": 5,
    }
    assert messages.inputs["visibilityTimeoutSeconds"] == 120
    assert dead.inputs["messageRetentionSeconds"] == 14 * 86_400
    assert messages.protect
    assert dead.protect
    assert messages.retain_on_delete
    allow = json.loads(run.one(REDRIVE_ALLOW).inputs["redriveAllowPolicy"])
    assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [messages.outputs["arn"]]}
    for policy in run.find(QUEUE_POLICY):
        (statement,) = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_worker_scales_on_backlog_per_task(run):
    (backlog,) = [p for p in run.find(SCALING_POLICY) if p.name == "webstack-prod-services-worker-backlog-scaling"]
    tracking = backlog.inputs["targetTrackingScalingPolicyConfiguration"]
    metrics = {m["id"]: m for m in tracking["customizedMetricSpecification"]["metrics"]}
    (worker,) = owned(run, SERVICE, "worker")

    assert tracking["targetValue"] == 50
    assert metrics["backlog"] == {
        "id": "backlog",
        "expression": "messages / tasks",
        "label": "Backlog per task",
        "returnData": True,
    }
    queue_dimension = metrics["messages"]["metricStat"]["metric"]["dimensions"]
    assert queue_dimension == [{"name": "QueueName", "value": queue(run, "messages").outputs["name"]}]
    task_dimensions = {d["name"]: d["value"] for d in metrics["tasks"]["metricStat"]["metric"]["dimensions"]}
    assert task_dimensions["ServiceName"] == worker.inputs["name"]
    assert not [p for p in run.find(SCALING_POLICY) if p.name == "webstack-prod-services-worker-requests-scaling"]


def test_the_redrive_alarm_fires_on_the_first_dead_letter(run):
    alarm = run.one(ALARM, "webstack-prod-services-monitoring-worker-deadletters-alarm")
    (query,) = [q for q in alarm.inputs["metricQueries"] if q.get("metric")]

    assert alarm.inputs["threshold"] == 0
    assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert query["metric"]["dimensions"] == {"QueueName": queue(run, "dead-letters").outputs["name"]}


def test_each_service_has_its_own_log_group_alarms_and_cost_lines(run):
    from ops.cost.estimate import estimate
    from ops.cost.prices import PriceBook

    config = parse_config(read_stack_file(ROOT / EXAMPLE))
    lines = estimate(run, config, PriceBook.for_region(config.region)).lines
    for service in SERVICES:
        assert len(owned(run, "aws:cloudwatch/logGroup:LogGroup", service)) == 1
        assert run.find(ALARM, f"webstack-prod-services-monitoring-{service}-cpu-alarm")
        (ecs_service,) = owned(run, SERVICE, service)
        assert any(line.urn == ecs_service.urn and line.monthly > 0 for line in lines), service
    assert any(line.type == QUEUE and line.monthly > 0 for line in lines)


# -- growth and the single-app form -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def grown() -> OfflineRun:
    """The example with two more services: admin (public, /admin/*) and users (internal, called by admin)."""
    values = copy.deepcopy(read_stack_file(ROOT / EXAMPLE))
    image = "public.ecr.aws/nginx/nginx:1.27"
    values["webstack:compute"]["services"] |= {
        "admin": {"image": image, "routing": {"paths": ["/admin/*"]}},
        "users": {"image": image, "type": "internal", "containerPort": 9000, "allowFrom": ["admin"]},
    }
    return run_offline(STACK, values)


def test_adding_services_only_adds_and_renumbers_no_rule(run, grown):
    diff = diff_runs(run, grown)

    assert diff.of(Action.DELETE) == []
    assert diff.of(Action.REPLACE) == []
    assert {c.type for c in diff.of(Action.UPDATE)} == {"aws:cloudwatch/dashboard:Dashboard"}
    before_priorities = {r.name: r.inputs["priority"] for r in run.find(RULE)}
    after_priorities = {r.name: r.inputs["priority"] for r in grown.find(RULE)}
    assert {name: after_priorities[name] for name in before_priorities} == before_priorities
    assert len(after_priorities) == len(before_priorities) + 1


def test_an_internal_service_has_no_route_and_admits_only_its_callers(grown):
    (users,) = owned(grown, SERVICE, "users")
    (admin,) = owned(grown, SERVICE, "admin")

    assert owned(grown, TARGET_GROUP, "users") == []
    assert owned(grown, RULE, "users") == []
    assert "loadBalancers" not in users.inputs
    assert admitted(grown, "users") == {(9000, "admin")}
    assert users.inputs["serviceConnectConfiguration"]["services"][0]["clientAlias"] == [
        {"port": 9000, "dnsName": "users"}
    ]
    assert "services" not in admin.inputs["serviceConnectConfiguration"]
    assert environment(grown, "admin")["USERS_URL"] == "http://users:9000"


@pytest.mark.parametrize("stack", sorted(SHIPPED))
def test_shipped_single_app_stacks_still_plan_every_urn_they_had_before_services(stack_file_run, stack):
    """tests/data/urns holds each single-app stack's URNs as planned before compute.services existed (and, for
    prod-access, when it was added). Later features may add resources; none may rename or drop one of these."""
    urns = {r.urn for r in stack_file_run(SHIPPED[stack]).registrations}
    recorded = set((URN_SNAPSHOTS / f"{stack}.txt").read_text().split())

    assert sorted(recorded - urns) == [], "a deployed stack would see these deleted or renamed"


def test_the_single_app_form_is_the_service_named_app(shipped_run):
    values = stack_values("dev")
    compute = values["webstack:compute"]
    kind = compute.pop("kind")
    values["webstack:compute"] = {"kind": kind, "services": {"app": compute}}
    services_form = run_offline("dev", values)
    single = shipped_run("dev")

    assert {r.urn: r.inputs for r in services_form.registrations} == {r.urn: r.inputs for r in single.registrations}


def test_snapshots_cover_every_shipped_stack_file():
    files = {str(path.relative_to(ROOT)) for path in [*ROOT.glob("Pulumi.*.yaml"), *ROOT.glob("examples/*.yaml")]}
    single_app = {f for f in files if "services:" not in Path(ROOT / f).read_text()}
    assert single_app == set(SHIPPED.values())
