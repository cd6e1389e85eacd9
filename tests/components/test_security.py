"""The environment's KMS key: rotated, hard to lose in prod, and a key policy that limits who uses it and how."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.options import AwsContext
from components.security import Encryption, EncryptionArgs, key_policy
from config.errors import PlanError
from config.types import Environment
from ops.engine import run_offline
from tests.components.conftest import regional_key, regional_key_policy
from tests.conftest import stack_values

KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

REGION = "eu-west-1"
STACKS = ("dev", "prod")
# prod names its account; dev runs in the mock engine's account.
ACCOUNTS = {"prod": "111111111111", "dev": "123456789012"}


def key_policy_of(run) -> list[dict]:
    return json.loads(regional_key_policy(run).inputs["policy"])["Statement"]


def statement(run, sid: str) -> dict:
    (found,) = [s for s in key_policy_of(run) if s.get("Sid") == sid]
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_key_rotation_is_enabled(shipped_run, stack):
    inputs = regional_key(shipped_run(stack)).inputs
    assert inputs["enableKeyRotation"] is True
    assert inputs["rotationPeriodInDays"] == 365


@pytest.mark.parametrize(("stack", "days"), [("prod", 30), ("dev", 7)])
def test_deletion_window(shipped_run, stack, days):
    assert regional_key(shipped_run(stack)).inputs["deletionWindowInDays"] == days


def test_prod_key_is_protected_and_retained_on_delete(shipped_run):
    key = regional_key(shipped_run("prod"))
    assert key.protect is True
    assert key.retain_on_delete is True


def test_dev_key_is_neither_protected_nor_retained(shipped_run):
    key = regional_key(shipped_run("dev"))
    assert key.protect is False
    assert key.retain_on_delete is False


@pytest.mark.parametrize("stack", STACKS)
def test_account_root_administers_the_key(shipped_run, stack):
    admin = statement(shipped_run(stack), "AccountAdministersKey")
    assert admin["Effect"] == "Allow"
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNTS[stack]}:root"}
    assert admin["Action"] == "kms:*"


def test_cloudwatch_logs_uses_the_key_only_for_the_accounts_log_groups(shipped_run):
    stack = "prod"  # the stack with flow logs, the key's one consumer so far
    logs = [
        s for s in key_policy_of(shipped_run(stack)) if s["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    ]
    assert len(logs) == 1
    assert logs[0]["Effect"] == "Allow"
    assert "kms:Decrypt" in logs[0]["Action"]
    assert logs[0]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNTS[stack]}:*"}
    }


@pytest.mark.parametrize(
    ("stack", "sids"),
    [
        # dev's serverless cache has no log groups of its own; prod's nodes and flow logs do.
        ("dev", ["AccountAdministersKey", "AlarmsAndBudgetsPublishToTopics", "RdsAndSecretsManagerUseKey",
                 "CloudWatchLogsEncryptLogGroups", "ElastiCacheUsesKey", "DynamoDbUsesKey",
                 "CloudFrontReadsStaticAssets"]),
        # prod owns the account's trail too.
        ("prod", ["AccountAdministersKey", "AlarmsAndBudgetsPublishToTopics", "CloudWatchLogsEncryptLogGroups",
                  "RdsAndSecretsManagerUseKey", "ElastiCacheUsesKey", "DynamoDbUsesKey",
                  "CloudFrontReadsStaticAssets", "CloudTrailEncryptsLogs", "CloudTrailDescribesKey"]),
    ],
)  # fmt: skip
def test_the_key_policy_holds_what_the_keys_consumers_contributed_once_each(shipped_run, stack, sids):
    assert [s["Sid"] for s in key_policy_of(shipped_run(stack))] == sids


def test_without_a_cache_its_statement_is_not_in_the_key_policy(plan):
    values = stack_values("dev")
    values["webstack:data"] = {"cache": {"enabled": False}}
    assert "ElastiCacheUsesKey" not in [s["Sid"] for s in key_policy_of(plan(values))]


@pytest.mark.parametrize(
    ("sid", "services"),
    [
        ("RdsAndSecretsManagerUseKey", ["rds", "secretsmanager"]),
        ("ElastiCacheUsesKey", ["elasticache"]),
        ("DynamoDbUsesKey", ["dynamodb"]),
    ],
)
def test_data_services_use_the_key_only_through_themselves_for_the_account(shipped_run, sid, services):
    found = statement(shipped_run("prod"), sid)
    assert found["Principal"] == {"AWS": "*"}
    assert found["Condition"] == {
        "StringEquals": {
            "kms:CallerAccount": "111111111111",
            "kms:ViaService": [f"{service}.{REGION}.amazonaws.com" for service in services],
        }
    }


@pytest.mark.parametrize("stack", STACKS)
def test_the_policy_is_its_own_resource_applied_to_the_key(shipped_run, stack):
    run = shipped_run(stack)
    assert "policy" not in regional_key(run).inputs
    assert regional_key_policy(run).inputs["keyId"] == regional_key(run).outputs["keyId"]


def test_the_flow_log_group_is_created_only_once_the_policy_lets_cloudwatch_logs_use_the_key(shipped_run):
    run = shipped_run("prod")
    log_group = run.one(LOG_GROUP, "webstack-prod-network-flow-logs")
    assert log_group.inputs["kmsKeyId"] == regional_key(run).outputs["arn"]
    assert regional_key_policy(run).urn in log_group.property_dependencies["kmsKeyId"]


@pytest.mark.parametrize("stack", STACKS)
def test_no_one_but_the_account_root_gets_the_key_without_a_condition(shipped_run, stack):
    root = {"AWS": f"arn:aws:iam::{ACCOUNTS[stack]}:root"}
    unconditional = [
        s.get("Sid") for s in key_policy_of(shipped_run(stack)) if s["Principal"] != root and not s.get("Condition")
    ]
    assert unconditional == []


@pytest.mark.parametrize("stack", STACKS)
def test_key_policy_only_allows(shipped_run, stack):
    assert {s["Effect"] for s in key_policy_of(shipped_run(stack))} == {"Allow"}


def test_alias_points_at_the_key(shipped_run):
    run = shipped_run("prod")
    alias = run.one("aws:kms/alias:Alias", "webstack-prod-encryption-alias")
    assert alias.inputs["targetKeyId"] == regional_key(run).outputs["keyId"]
    assert alias.inputs["name"] == "alias/webstack-prod-encryption"


# -- the contribution mechanism ------------------------------------------------------------------


def encryption_program(build):
    """A program with one Encryption and `build(encryption)` run inside its contributions block."""

    def program():
        provider = aws.Provider("aws", region="eu-west-1")
        context = AwsContext(
            account_id=pulumi.Output.from_input("123456789012"),
            partition=pulumi.Output.from_input("aws"),
            region="eu-west-1",
            environment=Environment.DEV,
        )
        encryption = Encryption("enc", EncryptionArgs(context=context), opts=pulumi.ResourceOptions(provider=provider))
        with encryption.contributions():
            build(encryption, provider)

    return program


def run_program(program):
    return run_offline("security-test", stack_values("dev"), program=program)


def sid(name):
    return {"Sid": name, "Effect": "Allow", "Principal": {"Service": "example.amazonaws.com"}, "Action": "kms:Decrypt"}


def test_a_statement_naming_a_later_resource_is_added_without_anything_waiting_for_the_policy():
    def build(encryption, provider):
        later = aws.cloudwatch.LogGroup("later", opts=pulumi.ResourceOptions(provider=provider))
        encryption.allow(later.arn.apply(lambda arn: {**sid("NamesLater"), "Resource": arn}))

    run = run_program(encryption_program(build))
    later = run.one(LOG_GROUP)
    statements = json.loads(regional_key_policy(run).inputs["policy"])["Statement"]
    assert statements[-1]["Resource"] == later.outputs["arn"]
    assert regional_key_policy(run).urn not in {urn for urns in later.property_dependencies.values() for urn in urns}


def test_a_failure_while_contributing_fails_the_plan_with_its_own_message_instead_of_hanging():
    def build(encryption, provider):
        aws.cloudwatch.LogGroup(
            "waits", kms_key_id=encryption.grant(sid("Waits")), opts=pulumi.ResourceOptions(provider=provider)
        )
        raise ValueError("the network could not be built")

    with pytest.raises(PlanError, match="ValueError: the network could not be built"):
        run_program(encryption_program(build))


def test_the_policy_is_registered_once_and_takes_no_contribution_after():
    kept = []

    def build(encryption, provider):
        kept.append(encryption)

    run = run_program(encryption_program(build))
    assert len(run.find(KEY_POLICY)) == 1
    with pytest.raises(RuntimeError, match="already registered"):
        kept[0].allow(sid("TooLate"))


def test_two_different_statements_under_one_sid_are_refused():
    with pytest.raises(ValueError, match="two different key policy statements share the Sid Same"):
        key_policy(sid("Base"), [sid("Same"), {**sid("Same"), "Action": "kms:Encrypt"}])


def test_the_same_statement_contributed_twice_is_kept_once():
    policy = json.loads(key_policy(sid("Base"), [sid("Logs"), sid("Logs")]))
    assert [s["Sid"] for s in policy["Statement"]] == ["Base", "Logs"]
