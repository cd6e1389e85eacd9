"""The worst-case time for a release to be fully live, and for a bad one to be rolled back.

From the configured health check, deregistration delay, strategy and bake times, and two
start-up times assumed here (a Fargate task, an EC2 instance). The deployment alarms' period
and evaluation lives here too: the alarms are built from these numbers, so the estimate and the
alarms cannot drift apart. The plan prints the result (stack output `release`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from config.compute import DeploymentStrategy, Ec2ServiceConfig, ServiceConfig

# Assumed start-up: a Fargate task (pull of a mid-sized image, container start) and an EC2 instance
# (boot, Docker, pull, start). Slower images make every figure below longer by the difference.
FARGATE_TASK_START_SECONDS = 60
EC2_INSTANCE_START_SECONDS = 180
# The deployment alarms: 1-minute periods, 2 breaching of the last 3. CloudWatch publishes load balancer
# metrics about a minute late.
ALARM_PERIOD_SECONDS = 60
ALARM_EVALUATION_PERIODS = 3
ALARM_DATAPOINTS = 2
METRIC_DELAY_SECONDS = 60
# The goal of the product's design: a rolling release live in under five minutes.
GOAL_SECONDS = 5 * 60


@dataclass(frozen=True)
class ReleaseTimes:
    """Seconds, each a worst case: new version taking all traffic, release finished, bad release undone."""

    strategy: DeploymentStrategy
    live_seconds: int
    complete_seconds: int
    rollback_seconds: int

    def as_output(self) -> dict[str, object]:
        return {
            "strategy": self.strategy.value,
            "worstCaseLiveSeconds": self.live_seconds,
            "worstCaseCompleteSeconds": self.complete_seconds,
            "worstCaseRollbackSeconds": self.rollback_seconds,
        }


def alarm_detection_seconds() -> int:
    """From the first bad request to the alarm: enough breaching periods, plus the metrics' lag."""
    return ALARM_DATAPOINTS * ALARM_PERIOD_SECONDS + METRIC_DELAY_SECONDS


def release_times(app: ServiceConfig, strategy: DeploymentStrategy | None = None) -> ReleaseTimes:
    """The worst case for `app` with its own strategy, or with `strategy` to compare (e.g. rolling)."""
    strategy = strategy or app.deployment.strategy
    check = app.health_check
    # Behind the load balancer: registered, then up to one interval before the first check, then the passing
    # checks in a row. Other services serve once started, and nothing drains them.
    healthy = check.interval_seconds * (check.healthy_threshold + 1) if app.public else 0
    drain = app.deregistration_delay_seconds if app.public else 0
    deployment = app.deployment
    if isinstance(app, Ec2ServiceConfig):
        # Instance refresh starts every new instance beside the old ones (maximum healthy = minimum + 100 %),
        # and rolls back the same way: a new wave of the previous launch template version.
        live = EC2_INSTANCE_START_SECONDS + healthy
        return ReleaseTimes(strategy, live, live + drain, live + alarm_detection_seconds() + live)

    ready = FARGATE_TASK_START_SECONDS + healthy  # every new task starts at once (maximum 200 %)
    if strategy is DeploymentStrategy.ROLLING:
        live = ready
        # A bad version is found once it serves, then the old version is started again.
        return ReleaseTimes(strategy, live, live + drain, live + alarm_detection_seconds() + ready)
    if strategy is DeploymentStrategy.CANARY:
        live = ready + deployment.canary_minutes * 60
    elif strategy is DeploymentStrategy.LINEAR:
        steps = math.ceil(100 / deployment.linear_step_percent)
        live = ready + (steps - 1) * deployment.linear_step_minutes * 60
    else:
        live = ready
    complete = live + deployment.bake_time_minutes * 60 + drain
    # Until the bake ends the old version still runs: rolling back only moves the traffic back.
    return ReleaseTimes(strategy, live, complete, ready + alarm_detection_seconds())
