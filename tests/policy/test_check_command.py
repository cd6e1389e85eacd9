"""`python -m ops check`: the rules over the offline plan or a manifest, exit 1 on a mandatory violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.cli import main
from ops.manifest import manifest
from policy.rules import RULES


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_pass(capsys, stack):
    code, out = run(capsys, "check", stack)
    assert code == 0
    assert "0 mandatory" in out or "every rule passes" in out


def test_list_prints_every_rule_as_id_enforcement_description(capsys):
    code, out = run(capsys, "check", "dev", "--list")
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert code == 0
    assert [line[0] for line in lines] == [rule.id for rule in RULES]
    assert {line[1] for line in lines} == {"mandatory", "advisory"}
    assert all(len(line) == 3 and line[2] for line in lines)


def weakened(shipped_run, tmp_path: Path) -> Path:
    """dev's manifest with an ingress rule open to the world and a bucket whose public access is not blocked."""
    data = manifest(shipped_run("dev"))
    rule = next(
        r for r in data["resources"] if r["type"] == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    )
    rule["inputs"] = {**rule["inputs"], "cidrIpv4": "0.0.0.0/0"}
    rule["inputs"].pop("referencedSecurityGroupId", None)
    block = next(r for r in data["resources"] if r["type"] == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    block["inputs"] = {**block["inputs"], "restrictPublicBuckets": False}
    path = tmp_path / "weakened.json"
    path.write_text(json.dumps(data, default=str))
    return path


def test_a_weakened_plan_fails_naming_the_rules_the_resources_and_the_fix(capsys, shipped_run, tmp_path):
    code, out = run(capsys, "check", "dev", "--manifest", str(weakened(shipped_run, tmp_path)))
    assert code == 1
    assert "[mandatory] sg-no-open-ingress" in out
    assert "[mandatory] s3-public-access-blocked" in out
    assert "fix: Admit a security group" in out


def test_json_lists_each_violation_with_its_policy_enforcement_and_urn(capsys, shipped_run, tmp_path):
    code, out = run(capsys, "check", "dev", "--manifest", str(weakened(shipped_run, tmp_path)), "--json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"stack", "violations", "notApplicable"}
    assert data["stack"] == "dev"
    mandatory = {(v["policy"], v["enforcement"]) for v in data["violations"] if v["enforcement"] == "mandatory"}
    assert mandatory == {("sg-no-open-ingress", "mandatory"), ("s3-public-access-blocked", "mandatory")}
    assert all(v["urn"].startswith("urn:pulumi:dev::webstack::") and v["message"] for v in data["violations"])


def test_a_manifest_hides_secrets_so_the_rules_that_need_them_say_so(capsys, internet_facing_run, tmp_path):
    path = tmp_path / "internet-facing.json"
    path.write_text(json.dumps(manifest(internet_facing_run), default=str))
    code, out = run(capsys, "check", "prod", "--manifest", str(path), "--json")
    data = json.loads(out)
    assert code == 0
    assert "alb-not-public" in data["notApplicable"]
