"""`python -m ops` as a user meets it: exit codes, messages on stdout/stderr, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ops.cli import main

ROOT = Path(__file__).resolve().parents[2]


def write_stack(tmp_path: Path, values: dict) -> Path:
    path = tmp_path / "Pulumi.review.yaml"
    path.write_text(yaml.safe_dump({"config": values}), encoding="utf-8")
    return path


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_validate_accepts_shipped_stack(stack, capsys):
    assert main(["validate", stack]) == 0
    assert f"valid {stack} configuration" in capsys.readouterr().out


def test_validate_lists_every_problem_by_key_and_exits_2(tmp_path, prod_values, capsys):
    prod_values["webstack:network"]["natGateways"] = "single"
    prod_values["webstack:data"]["postgres"]["multiAz"] = False
    prod_values["webstack:compute"]["cpu"] = 300
    prod_values["webstack:netwrk"] = {}
    path = write_stack(tmp_path, prod_values)

    assert main(["validate", "prod", "--config", str(path)]) == 2

    err = capsys.readouterr().err
    assert "4 configuration problems" in err
    for key in (
        "webstack:network.natGateways:",
        "webstack:data.postgres.multiAz:",
        "webstack:compute.cpu:",
        "webstack:netwrk:",
    ):
        assert key in err
    assert "Traceback" not in err


def test_validate_of_missing_file_names_it_and_exits_2(tmp_path, capsys):
    missing = tmp_path / "Pulumi.nope.yaml"
    assert main(["validate", "nope", "--config", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_plan_of_invalid_config_stops_before_running_the_program(tmp_path, dev_values, capsys):
    dev_values["webstack:network"]["availabilityZones"] = 9
    path = write_stack(tmp_path, dev_values)

    assert main(["plan", "dev", "--config", str(path)]) == 2

    captured = capsys.readouterr()
    assert "webstack:network.availabilityZones:" in captured.err
    assert captured.out == ""


def test_plan_prints_tree_counts_and_outputs(capsys):
    assert main(["plan", "prod"]) == 0
    out = capsys.readouterr().out
    assert "webstack:index:Platform  webstack-prod" in out
    assert "aws:kms/key:Key  webstack-prod-encryption-key  [protect, retainOnDelete]" in out
    assert "Resources by type:" in out
    assert "vpcId:" in out


def test_plan_json_is_the_manifest(capsys):
    assert main(["plan", "prod", "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)

    assert manifest["project"] == "webstack"
    assert manifest["stack"] == "prod"
    keys = {
        "urn",
        "type",
        "name",
        "custom",
        "parent",
        "provider",
        "inputs",
        "protect",
        "retainOnDelete",
        "dependsOn",
        "propertyDependencies",
        "aliases",
        "deleteBeforeReplace",
        "ignoreChanges",
        "modelled",
    }
    assert all(set(resource) == keys for resource in manifest["resources"])
    vpc = next(r for r in manifest["resources"] if r["type"] == "awsx:ec2:Vpc")
    assert len(vpc["inputs"]["availabilityZoneNames"]) == 3
    assert vpc["inputs"]["natGateways"] == {"strategy": "OnePerAz"}
    assert manifest["outputs"]["vpcId"].startswith("vpc-")


def test_plan_config_file_plans_the_proposed_change(tmp_path, dev_values, capsys):
    dev_values["webstack:network"]["availabilityZones"] = 3
    path = write_stack(tmp_path, dev_values)

    assert main(["plan", "dev", "--config", str(path), "--json"]) == 0

    manifest = json.loads(capsys.readouterr().out)
    assert len(manifest["outputs"]["availabilityZones"]) == 3


def test_debug_shows_the_traceback(tmp_path, capsys):
    assert main(["--debug", "validate", "x", "--config", str(tmp_path / "missing.yaml")]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_module_entry_point_exits_with_the_code_and_no_traceback(tmp_path):
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  webstack:environment: qa\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ops", "validate", "broken", "--config", str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "webstack:environment:" in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_validates_config_before_needing_the_pulumi_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("ops.automation.ROOT", tmp_path)  # an empty project dir: Pulumi.prod.yaml is missing
    assert main(["preview", "prod"]) == 2
    assert "Pulumi.prod.yaml" in capsys.readouterr().err


def test_deploy_without_the_pulumi_cli_says_so_and_points_to_the_offline_plan(monkeypatch, capsys):
    monkeypatch.setattr("shutil.which", lambda _name: None)
    assert main(["up", "dev"]) == 1
    err = capsys.readouterr().err
    assert "Pulumi CLI is not installed" in err
    assert "python -m ops plan" in err
