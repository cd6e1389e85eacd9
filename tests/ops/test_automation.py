"""The Automation API wrapper and review stacks, against a stand-in Pulumi CLI that records what it is asked.

There is no Pulumi CLI here: tests/ops/fake_cli/pulumi answers the calls the Automation API makes.
One test uses the real CLI, and is skipped where it is not installed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

import ops.automation
from config.errors import ConfigError
from ops import automation, review_stacks
from ops.cli import main
from tests.conftest import ROOT

FAKE_CLI = Path(__file__).resolve().parent / "fake_cli"


def install_fake(directory: Path) -> Path:
    """The stand-in CLI as `directory/pulumi`, run by this interpreter (whatever is on PATH)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = (FAKE_CLI / "pulumi").read_text().split("\n", 1)[1]
    target = directory / "pulumi"
    target.write_text(f"#!{sys.executable}\n{script}")
    target.chmod(0o755)
    return target


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """The stand-in CLI alone on PATH; `cli()` returns the argument lists it was called with."""
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", str(install_fake(tmp_path / "bin").parent))
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(log))
    monkeypatch.delenv(automation.PULUMI_ROOT_VARIABLE, raising=False)
    monkeypatch.setattr(ops.automation, "RETRY_DELAYS_SECONDS", (0.0, 0.0, 0.0))

    def calls() -> list[list[str]]:
        if not log.exists():
            return []
        return [
            [a for a in json.loads(line)["args"] if a != "--non-interactive"] for line in log.read_text().splitlines()
        ]

    return calls


def commands(calls: list[list[str]]) -> list[str]:
    """Each call as its command words (`stack select`, `preview`, ...)."""
    return [" ".join(word for word in call[:2] if not word.startswith("-")) for call in calls]


@pytest.fixture
def workdir(monkeypatch, tmp_path):
    """Stack files in a directory of their own, so review stacks never write into the repository."""
    directory = tmp_path / "project"
    directory.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        shutil.copy(ROOT / name, directory / name)
    monkeypatch.setattr(ops.automation, "ROOT", directory)
    return directory


# -- the API ------------------------------------------------------------------------------------------------------


def test_preview_selects_the_stack_and_previews_with_the_policy_pack(cli):
    events = []
    outcome = automation.preview("dev", policy_pack=Path("policy"), on_event=events.append)

    calls = cli()
    assert ["stack", "select", "--stack", "dev"] in calls
    (preview,) = [call for call in calls if call[0] == "preview"]
    assert preview[preview.index("--policy-pack") + 1] == str((Path("policy")).resolve())
    assert "--event-log" in preview
    assert (outcome.stack, outcome.operation, outcome.changes) == ("dev", "preview", {"create": 2, "same": 180})
    assert any(event.resource_pre_event for event in events)
    assert any(event.summary_event for event in events)


def test_up_creates_the_stack_if_needed_and_returns_changes_and_outputs(cli, monkeypatch):
    monkeypatch.setenv("FAKE_PULUMI_EXISTING", "prod")
    outcome = automation.up("dev", on_event=lambda event: None)

    calls = cli()
    assert ["stack", "init", "dev"] in [call[:3] for call in calls]
    (up,) = [call for call in calls if call[0] == "up"]
    assert {"--yes", "--skip-preview"} <= set(up)
    assert outcome.outputs == {"site": {"url": "https://example.cloudfront.net"}}
    assert outcome.changes == {"create": 2, "same": 180}


@pytest.mark.parametrize("operation", ["refresh", "destroy"])
def test_refresh_and_destroy_run_their_command_on_the_stack(cli, operation):
    getattr(automation, operation)("prod", on_event=lambda event: None)
    assert ["stack", "select", "--stack", "prod"] in cli()
    assert any(call[0] == operation for call in cli())


def test_the_default_progress_display_counts_resources(cli, capsys):
    automation.up("dev")
    err = capsys.readouterr().err
    assert "[0/1] create aws:s3/bucket:Bucket assets" in err
    assert "done in 1 s" in err


def test_a_bad_config_fails_before_the_cli_is_touched(cli, workdir):
    (workdir / "Pulumi.broken.yaml").write_text("config:\n  aws:region: eu-wset-1\n  webstack:environment: dev\n")
    with pytest.raises(ConfigError, match="eu-wset-1"):
        automation.up("broken")
    assert cli() == []


def test_without_a_cli_the_error_says_how_to_get_or_point_at_one(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(automation.PULUMI_ROOT_VARIABLE, raising=False)
    with pytest.raises(automation.PulumiCliMissingError, match="WEBSTACK_PULUMI_ROOT"):
        automation.preview("dev")


def test_a_cli_outside_path_is_found_through_the_variable(cli, monkeypatch, tmp_path):
    root = tmp_path / "pulumi-root"
    install_fake(root / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv(automation.PULUMI_ROOT_VARIABLE, str(root))
    automation.preview("dev", on_event=lambda event: None)
    assert any(call[0] == "preview" for call in cli())


def test_a_concurrent_update_is_waited_for_then_retried(cli, monkeypatch):
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "conflict-once")
    automation.up("dev", on_event=lambda event: None)
    assert [call[0] for call in cli()].count("up") == 2


def test_a_stack_that_stays_locked_is_reported_after_the_retries(cli, monkeypatch):
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "conflict")
    with pytest.raises(automation.StackBusyError, match="pulumi cancel --stack dev"):
        automation.up("dev", on_event=lambda event: None)
    assert [call[0] for call in cli()].count("up") == len(automation.RETRY_DELAYS_SECONDS) + 1


def test_missing_credentials_say_what_to_log_in_to(cli, monkeypatch):
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "credentials")
    with pytest.raises(automation.CredentialsError, match="pulumi login"):
        automation.preview("dev", on_event=lambda event: None)


def test_a_policy_violation_names_the_rule(cli, monkeypatch):
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "policy")
    with pytest.raises(automation.PolicyViolationError, match="sg-no-open-ingress"):
        automation.preview("dev", policy_pack=Path("policy"), on_event=lambda event: None)


# -- review stacks -----------------------------------------------------------------------------------------


def test_a_review_stack_is_a_dev_tier_copy_without_the_base_domain_then_the_overrides(cli, workdir):
    outcome = review_stacks.up(
        "pr-123", base="prod", overrides=["compute.image=public.ecr.aws/nginx/nginx:1.27.3"], on_event=lambda e: None
    )

    written = yaml.safe_load((workdir / "Pulumi.pr-123.yaml").read_text())["config"]
    assert written["webstack:environment"] == "dev"
    assert written["webstack:accountId"] == "111111111111"  # same account as its base
    assert "domainName" not in written["webstack:edge"]  # the base's DNS names stay the base's
    assert "alarmEmails" not in written["webstack:observability"]  # pages no one
    assert "postgres" not in written.get("webstack:data", {})  # dev's small database
    assert written["webstack:compute"]["image"] == "public.ecr.aws/nginx/nginx:1.27.3"
    assert any(call[0] == "up" for call in cli())
    assert outcome.stack == "pr-123"


def test_destroying_a_review_stack_removes_its_resources_the_stack_and_its_file(cli, workdir):
    review_stacks.up("pr-9", base="dev", on_event=lambda e: None)
    review_stacks.destroy("pr-9", on_event=lambda e: None)

    assert [c for c in commands(cli()) if c in ("up", "destroy", "stack rm")] == ["up", "destroy", "stack rm"]
    assert not (workdir / "Pulumi.pr-9.yaml").exists()


@pytest.mark.parametrize("name", ["prod", "dev", "PR-1", "pr_1", "-x"])
def test_a_review_stack_never_takes_a_shipped_stacks_name_or_a_bad_one(cli, workdir, name):
    with pytest.raises(review_stacks.ReviewStackError):
        review_stacks.up(name, base="dev")
    assert cli() == []


def test_a_bad_override_is_refused_before_anything_is_written_or_run(cli, workdir):
    with pytest.raises(ConfigError, match=r"webstack:compute\.desiredCount"):
        review_stacks.up("pr-5", base="dev", overrides=["compute.desiredCount=lots"])
    assert not (workdir / "Pulumi.pr-5.yaml").exists()
    assert cli() == []


def test_the_command_line_wraps_the_api(cli, workdir, capsys):
    code = main(["review", "up", "pr-77", "--from", "dev", "--set", "compute.desiredCount=1"])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (printed["stack"], printed["operation"]) == ("pr-77", "up")


# -- the real CLI, where there is one ----------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pulumi") is None, reason="the Pulumi CLI is not installed on this machine")
def test_the_real_cli_is_found_and_reports_its_version():
    command = automation.pulumi_command()
    assert command.version is not None
