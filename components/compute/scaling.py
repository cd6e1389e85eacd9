"""Scaling an ECS service with Application Auto Scaling: CPU and requests per target, and office hours.

Target tracking keeps the minimum from the config, so scaling in never goes below it; a
non-prod stack with a schedule goes to zero outside working hours and comes back at their start.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute.load_balancer import LoadBalancer
from config.compute import AppConfig

# Scale out fast, scale in slowly: a brief dip should not cost capacity that the next peak needs.
SCALE_OUT_COOLDOWN = 60
SCALE_IN_COOLDOWN = 300


@dataclass(frozen=True)
class AppScaling:
    """What scaling reads: the bounds and targets of the config, and the target group requests are counted on."""

    config: AppConfig
    load_balancer: LoadBalancer
    target_group: aws.lb.TargetGroup


def request_label(scaling: AppScaling) -> pulumi.Output[str]:
    """`app/<lb>/<id>/targetgroup/<tg>/<id>`: which target group's requests per target are tracked."""
    return pulumi.Output.concat(scaling.load_balancer.arn_suffix, "/", scaling.target_group.arn_suffix)


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

    def tracking(role: str, metric: str, value: float, label: pulumi.Input[str] | None = None) -> None:
        aws.appautoscaling.Policy(
            f"{name}-{role}-scaling",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=value,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=metric, resource_label=label
                ),
                scale_in_cooldown=SCALE_IN_COOLDOWN,
                scale_out_cooldown=SCALE_OUT_COOLDOWN,
            ),
            opts=child,
        )

    tracking("cpu", "ECSServiceAverageCPUUtilization", config.cpu_target_percent)
    # During canary, linear and blue/green releases traffic moves between two target groups: counting one
    # of them would read a drained group as idle, so those services scale on CPU alone.
    if request_scaling and config.requests_per_target:
        tracking("requests", "ALBRequestCountPerTarget", config.requests_per_target, request_label(scaling))
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
