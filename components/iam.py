"""IAM policy documents as plain JSON, built in Python (no invoke) so the plan shows them whole."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi


def document(statements: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deny_without_tls(action: str, resource: str | list[str]) -> dict[str, Any]:
    """A resource policy statement that refuses every request made without TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def aws_managed_policy(partition: pulumi.Input[str], path: str) -> pulumi.Output[str]:
    """The ARN of an AWS managed policy (`policy/AmazonSSMManagedInstanceCore`) in the account's partition."""
    return pulumi.Output.from_input(partition).apply(lambda value: f"arn:{value}:iam::aws:{path}")


def service_trust_policy(service: str, account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """Let one AWS service assume a role, only on behalf of this account (confused-deputy guard)."""
    return pulumi.Output.from_input(account_id).apply(
        lambda account: document(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ]
        )
    )
