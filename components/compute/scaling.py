"""Scaling an ECS service with Application Auto Scaling: CPU, requests per target or queue backlog per task,
and office hours.

Target tracking keeps the minimum from the config, so scaling in never goes below it; a
non-prod stack with a schedule goes to zero outside working hours and comes back at their start.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute.load_balancer import LoadBalancer
from components.compute.queue import WorkQueue
from components.observability.signals import CONTAINER_INSIGHTS, SQS
from config.compute import ServiceConfig

# Scale out fast, scale in slowly: a brief dip should not cost capacity that the next peak needs.
SCALE_OUT_COOLDOWN = 60
SCALE_IN_COOLDOWN = 300


@dataclass(frozen=True)
class AppScaling:
    """What scaling reads: the bounds and targets of the config, and the target group requests are counted on."""

    config: ServiceConfig
    load_balancer: LoadBalancer
    # None for a service the load balancer does not route to: it scales on CPU (and its queue).
    target_group: aws.lb.TargetGroup | None = None
    queue: WorkQueue | None = None


def request_label(load_balancer: LoadBalancer, target_group: aws.lb.TargetGroup) -> pulumi.Output[str]:
    """`app/<lb>/<id>/targetgroup/<tg>/<id>`: which target group's requests per target are tracked."""
    return pulumi.Output.concat(load_balancer.arn_suffix, "/", target_group.arn_suffix)


# The provider's argument classes for target tracking, by what they are.
_policy = aws.appautoscaling
Predefined = _policy.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
Customized = _policy.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs
_Metric = _policy.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs
_Stat = _policy.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs
_StatMetric = (
    _policy.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs
)
_Dimension = _policy.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs  # noqa: E501


def _backlog_per_task(
    queue_name: pulumi.Input[str], cluster_name: pulumi.Input[str], service_name: pulumi.Input[str]
) -> Customized:
    """Visible messages divided by running tasks (Container Insights), the metric math AWS documents for workers."""

    def stat(metric_id: str, namespace: str, metric: str, stat: str, **dimensions: pulumi.Input[str]) -> _Metric:
        return _Metric(
            id=metric_id,
            metric_stat=_Stat(
                metric=_StatMetric(
                    namespace=namespace,
                    metric_name=metric,
                    dimensions=[_Dimension(name=key, value=value) for key, value in dimensions.items()],
                ),
                stat=stat,
            ),
            return_data=False,
        )

    return Customized(
        metrics=[
            stat("messages", SQS, "ApproximateNumberOfMessagesVisible", "Sum", QueueName=queue_name),
            stat(
                "tasks",
                CONTAINER_INSIGHTS,
                "RunningTaskCount",
                "Average",
                ClusterName=cluster_name,
                ServiceName=service_name,
            ),
            _Metric(id="backlog", expression="messages / tasks", label="Backlog per task", return_data=True),
        ]
    )


def scale_ecs_service(
    parent: pulumi.Resource,
    name: str,
    scaling: AppScaling,
    *,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    request_scaling: bool,
) -> None:
    """Target tracking on CPU (and on requests per target when one target group takes all traffic)."""
    config = scaling.config
    child = pulumi.ResourceOptions(parent=parent)
    target = aws.appautoscaling.Target(
        f"{name}-scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster_name, "/", service_name),
        min_capacity=config.min_count,
        max_capacity=config.max_count,
        opts=child,
    )

    def tracking(
        role: str,
        value: float,
        predefined: Predefined | None = None,
        customized: Customized | None = None,
    ) -> None:
        aws.appautoscaling.Policy(
            f"{name}-{role}-scaling",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=value,
                predefined_metric_specification=predefined,
                customized_metric_specification=customized,
                scale_in_cooldown=SCALE_IN_COOLDOWN,
                scale_out_cooldown=SCALE_OUT_COOLDOWN,
            ),
            opts=child,
        )

    tracking("cpu", config.cpu_target_percent, Predefined(predefined_metric_type="ECSServiceAverageCPUUtilization"))
    # During canary, linear and blue/green releases traffic moves between two target groups: counting one
    # of them would read a drained group as idle, so those services scale on CPU alone.
    if request_scaling and config.requests_per_target and scaling.target_group is not None:
        label = request_label(scaling.load_balancer, scaling.target_group)
        predefined = Predefined(predefined_metric_type="ALBRequestCountPerTarget", resource_label=label)
        tracking("requests", config.requests_per_target, predefined)
    if scaling.queue is not None and config.queue is not None:
        backlog = _backlog_per_task(scaling.queue.name, cluster_name, service_name)
        tracking("backlog", config.queue.messages_per_task, customized=backlog)
    if config.schedule is not None:
        for role, cron, (low, high) in (
            ("scale-down", config.schedule.scale_down, (0, 0)),
            ("scale-up", config.schedule.scale_up, (config.min_count, config.max_count)),
        ):
            aws.appautoscaling.ScheduledAction(
                f"{name}-{role}",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                schedule=cron,
                timezone=config.schedule.time_zone,
                scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                    min_capacity=low, max_capacity=high
                ),
                opts=child,
            )
