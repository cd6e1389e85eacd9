"""`webstack:compute:Ec2Service`: the app as a container on an EC2 Auto Scaling group.

Amazon Linux 2023 (or a baked AMI), IMDSv2 only, no key pair and no admin port (Session Manager
instead), an encrypted gp3 root volume. A change of the launch template rolls out by instance
refresh, which rolls itself back when the deployment alarms fire: the same alarms as Fargate's.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.compute.app import (
    app_environment,
    app_secrets,
    data_access_statements,
    image_pull_statements,
    secret_read_statements,
    write_logs_statement,
)
from components.compute.routing import TARGET_PORT, Placement, route
from components.compute.scaling import AppScaling, request_label
from components.iam import aws_managed_policy, document, service_trust_policy
from components.observability.alarms import AlarmSpec
from components.options import AwsContext
from components.security import via_service_statement
from config import catalog
from config.compute import Ec2ServiceConfig, instance_architecture
from config.release import EC2_INSTANCE_START_SECONDS

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture}"
ROOT_VOLUME_GB = 30
# The container reaches the instance's role through the metadata service across Docker's bridge: one
# hop more than the instance itself, so 2. Higher would let other hops reach it.
METADATA_HOP_LIMIT = 2
SSM_CORE_POLICY = "policy/AmazonSSMManagedInstanceCore"
AUTOSCALING_SERVICE_ROLE = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


@dataclass(frozen=True, kw_only=True)
class Ec2ServiceArgs:
    config: Ec2ServiceConfig
    placement: Placement
    tags: dict[str, str]


class Ec2Service(pulumi.ComponentResource):
    """An Auto Scaling group of instances running the app, behind the load balancer, refreshed on every change."""

    group_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    alarm_names: pulumi.Output[list[str]]
    deployment_alarms: tuple[AlarmSpec, ...]

    def __init__(self, name: str, args: Ec2ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:compute:Ec2Service", name, None, opts)
        self._name = name
        config, context = args.config, args.placement.context
        child = pulumi.ResourceOptions(parent=self)
        logs = args.placement.encryption.log_group(f"{name}-logs", args.placement.log_retention_days, child)
        role, profile = self._role(args, logs)
        # EBS encrypts the root volume through EC2, for the Auto Scaling service that launches the instance.
        volume_key = args.placement.encryption.grant(_ebs_statement(context))
        args.placement.encryption.allow(via_service_statement(context, "Ec2UsesKeyForVolumes", ["ec2"]))
        template = aws.ec2.LaunchTemplate(
            f"{name}-template",
            description=f"{name}: the app on Amazon Linux 2023, IMDSv2 only, no key pair",
            image_id=config.ami or self._latest_ami(config),
            instance_type=config.instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            vpc_security_group_ids=[args.placement.security_group_id],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=METADATA_HOP_LIMIT
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=ROOT_VOLUME_GB,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=volume_key,
                        delete_on_termination="true",
                    ),
                )
            ],
            credit_specification=aws.ec2.LaunchTemplateCreditSpecificationArgs(
                cpu_credits="unlimited" if config.unlimited_credits else "standard"
            )
            if catalog.ec2_is_burstable(config.instance_type)
            else None,
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            # The provider's default tags reach the template, not what it launches: name them here too.
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=args.tags)
                for kind in ("instance", "volume")
            ],
            user_data=self._user_data(args, logs.name),
            update_default_version=True,
            opts=child,
        )
        routing = route(self, name, config, args.placement, target_type="instance")
        group = aws.autoscaling.Group(
            f"{name}-group",
            vpc_zone_identifiers=args.placement.subnet_ids,
            min_size=config.min_count,
            max_size=config.max_count,
            desired_capacity=config.desired_count,
            health_check_type="ELB",
            health_check_grace_period=config.health_check.grace_period_seconds,
            default_instance_warmup=EC2_INSTANCE_START_SECONDS,
            target_group_arns=[routing.primary.arn],
            capacity_rebalance=config.spot_percent > 0,
            **self._capacity(config, template),
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=config.refresh_min_healthy_percent,
                    # New instances start beside the old ones (up to double capacity): one wave, no capacity lost.
                    max_healthy_percentage=min(200, config.refresh_min_healthy_percent + 100),
                    instance_warmup=str(EC2_INSTANCE_START_SECONDS),
                    skip_matching=True,
                    auto_rollback=True,
                    alarm_specification=aws.autoscaling.GroupInstanceRefreshPreferencesAlarmSpecificationArgs(
                        alarms=routing.alarm_names
                    ),
                ),
            ),
            enabled_metrics=[
                aws.autoscaling.Metric.GROUP_IN_SERVICE_INSTANCES,
                aws.autoscaling.Metric.GROUP_DESIRED_CAPACITY,
                aws.autoscaling.Metric.GROUP_MIN_SIZE,
                aws.autoscaling.Metric.GROUP_MAX_SIZE,
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[routing.rule], ignore_changes=["desiredCapacity"]),
        )
        self._scale(
            name,
            AppScaling(config=config, load_balancer=args.placement.load_balancer, target_group=routing.primary),
            group,
        )

        self.group_name = group.name
        self.role_arn = role.arn
        self.log_group_name = logs.name
        self.alarm_names = pulumi.Output.all(*routing.alarm_names)
        self.deployment_alarms = routing.deployment_alarms
        self.register_outputs(
            {"group_name": self.group_name, "role_arn": self.role_arn, "alarm_names": self.alarm_names}
        )

    def _latest_ami(self, config: Ec2ServiceConfig) -> pulumi.Output[str]:
        """Amazon Linux 2023's current AMI, resolved when the plan is made: a specific image, so a refresh
        can roll back to the one before (instance refresh cannot roll back an SSM-resolved image)."""
        return latest_amazon_linux(config.instance_type, self)

    @staticmethod
    def _capacity(config: Ec2ServiceConfig, template: aws.ec2.LaunchTemplate) -> dict[str, Any]:
        """One launch template version (specific, so a refresh can roll back), or a Spot mix above the minimum."""
        version = template.latest_version.apply(str)
        if not config.spot_percent:
            return {"launch_template": aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version=version)}
        return {
            "mixed_instances_policy": aws.autoscaling.GroupMixedInstancesPolicyArgs(
                instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                    on_demand_base_capacity=config.min_count,
                    on_demand_percentage_above_base_capacity=100 - config.spot_percent,
                    spot_allocation_strategy="price-capacity-optimized",
                ),
                launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                    launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                        launch_template_id=template.id, version=version
                    )
                ),
            )
        }

    def _role(
        self, args: Ec2ServiceArgs, logs: aws.cloudwatch.LogGroup
    ) -> tuple[aws.iam.Role, aws.iam.InstanceProfile]:
        """The instances' role: Session Manager, its logs, its secrets and image, and the app's own data."""
        name, context, config = self._name, args.placement.context, args.config
        role = aws.iam.Role(
            f"{name}-instance-role",
            description=f"{name}: the app's instances: Session Manager, their logs, secrets and data",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com", context.account_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-session-manager",
            role=role.name,
            policy_arn=aws_managed_policy(context.partition, SSM_CORE_POLICY),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-instance-policy",
            role=role.id,
            policy=pulumi.Output.all(
                logs.arn,
                secret_read_statements(config, args.placement.data),
                data_access_statements(config, args.placement.data),
            ).apply(
                lambda values: document(
                    [
                        write_logs_statement(values[0]),
                        *values[1],
                        *values[2],
                        *image_pull_statements(config.image),
                    ]
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        profile = aws.iam.InstanceProfile(
            f"{name}-instance-profile", role=role.name, opts=pulumi.ResourceOptions(parent=self)
        )
        return role, profile

    def _user_data(self, args: Ec2ServiceArgs, log_group: pulumi.Output[str]) -> pulumi.Output[str]:
        """Boot: Docker, the app's secrets fetched with the instance's role (never in the plan), the container."""
        config, context = args.config, args.placement.context
        environment = app_environment(config, args.placement.data, context.region)
        secrets = app_secrets(config, args.placement.data)

        def script(values: list[Any]) -> str:
            settings, references, group = values
            lines = [
                "#!/bin/bash",
                "set -euo pipefail",
                "dnf install -y docker jq awscli",
                "systemctl enable --now docker",
                "umask 077",
                ": > /etc/app.env",
                *(f"echo {shlex.quote(f'{key}={value}')} >> /etc/app.env" for key, value in settings.items()),
                *(_fetch_secret(key, reference, context.region) for key, reference in references.items()),
                f"docker run -d --restart always --name app -p {TARGET_PORT}:{config.container_port} "
                f"--env-file /etc/app.env --log-driver awslogs --log-opt awslogs-region={context.region} "
                f"--log-opt awslogs-group={shlex.quote(group)}"
                + (" --read-only --tmpfs /tmp" if config.read_only_root_filesystem else "")
                + (f" --user {config.run_as_user}" if config.run_as_user else "")
                + f" {shlex.quote(config.image)}",
            ]
            return base64.b64encode("\n".join(lines).encode()).decode()

        return pulumi.Output.all(environment, secrets, log_group).apply(script)

    def _scale(self, name: str, scaling: AppScaling, group: aws.autoscaling.Group) -> None:
        config = scaling.config
        for role, metric, value, label in (
            ("cpu", "ASGAverageCPUUtilization", config.cpu_target_percent, None),
            (
                "requests",
                "ALBRequestCountPerTarget",
                config.requests_per_target,
                request_label(scaling.load_balancer, scaling.target_group) if scaling.target_group else None,
            ),
        ):
            if not value:
                continue
            aws.autoscaling.Policy(
                f"{name}-{role}-scaling",
                autoscaling_group_name=group.name,
                policy_type="TargetTrackingScaling",
                target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                    target_value=value,
                    predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=metric, resource_label=label
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        if config.schedule is not None:
            for role, cron, (low, high) in (
                ("scale-down", config.schedule.scale_down, (0, 0)),
                ("scale-up", config.schedule.scale_up, (config.min_count, config.max_count)),
            ):
                aws.autoscaling.Schedule(
                    f"{name}-{role}",
                    scheduled_action_name=role,
                    autoscaling_group_name=group.name,
                    recurrence=unix_cron(cron),
                    time_zone=config.schedule.time_zone,
                    min_size=low,
                    max_size=high,
                    desired_capacity=low,
                    opts=pulumi.ResourceOptions(parent=self),
                )


def latest_amazon_linux(instance_type: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """The current Amazon Linux 2023 AMI for the instance type's architecture, from AWS's public SSM parameter."""
    parameter = AMI_PARAMETER.format(architecture=instance_architecture(instance_type).value)
    return aws.ssm.get_parameter_output(name=parameter, opts=pulumi.InvokeOutputOptions(parent=parent)).value


def _fetch_secret(key: str, reference: str, region: str) -> str:
    """One line of user data: a variable filled from Secrets Manager (a JSON key with `arn:key::`) or SSM."""
    if ":ssm:" in reference:
        fetch = (
            f"aws ssm get-parameter --region {region} --with-decryption --name {shlex.quote(reference)} "
            "--query Parameter.Value --output text"
        )
        return f'echo "{key}=$({fetch})" >> /etc/app.env'
    # `<secret arn>:<json key>::` names one key of a JSON secret, as ECS's valueFrom does.
    arn, json_key = reference.removesuffix("::").rsplit(":", 1) if reference.endswith("::") else (reference, "")
    fetch = (
        f"aws secretsmanager get-secret-value --region {region} --secret-id {shlex.quote(arn)} "
        "--query SecretString --output text"
    )
    if json_key:
        fetch += f" | jq -r {shlex.quote('.' + json_key)}"
    return f'echo "{key}=$({fetch})" >> /etc/app.env'


def _ebs_statement(context: AwsContext) -> pulumi.Output[dict[str, Any]]:
    """Auto Scaling launches instances with its service-linked role: it must be able to use the key for EBS."""
    return pulumi.Output.all(context.account_id, context.partition).apply(
        lambda values: {
            "Sid": "AutoScalingEncryptsVolumes",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{values[1]}:iam::{values[0]}:role/{AUTOSCALING_SERVICE_ROLE}"},
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
                "kms:CreateGrant",
            ],
            "Resource": "*",
        }
    )


def unix_cron(expression: str) -> str:
    """`cron(0 19 ? * MON-FRI *)` (the config's six fields) as Auto Scaling's five: `0 19 * * MON-FRI`."""
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    return " ".join(field.replace("?", "*") for field in fields[:5])
