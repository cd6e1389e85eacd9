"""The data tier under the mock engine: what prod and dev get, nothing lost, no secret anywhere, upgrades in place."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from config.errors import PlanError
from ops.diff import Action, diff_runs
from ops.engine import run_offline
from tests.components.conftest import SECURITY_GROUP, group, leaks, regional_key
from tests.conftest import stack_values

INSTANCE = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_SUBNETS = "aws:rds/subnetGroup:SubnetGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
CACHE_USER = "aws:elasticache/user:User"
USER_GROUP = "aws:elasticache/userGroup:UserGroup"
TABLE = "aws:dynamodb/table:Table"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
STACKS = ("dev", "prod")


def db(run):
    return run.one(INSTANCE)


def key_arn(run) -> str:
    return regional_key(run).outputs["arn"]


# -- PostgreSQL ----------------------------------------------------------------------------------


def test_prod_database_is_multi_az_protected_and_hard_to_delete(shipped_run):
    instance = db(shipped_run("prod"))
    assert instance.inputs["multiAz"] is True
    assert instance.inputs["deletionProtection"] is True
    assert (instance.protect, instance.retain_on_delete) == (True, True)
    assert instance.inputs["deleteAutomatedBackups"] is False
    assert instance.inputs["backupRetentionPeriod"] == 14


def test_dev_database_is_single_az_and_disposable(shipped_run):
    instance = db(shipped_run("dev"))
    assert instance.inputs["multiAz"] is False
    assert instance.inputs["deletionProtection"] is False
    assert (instance.protect, instance.retain_on_delete) == (False, False)
    assert instance.inputs["backupRetentionPeriod"] == 1
    assert instance.inputs["instanceClass"] == "db.t4g.micro"


@pytest.mark.parametrize("stack", STACKS)
def test_database_storage_is_gp3_autoscaling_and_encrypted_with_the_environment_key(shipped_run, stack):
    run = shipped_run(stack)
    inputs = db(run).inputs
    assert inputs["storageType"] == "gp3"
    assert inputs["maxAllocatedStorage"] > inputs["allocatedStorage"] >= 20
    assert inputs["storageEncrypted"] is True
    assert inputs["kmsKeyId"] == key_arn(run)


@pytest.mark.parametrize("stack", STACKS)
def test_the_master_password_is_managed_by_rds_in_secrets_manager_under_the_environment_key(shipped_run, stack):
    run = shipped_run(stack)
    inputs = db(run).inputs
    assert inputs["manageMasterUserPassword"] is True
    assert inputs["masterUserSecretKmsKeyId"] == key_arn(run)
    assert "password" not in inputs
    assert run.outputs["database"]["secretArn"] == db(run).outputs["masterUserSecrets"][0]["secretArn"]
    assert run.outputs["database"]["secretArn"].startswith("arn:aws:secretsmanager:eu-west-1:")


@pytest.mark.parametrize("stack", STACKS)
def test_the_database_lives_in_the_isolated_subnets_behind_its_own_group(shipped_run, stack):
    run = shipped_run(stack)
    inputs = db(run).inputs
    assert inputs["publiclyAccessible"] is False
    assert inputs["vpcSecurityGroupIds"] == [group(run, "database").outputs["id"]]
    subnets = run.one(RDS_SUBNETS)
    assert inputs["dbSubnetGroupName"] == subnets.outputs["name"]
    assert subnets.inputs["subnetIds"] == run.outputs["isolatedSubnetIds"]


def test_prod_subnet_group_is_protected_and_the_parameter_group_is_not(shipped_run):
    run = shipped_run("prod")
    assert (run.one(RDS_SUBNETS).protect, run.one(RDS_SUBNETS).retain_on_delete) == (True, True)
    # A major upgrade replaces the parameter group; protecting it would make every such upgrade fail.
    assert run.one(PARAMETER_GROUP).protect is False


@pytest.mark.parametrize("stack", STACKS)
def test_the_parameter_group_forces_tls_and_logs_slow_statements_for_the_engines_family(shipped_run, stack):
    run = shipped_run(stack)
    parameters = run.one(PARAMETER_GROUP)
    assert parameters.inputs["family"] == "postgres16"
    assert {p["name"]: p["value"] for p in parameters.inputs["parameters"]} == {
        "rds.force_ssl": "1",
        "log_min_duration_statement": "1000",
    }
    assert db(run).inputs["parameterGroupName"] == parameters.outputs["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_backups_and_maintenance_keep_to_their_windows_and_end_in_a_stable_final_snapshot(shipped_run, stack):
    inputs = db(shipped_run(stack)).inputs
    assert (inputs["backupWindow"], inputs["maintenanceWindow"]) == ("02:00-03:00", "sun:03:30-sun:04:30")
    assert inputs["copyTagsToSnapshot"] is True
    assert inputs["skipFinalSnapshot"] is False
    assert inputs["finalSnapshotIdentifier"] == f"webstack-{stack}-database-final"


@pytest.mark.parametrize("stack", STACKS)
def test_the_database_upgrades_itself_safely_and_authenticates_with_iam(shipped_run, stack):
    inputs = db(shipped_run(stack)).inputs
    assert inputs["engine"] == "postgres"
    assert inputs["engineVersion"] == "16"
    assert inputs["autoMinorVersionUpgrade"] is True
    assert inputs["allowMajorVersionUpgrade"] is True
    assert inputs["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    assert inputs["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    assert inputs["iamDatabaseAuthenticationEnabled"] is True


def test_prod_has_performance_insights_and_enhanced_monitoring_with_its_role(shipped_run):
    run = shipped_run("prod")
    inputs = db(run).inputs
    assert inputs["performanceInsightsEnabled"] is True
    assert inputs["performanceInsightsKmsKeyId"] == key_arn(run)
    assert inputs["performanceInsightsRetentionPeriod"] == 7
    assert inputs["monitoringInterval"] == 60
    role = run.one(ROLE, "webstack-prod-database-monitoring-role")
    assert inputs["monitoringRoleArn"] == role.outputs["arn"]
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}
    attachment = run.one(ATTACHMENT, "webstack-prod-database-monitoring-policy")
    assert attachment.inputs == {
        "role": role.outputs["name"],
        "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    }


def test_dev_has_neither_performance_insights_nor_enhanced_monitoring(shipped_run):
    run = shipped_run("dev")
    inputs = db(run).inputs
    assert inputs["performanceInsightsEnabled"] is False
    assert inputs["monitoringInterval"] == 0
    assert run.find(ATTACHMENT, "webstack-dev-database-monitoring-policy") == []


@pytest.mark.parametrize("stack", STACKS)
def test_rds_logs_go_to_log_groups_made_first_with_retention_and_the_key(shipped_run, stack):
    run = shipped_run(stack)
    instance = db(run)
    assert instance.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = {g.inputs["name"]: g for g in run.find(LOG_GROUP) if "/aws/rds/" in g.inputs.get("name", "")}
    identifier = instance.inputs["identifier"]
    assert set(groups) == {f"/aws/rds/instance/{identifier}/{log}" for log in ("postgresql", "upgrade")}
    retention = 365 if stack == "prod" else 7
    for log_group in groups.values():
        assert log_group.inputs["retentionInDays"] == retention
        assert log_group.inputs["kmsKeyId"] == key_arn(run)
        assert log_group.urn in instance.depends_on


# -- the cache -----------------------------------------------------------------------------------


def test_prod_cache_is_a_replicated_group_with_failover_and_both_encryptions(shipped_run):
    run = shipped_run("prod")
    cache = run.one(REPLICATION_GROUP)
    inputs = cache.inputs
    assert inputs["engine"] == "valkey"
    assert inputs["engineVersion"] == "8.0"
    assert inputs["numCacheClusters"] == 3
    assert inputs["automaticFailoverEnabled"] is True
    assert inputs["multiAzEnabled"] is True
    assert inputs["atRestEncryptionEnabled"] is True
    assert inputs["kmsKeyId"] == key_arn(run)
    assert inputs["transitEncryptionEnabled"] is True
    assert inputs["transitEncryptionMode"] == "required"
    assert inputs["snapshotRetentionLimit"] == 7
    assert inputs["securityGroupIds"] == [group(run, "cache").outputs["id"]]
    assert cache.protect is False  # a cache: nothing durable depends on it


def test_prod_cache_logs_slow_and_engine_logs_to_encrypted_groups_with_retention(shipped_run):
    run = shipped_run("prod")
    deliveries = {d["logType"]: d for d in run.one(REPLICATION_GROUP).inputs["logDeliveryConfigurations"]}
    assert set(deliveries) == {"slow-log", "engine-log"}
    names = {g.outputs["name"]: g for g in run.find(LOG_GROUP)}
    for delivery in deliveries.values():
        assert (delivery["destinationType"], delivery["logFormat"]) == ("cloudwatch-logs", "json")
        log_group = names[delivery["destination"]]
        assert log_group.inputs["retentionInDays"] == 365
        assert log_group.inputs["kmsKeyId"] == key_arn(run)


def test_dev_cache_is_serverless_valkey_in_the_first_two_azs(shipped_run):
    run = shipped_run("dev")
    assert run.find(REPLICATION_GROUP) == []
    cache = run.one(SERVERLESS)
    assert cache.inputs["engine"] == "valkey"
    assert cache.inputs["majorEngineVersion"] == "8"
    assert cache.inputs["kmsKeyId"] == key_arn(run)
    assert cache.inputs["subnetIds"] == run.outputs["isolatedSubnetIds"][:2]
    assert cache.inputs["cacheUsageLimits"]["dataStorage"] == {"maximum": 1, "unit": "GB"}
    assert run.outputs["cache"]["address"] == cache.outputs["endpoints"][0]["address"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_app_reaches_the_cache_as_an_iam_user_and_the_default_user_is_off(shipped_run, stack):
    run = shipped_run(stack)
    users = {u.inputs["userName"]: u.inputs for u in run.find(CACHE_USER)}
    app = users[run.outputs["cache"]["iamUser"]]
    assert app["authenticationMode"] == {"type": "iam"}
    assert app["userId"] == app["userName"]
    assert "-@admin" in app["accessString"]
    assert users["default"]["accessString"] == "off -@all"
    user_group = run.one(USER_GROUP)
    assert sorted(user_group.inputs["userIds"]) == sorted(u["userId"] for u in users.values())
    cache = run.find(REPLICATION_GROUP) or run.find(SERVERLESS)
    linked = cache[0].inputs.get("userGroupIds") or [cache[0].inputs.get("userGroupId")]
    assert linked == [user_group.inputs["userGroupId"]]


def test_a_stack_can_run_without_a_cache(plan):
    values = stack_values("dev")
    values["webstack:data"] = {"cache": {"enabled": False}}
    run = plan(values)
    assert [r.type for r in run.registrations if r.type.startswith("aws:elasticache")] == []
    assert run.outputs["cache"] is None


def test_prod_can_choose_redis_and_it_gets_redis_users(plan):
    values = stack_values("prod")
    values["webstack:data"]["cache"] = {"engine": "redis"}
    run = plan(values)
    assert run.one(REPLICATION_GROUP).inputs["engineVersion"] == "7.1"
    assert {u.inputs["engine"] for u in run.find(CACHE_USER)} == {"redis"}


# -- the sessions table --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_sessions_table_is_keyed_by_session_id_expires_by_ttl_and_is_encrypted(shipped_run, stack):
    run = shipped_run(stack)
    inputs = run.one(TABLE).inputs
    assert inputs["hashKey"] == "id"
    assert inputs["attributes"] == [{"name": "id", "type": "S"}]
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert inputs["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key_arn(run)}


def test_prod_sessions_table_is_recoverable_and_protected(shipped_run):
    table = shipped_run("prod").one(TABLE)
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert table.inputs["deletionProtectionEnabled"] is True
    assert (table.protect, table.retain_on_delete) == (True, True)


def test_dev_sessions_table_is_disposable_but_recoverable(shipped_run):
    table = shipped_run("dev").one(TABLE)
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}  # cents a month
    assert table.inputs["deletionProtectionEnabled"] is False
    assert (table.protect, table.retain_on_delete) == (False, False)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_outputs_say_where_the_data_is(shipped_run, stack):
    outputs = shipped_run(stack).outputs
    assert outputs["database"]["port"] == 5432
    assert outputs["database"]["address"].endswith(".eu-west-1.rds.amazonaws.com")
    assert outputs["sessionsTable"]["arn"].endswith(f":table/{outputs['sessionsTable']['name']}")
    assert outputs["cache"]["port"] == 6379


# -- no secret anywhere --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("preview", [False, True])
def test_no_password_token_or_secret_value_anywhere_in_a_plan(shipped_run, stack, preview):
    run = run_offline(stack, stack_values(stack), preview=True) if preview else shipped_run(stack)
    assert leaks(run) == []


def test_the_leak_scan_finds_a_secret_value_that_reaches_an_output():
    def program():
        provider = aws.Provider("aws", region="eu-west-1")
        secret = aws.secretsmanager.get_secret_version_output(
            secret_id="arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            opts=pulumi.InvokeOutputOptions(provider=provider),
        )
        pulumi.export("careless", secret.secret_string)

    assert set(leaks(run_offline("leak", stack_values("dev"), program=program))) == {"stack outputs.careless.password"}


# -- growth: upgrades and resizes keep the stores ------------------------------------------------


def data_urns(run) -> set[str]:
    return {r.urn for r in run.registrations if r.type in (INSTANCE, REPLICATION_GROUP, TABLE)}


def grown(shipped_run, change):
    values = stack_values("prod")
    change(values)
    before, after = shipped_run("prod"), run_offline("prod", values)
    diff = diff_runs(before, after)
    assert data_urns(after) == data_urns(before)
    assert [c for c in diff.of(Action.REPLACE) if c.type in (INSTANCE, REPLICATION_GROUP, TABLE, RDS_SUBNETS)] == []
    assert diff.of(Action.DELETE) == []
    return diff


def postgres(values) -> dict:
    return values["webstack:data"]["postgres"]


def test_a_major_engine_upgrade_updates_the_database_in_place_with_a_new_parameter_group(shipped_run):
    diff = grown(shipped_run, lambda values: postgres(values).update(engineVersion="17"))

    (instance,) = diff.of(Action.UPDATE, INSTANCE)
    assert instance.keys == ("engineVersion", "parameterGroupName")
    (parameters,) = diff.of(Action.REPLACE, PARAMETER_GROUP)
    assert parameters.keys == ("family",)


def test_a_bigger_instance_class_and_more_storage_update_the_database_in_place(shipped_run):
    diff = grown(
        shipped_run, lambda values: postgres(values).update(instanceClass="db.r7g.xlarge", allocatedStorageGb=200)
    )

    (instance,) = diff.of(Action.UPDATE, INSTANCE)
    assert instance.keys == ("allocatedStorage", "instanceClass")


def test_more_cache_replicas_and_a_bigger_node_update_the_cache_in_place(shipped_run):
    diff = grown(
        shipped_run,
        lambda values: values["webstack:data"].update(cache={"replicas": 3, "nodeType": "cache.r7g.large"}),
    )

    (cache,) = diff.of(Action.UPDATE, REPLICATION_GROUP)
    assert cache.keys == ("nodeType", "numCacheClusters")


def test_a_cache_engine_upgrade_updates_it_in_place(shipped_run):
    diff = grown(shipped_run, lambda values: values["webstack:data"].update(cache={"engineVersion": "8.0"}))
    assert diff.of(Action.UPDATE, REPLICATION_GROUP) == []  # already 8.0: nothing to do

    values = stack_values("prod")
    values["webstack:data"]["cache"] = {"engineVersion": "7.2"}
    older = run_offline("prod", values)
    (cache,) = diff_runs(older, shipped_run("prod")).of(Action.UPDATE, REPLICATION_GROUP)
    assert cache.keys == ("engineVersion",)


def test_switching_point_in_time_recovery_on_updates_the_table_in_place():
    values = stack_values("dev")
    values["webstack:data"] = {"sessions": {"pointInTimeRecovery": False}}
    before = run_offline("dev", values)
    values["webstack:data"] = {"sessions": {"pointInTimeRecovery": True}}
    diff = diff_runs(before, run_offline("dev", values))

    assert [(c.action, c.keys) for c in diff.changes if c.type == TABLE] == [(Action.UPDATE, ("pointInTimeRecovery",))]


# -- what AWS refuses, the mock engine refuses ---------------------------------------------------


def database_program(**overrides):
    def program():
        provider = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-west-1"))
        parameters = aws.rds.ParameterGroup("params", family=overrides.pop("family", "postgres16"), opts=provider)
        arguments = {
            "engine": "postgres",
            "engine_version": "16",
            "instance_class": "db.t4g.micro",
            "allocated_storage": 20,
            "manage_master_user_password": True,
            "username": "app_admin",
            "parameter_group_name": parameters.name,
            "final_snapshot_identifier": "final",
            **overrides,
        }
        aws.rds.Instance("db", opts=provider, **arguments)

    return program


@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"password": "hunter22hunter22"}, "password and manageMasterUserPassword are mutually exclusive"),
        ({"family": "postgres15"}, "is of family postgres15, but engine postgres 16 needs postgres16"),
        ({"final_snapshot_identifier": None}, "finalSnapshotIdentifier is required"),
        ({"monitoring_interval": 60}, "monitoringInterval above 0 needs monitoringRoleArn"),
        ({"kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/x"}, "kmsKeyId needs storageEncrypted"),
    ],
)
def test_the_mock_engine_refuses_a_database_aws_would_refuse(overrides, refusal):
    with pytest.raises(PlanError, match=refusal):
        run_offline("refused", stack_values("dev"), program=database_program(**overrides))


def test_the_mock_engine_accepts_the_same_database_done_right():
    run = run_offline("accepted", stack_values("dev"), program=database_program())
    assert run.one(INSTANCE).outputs["masterUserSecrets"][0]["secretStatus"] == "active"


def test_the_mock_engine_refuses_failover_without_a_replica_and_a_user_group_without_default():
    def program():
        provider = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-west-1"))
        user = aws.elasticache.User(
            "user",
            user_id="app",
            user_name="app-other",
            engine="valkey",
            access_string="on ~* +@all",
            authentication_mode=aws.elasticache.UserAuthenticationModeArgs(type="iam"),
            opts=provider,
        )
        users = aws.elasticache.UserGroup(
            "users", user_group_id="users", engine="valkey", user_ids=[user.user_id], opts=provider
        )
        aws.elasticache.ReplicationGroup(
            "cache",
            replication_group_id="cache",
            description="cache",
            num_cache_clusters=1,
            automatic_failover_enabled=True,
            user_group_ids=[users.user_group_id],
            opts=provider,
        )

    with pytest.raises(PlanError) as raised:
        run_offline("refused", stack_values("dev"), program=program)
    message = str(raised.value)
    assert "automatic failover needs numCacheClusters of at least 2" in message
    assert "user groups (RBAC) need transitEncryptionEnabled" in message
    assert "needs userId equal to userName" in message
    assert "a user group must hold a user named 'default'" in message


def test_the_mock_engine_refuses_a_ttl_on_the_key_and_an_unkeyed_attribute():
    def program():
        aws.dynamodb.Table(
            "table",
            hash_key="id",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="id", type="S"),
                aws.dynamodb.TableAttributeArgs(name="user", type="S"),
            ],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="id", enabled=True),
            opts=pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-west-1")),
        )

    with pytest.raises(PlanError) as raised:
        run_offline("refused", stack_values("dev"), program=program)
    assert "attribute 'user' is declared but not a key" in str(raised.value)
    assert "the TTL attribute 'id' cannot be a key attribute" in str(raised.value)


def test_security_groups_of_the_data_tier_exist_in_both_stacks(shipped_run):
    for stack in STACKS:
        roles = {g.name.rsplit("-", 2)[-2] for g in shipped_run(stack).find(SECURITY_GROUP)}
        assert {"database", "cache"} <= roles
