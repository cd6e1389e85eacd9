"""What one service adds to the shared load balancer: its target groups, its listener rule, its deployment alarms.

Every service gets two target groups, blue and green, from the start: ECS's native canary,
linear and blue/green strategies shift traffic between them, and a rolling service keeps the
green one idle, so switching strategies later changes settings and replaces nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute.load_balancer import LoadBalancer
from components.data import AppData
from components.naming import ELB_NAME, replaceable_name
from components.observability.alarms import AlarmSpec, metric_alarm
from components.observability.signals import target_5xx_rate, unhealthy_hosts
from components.options import AwsContext
from components.security import Encryption
from config.compute import DeploymentStrategy, ServiceConfig, rule_priority

# The port targets are registered on. Tasks register with their container port, and EC2 instances map
# the container to this port, so changing the app's port never replaces a target group.
TARGET_PORT = 80
COLOURS = ("blue", "green")
# The last rule the listener evaluates: the service that takes every request no other rule takes.
CATCH_ALL_PRIORITY = 50_000
CATCH_ALL_PATH = "/*"


@dataclass(frozen=True, kw_only=True)
class Placement:
    """What the platform gives every app service, whatever runs it: where it runs and what it uses."""

    context: AwsContext
    encryption: Encryption
    load_balancer: LoadBalancer
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    data: AppData
    log_retention_days: int
    # The service placed: its name in the config (its resources carry the stack's prefix too).
    service: str
    # Where every alarm of the service notifies (the alert topic).
    alarm_actions: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class Routing:
    """A service's place on the load balancer."""

    primary: aws.lb.TargetGroup
    alternate: aws.lb.TargetGroup
    rule: aws.lb.ListenerRule
    alarm_names: list[pulumi.Output[str]]
    # The deployment alarms' definitions, for the dashboard.
    deployment_alarms: tuple[AlarmSpec, ...]


def route(
    parent: pulumi.Resource,
    name: str,
    app: ServiceConfig,
    placement: Placement,
    target_type: str,
) -> Routing:
    """Target groups, the listener rule and the deployment alarms of public service `name`.

    The rule matches the service's paths and hosts at a priority from its name (or config); a service
    with neither takes every request no other rule takes, last.
    """
    load_balancer, vpc_id = placement.load_balancer, placement.vpc_id
    check = app.health_check
    groups = [
        aws.lb.TargetGroup(
            f"{name}-{colour}",
            name=replaceable_name(ELB_NAME, f"{name}-{colour}", target_type),
            port=TARGET_PORT,
            protocol="HTTP",
            target_type=target_type,
            vpc_id=vpc_id,
            deregistration_delay=app.deregistration_delay_seconds,
            slow_start=app.slow_start_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                path=check.path,
                protocol="HTTP",
                matcher="200",
                interval=check.interval_seconds,
                timeout=check.timeout_seconds,
                healthy_threshold=check.healthy_threshold,
                unhealthy_threshold=check.unhealthy_threshold,
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for colour in COLOURS
    ]
    primary, alternate = groups
    ecs_shifts_traffic = app.deployment.strategy is not DeploymentStrategy.ROLLING
    routing = app.routing
    catch_all = routing.matches_everything
    rule = aws.lb.ListenerRule(
        f"{name}-rule",
        listener_arn=load_balancer.listener.arn,
        priority=CATCH_ALL_PRIORITY if catch_all else rule_priority(placement.service, routing),
        conditions=load_balancer.conditions([CATCH_ALL_PATH] if catch_all else routing.paths, routing.hosts),
        actions=[
            aws.lb.ListenerRuleActionArgs(
                type="forward",
                forward=aws.lb.ListenerRuleActionForwardArgs(
                    target_groups=[
                        aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=primary.arn, weight=100),
                        aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=alternate.arn, weight=0),
                    ]
                ),
            )
        ],
        # ECS moves the weights during canary, linear and blue/green releases: a plan must not move them back.
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["actions"] if ecs_shifts_traffic else None),
    )
    specs = (
        target_5xx_rate(
            name, load_balancer.arn_suffix, [g.arn_suffix for g in groups], app.deployment.max_error_percent
        ),
        *(
            unhealthy_hosts(name, colour, load_balancer.arn_suffix, group.arn_suffix)
            for colour, group in zip(COLOURS, groups, strict=True)
        ),
    )
    alarms = [
        metric_alarm(f"{name}-{spec.key}-alarm", spec, pulumi.ResourceOptions(parent=parent), placement.alarm_actions)
        for spec in specs
    ]
    return Routing(primary, alternate, rule, [alarm.name for alarm in alarms], specs)
