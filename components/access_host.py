"""`webstack:security:AccessHost`: a host in an app subnet that reaches the database and admits no one.

Systems Manager is the only way in: no key pair, a security group with no inbound rule, a role with
nothing but `AmazonSSMManagedInstanceCore`. An operator forwards a local port to PostgreSQL through
it (`aws ssm start-session --document-name AWS-StartPortForwardingSessionToRemoteHost`, docs/runbook.md).
It holds nothing: a new Amazon Linux release replaces it at the next `pulumi up`, patched. Optionally
EventBridge Scheduler stops it outside working hours with a role that may stop and start it only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.compute.ec2 import SSM_CORE_POLICY, latest_amazon_linux
from components.iam import aws_managed_policy, document, service_trust_policy
from components.naming import EVENTS_NAME, physical_name
from components.options import AwsContext
from components.security import Encryption, via_service_statement
from config import catalog
from config.security import AccessHostConfig

# The root volume of the Amazon Linux 2023 AMI: the host stores nothing of its own.
ROOT_VOLUME_GB = 8
# No container here: only the host itself may reach the metadata service.
METADATA_HOP_LIMIT = 1
# EventBridge Scheduler's universal target for an EC2 API action ("Using universal targets").
SDK_TARGET = "arn:aws:scheduler:::aws-sdk:ec2:{action}"


@dataclass(frozen=True, kw_only=True)
class AccessHostArgs:
    config: AccessHostConfig
    context: AwsContext
    encryption: Encryption
    subnet_ids: pulumi.Output[Sequence[str]]
    security_group_id: pulumi.Input[str]


class AccessHost(pulumi.ComponentResource):
    """One Systems Manager-managed instance, and its schedule when configured."""

    instance_id: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AccessHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:security:AccessHost", name, None, opts)
        config, context = args.config, args.context
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            description=f"{name}: Systems Manager sessions to the access host, nothing else",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com", context.account_id),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-session-manager",
            role=role.name,
            policy_arn=aws_managed_policy(context.partition, SSM_CORE_POLICY),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=role.name, opts=child)
        # EC2 encrypts the root volume with the key through EBS, on behalf of whoever launches or starts it.
        volume_key = args.encryption.grant(via_service_statement(context, "Ec2UsesKeyForVolumes", ["ec2"]))
        instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=latest_amazon_linux(config.instance_type, self),
            instance_type=config.instance_type,
            # The first AZ's app subnet: AZ slots never move, so neither does the host.
            subnet_id=args.subnet_ids.apply(lambda ids: ids[0]),
            vpc_security_group_ids=[args.security_group_id],
            associate_public_ip_address=False,
            iam_instance_profile=profile.name,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=METADATA_HOP_LIMIT
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_size=ROOT_VOLUME_GB,
                volume_type="gp3",
                encrypted=True,
                kms_key_id=volume_key,
                delete_on_termination=True,
            ),
            # T4g launches unlimited by default: a busy session would be billed for surplus credits.
            credit_specification=aws.ec2.InstanceCreditSpecificationArgs(cpu_credits="standard")
            if catalog.ec2_is_burstable(config.instance_type)
            else None,
            tags={"Name": name},
            opts=child,
        )
        if config.schedule is not None:
            self._schedule(name, config, context, instance)

        self.instance_id = instance.id
        self.role_arn = role.arn
        self.register_outputs({"instance_id": self.instance_id, "role_arn": self.role_arn})

    def _schedule(self, name: str, config: AccessHostConfig, context: AwsContext, instance: aws.ec2.Instance) -> None:
        """Stop and start the host on the configured crons, with a role that may do only that, to it only."""
        schedule = config.schedule
        assert schedule is not None
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-scheduler-role",
            description=f"{name}: EventBridge Scheduler stops and starts the access host",
            assume_role_policy=service_trust_policy("scheduler.amazonaws.com", context.account_id),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-scheduler-policy",
            role=role.id,
            policy=instance.arn.apply(lambda arn: document([_stop_and_start_statement(arn)])),
            opts=child,
        )
        for action, cron in (("stop", schedule.stop), ("start", schedule.start)):
            aws.scheduler.Schedule(
                f"{name}-{action}",
                name=physical_name(EVENTS_NAME, name, action),
                description=f"{action.capitalize()} the access host",
                schedule_expression=cron,
                schedule_expression_timezone=schedule.time_zone,
                flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
                target=aws.scheduler.ScheduleTargetArgs(
                    arn=SDK_TARGET.format(action=f"{action}Instances"),
                    role_arn=role.arn,
                    input=instance.id.apply(lambda instance_id: json.dumps({"InstanceIds": [instance_id]})),
                ),
                opts=child,
            )


def _stop_and_start_statement(instance_arn: str) -> dict[str, Any]:
    return {
        "Sid": "StopAndStartTheAccessHost",
        "Effect": "Allow",
        "Action": ["ec2:StopInstances", "ec2:StartInstances"],
        "Resource": instance_arn,
    }
