"""CloudWatch alarms as data: one definition per signal, used wherever the signal is watched.

The deployment alarms (the app's 5xx rate and its unhealthy hosts) roll a release back and, with
the observability component, page the team: both use the definitions here, built from the
period and evaluation the release estimate assumes (config/release.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from config.release import ALARM_DATAPOINTS, ALARM_EVALUATION_PERIODS, ALARM_PERIOD_SECONDS

ELB_NAMESPACE = "AWS/ApplicationELB"


@dataclass(frozen=True)
class Metric:
    """One metric a query reads: an id for expressions, the metric, its dimensions and statistic."""

    id: str
    name: str
    dimensions: dict[str, pulumi.Input[str]]
    stat: str = "Sum"
    namespace: str = ELB_NAMESPACE


@dataclass(frozen=True)
class AlarmSpec:
    """An alarm: a metric or an expression over metrics, a threshold, and what missing data means."""

    description: str
    metrics: tuple[Metric, ...]
    threshold: float
    expression: str | None = None
    comparison: str = "GreaterThanThreshold"
    # notBreaching where no data means no traffic (nothing can be failing); the choice is per alarm.
    treat_missing_data: str = "notBreaching"


def target_5xx_rate(
    service: str, load_balancer: pulumi.Input[str], target_groups: Sequence[pulumi.Input[str]], percent: float
) -> AlarmSpec:
    """The share of one service's responses that are 5xx, summed over its target groups (blue and green)."""
    metrics = []
    for index, target_group in enumerate(target_groups):
        dimensions = {"LoadBalancer": load_balancer, "TargetGroup": target_group}
        metrics += [
            Metric(f"errors{index}", "HTTPCode_Target_5XX_Count", dimensions),
            Metric(f"requests{index}", "RequestCount", dimensions),
        ]
    errors = " + ".join(f"FILL(errors{index}, 0)" for index in range(len(target_groups)))
    requests = " + ".join(f"FILL(requests{index}, 0)" for index in range(len(target_groups)))
    return AlarmSpec(
        description=f"More than {percent:g}% of {service}'s responses are 5xx",
        metrics=tuple(metrics),
        expression=f"IF(({requests}) > 0, 100 * ({errors}) / ({requests}), 0)",
        threshold=percent,
    )


def unhealthy_hosts(service: str, load_balancer: pulumi.Input[str], target_group: pulumi.Input[str]) -> AlarmSpec:
    """Targets of one target group failing their health checks (an idle group has no data: not breaching)."""
    return AlarmSpec(
        description=f"A target of {service} is failing its health check",
        metrics=(
            Metric(
                "unhealthy",
                "UnHealthyHostCount",
                {"LoadBalancer": load_balancer, "TargetGroup": target_group},
                stat="Maximum",
            ),
        ),
        threshold=0,
    )


def metric_alarm(
    name: str, spec: AlarmSpec, opts: pulumi.ResourceOptions, actions: Sequence[pulumi.Input[str]] = ()
) -> aws.cloudwatch.MetricAlarm:
    """The alarm of `spec`: M of N one-minute periods, OK actions too when it notifies anyone."""
    queries = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=metric.id,
            return_data=spec.expression is None,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=metric.namespace,
                metric_name=metric.name,
                dimensions=metric.dimensions,
                period=ALARM_PERIOD_SECONDS,
                stat=metric.stat,
            ),
        )
        for metric in spec.metrics
    ]
    if spec.expression is not None:
        queries.append(
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="result", expression=spec.expression, label=spec.description, return_data=True
            )
        )
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=spec.description,
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        evaluation_periods=ALARM_EVALUATION_PERIODS,
        datapoints_to_alarm=ALARM_DATAPOINTS,
        treat_missing_data=spec.treat_missing_data,
        metric_queries=queries,
        alarm_actions=list(actions),
        ok_actions=list(actions),
        opts=opts,
    )
