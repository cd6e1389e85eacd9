"""The worst-case release and rollback times (config/release.py): pure arithmetic on the config."""

from __future__ import annotations

import pytest

from config import parse_config
from config.compute import DeploymentStrategy
from config.release import GOAL_SECONDS, alarm_detection_seconds, release_times


def app(values, **compute):
    values["webstack:compute"] = {**values.get("webstack:compute", {}), **compute}
    return parse_config(values).compute.services["app"]


def test_a_rolling_fargate_release_is_task_start_plus_passing_checks(dev_values):
    times = release_times(app(dev_values, healthCheck={"intervalSeconds": 10, "healthyThreshold": 2}))

    # 60 s to start the task, one interval until the first check, two passing checks.
    assert times.strategy is DeploymentStrategy.ROLLING
    assert times.live_seconds == 60 + 10 * 3
    assert times.complete_seconds == times.live_seconds + 30  # the deregistration delay


def test_prod_rolls_out_within_the_five_minute_goal_and_its_canary_takes_its_bake(prod_values):
    prod = app(prod_values)

    assert release_times(prod, DeploymentStrategy.ROLLING).live_seconds < GOAL_SECONDS
    canary = release_times(prod)
    assert canary.strategy is DeploymentStrategy.CANARY
    assert canary.live_seconds == release_times(prod, DeploymentStrategy.ROLLING).live_seconds + 5 * 60


def test_a_rolling_rollback_finds_the_fault_then_starts_the_old_version_again(dev_values):
    times = release_times(app(dev_values))

    assert times.rollback_seconds == times.live_seconds + alarm_detection_seconds() + times.live_seconds


def test_a_canary_rollback_only_moves_the_traffic_back(prod_values):
    canary = release_times(app(prod_values))
    rolling = release_times(app(prod_values), DeploymentStrategy.ROLLING)

    assert canary.rollback_seconds < rolling.rollback_seconds


def test_linear_steps_add_up(dev_values):
    times = release_times(
        app(dev_values, deployment={"strategy": "linear", "linearStepPercent": 25, "linearStepMinutes": 2})
    )

    ready = release_times(app(dev_values), DeploymentStrategy.ROLLING).live_seconds
    assert times.live_seconds == ready + 3 * 2 * 60


@pytest.mark.parametrize("threshold", [2, 5, 10])
def test_slower_health_checks_make_releases_slower(dev_values, threshold):
    fast = release_times(app(dev_values, healthCheck={"healthyThreshold": 2}))
    slow = release_times(app(dev_values, healthCheck={"healthyThreshold": threshold}))

    assert slow.live_seconds - fast.live_seconds == 10 * (threshold - 2)


def test_an_ec2_release_is_one_wave_of_new_instances(dev_values):
    times = release_times(app(dev_values, kind="ec2"))

    assert times.live_seconds == 180 + 10 * 3


def test_the_release_times_are_a_stack_output(shipped_run):
    release = shipped_run("prod").outputs["release"]

    assert release == {
        "strategy": "canary",
        "worstCaseLiveSeconds": 390,
        "worstCaseCompleteSeconds": 720,
        "worstCaseRollbackSeconds": 270,
    }
