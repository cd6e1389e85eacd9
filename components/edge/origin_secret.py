"""`webstack:edge:OriginSecret`: the header value that proves a request came through this distribution.

Only for an internet-facing load balancer (`edge.vpcOrigin: false`). The value is generated once
by Secrets Manager, kept there encrypted with the environment key, and read back for CloudFront
(which adds it) and the load balancer's rules (which require it): never in config, outputs or a
plan, where it shows as `[secret]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute.load_balancer import OriginHeader
from components.options import AwsContext

HEADER = "X-Origin-Verify"


@dataclass(frozen=True, kw_only=True)
class OriginSecretArgs:
    context: AwsContext
    kms_key_arn: pulumi.Input[str]


class OriginSecret(pulumi.ComponentResource):
    """A secret generated once and never changed by a later plan (rotate it by replacing the secret)."""

    header: OriginHeader
    secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: OriginSecretArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:edge:OriginSecret", name, None, opts)
        secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            description=f"{name}: the header CloudFront adds so the load balancer knows the request came through it",
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=7,
            opts=pulumi.ResourceOptions(parent=self),
        )
        generated = aws.secretsmanager.get_random_password_output(
            password_length=48, exclude_punctuation=True, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        version = aws.secretsmanager.SecretVersion(
            f"{name}-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(generated.random_password),
            # Set once: the next plan's new random value must not replace the one CloudFront already sends.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["secretString"]),
        )
        stored = aws.secretsmanager.get_secret_version_output(
            secret_id=secret.id, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[version])
        )

        self.header = OriginHeader(HEADER, pulumi.Output.secret(stored.secret_string))
        self.secret_arn = secret.arn
        self.register_outputs({"secret_arn": self.secret_arn})
