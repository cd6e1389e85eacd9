"""`webstack:compute:LoadBalancer`: the Application Load Balancer every app service sits behind.

It holds only what all services share: the load balancer, its certificate and its listeners,
whose default action answers 404. Each service adds its own target groups and listener rule
(components/compute/service_routing.py), so a second service adds resources and renames none.
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
# The name CloudFront reaches the origin by, covered by the load balancer's certificate.
ORIGIN_LABEL = "origin"


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    context: AwsContext
    internal: bool
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    idle_timeout_seconds: int
    # A domain makes the listener HTTPS with a certificate validated in the hosted zone; None means HTTP.
    domain_name: str | None
    hosted_zone_id: str | None
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
    origin_domain: str | None

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
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", message_body="Not found", status_code="404"
            ),
        )
        if args.domain_name and args.hosted_zone_id:
            certificate = self._certificate(args.domain_name, args.hosted_zone_id)
            serving = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=balancer.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=certificate,
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
            origin = f"{ORIGIN_LABEL}.{args.domain_name}"
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
            origin = None

        self.arn = balancer.arn
        self.arn_suffix = balancer.arn_suffix
        self.dns_name = balancer.dns_name
        self.zone_id = balancer.zone_id
        self.listener = listener
        self.origin_domain = origin
        self.register_outputs({"arn": self.arn, "dns_name": self.dns_name, "listener_arn": listener.arn})

    def _certificate(self, domain: str, zone_id: str) -> pulumi.Output[str]:
        """An ACM certificate in the stack's region for the site and its origin name, validated through DNS."""
        name = self._name
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=domain,
            subject_alternative_names=[f"{ORIGIN_LABEL}.{domain}"],
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            # A new certificate must be issued before the listener lets go of the old one.
            opts=pulumi.ResourceOptions(parent=self),
        )
        # One validation record per name, found by its domain: the provider returns the options unordered.
        records = [
            aws.route53.Record(
                f"{name}-certificate-validation-{label}",
                zone_id=zone_id,
                name=option.apply(lambda o: o.resource_record_name or ""),
                type=option.apply(lambda o: o.resource_record_type or "CNAME"),
                records=[option.apply(lambda o: o.resource_record_value or "")],
                ttl=300,
                allow_overwrite=True,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for label, fqdn in (("site", domain), (ORIGIN_LABEL, f"{ORIGIN_LABEL}.{domain}"))
            for option in [_validation_option(certificate, fqdn)]
        ]
        validation = aws.acm.CertificateValidation(
            f"{name}-certificate-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in records],
            opts=pulumi.ResourceOptions(parent=self),
        )
        return validation.certificate_arn


def _validation_option(
    certificate: aws.acm.Certificate, domain: str
) -> pulumi.Output[aws.acm.outputs.CertificateDomainValidationOption]:
    return certificate.domain_validation_options.apply(
        lambda options: next(option for option in options if option.domain_name == domain)
    )
