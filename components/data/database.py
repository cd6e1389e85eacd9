"""`webstack:data:Database`: RDS for PostgreSQL whose password only RDS and Secrets Manager ever see.

Upgrades never replace the instance: `engineVersion` is a major version RDS upgrades in place
(`allowMajorVersionUpgrade`), minor versions apply themselves in the maintenance window, and the
parameter group, whose family follows the major version, is the one thing a major upgrade
replaces. RDS Blue/Green updates are not used: AWS does not support them for instances whose
master password RDS manages in Secrets Manager, nor read replicas of such instances, and that
password management is not negotiable here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam import aws_managed_policy, service_trust_policy
from components.naming import RDS_IDENTIFIER, RDS_SNAPSHOT, physical_name
from components.options import AwsContext, stateful
from components.security import Encryption, via_service_statement
from config import catalog
from config.data import PostgresConfig

POSTGRES_PORT = 5432
# The log types RDS for PostgreSQL exports; each gets a log group made here first, with retention and the key.
LOG_EXPORTS = ("postgresql", "upgrade")
# The CA RDS signs new instances' certificates with today (RSA 2048, valid to 2061).
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
# Performance Insights' free retention, in days. Since its end of life (2026-07-31) it is CloudWatch Database
# Insights: Standard mode keeps these 7 days free; Advanced bills per vCPU-hour, and is never chosen here.
PERFORMANCE_INSIGHTS_DAYS = 7
DATABASE_INSIGHTS_MODE = "standard"
MONITORING_POLICY = "policy/service-role/AmazonRDSEnhancedMonitoringRole"


@dataclass(frozen=True, kw_only=True)
class DatabaseArgs:
    config: PostgresConfig
    context: AwsContext
    encryption: Encryption
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    log_retention_days: int


class Database(pulumi.ComponentResource):
    """One PostgreSQL instance in the isolated subnets: encrypted, TLS-only, backed up, hard to delete."""

    address: pulumi.Output[str]
    port: pulumi.Output[int]
    secret_arn: pulumi.Output[str]
    arn: pulumi.Output[str]
    identifier: pulumi.Output[str]
    resource_id: pulumi.Output[str]
    database_name: str
    master_username: str

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:data:Database", name, None, opts)
        config, context, encryption = args.config, args.context, args.encryption
        identifier = physical_name(RDS_IDENTIFIER, name)
        encryption.allow(via_service_statement(context, "RdsAndSecretsManagerUseKey", ["rds", "secretsmanager"]))
        key_arn = encryption.key_arn

        # Made before the instance, under the names RDS will write to, so none is left without retention.
        log_groups = [
            encryption.log_group(
                f"{name}-{export}-logs",
                args.log_retention_days,
                pulumi.ResourceOptions(parent=self),
                name=f"/aws/rds/instance/{identifier}/{export}",
            )
            for export in LOG_EXPORTS
        ]
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            description=f"{name}: the isolated subnets",
            subnet_ids=args.subnet_ids,
            opts=stateful(self, context),
        )
        # Not protected: a major upgrade must replace it (its family follows the version), and AWS already
        # refuses to delete a parameter group an instance uses.
        parameters = aws.rds.ParameterGroup(
            f"{name}-params",
            family=catalog.postgres_parameter_group_family(config.engine_version),
            description=f"{name}: TLS only, slow statements logged",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="pending-reboot"),
                aws.rds.ParameterGroupParameterArgs(
                    name="log_min_duration_statement", value=str(config.slow_statement_ms), apply_method="immediate"
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        monitoring_role = self._monitoring_role(name, context) if config.monitoring_interval_seconds else None

        encrypted = config.storage_encrypted
        instance = aws.rds.Instance(
            f"{name}-postgres",
            identifier=identifier,
            engine="postgres",
            # A major version: RDS picks its newest minor and upgrades minors in the maintenance window.
            engine_version=config.engine_version,
            allow_major_version_upgrade=True,
            auto_minor_version_upgrade=True,
            # Never slide into RDS Extended Support charges when a major version leaves standard support.
            engine_lifecycle_support="open-source-rds-extended-support-disabled",
            apply_immediately=config.apply_immediately,
            instance_class=config.instance_class,
            storage_type="gp3",
            allocated_storage=config.allocated_storage_gb,
            max_allocated_storage=config.max_allocated_storage_gb,
            storage_encrypted=encrypted,
            kms_key_id=key_arn if encrypted else None,
            db_name=config.database_name,
            username=config.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=key_arn,
            iam_database_authentication_enabled=True,
            port=POSTGRES_PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[args.security_group_id],
            publicly_accessible=False,
            parameter_group_name=parameters.name,
            ca_cert_identifier=CA_CERTIFICATE,
            multi_az=config.multi_az,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.backup_window,
            maintenance_window=config.maintenance_window,
            copy_tags_to_snapshot=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=physical_name(RDS_SNAPSHOT, identifier, "final"),
            deletion_protection=config.deletion_protection,
            # Deleting the instance keeps its automated backups in prod: the last way back.
            delete_automated_backups=not context.is_prod,
            performance_insights_enabled=config.performance_insights,
            database_insights_mode=DATABASE_INSIGHTS_MODE if config.performance_insights else None,
            performance_insights_kms_key_id=key_arn if config.performance_insights else None,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_DAYS if config.performance_insights else None,
            monitoring_interval=config.monitoring_interval_seconds,
            monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            opts=stateful(self, context, depends_on=log_groups),
        )

        self.address = instance.address
        self.port = instance.port
        self.secret_arn = instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn or "")
        self.arn = instance.arn
        self.identifier = instance.identifier
        self.resource_id = instance.resource_id
        self.database_name = config.database_name
        self.master_username = config.master_username
        self.register_outputs(
            {
                "address": self.address,
                "port": self.port,
                "secret_arn": self.secret_arn,
                "arn": self.arn,
                "resource_id": self.resource_id,
            }
        )

    def _monitoring_role(self, name: str, context: AwsContext) -> aws.iam.Role:
        """The role Enhanced Monitoring publishes OS metrics with (AWS's managed policy, nothing more)."""
        role = aws.iam.Role(
            f"{name}-monitoring-role",
            description="Lets RDS Enhanced Monitoring publish OS metrics to CloudWatch Logs",
            assume_role_policy=service_trust_policy("monitoring.rds.amazonaws.com", context.account_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=role.name,
            policy_arn=aws_managed_policy(context.partition, MONITORING_POLICY),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role
