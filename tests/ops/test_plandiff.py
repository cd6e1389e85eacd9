"""`python -m ops diff`: a change that would lose a stateful resource fails with its fix; growth passes.

Code changes (a renamed component, a new table key, a resource moved to another parent) are made
by patching the program and planning it again in this process; config changes go through the
command with two stack files; one test runs the command against HEAD of a git repository.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pulumi
import pytest
import yaml

from components import platform
from components.data import sessions
from config.errors import ConfigError
from ops import plandiff
from ops.diff import Action, diff_runs
from ops.engine import OfflineRun, run_offline
from ops.manifest import from_manifest, to_json
from ops.replacement import REPLACE_ON_CHANGE
from ops.review import BaseRefError, Review, plan_at_commit, resolve_ref, review
from ops.stateful import STATEFUL_TYPES
from tests.conftest import stack_values
from tests.ops.repos import committed_copy_of_the_working_tree, git

TABLE = "aws:dynamodb/table:Table"
INSTANCE = "aws:rds/instance:Instance"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"


def diff_args(*argv: str) -> argparse.Namespace:
    """The command line as `python -m ops` parses it once `diff` is registered."""
    parser = argparse.ArgumentParser(prog="python -m ops")
    plandiff.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["diff", *argv])


def write_stack(path: Path, values: dict) -> Path:
    path.write_text(yaml.safe_dump({"config": values}), encoding="utf-8")
    return path


def diff_configs(tmp_path: Path, before: dict, after: dict, *extra: str) -> int:
    """`ops diff dev --base-config BEFORE --config AFTER ...`: the exit code (the report goes to stdout)."""
    base = write_stack(tmp_path / "Pulumi.before.yaml", before)
    head = write_stack(tmp_path / "Pulumi.after.yaml", after)
    return plandiff.run(diff_args("dev", "--base-config", str(base), "--config", str(head), *extra))


def check(before: OfflineRun, after: OfflineRun, *allowed: str) -> Review:
    return review(before, after, base="before", head="after", allowed=allowed)


def only(findings, type_: str):
    (finding,) = [f for f in findings if f"${type_}::" in f.urn]
    return finding


# -- the tables ----------------------------------------------------------------------------------


def test_every_resource_prod_protects_is_of_a_stateful_type(shipped_run):
    protected = {r.type for r in shipped_run("prod").registrations if r.protect}

    assert protected
    assert protected <= STATEFUL_TYPES


def test_the_replacement_table_knows_every_stateful_type_the_shipped_stacks_create(shipped_run):
    created = {r.type for stack in ("dev", "prod") for r in shipped_run(stack).registrations}

    assert created & STATEFUL_TYPES <= set(REPLACE_ON_CHANGE)


def test_a_change_to_a_stateful_type_the_replacement_table_lacks_is_flagged(shipped_run, monkeypatch):
    monkeypatch.setattr("ops.review.known", lambda type_: type_ != SERVERLESS_CACHE)
    values = stack_values("dev")
    values["webstack:data"] = {"cache": {"serverlessMaxDataGb": 2}}
    result = check(shipped_run("dev"), run_offline("dev", values))

    assert [change.type for change in result.diff.of(Action.UPDATE)] == [SERVERLESS_CACHE]
    (warning,) = result.warnings
    assert warning.startswith(f"{SERVERLESS_CACHE} webstack-dev-cache-serverless changes (cacheUsageLimits)")


def test_a_manifest_read_back_is_the_same_plan(shipped_run):
    run = shipped_run("prod")
    back = from_manifest(json.loads(to_json(run)))

    assert len(back.registrations) == len(run.registrations)
    assert diff_runs(run, back).changes == ()
    assert diff_runs(back, run).changes == ()
    assert back.one(TABLE).protect


# -- code changes --------------------------------------------------------------------------------


def rename_database(monkeypatch, *, alias: bool) -> None:
    """The refactor: the database component is called `{root}-db` instead of `{root}-database`."""
    database = platform.Database

    def renamed(name, args, opts=None):
        if alias:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(name=name)]))
        return database(name.replace("-database", "-db"), args, opts)

    monkeypatch.setattr(platform, "Database", renamed)


def test_renaming_the_database_component_fails_with_the_alias_that_keeps_it(monkeypatch, shipped_run):
    rename_database(monkeypatch, alias=False)
    result = check(shipped_run("prod"), run_offline("prod", stack_values("prod")))

    assert result.blocked
    finding = only(result.blocking, INSTANCE)
    assert finding.urn.endswith("::webstack-prod-db-postgres")
    assert "renamed" in finding.reason
    assert "webstack-prod-database-postgres" in finding.reason
    # One alias on the component keeps every child: the engine derives theirs from it.
    assert 'aliases=[pulumi.Alias(name="webstack-prod-database")]' in finding.fix
    assert "webstack:data:Database webstack-prod-db" in finding.fix


def test_with_that_alias_the_database_is_kept_and_updated_in_place(monkeypatch, shipped_run):
    rename_database(monkeypatch, alias=True)
    result = check(shipped_run("prod"), run_offline("prod", stack_values("prod")))

    assert result.renames == ()
    (instance,) = result.diff.of(Action.UPDATE, INSTANCE)
    assert "identifier" in instance.keys  # RDS renames an instance in place
    # What the alias cannot keep: the log groups RDS writes to are named after the identifier.
    assert {f.urn.rsplit("::", 1)[1] for f in result.blocking} == {
        "webstack-prod-db-postgresql-logs",
        "webstack-prod-db-upgrade-logs",
    }


def test_changing_the_sessions_table_key_replaces_it_and_fails(monkeypatch, shipped_run):
    monkeypatch.setattr(sessions, "SESSION_KEY", "sessionId")
    result = check(shipped_run("prod"), run_offline("prod", stack_values("prod")))

    assert result.blocked
    finding = only(result.blocking, TABLE)
    assert "replaced" in finding.reason
    assert "`hashKey`" in finding.reason
    assert f"--allow-replace {finding.urn}" in finding.fix


class Holder(pulumi.ComponentResource):
    """A component a refactor moves the sessions table into."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("webstack:test:Holder", name, None, opts)
        self.register_outputs({})


def move_the_table(monkeypatch, *, alias: bool) -> None:
    stateful = sessions.stateful

    def moved(parent, context, **options):
        holder = Holder("sessions-holder", pulumi.ResourceOptions(parent=parent))
        if alias:
            options["aliases"] = [pulumi.Alias(parent=parent)]
        return stateful(holder, context, **options)

    monkeypatch.setattr(sessions, "stateful", moved)


def test_moving_the_table_to_another_parent_without_an_alias_fails(monkeypatch, shipped_run):
    move_the_table(monkeypatch, alias=False)
    before = shipped_run("prod")
    result = check(before, run_offline("prod", stack_values("prod")))

    finding = only(result.blocking, TABLE)
    assert "moved to another parent" in finding.reason
    previous_parent = before.one(TABLE).parent
    assert f'aliases=[pulumi.Alias(parent="{previous_parent}")]' in finding.fix


def test_moving_the_table_with_an_alias_passes(monkeypatch, shipped_run):
    move_the_table(monkeypatch, alias=True)
    result = check(shipped_run("prod"), run_offline("prod", stack_values("prod")))

    assert not result.blocked
    assert result.diff.of(Action.DELETE) == []


def test_renaming_a_resource_in_place_suggests_its_own_alias(shipped_run):
    before = shipped_run("prod")
    table = before.one(TABLE)
    renamed = replace(table, name="webstack-prod-sessions-store", urn=table.urn.replace("-table", "-store"))
    after = replace(before, registrations=tuple(renamed if r is table else r for r in before.registrations))

    (finding,) = check(before, after).blocking

    assert finding.urn == renamed.urn
    assert 'pulumi.Alias(name="webstack-prod-sessions-table")' in finding.fix
    assert "to the resource" in finding.fix


def test_a_stack_that_is_new_at_the_head_only_creates(shipped_run):
    dev = shipped_run("dev")
    result = check(OfflineRun(dev.project, dev.stack, (), {}), dev)

    assert not result.blocked
    assert {change.action for change in result.diff.changes} == {Action.CREATE}


# -- config changes, through the command ---------------------------------------------------------


def network(values: dict) -> dict:
    return values["webstack:network"]


def add_domain(values: dict) -> None:
    values["webstack:edge"] = {
        "domainName": "dev.example.com",
        "hostedZoneId": "Z0123456789ABCDEFGHIJ",
        "hostedZoneName": "example.com",
    }


def nat(mode: str):
    def change(values: dict) -> None:
        network(values).update(natGateways=mode, interfaceEndpoints=True)

    return change


GROWTH_STEPS = {
    "add an AZ": (lambda values: None, lambda values: network(values).update(availabilityZones=3)),
    "NAT none -> single": (nat("none"), nat("single")),
    "NAT single -> one per AZ": (nat("single"), nat("onePerAz")),
    "interface endpoints on": (lambda values: None, lambda values: network(values).update(interfaceEndpoints=True)),
    "add a domain": (lambda values: None, add_domain),
}


@pytest.mark.parametrize("step", GROWTH_STEPS)
def test_the_growth_steps_pass_the_diff(step, tmp_path, capsys):
    before, after = stack_values("dev"), stack_values("dev")
    to_before, to_after = GROWTH_STEPS[step]
    to_before(before)
    to_before(after)
    to_after(after)

    assert diff_configs(tmp_path, before, after) == 0
    out = capsys.readouterr().out
    assert "  create " in out
    assert "ok: no stateful resource" in out


def unencrypted(values: dict) -> dict:
    """A change that replaces the dev database: storage encryption is fixed when an instance is created."""
    changed = copy.deepcopy(values)
    changed.setdefault("webstack:data", {}).setdefault("postgres", {})["storageEncrypted"] = False
    return changed


DATABASE_URN = (
    "urn:pulumi:dev::webstack::webstack:data:Database$aws:rds/instance:Instance::webstack-dev-database-postgres"
)


def test_replacing_the_database_fails_and_names_the_inputs(tmp_path, capsys):
    values = stack_values("dev")

    assert diff_configs(tmp_path, values, unencrypted(values)) == 1
    out = capsys.readouterr().out
    assert (
        f"  replace  {INSTANCE}  webstack-dev-database-postgres  [stateful]  forced by: kmsKeyId, storageEncrypted"
        in out
    )
    assert f"Blocking (1):\n  - {DATABASE_URN}" in out
    assert "blocked: 1 stateful resource(s) would be lost (exit 1)" in out


def test_allow_replace_accepts_the_named_replacement(tmp_path, capsys):
    values = stack_values("dev")

    assert diff_configs(tmp_path, values, unencrypted(values), "--allow-replace", DATABASE_URN) == 0
    out = capsys.readouterr().out
    assert f"Accepted with --allow-replace (1):\n  - {DATABASE_URN}" in out
    assert "Blocking" not in out


def test_json_gives_every_change_and_what_blocks(tmp_path, capsys):
    values = stack_values("dev")

    assert diff_configs(tmp_path, values, unencrypted(values), "--json", "--allow-replace", "urn:typo") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["stack"] == "dev"
    assert report["base"].endswith("Pulumi.before.yaml")
    changes = {change["urn"]: change for change in report["changes"]}
    assert changes[DATABASE_URN] == {
        "action": "replace",
        "urn": DATABASE_URN,
        "type": INSTANCE,
        "name": "webstack-dev-database-postgres",
        "keys": ["kmsKeyId", "storageEncrypted"],
        "stateful": True,
    }
    assert not any(change["stateful"] for urn, change in changes.items() if urn != DATABASE_URN)
    (blocking,) = report["blocking"]
    assert set(blocking) == {"urn", "reason", "fix"}
    assert blocking["urn"] == DATABASE_URN
    assert report["warnings"] == ["--allow-replace urn:typo matches nothing"]


def test_bad_head_config_stops_the_diff_with_exit_2(tmp_path):
    values = stack_values("dev")
    broken = copy.deepcopy(values)
    network(broken)["availabilityZones"] = 9

    with pytest.raises(ConfigError) as raised:
        diff_configs(tmp_path, values, broken)
    assert raised.value.exit_code == 2
    assert "webstack:network.availabilityZones" in str(raised.value)


# -- against a git ref ---------------------------------------------------------------------------


def test_an_unknown_ref_fails_before_anything_is_planned():
    with pytest.raises(BaseRefError) as raised:
        plandiff.run(diff_args("prod", "--base", "no-such-branch"))
    assert "--base 'no-such-branch': no such commit, branch or tag" in str(raised.value)
    assert raised.value.exit_code == 2


def test_diff_against_head_of_a_clean_tree_reports_no_change(tmp_path):
    repo = committed_copy_of_the_working_tree(tmp_path / "repo")

    done = subprocess.run(
        [sys.executable, "-m", "ops", "diff", "prod", "--base", "HEAD", "--json"],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["base"].startswith("HEAD (")
    assert report["changes"] == []
    assert report["blocking"] == []


def test_a_plan_failing_at_the_ref_says_why(tmp_path):
    repo = committed_copy_of_the_working_tree(tmp_path / "repo")
    values = stack_values("prod")
    network(values)["natGateways"] = "single"
    write_stack(repo / "Pulumi.prod.yaml", values)
    git(repo, "commit", "-q", "-am", "a prod config the rules refuse")

    with pytest.raises(BaseRefError) as raised:
        plan_at_commit("prod", resolve_ref("HEAD", root=repo), root=repo)
    assert "the plan of prod at" in str(raised.value)
    assert "webstack:network.natGateways" in str(raised.value)


def test_a_stack_that_did_not_exist_at_the_ref_is_empty_there(tmp_path):
    repo = committed_copy_of_the_working_tree(tmp_path / "repo")

    assert plan_at_commit("stage", resolve_ref("HEAD", root=repo), root=repo).registrations == ()
