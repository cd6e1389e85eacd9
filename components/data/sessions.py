"""`webstack:data:Sessions`: the DynamoDB table that holds HTTP sessions, expired by TTL."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.options import AwsContext, stateful
from components.security import Encryption, via_service_statement
from config.data import SessionsConfig

# The partition key: the session id the app hands the browser.
SESSION_KEY = "id"


@dataclass(frozen=True, kw_only=True)
class SessionsArgs:
    config: SessionsConfig
    context: AwsContext
    encryption: Encryption


class Sessions(pulumi.ComponentResource):
    """An on-demand table keyed by session id, encrypted with the environment key, recoverable to the second."""

    table_name: pulumi.Output[str]
    table_arn: pulumi.Output[str]

    def __init__(self, name: str, args: SessionsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:data:Sessions", name, None, opts)
        config, context = args.config, args.context
        args.encryption.allow(via_service_statement(context, "DynamoDbUsesKey", ["dynamodb"]))
        table = aws.dynamodb.Table(
            f"{name}-table",
            hash_key=SESSION_KEY,
            attributes=[aws.dynamodb.TableAttributeArgs(name=SESSION_KEY, type="S")],
            billing_mode="PAY_PER_REQUEST",
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=config.ttl_attribute, enabled=True),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=config.point_in_time_recovery),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args.encryption.key_arn
            ),
            deletion_protection_enabled=config.deletion_protection,
            opts=stateful(self, context),
        )

        self.table_name = table.name
        self.table_arn = table.arn
        self.register_outputs({"table_name": self.table_name, "table_arn": self.table_arn})
