"""`webstack:compute:Cluster` and `webstack:compute:FargateService`: the app on ECS Fargate.

The cluster is shared by every service; a service brings its task definition, roles, log group,
routing (target groups, listener rule, deployment alarms) and scaling. Releases use ECS's native
strategies; the circuit breaker and the deployment alarms roll a bad one back by themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.compute.app import (
    ServiceLinks,
    app_environment,
    app_secrets,
    data_access_statements,
    image_pull_statements,
    secret_read_statements,
    write_logs_statement,
)
from components.compute.routing import Placement, Routing, route
from components.compute.scaling import AppScaling, scale_ecs_service
from components.iam import aws_managed_policy, document, service_trust_policy
from components.naming import ECS_NAME, physical_name
from components.observability.alarms import AlarmSpec
from components.options import AwsContext
from components.security import Encryption
from config.compute import Architecture, ContainerInsights, DeploymentStrategy, FargateServiceConfig

CONTAINER = "app"
# The container port's name, which Service Connect refers to.
PORT_NAME = "http"
_STRATEGY = {
    DeploymentStrategy.ROLLING: "ROLLING",
    DeploymentStrategy.CANARY: "CANARY",
    DeploymentStrategy.LINEAR: "LINEAR",
    DeploymentStrategy.BLUE_GREEN: "BLUE_GREEN",
}
# What ECS needs to move traffic between a service's target groups during a release.
LOAD_BALANCER_ROLE_POLICY = "policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
_CPU_ARCHITECTURE = {Architecture.ARM64: "ARM64", Architecture.X86_64: "X86_64"}


@dataclass(frozen=True, kw_only=True)
class ClusterArgs:
    context: AwsContext
    encryption: Encryption
    log_retention_days: int
    exec_command: bool
    container_insights: ContainerInsights
    # A Cloud Map namespace for ECS Service Connect, when services call each other by name.
    service_connect: bool = False


class Cluster(pulumi.ComponentResource):
    """An ECS cluster with Container Insights, Fargate and Fargate Spot, and logged, encrypted ECS Exec."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    exec_log_group_arn: pulumi.Output[str]
    container_insights: ContainerInsights
    namespace_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:compute:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        exec_logs = args.encryption.log_group(f"{name}-exec-logs", args.log_retention_days, child)
        # Container Insights writes its performance events to this group: made first, with retention and the key,
        # instead of by ECS with a retention of one day and no key (so the cluster's name is fixed up front).
        insights = args.container_insights
        insights_logs = (
            args.encryption.log_group(
                f"{name}-insights-logs",
                args.log_retention_days,
                child,
                name=f"/aws/ecs/containerinsights/{name}/performance",
            )
            if insights is not ContainerInsights.DISABLED
            else None
        )
        # Services find each other by name in it (http://<service>:<port>), through Service Connect's proxy.
        namespace = (
            aws.servicediscovery.HttpNamespace(
                f"{name}-namespace",
                name=name,
                description=f"{name}: services by name (ECS Service Connect)",
                opts=child,
            )
            if args.service_connect
            else None
        )
        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=name,
            service_connect_defaults=aws.ecs.ClusterServiceConnectDefaultsArgs(namespace=namespace.arn)
            if namespace
            else None,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value=insights.value)],
            # Every ECS Exec session is logged and encrypted with the environment key, when Exec is allowed.
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    kms_key_id=args.encryption.key_arn,
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=exec_logs.name, cloud_watch_encryption_enabled=True
                    ),
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[insights_logs] if insights_logs else None),
        )
        aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            opts=child,
        )

        self.name = cluster.name
        self.arn = cluster.arn
        self.container_insights = insights
        self.exec_log_group_arn = exec_logs.arn
        self.namespace_arn = namespace.arn if namespace else None
        self.register_outputs({"name": self.name, "arn": self.arn})


@dataclass(frozen=True, kw_only=True)
class FargateServiceArgs:
    config: FargateServiceConfig
    placement: Placement
    cluster: Cluster
    # Without NAT the app subnets are public and tasks need a public address to reach AWS APIs.
    public_ip: bool
    links: ServiceLinks = field(default_factory=ServiceLinks)


class FargateService(pulumi.ComponentResource):
    """One app service: its task, its roles, its place on the load balancer, its releases and its scaling."""

    service_name: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    alarm_names: pulumi.Output[list[str]]
    deployment_alarms: tuple[AlarmSpec, ...]
    cluster_name: pulumi.Output[str]
    container_insights: ContainerInsights

    def __init__(self, name: str, args: FargateServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:compute:FargateService", name, None, opts)
        self._name = name
        config, context = args.config, args.placement.context
        child = pulumi.ResourceOptions(parent=self)
        logs = args.placement.encryption.log_group(f"{name}-logs", args.placement.log_retention_days, child)
        execution_role, task_role = self._roles(args, logs)
        task = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=physical_name(ECS_NAME, name),
            cpu=str(config.cpu),
            memory=str(config.memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=_CPU_ARCHITECTURE[config.architecture]
            ),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=self._containers(args, logs.name),
            opts=child,
        )
        routing = route(self, name, config, args.placement, target_type="ip") if config.public else None
        strategy = config.deployment.strategy
        shifts_traffic = strategy is not DeploymentStrategy.ROLLING
        infrastructure_role = self._load_balancer_role(context) if shifts_traffic else None
        alarm_names = routing.alarm_names if routing else []
        service = aws.ecs.Service(
            f"{name}-service",
            name=physical_name(ECS_NAME, name),
            cluster=args.cluster.arn,
            task_definition=task.arn,
            desired_count=config.desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE", base=config.on_demand_base, weight=100 - config.spot_percent
                ),
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE_SPOT", weight=config.spot_percent
                ),
            ],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.placement.subnet_ids,
                security_groups=[args.placement.security_group_id],
                assign_public_ip=args.public_ip,
            ),
            load_balancers=[self._target(config, routing, infrastructure_role)] if routing else None,
            # ECS refuses a grace period on a service without a load balancer.
            health_check_grace_period_seconds=config.health_check.grace_period_seconds if routing else None,
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            alarms=aws.ecs.ServiceAlarmsArgs(alarm_names=alarm_names, enable=True, rollback=True)
            if alarm_names
            else None,
            deployment_configuration=self._deployment(config),
            service_connect_configuration=self._service_connect(args, logs.name),
            enable_execute_command=config.exec_command,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            availability_zone_rebalancing="ENABLED",
            opts=pulumi.ResourceOptions(
                parent=self,
                # The target groups must belong to the load balancer (through the rule) before ECS uses them.
                depends_on=[routing.rule] if routing else None,
                # Auto scaling owns the task count; ECS swaps the target groups' roles during a release.
                ignore_changes=["desiredCount", *(["loadBalancers"] if shifts_traffic else [])],
            ),
        )
        scale_ecs_service(
            self,
            name,
            AppScaling(
                config=config,
                load_balancer=args.placement.load_balancer,
                target_group=routing.primary if routing else None,
                queue=args.links.queue,
            ),
            cluster_name=args.cluster.name,
            service_name=service.name,
            request_scaling=not shifts_traffic,
        )

        self.service_name = service.name
        self.task_role_arn = task_role.arn
        self.log_group_name = logs.name
        self.alarm_names = pulumi.Output.all(*alarm_names)
        self.deployment_alarms = routing.deployment_alarms if routing else ()
        self.cluster_name = args.cluster.name
        self.container_insights = args.cluster.container_insights
        self.register_outputs(
            {"service_name": self.service_name, "task_role_arn": self.task_role_arn, "alarm_names": self.alarm_names}
        )

    @staticmethod
    def _target(
        config: FargateServiceConfig, routing: Routing, infrastructure_role: aws.iam.Role | None
    ) -> aws.ecs.ServiceLoadBalancerArgs:
        """Where the load balancer sends the service's requests; with the second target group and the role
        ECS shifts traffic with when the strategy moves traffic."""
        return aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=routing.primary.arn,
            container_name=CONTAINER,
            container_port=config.container_port,
            advanced_configuration=aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                alternate_target_group_arn=routing.alternate.arn,
                production_listener_rule=routing.rule.arn,
                role_arn=infrastructure_role.arn,
            )
            if infrastructure_role is not None
            else None,
        )

    @staticmethod
    def _service_connect(
        args: FargateServiceArgs, log_group: pulumi.Output[str]
    ) -> aws.ecs.ServiceServiceConnectConfigurationArgs | None:
        """In the namespace when it calls a service or is called by one: served under its name when called."""
        config, namespace = args.config, args.cluster.namespace_arn
        serves = config.called_by_name
        if namespace is None or not (serves or args.links.calls):
            return None
        return aws.ecs.ServiceServiceConnectConfigurationArgs(
            enabled=True,
            namespace=namespace,
            services=[
                aws.ecs.ServiceServiceConnectConfigurationServiceArgs(
                    port_name=PORT_NAME,
                    discovery_name=args.placement.service,
                    client_alias=[
                        aws.ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs(
                            port=config.container_port, dns_name=args.placement.service
                        )
                    ],
                )
            ]
            if serves
            else None,
            # The proxy's own log lines go beside the service's.
            log_configuration=aws.ecs.ServiceServiceConnectConfigurationLogConfigurationArgs(
                log_driver="awslogs",
                options={
                    "awslogs-group": log_group,
                    "awslogs-region": args.placement.context.region,
                    "awslogs-stream-prefix": "service-connect",
                },
            ),
        )

    def _containers(self, args: FargateServiceArgs, log_group: pulumi.Output[str]) -> pulumi.Output[str]:
        config, context = args.config, args.placement.context
        environment = app_environment(config, args.placement.data, context.region, args.links)
        # Service Connect finds the port by its name; a service that no one calls keeps its port unnamed.
        named_port = {"name": PORT_NAME, "appProtocol": "http"} if config.called_by_name else {}
        secrets = app_secrets(config, args.placement.data)

        def definitions(values: list[Any]) -> str:
            settings, references, group = values
            container: dict[str, Any] = {
                "name": CONTAINER,
                "image": config.image,
                "essential": True,
                "portMappings": [{"containerPort": config.container_port, "protocol": "tcp", **named_port}]
                if config.listens
                else [],
                "environment": [{"name": key, "value": value} for key, value in settings.items()],
                "secrets": [{"name": key, "valueFrom": value} for key, value in references.items()],
                "readonlyRootFilesystem": config.read_only_root_filesystem,
                # ECS Exec and signal handling need an init process as PID 1.
                "linuxParameters": {"initProcessEnabled": True},
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": group,
                        "awslogs-region": context.region,
                        "awslogs-stream-prefix": CONTAINER,
                    },
                },
            }
            if config.run_as_user:
                container["user"] = config.run_as_user
            return json.dumps([container])

        return pulumi.Output.all(environment, secrets, log_group).apply(definitions)

    def _roles(self, args: FargateServiceArgs, logs: aws.cloudwatch.LogGroup) -> tuple[aws.iam.Role, aws.iam.Role]:
        """The execution role (pull, log, read its secrets) and the task role (the app's own data)."""
        name, context, config = self._name, args.placement.context, args.config
        trust = service_trust_policy("ecs-tasks.amazonaws.com", context.account_id)
        execution = aws.iam.Role(
            f"{name}-execution-role",
            description=f"{name}: ECS starts the task with it: pulls the image, writes its logs, reads its secrets",
            assume_role_policy=trust,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-execution-policy",
            role=execution.id,
            policy=pulumi.Output.all(logs.arn, secret_read_statements(config, args.placement.data)).apply(
                lambda values: document(
                    [
                        write_logs_statement(values[0]),
                        *values[1],
                        *image_pull_statements(config.image),
                    ]
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        task = aws.iam.Role(
            f"{name}-task-role",
            description=f"{name}: the service's own permissions: the stores and queues it declares",
            assume_role_policy=trust,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if not (config.uses or config.exec_command or args.links.queue or args.links.sends_to):
            return execution, task  # nothing to grant: IAM refuses a policy without statements
        aws.iam.RolePolicy(
            f"{name}-task-policy",
            role=task.id,
            policy=pulumi.Output.all(
                data_access_statements(config, args.placement.data, args.links),
                args.cluster.exec_log_group_arn,
                args.placement.encryption.key_arn,
            ).apply(
                lambda values: document(
                    [*values[0], *(_exec_statements(values[1], values[2]) if config.exec_command else [])]
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return execution, task

    def _load_balancer_role(self, context: AwsContext) -> aws.iam.Role:
        """The role ECS moves listener rule weights with during canary, linear and blue/green releases."""
        role = aws.iam.Role(
            f"{self._name}-ecs-infrastructure-role",
            description="Lets ECS shift the app's traffic between its target groups during a release",
            assume_role_policy=service_trust_policy("ecs.amazonaws.com", context.account_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicyAttachment(
            f"{self._name}-ecs-infrastructure-policy",
            role=role.name,
            policy_arn=aws_managed_policy(context.partition, LOAD_BALANCER_ROLE_POLICY),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

    @staticmethod
    def _deployment(config: FargateServiceConfig) -> aws.ecs.ServiceDeploymentConfigurationArgs:
        deployment = config.deployment
        strategy = deployment.strategy
        if strategy is DeploymentStrategy.ROLLING:
            return aws.ecs.ServiceDeploymentConfigurationArgs(strategy="ROLLING")
        return aws.ecs.ServiceDeploymentConfigurationArgs(
            strategy=_STRATEGY[strategy],
            bake_time_in_minutes=str(deployment.bake_time_minutes),
            canary_configuration=aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
                canary_percent=deployment.canary_percent,
                canary_bake_time_in_minutes=str(deployment.canary_minutes),
            )
            if strategy is DeploymentStrategy.CANARY
            else None,
            linear_configuration=aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
                step_percent=deployment.linear_step_percent,
                step_bake_time_in_minutes=str(deployment.linear_step_minutes),
            )
            if strategy is DeploymentStrategy.LINEAR
            else None,
        )


def _exec_statements(log_group_arn: str, key_arn: str) -> list[dict[str, Any]]:
    """ECS Exec: its Session Manager channels, and logging each session to the cluster's encrypted log group."""
    return [
        {
            "Sid": "LogExecSessions",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        },
        {
            "Sid": "EncryptExecSessions",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
        },
        # The channels ECS Exec opens have no resource ARNs: AWS documents them with "*".
        {
            "Sid": "EcsExecChannels",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        },
    ]
