"""`webstack:index:Platform`: the root component. It owns the two AWS providers and wires the areas."""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from components.access_host import AccessHost, AccessHostArgs
from components.audit import Audit, AuditArgs
from components.compute.app import ServiceLinks
from components.compute.ec2 import Ec2Service, Ec2ServiceArgs
from components.compute.fargate import Cluster, ClusterArgs, FargateService, FargateServiceArgs
from components.compute.load_balancer import LoadBalancer, LoadBalancerArgs, OriginHeader
from components.compute.queue import WorkQueue, WorkQueueArgs
from components.compute.routing import Placement
from components.compute.services import calls_of, queues_sent_to_by, service_reach, uses_service_connect
from components.data import AppData, Cache, CacheArgs, Database, DatabaseArgs, Sessions, SessionsArgs
from components.detection import ThreatDetection, ThreatDetectionArgs
from components.edge.certificates import Certificates, CertificatesArgs
from components.edge.distribution import Edge, EdgeArgs
from components.edge.origin_secret import OriginSecret, OriginSecretArgs
from components.network import Network, NetworkArgs, select_availability_zones
from components.observability import signals
from components.observability.alerts import Alerts, AlertsArgs
from components.observability.logs import LogBucket, LogBucketArgs
from components.observability.monitoring import Monitoring, MonitoringArgs
from components.observability.signals import Tier
from components.options import AwsContext
from components.security import Encryption, EncryptionArgs
from config import catalog
from config.compute import SINGLE_APP, ContainerInsights, FargateConfig
from config.loader import revalidated
from config.release import ReleaseTimes, release_times
from config.stack import StackConfig

# CloudFront only accepts certificates and web ACLs from this region.
GLOBAL_REGION = "us-east-1"


@dataclass(frozen=True, kw_only=True)
class PlatformArgs:
    config: StackConfig
    project: str
    stack: str


def default_tags(args: PlatformArgs) -> dict[str, str]:
    """Tags on every resource: the user's extras, then webstack's own (which the config cannot override)."""
    config = args.config
    return {
        **config.tags,
        "Project": args.project,
        "Environment": config.environment.value,
        "Stack": args.stack,
        "Owner": config.owner,
        "CostCenter": config.cost_center,
        "ManagedBy": "pulumi",
    }


# STS session names: 2-64 of these characters (AssumeRole, RoleSessionName).
_SESSION_NAME = re.compile(r"[^\w+=,.@-]")


def deploy_role(args: PlatformArgs) -> list[aws.ProviderAssumeRoleArgs] | None:
    """The role both providers assume in the target account, in a session named after the stack."""
    config = args.config
    if config.deploy_role_arn is None:
        return None
    tags = default_tags(args)
    return [
        aws.ProviderAssumeRoleArgs(
            role_arn=config.deploy_role_arn,
            session_name=_SESSION_NAME.sub("-", f"webstack-{args.stack}")[:64],
            external_id=config.deploy_role_external_id,
            tags={key: tags[key] for key in ("Project", "Stack", "Environment")}
            if config.deploy_role_session_tags
            else None,
        )
    ]


@dataclass(frozen=True)
class _Build:
    """What every area is built with: the root's name, the config, the account, the key and the options."""

    name: str
    args: PlatformArgs
    config: StackConfig
    context: AwsContext
    encryption: Encryption
    area: pulumi.ResourceOptions
    global_provider: aws.Provider
    # Where every alarm notifies: the alert topic (set once it exists).
    alarm_actions: tuple[pulumi.Input[str], ...] = ()

    @property
    def log_retention_days(self) -> int:
        return self.config.observability.log_retention_days


class Platform(pulumi.ComponentResource):
    """A whole environment: providers, keys, network, data, app tier and edge, wired in that order."""

    regional_provider: aws.Provider
    global_provider: aws.Provider
    kms_key_arn: pulumi.Output[str]
    network: Network
    database: Database
    cache: Cache | None
    sessions: Sessions
    load_balancer: LoadBalancer
    services: dict[str, FargateService | Ec2Service]
    queues: dict[str, WorkQueue]
    edge: Edge
    alerts: Alerts
    monitoring: Monitoring
    releases: dict[str, ReleaseTimes]
    audit: Audit | None
    threat_detection: ThreatDetection | None
    access_host: AccessHost | None

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:index:Platform", name, None, opts)
        # Validated again here: a config changed with model_copy or built with model_construct skips its rules.
        config = revalidated(args.config)
        regional = self._aws_provider(f"{name}-aws", config.region, args)
        global_ = self._aws_provider(f"{name}-aws-global", GLOBAL_REGION, args)
        # Every area inherits the regional provider through its parent; only CloudFront's resources name us-east-1.
        area = pulumi.ResourceOptions(parent=self, providers=[regional])
        # Checked first: a region with too few AZs must stop the run before anything is created.
        zones = select_availability_zones(
            config.network,
            pulumi.InvokeOptions(parent=self, provider=regional),
            vpc_origin=config.edge.vpc_origin,
            region=config.region,
        )
        lookup = pulumi.InvokeOutputOptions(parent=self, provider=regional)
        context = AwsContext(
            account_id=aws.get_caller_identity_output(opts=lookup).account_id,
            partition=aws.get_partition_output(opts=lookup).partition,
            region=config.region,
            environment=config.environment,
        )

        encryption = Encryption(f"{name}-encryption", EncryptionArgs(context=context), opts=area)
        # A key cannot leave its region: us-east-1's alert topic and the WAF's logs get a key of their own there.
        global_encryption = Encryption(
            f"{name}-global-encryption",
            EncryptionArgs(context=context.in_region(GLOBAL_REGION)),
            opts=pulumi.ResourceOptions(parent=self, providers=[global_]),
        )
        build = _Build(name, args, config, context, encryption, area, global_)
        # Every area contributes its statements to the key policies, registered when the block ends.
        with ExitStack() as contributing:
            for key in (encryption, global_encryption):
                contributing.enter_context(key.contributions())
            alerts = Alerts(
                f"{name}-alerts",
                AlertsArgs(
                    config=config.observability,
                    context=context,
                    encryption=encryption,
                    global_encryption=global_encryption,
                    global_provider=global_,
                    global_region=GLOBAL_REGION,
                    events=config.security.guard_duty.enabled or config.security.security_hub.enabled,
                ),
                opts=area,
            )
            build = replace(build, alarm_actions=(alerts.topic_arn,))
            network = Network(
                f"{name}-network",
                NetworkArgs(
                    config=config.network,
                    availability_zones=tuple(zones),
                    context=context,
                    encryption=encryption,
                    services=service_reach(config.compute.services),
                    # HTTPS to the origin needs a certificate for a name of ours; without a domain, plain HTTP.
                    alb_port=443 if config.edge.domain_name else 80,
                    alb_internal=config.edge.vpc_origin,
                ),
                opts=area,
            )
            database, cache, sessions = self._data_tier(build, network)
            certificates = self._certificates(build)
            origin_secret = (
                None
                if config.edge.vpc_origin
                else OriginSecret(
                    f"{name}-origin-secret",
                    OriginSecretArgs(context=context, kms_key_arn=encryption.key_arn),
                    opts=area,
                )
            )
            logs = (
                LogBucket(
                    f"{name}-access-logs",
                    LogBucketArgs(context=context, retention_days=build.log_retention_days),
                    opts=area,
                )
                if config.observability.access_logs
                else None
            )
            load_balancer, services, queues = self._app_tier(
                build,
                network,
                AppData.of(database, cache, sessions),
                certificate_arn=certificates.load_balancer_arn if certificates else None,
                origin_header=origin_secret.header if origin_secret else None,
                logs=logs,
            )
            edge = Edge(
                f"{name}-edge",
                EdgeArgs(
                    config=config.edge,
                    context=context,
                    encryption=encryption,
                    global_encryption=global_encryption,
                    global_provider=global_,
                    load_balancer=load_balancer,
                    vpc_id=network.vpc_id,
                    certificates=certificates,
                    origin_secret=origin_secret,
                    log_bucket=self._cloudfront_logs(config.region, logs),
                    log_retention_days=build.log_retention_days,
                ),
                opts=area,
            )
            if edge.vpc_origins_group_id is not None:
                network.admit_vpc_origins(edge.vpc_origins_group_id)
            monitoring = Monitoring(
                f"{name}-monitoring",
                MonitoringArgs(
                    config=config.observability,
                    context=context,
                    alerts=alerts,
                    tiers=self._tiers(config, edge, load_balancer, services, queues, database, cache, sessions),
                    global_provider=global_,
                    global_region=GLOBAL_REGION,
                    cost_tag=("Stack", args.stack),
                ),
                opts=area,
            )
            audit, threat_detection, access_host = self._security(build, network, alerts)

        self.regional_provider = regional
        self.global_provider = global_
        self.kms_key_arn = encryption.key_arn
        self.network = network
        self.database = database
        self.cache = cache
        self.sessions = sessions
        self.load_balancer = load_balancer
        self.services = services
        self.queues = queues
        self.edge = edge
        self.alerts = alerts
        self.monitoring = monitoring
        self.releases = {name: release_times(service) for name, service in config.compute.services.items()}
        self.audit, self.threat_detection, self.access_host = audit, threat_detection, access_host
        self.register_outputs(self.stack_outputs())

    @staticmethod
    def _tiers(
        config: StackConfig,
        edge: Edge,
        load_balancer: LoadBalancer,
        services: dict[str, FargateService | Ec2Service],
        queues: dict[str, WorkQueue],
        database: Database,
        cache: Cache | None,
        sessions: Sessions,
    ) -> list[Tier]:
        """What the monitoring watches, tier by tier, from the edge in (a row per service)."""
        limits = config.observability.alarms
        service_tiers = [
            signals.fargate_app(
                name,
                service.cluster_name,
                service.service_name,
                service.deployment_alarms,
                limits,
                running_tasks=service.container_insights is not ContainerInsights.DISABLED,
                queue=queues[name].alarms if name in queues else (),
            )
            if isinstance(service, FargateService)
            else signals.ec2_app(name, service.group_name, service.deployment_alarms, limits)
            for name, service in services.items()
        ]
        postgres = config.data.postgres
        tiers = [
            signals.edge(edge.distribution_id, edge.waf_metric_name, limits),
            signals.load_balancer(load_balancer.arn_suffix, limits),
            *service_tiers,
            signals.database(database.identifier, postgres.instance_class, postgres.allocated_storage_gb, limits),
        ]
        if cache is not None:
            tiers.append(
                signals.cache_serverless(cache.serverless_name, limits)
                if cache.serverless_name is not None
                else signals.cache_nodes(cache.node_ids, limits)
            )
        tiers.append(signals.sessions(sessions.table_name))
        return tiers

    def _security(
        self, build: _Build, network: Network, alerts: Alerts
    ) -> tuple[Audit | None, ThreatDetection | None, AccessHost | None]:
        """The account's trail and threat detection, when this stack owns them, and the database access host."""
        security, name, area = build.config.security, build.name, build.area
        audit = (
            Audit(
                f"{name}-audit",
                AuditArgs(config=security.cloud_trail, context=build.context, encryption=build.encryption),
                opts=area,
            )
            if security.cloud_trail.enabled
            else None
        )
        detection = (
            ThreatDetection(
                f"{name}-threat-detection",
                ThreatDetectionArgs(config=security, context=build.context, alert_topic_arn=alerts.topic_arn),
                opts=area,
            )
            if security.guard_duty.enabled or security.security_hub.enabled
            else None
        )
        access_host = (
            AccessHost(
                f"{name}-access-host",
                AccessHostArgs(
                    config=security.access_host,
                    context=build.context,
                    encryption=build.encryption,
                    subnet_ids=network.app_subnet_ids,
                    security_group_id=network.admit_access_host(),
                ),
                opts=area,
            )
            if security.access_host.enabled
            else None
        )
        return audit, detection, access_host

    def _certificates(self, build: _Build) -> Certificates | None:
        edge = build.config.edge
        if edge.domain_name is None or edge.hosted_zone_id is None:
            return None
        return Certificates(
            f"{build.name}-certificates",
            CertificatesArgs(
                domain_name=edge.domain_name,
                hosted_zone_id=edge.hosted_zone_id,
                include_www=edge.include_www,
                global_provider=build.global_provider,
            ),
            opts=build.area,
        )

    def _data_tier(self, build: _Build, network: Network) -> tuple[Database, Cache | None, Sessions]:
        """The three stores, each in the isolated subnets behind its own security group."""
        data, context, encryption = build.config.data, build.context, build.encryption
        database = Database(
            f"{build.name}-database",
            DatabaseArgs(
                config=data.postgres,
                context=context,
                encryption=encryption,
                subnet_ids=network.isolated_subnet_ids,
                security_group_id=network.database_security_group_id,
                log_retention_days=build.log_retention_days,
            ),
            opts=build.area,
        )
        cache = (
            Cache(
                f"{build.name}-cache",
                CacheArgs(
                    config=data.cache,
                    context=context,
                    encryption=encryption,
                    subnet_ids=network.isolated_subnet_ids,
                    security_group_id=network.cache_security_group_id,
                    log_retention_days=build.log_retention_days,
                ),
                opts=build.area,
            )
            if data.cache.enabled
            else None
        )
        sessions = Sessions(
            f"{build.name}-sessions",
            SessionsArgs(config=data.sessions, context=context, encryption=encryption),
            opts=build.area,
        )
        return database, cache, sessions

    def _app_tier(
        self,
        build: _Build,
        network: Network,
        data: AppData,
        *,
        certificate_arn: pulumi.Input[str] | None,
        origin_header: OriginHeader | None,
        logs: LogBucket | None,
    ) -> tuple[LoadBalancer, dict[str, FargateService | Ec2Service], dict[str, WorkQueue]]:
        """The load balancer, the workers' queues, and each service of the configured kind.

        A service's resources are named `<root>-<service>`: the single app of a stack file written
        for one is the service `app`, so its resources keep the names they always had.
        """
        compute, name, area = build.config.compute, build.name, build.area
        internal = build.config.edge.vpc_origin
        load_balancer = LoadBalancer(
            f"{name}-lb",
            LoadBalancerArgs(
                context=build.context,
                internal=internal,
                # Internal: beside the app. Internet-facing: in the public subnets, for CloudFront to reach.
                subnet_ids=network.app_subnet_ids if internal else network.public_subnet_ids,
                security_group_id=network.alb_security_group_id,
                idle_timeout_seconds=compute.idle_timeout_seconds,
                certificate_arn=certificate_arn,
                origin_header=origin_header,
                access_logs_bucket=logs.bucket_name if logs else None,
                access_logs_prefix=logs.alb_prefix if logs else "",
            ),
            opts=area,
        )
        queues = {
            service_name: WorkQueue(
                f"{name}-{service_name}-queue",
                WorkQueueArgs(
                    worker=service_name,
                    config=service.queue,
                    context=build.context,
                    encryption=build.encryption,
                    max_age_seconds=build.config.observability.alarms.queue_age_seconds,
                ),
                opts=area,
            )
            for service_name, service in compute.services.items()
            if service.queue is not None
        }

        def placement(service_name: str) -> Placement:
            return Placement(
                context=build.context,
                encryption=build.encryption,
                load_balancer=load_balancer,
                vpc_id=network.vpc_id,
                subnet_ids=network.app_subnet_ids,
                security_group_id=network.service_security_group_ids[service_name],
                data=data,
                log_retention_days=build.log_retention_days,
                alarm_actions=build.alarm_actions,
                service=service_name,
            )

        services: dict[str, FargateService | Ec2Service] = {}
        if isinstance(compute, FargateConfig):
            cluster = Cluster(
                f"{name}-ecs",
                ClusterArgs(
                    context=build.context,
                    encryption=build.encryption,
                    log_retention_days=build.log_retention_days,
                    exec_command=any(service.exec_command for service in compute.services.values()),
                    container_insights=compute.container_insights,
                    service_connect=uses_service_connect(compute.services),
                ),
                opts=area,
            )
            for service_name, service in compute.services.items():
                links = ServiceLinks(
                    queue=queues.get(service_name),
                    sends_to={worker: queues[worker] for worker in queues_sent_to_by(compute.services, service_name)},
                    calls=calls_of(compute.services, service_name),
                )
                services[service_name] = FargateService(
                    f"{name}-{service_name}",
                    FargateServiceArgs(
                        config=service,
                        placement=placement(service_name),
                        cluster=cluster,
                        public_ip=network.app_public_ip,
                        links=links,
                    ),
                    opts=area,
                )
        else:
            for service_name, ec2_service in compute.services.items():
                services[service_name] = Ec2Service(
                    f"{name}-{service_name}",
                    Ec2ServiceArgs(
                        config=ec2_service, placement=placement(service_name), tags=default_tags(build.args)
                    ),
                    opts=area,
                )
        return load_balancer, services, queues

    def _cloudfront_logs(self, region: str, logs: LogBucket | None) -> LogBucket | None:
        """The access-log bucket, when CloudFront can deliver to a bucket in this region."""
        if logs is not None and region in catalog.CLOUDFRONT_LEGACY_LOGS_UNSUPPORTED_REGIONS:
            pulumi.log.warn(
                f"CloudFront does not deliver access logs to buckets in {region} (an opt-in region): the load "
                "balancer's access logs are kept, CloudFront's are not",
                resource=self,
            )
            return None
        return logs

    def stack_outputs(self) -> dict[str, Any]:
        """What a user of the stack needs, under the names `pulumi stack output` shows."""
        network = self.network
        return {
            "vpcId": network.vpc_id,
            "availabilityZones": network.availability_zones,
            "availabilityZoneIds": network.availability_zone_ids,
            "publicSubnetIds": network.public_subnet_ids,
            "privateSubnetIds": network.private_subnet_ids,
            "isolatedSubnetIds": network.isolated_subnet_ids,
            "securityGroupIds": {
                "alb": network.alb_security_group_id,
                **network.service_security_group_ids,
                "database": network.database_security_group_id,
                "cache": network.cache_security_group_id,
            },
            "kmsKeyArn": self.kms_key_arn,
            # Where the app finds its data; credentials come from the secret (or IAM), never from here.
            "database": {
                "address": self.database.address,
                "port": self.database.port,
                "name": self.database.database_name,
                "masterUsername": self.database.master_username,
                "secretArn": self.database.secret_arn,
            },
            "cache": (
                {"address": self.cache.address, "port": self.cache.port, "iamUser": self.cache.user_id}
                if self.cache
                else None
            ),
            "sessionsTable": {"name": self.sessions.table_name, "arn": self.sessions.table_arn},
            "site": {
                "url": self.edge.site_url,
                "distributionId": self.edge.distribution_id,
                "distributionDomain": self.edge.distribution_domain,
                "staticAssetsBucket": self.edge.static_bucket_name,
            },
            "loadBalancer": {"dnsName": self.load_balancer.dns_name},
            **self._app_outputs(),
            "alerts": {"topicArn": self.alerts.topic_arn, "globalTopicArn": self.alerts.global_topic_arn},
            "monitoring": {
                "dashboard": self.monitoring.dashboard_name,
                "budget": self.monitoring.budget_name,
                "alarms": self.monitoring.alarm_names,
            },
            # Where audit and findings go, and the host to forward a port to the database through (docs/runbook.md).
            "security": {
                "trailArn": self.audit.trail_arn if self.audit else None,
                "trailBucket": self.audit.bucket_name if self.audit else None,
                "guardDutyDetectorId": self.threat_detection.detector_id if self.threat_detection else None,
                "accessHostInstanceId": self.access_host.instance_id if self.access_host else None,
            },
        }

    def _app_outputs(self) -> dict[str, Any]:
        """Each service's log group, deployment alarms, queue and release times; the single app's as before too."""
        services = {
            name: {
                "logGroup": service.log_group_name,
                "deploymentAlarms": service.alarm_names,
                **({"queueUrl": self.queues[name].url} if name in self.queues else {}),
                # The worst case for a release to be fully live and for a bad one to be undone (config/release.py).
                "release": self.releases[name].as_output(),
            }
            for name, service in self.services.items()
        }
        outputs: dict[str, Any] = {"services": services}
        if SINGLE_APP in self.services:
            app = services[SINGLE_APP]
            outputs |= {
                "app": {"logGroup": app["logGroup"], "deploymentAlarms": app["deploymentAlarms"]},
                "release": app["release"],
            }
        return outputs

    def _aws_provider(self, name: str, region: str, args: PlatformArgs) -> aws.Provider:
        account_id = args.config.account_id
        return aws.Provider(
            name,
            region=region,
            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(args)),
            # Refuses to act in any other account: a prod config can never touch the wrong one.
            allowed_account_ids=[account_id] if account_id else None,
            assume_roles=deploy_role(args),
            opts=pulumi.ResourceOptions(parent=self),
        )
