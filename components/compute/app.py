"""What the app is given, whichever compute kind runs it: settings, secret references and permissions.

Settings (where the table, cache and database are) are plain environment variables; credentials
are references the platform resolves at start (ECS `secrets`, or the instance fetching them),
never values in the plan. The app's role may touch only this stack's own table, cache user and
secrets: every statement names an ARN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.compute.queue import WorkQueue, consume_statement, send_statement
from components.data import AppData
from config.compute import DataStore, ServiceConfig

# An image in a private ECR repository: the execution role must be allowed to pull from it.
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repository>[^:@]+)"
)


@dataclass(frozen=True, kw_only=True)
class ServiceLinks:
    """What a service is given beside the data tier: its own queue, the queues it sends to, the services it calls."""

    queue: WorkQueue | None = None
    sends_to: Mapping[str, WorkQueue] = field(default_factory=dict)
    # Service name -> port, reached at http://<name>:<port> through ECS Service Connect.
    calls: Mapping[str, int] = field(default_factory=dict)


def app_environment(
    app: ServiceConfig, data: AppData, region: str, links: ServiceLinks | None = None
) -> pulumi.Output[dict[str, str]]:
    """The service's plain settings: its own, then where its stores, queues and peers are (the platform's win)."""
    links = links or ServiceLinks()
    settings: dict[str, pulumi.Input[str]] = {**app.environment, "AWS_REGION": region}
    uses = set(app.uses)
    if DataStore.DATABASE in uses:
        settings |= {
            "DATABASE_HOST": data.database_address,
            "DATABASE_PORT": data.database_port.apply(str),
            "DATABASE_NAME": data.database_name,
            # RDS rotates the password every 7 days: the app re-reads this secret when a login fails.
            "DATABASE_SECRET_ARN": data.database_secret_arn,
        }
    if DataStore.SESSIONS in uses:
        settings["SESSIONS_TABLE"] = data.sessions_table_name
    if links.queue is not None:
        settings["QUEUE_URL"] = links.queue.url
    for worker, queue in links.sends_to.items():
        settings[f"{worker.upper()}_QUEUE_URL"] = queue.url
    for peer, port in links.calls.items():
        settings[f"{peer.upper()}_URL"] = f"http://{peer}:{port}"
    if (
        DataStore.CACHE in uses
        and data.cache_address is not None
        and data.cache_port is not None
        and data.cache_user_id is not None
    ):
        settings |= {
            "CACHE_HOST": data.cache_address,
            "CACHE_PORT": data.cache_port.apply(str),
            "CACHE_USER": data.cache_user_id,
            "CACHE_TLS": "true",
        }
    return _sorted_values(settings)


def _sorted_values(values: dict[str, pulumi.Input[str]]) -> pulumi.Output[dict[str, str]]:
    """The values resolved, sorted by name; an empty mapping too (`Output.all` of nothing is a list)."""
    if not values:
        return pulumi.Output.from_input({})
    return pulumi.Output.all(**values).apply(lambda resolved: dict(sorted(resolved.items())))


def app_secrets(app: ServiceConfig, data: AppData) -> pulumi.Output[dict[str, str]]:
    """Variables filled from Secrets Manager or SSM at start: name -> ARN (with a JSON key for the database)."""
    database: dict[str, pulumi.Input[str]] = (
        {
            "DATABASE_USERNAME": data.database_secret_arn.apply(lambda arn: f"{arn}:username::"),
            "DATABASE_PASSWORD": data.database_secret_arn.apply(lambda arn: f"{arn}:password::"),
        }
        if DataStore.DATABASE in app.uses
        else {}
    )
    return _sorted_values({**app.secrets, **database})


def secret_read_statements(app: ServiceConfig, data: AppData) -> pulumi.Output[list[dict[str, Any]]]:
    """Reading exactly the secrets and parameters the service is given (the database's and those in config)."""
    managers = [arn for arn in app.secrets.values() if ":secretsmanager:" in arn]
    parameters = [arn for arn in app.secrets.values() if ":ssm:" in arn]
    uses_database = DataStore.DATABASE in app.uses

    def statements(database_secret: str) -> list[dict[str, Any]]:
        secrets = sorted({*([database_secret] if uses_database else []), *managers})
        found = (
            [
                {
                    "Sid": "ReadItsSecrets",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": secrets,
                }
            ]
            if secrets
            else []
        )
        if parameters:
            found.append(
                {"Sid": "ReadItsParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": parameters}
            )
        return found

    return data.database_secret_arn.apply(statements)


def write_logs_statement(log_group_arn: str) -> dict[str, Any]:
    """Writing to its own log group's streams, and nowhere else."""
    return {
        "Sid": "WriteItsLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:*",
    }


def image_pull_statements(image: str) -> list[dict[str, Any]]:
    """Pulling the image: nothing for a public registry; its one repository for a private ECR image."""
    match = _ECR_IMAGE.match(image)
    if not match:
        return []
    repository = f"arn:aws:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"
    return [
        # AWS offers no resource for the registry token: it is account-wide by design.
        {"Sid": "EcrToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Sid": "PullItsImage",
            "Effect": "Allow",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            "Resource": repository,
        },
    ]


def data_access_statements(
    app: ServiceConfig, data: AppData, links: ServiceLinks | None = None
) -> pulumi.Output[list[dict[str, Any]]]:
    """The service's own data, as declared: the sessions table and its indexes, the cache as its IAM user, the
    database's secret again after a rotation (the password it started with stops working then), its queue and the
    queues it sends to."""
    links = links or ServiceLinks()
    uses = set(app.uses)
    parts: dict[str, pulumi.Input[str]] = {}
    if DataStore.SESSIONS in uses:
        parts["table"] = data.sessions_table_arn
    if DataStore.DATABASE in uses:
        parts["secret"] = data.database_secret_arn
    if DataStore.CACHE in uses and data.cache_arn is not None and data.cache_user_arn is not None:
        parts |= {"cache": data.cache_arn, "user": data.cache_user_arn}
    if links.queue is not None:
        parts["queue"] = links.queue.arn
    for worker, queue in links.sends_to.items():
        parts[f"sends:{worker}"] = queue.arn

    def statements(arns: dict[str, str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if "table" in arns:
            table = arns["table"]
            found.append(
                {
                    "Sid": "UseItsSessionsTable",
                    "Effect": "Allow",
                    "Action": [
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem",
                        "dynamodb:Query",
                        "dynamodb:BatchGetItem",
                        "dynamodb:BatchWriteItem",
                        "dynamodb:ConditionCheckItem",
                    ],
                    "Resource": [table, f"{table}/index/*"],
                }
            )
        if "secret" in arns:
            found.append(
                {
                    "Sid": "RereadItsDatabaseSecret",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": arns["secret"],
                }
            )
        if "cache" in arns:
            found.append(
                {
                    "Sid": "ConnectToItsCache",
                    "Effect": "Allow",
                    "Action": "elasticache:Connect",
                    "Resource": [arns["cache"], arns["user"]],
                }
            )
        if "queue" in arns:
            found.append(consume_statement(arns["queue"]))
        sends = [arn for key, arn in arns.items() if key.startswith("sends:")]
        if sends:
            found.append(send_statement(sends))
        return found

    return _sorted_values(parts).apply(statements)
