"""The environment's KMS key: rotated, hard to lose in prod, and a key policy that limits who uses it and how."""

from __future__ import annotations

import json

import pytest

from components.security import DATA_SERVICES
from tests.components.conftest import KMS_KEY

REGION = "eu-west-1"
STACKS = ("dev", "prod")
# prod names its account; dev runs in the mock engine's account.
ACCOUNTS = {"prod": "111111111111", "dev": "123456789012"}


def key_policy(run) -> list[dict]:
    return json.loads(run.one(KMS_KEY).inputs["policy"])["Statement"]


def statement(run, sid: str) -> dict:
    (found,) = [s for s in key_policy(run) if s.get("Sid") == sid]
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_key_rotation_is_enabled(shipped_run, stack):
    inputs = shipped_run(stack).one(KMS_KEY).inputs
    assert inputs["enableKeyRotation"] is True
    assert inputs["rotationPeriodInDays"] == 365


@pytest.mark.parametrize(("stack", "days"), [("prod", 30), ("dev", 7)])
def test_deletion_window(shipped_run, stack, days):
    assert shipped_run(stack).one(KMS_KEY).inputs["deletionWindowInDays"] == days


def test_prod_key_is_protected_and_retained_on_delete(shipped_run):
    key = shipped_run("prod").one(KMS_KEY)
    assert key.protect is True
    assert key.retain_on_delete is True


def test_dev_key_is_neither_protected_nor_retained(shipped_run):
    key = shipped_run("dev").one(KMS_KEY)
    assert key.protect is False
    assert key.retain_on_delete is False


@pytest.mark.parametrize("stack", STACKS)
def test_account_root_administers_the_key(shipped_run, stack):
    admin = statement(shipped_run(stack), "AccountAdministersKey")
    assert admin["Effect"] == "Allow"
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNTS[stack]}:root"}
    assert admin["Action"] == "kms:*"


@pytest.mark.parametrize("stack", STACKS)
def test_cloudwatch_logs_uses_the_key_only_for_the_accounts_log_groups(shipped_run, stack):
    logs = [s for s in key_policy(shipped_run(stack)) if s["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}]
    assert len(logs) == 1
    assert logs[0]["Effect"] == "Allow"
    assert "kms:Decrypt" in logs[0]["Action"]
    assert logs[0]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNTS[stack]}:*"}
    }


@pytest.mark.parametrize("stack", STACKS)
def test_data_services_use_the_key_only_via_the_service_for_the_account(shipped_run, stack):
    wildcard = [s for s in key_policy(shipped_run(stack)) if s["Principal"] == {"AWS": "*"}]
    assert len(wildcard) == 1
    condition = wildcard[0]["Condition"]["StringEquals"]
    assert condition["kms:CallerAccount"] == ACCOUNTS[stack]
    assert sorted(condition["kms:ViaService"]) == sorted(
        f"{service}.{REGION}.amazonaws.com" for service in DATA_SERVICES
    )
    assert {"rds.eu-west-1.amazonaws.com", "dynamodb.eu-west-1.amazonaws.com"} <= set(condition["kms:ViaService"])


@pytest.mark.parametrize("stack", STACKS)
def test_no_one_but_the_account_root_gets_the_key_without_a_condition(shipped_run, stack):
    root = {"AWS": f"arn:aws:iam::{ACCOUNTS[stack]}:root"}
    unconditional = [
        s.get("Sid") for s in key_policy(shipped_run(stack)) if s["Principal"] != root and not s.get("Condition")
    ]
    assert unconditional == []


@pytest.mark.parametrize("stack", STACKS)
def test_key_policy_only_allows(shipped_run, stack):
    assert {s["Effect"] for s in key_policy(shipped_run(stack))} == {"Allow"}


def test_alias_points_at_the_key(shipped_run):
    run = shipped_run("prod")
    alias = run.one("aws:kms/alias:Alias")
    assert alias.inputs["targetKeyId"] == run.one(KMS_KEY).outputs["keyId"]
    assert alias.inputs["name"] == "alias/webstack-prod-encryption"
