"""`python -m ops pr-comment`: the pull-request comment for a real change between two commits."""

from __future__ import annotations

import yaml

from ops.cli import main
from ops.pr_comment import MARKER, PREVIEW_SKIPPED
from tests.conftest import stack_values
from tests.ops.repos import committed_copy_of_the_working_tree, git


def test_the_comment_for_a_commit_that_adds_a_nat_gateway(tmp_path, capsys):
    repo = committed_copy_of_the_working_tree(tmp_path / "repo")
    values = stack_values("dev")
    values["webstack:network"]["natGateways"] = "onePerAz"
    (repo / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": values}))
    git(repo, "commit", "-q", "-am", "dev: a NAT gateway per AZ")

    code = main(["pr-comment", "--base", "HEAD~1", "--stack", "dev", "--root", str(repo)])
    comment = capsys.readouterr().out

    assert code == 0
    assert comment.startswith(MARKER)  # the workflow finds and updates this one comment
    assert "### dev" in comment
    assert "✅ 0 mandatory" in comment
    assert "| Diff | ✅ 2 to create, 1 to update, 0 to replace, 0 to delete · nothing stateful lost |" in comment
    assert "aws:ec2/natGateway:NatGateway  webstack-dev-network-vpc-2" in comment
    assert "$89.15 → $127.84 a month (+38.69)" in comment
    assert "```mermaid\nflowchart" in comment
    assert comment.rstrip().endswith(PREVIEW_SKIPPED)


def test_a_change_that_loses_state_fails_and_says_so(tmp_path, capsys):
    repo = committed_copy_of_the_working_tree(tmp_path / "repo")
    values = stack_values("dev")
    values["webstack:data"] = {"cache": {"enabled": False}}
    (repo / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": values}))
    git(repo, "commit", "-q", "-am", "dev: no cache")

    code = main(["pr-comment", "--base", "HEAD~1", "--stack", "dev", "--root", str(repo), "--preview-note", "ran"])
    comment = capsys.readouterr().out

    assert code == 1
    assert "needs attention" in comment
    assert "stateful resource(s) lost" in comment
    assert comment.rstrip().endswith("ran")
