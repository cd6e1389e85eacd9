"""CloudWatch signals and alarms as data: one definition per signal, drawn on the dashboard and alarmed on.

A `Signal` is what a graph shows (metrics, and an expression over them); an `AlarmSpec` is a
signal with a threshold and what missing data means. The deployment alarms (the app's 5xx rate
and its unhealthy targets) roll a release back and page the team: they use the evaluation the
release estimate assumes (config/release.py); the other alarms use the configured M of N.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pulumi
import pulumi_aws as aws

from config.release import ALARM_DATAPOINTS, ALARM_EVALUATION_PERIODS, ALARM_PERIOD_SECONDS


class Golden(StrEnum):
    """The four golden signals a tier's graphs are grouped by."""

    TRAFFIC = "traffic"
    ERRORS = "errors"
    LATENCY = "latency"
    SATURATION = "saturation"


@dataclass(frozen=True)
class Metric:
    """One metric a signal reads: an id for expressions, the metric, its dimensions and statistic."""

    id: str
    namespace: str
    name: str
    dimensions: dict[str, pulumi.Input[str]]
    stat: str = "Sum"


@dataclass(frozen=True)
class Signal:
    """What one graph shows: a metric, or an expression (`result`) over several."""

    title: str
    golden: Golden
    metrics: tuple[Metric, ...]
    expression: str | None = None


@dataclass(frozen=True)
class AlarmSpec:
    """An alarm on a signal: its threshold and what missing data means (chosen per alarm, said where made)."""

    key: str  # short and stable: part of the alarm's logical name
    description: str
    signal: Signal
    threshold: float
    comparison: str = "GreaterThanThreshold"
    treat_missing_data: str = "notBreaching"


@dataclass(frozen=True)
class Evaluation:
    """M of N one-minute periods."""

    datapoints: int
    periods: int


DEPLOYMENT = Evaluation(ALARM_DATAPOINTS, ALARM_EVALUATION_PERIODS)


def metric_alarm(
    name: str,
    spec: AlarmSpec,
    opts: pulumi.ResourceOptions,
    actions: Sequence[pulumi.Input[str]] = (),
    evaluation: Evaluation = DEPLOYMENT,
) -> aws.cloudwatch.MetricAlarm:
    """The alarm of `spec`: M of N one-minute periods, notifying `actions` when it fires and when it clears."""
    signal = spec.signal
    queries = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=metric.id,
            return_data=signal.expression is None,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=metric.namespace,
                metric_name=metric.name,
                dimensions=metric.dimensions,
                period=ALARM_PERIOD_SECONDS,
                stat=metric.stat,
            ),
        )
        for metric in signal.metrics
    ]
    if signal.expression is not None:
        queries.append(
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="result", expression=signal.expression, label=signal.title, return_data=True
            )
        )
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=spec.description,
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        evaluation_periods=evaluation.periods,
        datapoints_to_alarm=evaluation.datapoints,
        treat_missing_data=spec.treat_missing_data,
        metric_queries=queries,
        alarm_actions=list(actions),
        ok_actions=list(actions),
        opts=opts,
    )
