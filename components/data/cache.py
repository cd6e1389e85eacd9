"""`webstack:data:Cache`: Valkey (or Redis OSS) on ElastiCache, with IAM authentication and no shared secret.

The app authenticates as an ElastiCache user of type `iam`: it signs a token with its task
role (`elasticache:Connect` on the cache and the user), so no password or auth token exists
anywhere. A user group holds that user and the `default` user every group needs, switched off.
Either a replication group of nodes (`mode: nodes`) or ElastiCache Serverless (`serverless`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.naming import ELASTICACHE_ID, physical_name
from components.options import AwsContext
from components.security import Encryption, via_service_statement
from config.data import CacheConfig, CacheMode

CACHE_PORT = 6379
# The app may run every command but the administrative ones (CONFIG, SHUTDOWN, ...), on every key.
APP_ACCESS = "on ~* +@all -@admin"
LOG_TYPES = ("slow-log", "engine-log")
# A serverless cache's endpoints sit in the subnets of the first two AZs: those never change when AZs are
# added, and a change of subnets would replace the cache.
SERVERLESS_ZONES = 2


@dataclass(frozen=True, kw_only=True)
class CacheArgs:
    config: CacheConfig
    context: AwsContext
    encryption: Encryption
    subnet_ids: pulumi.Output[Sequence[str]]
    security_group_id: pulumi.Input[str]
    log_retention_days: int


class Cache(pulumi.ComponentResource):
    """A TLS-only, encrypted cache in the isolated subnets that the app reaches as an IAM user."""

    address: pulumi.Output[str]
    port: pulumi.Output[int]
    arn: pulumi.Output[str]
    user_id: pulumi.Output[str]
    user_arn: pulumi.Output[str]
    # What its metrics are published under: each node's member cluster id, or the serverless cache's name.
    node_ids: list[pulumi.Output[str]]
    serverless_name: pulumi.Output[str] | None

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:data:Cache", name, None, opts)
        self._name = name
        config, context = args.config, args.context
        args.encryption.allow(via_service_statement(context, "ElastiCacheUsesKey", ["elasticache"]))
        engine = config.engine.value

        default_user = aws.elasticache.User(
            f"{name}-default-user",
            user_id=physical_name(ELASTICACHE_ID, name, "default"),
            # Every user group needs a user named `default`; this one can do nothing.
            user_name="default",
            engine=engine,
            access_string="off -@all",
            authentication_mode=aws.elasticache.UserAuthenticationModeArgs(type="no-password-required"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        app_id = physical_name(ELASTICACHE_ID, name, "app")
        app_user = aws.elasticache.User(
            f"{name}-app-user",
            # IAM authentication needs the user id and the user name to be the same.
            user_id=app_id,
            user_name=app_id,
            engine=engine,
            access_string=APP_ACCESS,
            authentication_mode=aws.elasticache.UserAuthenticationModeArgs(type="iam"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        users = aws.elasticache.UserGroup(
            f"{name}-users",
            user_group_id=physical_name(ELASTICACHE_ID, name, "users"),
            engine=engine,
            user_ids=[default_user.user_id, app_user.user_id],
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.node_ids, self.serverless_name = [], None
        if config.mode is CacheMode.SERVERLESS:
            address, port, arn = self._serverless(args, users)
        else:
            address, port, arn = self._nodes(args, users)

        self.address = address
        self.port = port
        self.arn = arn
        self.user_id = app_user.user_id
        self.user_arn = app_user.arn
        self.register_outputs({"address": self.address, "port": self.port, "arn": self.arn, "user_id": self.user_id})

    def _nodes(
        self, args: CacheArgs, users: aws.elasticache.UserGroup
    ) -> tuple[pulumi.Output[str], pulumi.Output[int], pulumi.Output[str]]:
        config, name = args.config, self._name
        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            description=f"{name}: the isolated subnets",
            subnet_ids=args.subnet_ids,
            opts=pulumi.ResourceOptions(parent=self),
        )
        logs = {
            log_type: args.encryption.log_group(
                f"{name}-{log_type}", args.log_retention_days, pulumi.ResourceOptions(parent=self)
            )
            for log_type in LOG_TYPES
        }
        group = aws.elasticache.ReplicationGroup(
            f"{name}-nodes",
            replication_group_id=physical_name(ELASTICACHE_ID, name),
            description=f"{name}: the app's cache; nothing durable depends on it",
            engine=config.engine.value,
            engine_version=config.version,
            node_type=config.node_type,
            num_cache_clusters=1 + config.replicas,
            automatic_failover_enabled=config.automatic_failover,
            # Multi-AZ is failover to a replica in another AZ: it needs automatic failover.
            multi_az_enabled=config.automatic_failover,
            port=CACHE_PORT,
            subnet_group_name=subnet_group.name,
            security_group_ids=[args.security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=args.encryption.key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            user_group_ids=[users.user_group_id],
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            maintenance_window=config.maintenance_window,
            auto_minor_version_upgrade=True,
            apply_immediately=config.apply_immediately,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=log_group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log_type, log_group in logs.items()
            ],
            # Its id is a name AWS requires: a replacement must free it first (a cache holds nothing durable).
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        # One member cluster per node, named <group>-001, -002, ...: sorted, the n-th is the n-th node.
        self.node_ids = [_nth(group.member_clusters, index) for index in range(1 + config.replicas)]
        return group.primary_endpoint_address, pulumi.Output.from_input(CACHE_PORT), group.arn

    def _serverless(
        self, args: CacheArgs, users: aws.elasticache.UserGroup
    ) -> tuple[pulumi.Output[str], pulumi.Output[int], pulumi.Output[str]]:
        config, name = args.config, self._name
        cache = aws.elasticache.ServerlessCache(
            f"{name}-serverless",
            name=physical_name(ELASTICACHE_ID, name),
            description=f"{name}: the app's cache; nothing durable depends on it",
            engine=config.engine.value,
            major_engine_version=config.version.split(".")[0],
            subnet_ids=args.subnet_ids.apply(lambda ids: list(ids[:SERVERLESS_ZONES])),
            security_group_ids=[args.security_group_id],
            kms_key_id=args.encryption.key_arn,
            user_group_id=users.user_group_id,
            snapshot_retention_limit=config.snapshot_retention_days,
            daily_snapshot_time=config.snapshot_window.split("-")[0],
            cache_usage_limits=aws.elasticache.ServerlessCacheCacheUsageLimitsArgs(
                data_storage=aws.elasticache.ServerlessCacheCacheUsageLimitsDataStorageArgs(
                    maximum=config.serverless_max_data_gb, unit="GB"
                ),
                ecpu_per_seconds=[
                    aws.elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArgs(
                        maximum=config.serverless_max_ecpu_per_second
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        self.serverless_name = cache.name
        endpoint = cache.endpoints.apply(lambda endpoints: endpoints[0])
        return (
            endpoint.apply(lambda e: e.address or ""),
            endpoint.apply(lambda e: e.port or CACHE_PORT),
            cache.arn,
        )


def _nth(members: pulumi.Output[Sequence[str]], index: int) -> pulumi.Output[str]:
    return members.apply(lambda names: sorted(names)[index])
