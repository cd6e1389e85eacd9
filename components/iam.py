"""IAM policy documents as plain JSON, built in Python (no invoke) so the plan shows them whole."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi


def document(statements: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust_policy(
    service: str, account_id: pulumi.Input[str], *, source_arn: pulumi.Input[str] | None = None
) -> pulumi.Output[str]:
    """Let one AWS service assume a role, only on behalf of this account (confused-deputy guard) and, when
    given, only for the one resource `source_arn` names (a trail)."""
    return pulumi.Output.all(account_id, source_arn).apply(
        lambda values: document(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {
                            "aws:SourceAccount": values[0],
                            **({"aws:SourceArn": values[1]} if values[1] else {}),
                        }
                    },
                }
            ]
        )
    )
