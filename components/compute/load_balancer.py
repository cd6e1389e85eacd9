"""`webstack:compute:LoadBalancer`: the Application Load Balancer every app service sits behind.

It holds only what all services share: the load balancer and its listeners, whose default action
answers 404 (403 on an internet-facing one: a request that came without CloudFront's header).
Each service adds its own target groups and listener rule (components/compute/routing.py), so a
second service adds resources and renames none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.naming import ELB_NAME, replaceable_name
from components.options import AwsContext

# AWS's recommended policy: TLS 1.3 and 1.2 with restricted ciphers and post-quantum key exchange.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"


@dataclass(frozen=True)
class OriginHeader:
    """A header CloudFront adds to every request it sends: without it, an internet-facing origin answers 403."""

    name: str
    value: pulumi.Output[str]


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    context: AwsContext
    internal: bool
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    idle_timeout_seconds: int
    # A certificate makes the listener HTTPS (HTTP redirects to it); None serves plain HTTP.
    certificate_arn: pulumi.Input[str] | None
    # Internet-facing only: services forward a request only when it carries this header.
    origin_header: OriginHeader | None
    access_logs_bucket: pulumi.Input[str] | None
    access_logs_prefix: str


@dataclass(frozen=True)
class Listener:
    """The listener services add their rules to, and the port it serves."""

    arn: pulumi.Output[str]
    port: int
    protocol: str


class LoadBalancer(pulumi.ComponentResource):
    """One ALB: strict about malformed requests, logged, deletion-protected in prod, 404 for what no rule takes."""

    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    listener: Listener

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:compute:LoadBalancer", name, None, opts)
        self._name = name
        context = args.context
        logs = args.access_logs_bucket
        balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            # The scheme cannot change in place: a new scheme is a new load balancer with a name of its own.
            name=replaceable_name(ELB_NAME, name, args.internal),
            load_balancer_type="application",
            internal=args.internal,
            subnets=args.subnet_ids,
            security_groups=[args.security_group_id],
            idle_timeout=args.idle_timeout_seconds,
            drop_invalid_header_fields=True,
            desync_mitigation_mode="strictest",
            enable_deletion_protection=context.is_prod,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs, prefix=args.access_logs_prefix, enabled=True)
            if logs is not None
            else None,
            opts=pulumi.ResourceOptions(parent=self, protect=context.is_prod),
        )
        # What no service's rule takes: 404, or 403 on an internet-facing one (it came without CloudFront's header).
        status, body = ("403", "Forbidden") if args.origin_header else ("404", "Not found")
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", message_body=body, status_code=status
            ),
        )
        if args.certificate_arn is not None:
            serving = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=balancer.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=args.certificate_arn,
                default_actions=[not_found],
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                            port="443", protocol="HTTPS", status_code="HTTP_301"
                        ),
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            listener = Listener(serving.arn, 443, "HTTPS")
        else:
            plain = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[not_found],
                opts=pulumi.ResourceOptions(parent=self),
            )
            listener = Listener(plain.arn, 80, "HTTP")

        self.arn = balancer.arn
        self.arn_suffix = balancer.arn_suffix
        self.dns_name = balancer.dns_name
        self.zone_id = balancer.zone_id
        self.listener = listener
        self._origin_header = args.origin_header
        self.register_outputs({"arn": self.arn, "dns_name": self.dns_name, "listener_arn": listener.arn})

    def conditions(self, paths: Sequence[str], hosts: Sequence[str] = ()) -> list[aws.lb.ListenerRuleConditionArgs]:
        """What a service's rule matches: its paths and hosts and, on an internet-facing load balancer,
        CloudFront's header."""
        conditions = []
        if paths:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(paths))
                )
            )
        if hosts:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(hosts))
                )
            )
        header = self._origin_header
        if header is not None:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name=header.name, values=[header.value]
                    )
                )
            )
        return conditions
