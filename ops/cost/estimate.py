"""Price an offline plan: one line per billable resource or usage, from the plan's own inputs.

Every resource type the plan holds is either priced here (`PRICED`) or known to cost nothing by
itself (`FREE`); a type in neither stops the estimate, so a new resource cannot slip out of the
bill. Usage (requests, GB, logs) comes from `webstack:usage` and is printed with the estimate.
Months are 730 hours; no free tier, no savings plans; Fargate Spot at the price file's snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from config.compute import ContainerInsights
from config.stack import StackConfig
from ops.cost.prices import NoPriceError, PriceBook
from ops.engine import OfflineRun
from ops.mocks.monitor import Registration

HOURS = 730
GB = 10**9
# What a request or a log line weighs, for the logs and bytes the usage implies.
WAF_LOG_BYTES_PER_REQUEST = 1_000
ACCESS_LOG_BYTES_PER_REQUEST = 500
# A CloudTrail management event as delivered (JSON, uncompressed: an upper bound in S3, where it is gzipped).
CLOUDTRAIL_EVENT_BYTES = 1_500
TRAIL = "aws:cloudtrail/trail:Trail"
# Container Insights metrics (billed as custom metrics) for one service: cluster and service level when
# enabled; enhanced adds task- and container-level metrics for each running task.
INSIGHTS_METRICS = {ContainerInsights.ENABLED: 18, ContainerInsights.ENHANCED: 18}
INSIGHTS_METRICS_PER_TASK = {ContainerInsights.ENABLED: 0, ContainerInsights.ENHANCED: 27}

# Resources that cost nothing by themselves (their traffic, if any, is priced on what carries it).
FREE = frozenset(
    {
        "pulumi:providers:aws",
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
        "aws:ec2/internetGateway:InternetGateway", "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/flowLog:FlowLog",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:kms/alias:Alias", "aws:kms/keyPolicy:KeyPolicy",
        "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
        "aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup",
        "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule",
        "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
        "aws:route53/record:Record",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "aws:ecs/taskDefinition:TaskDefinition",
        "aws:autoscaling/policy:Policy", "aws:autoscaling/schedule:Schedule",
        "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy",
        "aws:appautoscaling/scheduledAction:ScheduledAction",
        "aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription",
        "aws:budgets/budget:Budget",
        # The services' queue policies; Service Connect's namespace (its proxy runs in the task's own CPU and memory).
        "aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        "aws:servicediscovery/httpNamespace:HttpNamespace",
        # Audit and threat detection: the trail, the detector and the hub are priced; routing their findings is free
        # (AWS services' events on the default bus), and two schedules a month are far inside Scheduler's free tier.
        "aws:securityhub/standardsSubscription:StandardsSubscription",
        "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget",
        "aws:scheduler/schedule:Schedule",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One item of the bill."""

    urn: str
    type: str
    description: str
    quantity: float
    unit: str
    monthly: float

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "description": self.description,
            "quantity": round(self.quantity, 4),
            "unit": self.unit,
            "monthly": round(self.monthly, 2),
        }


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str
    currency: str
    prices_taken_on: str
    lines: tuple[Line, ...]
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def monthly_total(self) -> float:
        return sum(line.monthly for line in self.lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "region": self.region,
            "currency": self.currency,
            "pricesTakenOn": self.prices_taken_on,
            "monthlyTotal": round(self.monthly_total, 2),
            "lines": [line.as_json() for line in self.lines],
            "assumptions": self.assumptions,
        }


@dataclass(frozen=True)
class _Bill:
    """What every pricing rule reads: the plan, the config, the prices and the usage derived from both."""

    run: OfflineRun
    config: StackConfig
    prices: PriceBook

    @property
    def app_requests(self) -> float:
        usage = self.config.usage
        return usage.requests_per_month * (100 - usage.static_percent) / 100

    def source(self, resource: Registration, key: str, type_: str) -> Registration | None:
        """The registration of `type_` the input `key` of `resource` came from (a service's task definition, ...).
        Read from the dependencies, not the values: a plan read back from its manifest has no outputs."""
        urns = set(resource.property_dependencies.get(key, ()))
        return next((r for r in self.run.find(type_) if r.urn in urns), None)

    def first(self, type_: str) -> str:
        """The URN a usage line shared by all resources of a type goes on: the same one on every run."""
        return min(registration.urn for registration in self.run.find(type_))

    def line(self, resource: Registration, description: str, quantity: float, unit: str, price: float) -> Line:
        return Line(resource.urn, resource.type, description, quantity, unit, quantity * price)


Rule = Callable[[_Bill, Registration], Iterator[Line]]


def _nat_gateway(bill: _Bill, nat: Registration) -> Iterator[Line]:
    yield bill.line(nat, "NAT gateway", HOURS, "hours", bill.prices.get("natGatewayHour"))
    if nat.urn == bill.first(nat.type):  # the data all gateways process together, on one of them
        gb = bill.config.usage.nat_data_gb
        yield bill.line(nat, "NAT data processed (usage)", gb, "GB", bill.prices.get("natGatewayGb"))


def _elastic_ip(bill: _Bill, address: Registration) -> Iterator[Line]:
    yield bill.line(address, "Public IPv4 address (NAT gateway)", HOURS, "hours", bill.prices.get("publicIpv4Hour"))


def _load_balancer(bill: _Bill, balancer: Registration) -> Iterator[Line]:
    prices, usage = bill.prices, bill.config.usage
    yield bill.line(balancer, "Application Load Balancer", HOURS, "hours", prices.get("albHour"))
    # LCUs: the larger of new connections (25/s each; CloudFront reuses connections, so fewer than requests)
    # and processed GB (1 GB/hour each), from the app's share of the traffic.
    per_second = bill.app_requests / (HOURS * 3600)
    gb_per_hour = usage.data_out_gb * (100 - usage.static_percent) / 100 / HOURS
    lcus = max(per_second / 25, gb_per_hour)
    yield bill.line(
        balancer, "Load balancer capacity units (usage)", lcus * HOURS, "LCU-hours", prices.get("albLcuHour")
    )
    if not balancer.inputs.get("internal"):
        zones = len(balancer.inputs.get("subnets") or [])
        yield bill.line(
            balancer, "Public IPv4 addresses (one per AZ)", zones * HOURS, "hours", prices.get("publicIpv4Hour")
        )


def _fargate_service(bill: _Bill, service: Registration) -> Iterator[Line]:
    prices = bill.prices
    task = bill.source(service, "taskDefinition", "aws:ecs/taskDefinition:TaskDefinition")
    if task is None:
        raise NoPriceError(f"{service.name}: its task definition is not in the plan")
    vcpu, memory_gb = int(task.inputs["cpu"]) / 1024, int(task.inputs["memory"]) / 1024
    architecture = str((task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")).lower()
    tasks = int(service.inputs.get("desiredCount", 1))
    on_demand, spot = _split(tasks, service.inputs.get("capacityProviderStrategies") or [])
    size = f"{vcpu:g} vCPU, {memory_gb:g} GB, {architecture}"
    for count, kind, vcpu_key, gb_key in (
        (on_demand, "Fargate", "fargateVcpuHour", "fargateGbHour"),
        (spot, "Fargate Spot", "fargateSpotVcpuHour", "fargateSpotGbHour"),
    ):
        if count:
            hourly = vcpu * prices.get(vcpu_key, architecture) + memory_gb * prices.get(gb_key, architecture)
            yield bill.line(service, f"{kind} tasks ({size})", count * HOURS, "task-hours", hourly)
    if (service.inputs.get("networkConfiguration") or {}).get("assignPublicIp"):
        yield bill.line(service, "Public IPv4 address per task", tasks * HOURS, "hours", prices.get("publicIpv4Hour"))


def _split(tasks: int, strategies: list[dict[str, Any]]) -> tuple[int, int]:
    """Tasks on Fargate and on Fargate Spot: the base on its provider first, the rest by weight."""
    weights = {s["capacityProvider"]: float(s.get("weight", 0)) for s in strategies}
    base = min(tasks, int(sum(float(s.get("base", 0)) for s in strategies if s["capacityProvider"] == "FARGATE")))
    rest = tasks - base
    total = sum(weights.values()) or 1
    spot = round(rest * weights.get("FARGATE_SPOT", 0) / total)
    return tasks - spot, spot


def _cluster(bill: _Bill, cluster: Registration) -> Iterator[Line]:
    settings = {s["name"]: s["value"] for s in cluster.inputs.get("settings") or []}
    insights = ContainerInsights(settings.get("containerInsights", "disabled"))
    if insights is ContainerInsights.DISABLED:
        return
    tasks = sum(int(s.inputs.get("desiredCount", 1)) for s in bill.run.find("aws:ecs/service:Service"))
    metrics = INSIGHTS_METRICS[insights] + INSIGHTS_METRICS_PER_TASK[insights] * tasks
    yield bill.line(
        cluster,
        f"Container Insights ({insights.value}) metrics",
        metrics,
        "metrics",
        bill.prices.get("cloudwatchMetricMonth"),
    )


def _auto_scaling_group(bill: _Bill, group: Registration) -> Iterator[Line]:
    template = bill.source(group, "launchTemplate", "aws:ec2/launchTemplate:LaunchTemplate")
    if template is None:
        raise NoPriceError(f"{group.name}: its launch template is not in the plan")
    instance_type = str(template.inputs["instanceType"])
    count = int(group.inputs.get("desiredCapacity") or group.inputs.get("minSize") or 0)
    yield bill.line(
        group,
        f"EC2 {instance_type}",
        count * HOURS,
        "instance-hours",
        bill.prices.get("ec2InstanceHour", instance_type),
    )
    volume_gb = sum(
        float((m.get("ebs") or {}).get("volumeSize", 0)) for m in template.inputs.get("blockDeviceMappings") or []
    )
    if volume_gb:
        yield bill.line(group, "EBS gp3 root volumes", count * volume_gb, "GB-months", bill.prices.get("ebsGp3GbMonth"))


def _database(bill: _Bill, instance: Registration) -> Iterator[Line]:
    prices, inputs = bill.prices, instance.inputs
    factor = prices.get("rdsMultiAzFactor") if inputs.get("multiAz") else 1
    deployment = "Multi-AZ" if inputs.get("multiAz") else "Single-AZ"
    instance_class = str(inputs["instanceClass"])
    hourly = prices.get("rdsPostgresInstanceHour", instance_class) * factor
    yield bill.line(instance, f"RDS PostgreSQL {instance_class} ({deployment})", HOURS, "hours", hourly)
    storage = float(inputs.get("allocatedStorage", 0))
    yield bill.line(instance, f"gp3 storage ({deployment})", storage, "GB-months", prices.get("rdsGp3GbMonth") * factor)
    if inputs.get("manageMasterUserPassword"):
        yield bill.line(
            instance, "Master password secret (Secrets Manager)", 1, "secrets", prices.get("secretsManagerSecretMonth")
        )


def _replication_group(bill: _Bill, group: Registration) -> Iterator[Line]:
    engine, node_type = str(group.inputs.get("engine")), str(group.inputs.get("nodeType"))
    nodes = int(group.inputs.get("numCacheClusters", 1))
    hourly = bill.prices.get("elasticacheNodeHour", engine, node_type)
    yield bill.line(group, f"ElastiCache {engine} {node_type} nodes", nodes * HOURS, "node-hours", hourly)


def _serverless_cache(bill: _Bill, cache: Registration) -> Iterator[Line]:
    prices, usage = bill.prices, bill.config.usage
    engine = str(cache.inputs.get("engine"))
    stored = max(usage.cache_data_gb, prices.get("elasticacheServerlessMinimumGb", engine))
    yield bill.line(
        cache,
        f"ElastiCache Serverless {engine} data (usage)",
        stored * HOURS,
        "GB-hours",
        prices.get("elasticacheServerlessGbHour", engine),
    )
    ecpus = bill.app_requests * usage.cache_commands_per_request / 10**6
    yield bill.line(
        cache,
        "ElastiCache processing units (usage)",
        ecpus,
        "million ECPUs",
        prices.get("elasticacheServerlessEcpuMillion", engine),
    )


def _table(bill: _Bill, table: Registration) -> Iterator[Line]:
    prices, usage = bill.prices, bill.config.usage
    reads = bill.app_requests / 10**6
    writes = reads * usage.session_writes_percent / 100
    yield bill.line(
        table, "DynamoDB reads (usage, strongly consistent)", reads, "million RRUs", prices.get("dynamodbReadMillion")
    )
    yield bill.line(table, "DynamoDB writes (usage)", writes, "million WRUs", prices.get("dynamodbWriteMillion"))
    yield bill.line(
        table, "DynamoDB storage (usage)", usage.sessions_gb, "GB-months", prices.get("dynamodbStorageGbMonth")
    )
    if (table.inputs.get("pointInTimeRecovery") or {}).get("enabled"):
        yield bill.line(
            table, "Point-in-time recovery", usage.sessions_gb, "GB-months", prices.get("dynamodbPitrGbMonth")
        )


def _web_acl(bill: _Bill, acl: Registration) -> Iterator[Line]:
    prices = bill.prices
    yield bill.line(acl, "WAF web ACL", 1, "web ACLs", prices.get("wafWebAclMonth"))
    rules = len(acl.inputs.get("rules") or [])
    yield bill.line(acl, "WAF rules (a managed rule group is one)", rules, "rules", prices.get("wafRuleMonth"))
    requests = bill.config.usage.requests_per_month / 10**6
    yield bill.line(
        acl, "WAF requests inspected (usage)", requests, "million requests", prices.get("wafRequestsMillion")
    )


def _distribution(bill: _Bill, distribution: Registration) -> Iterator[Line]:
    prices, usage = bill.prices, bill.config.usage
    requests = usage.requests_per_month / 10**4
    yield bill.line(
        distribution, "CloudFront HTTPS requests (usage)", requests, "10k requests", prices.get("cloudfrontRequests10k")
    )
    yield bill.line(
        distribution, "CloudFront data to viewers (usage)", usage.data_out_gb, "GB", prices.get("cloudfrontGbOut")
    )


def _vpc_origin(bill: _Bill, origin: Registration) -> Iterator[Line]:
    yield bill.line(origin, "CloudFront VPC origin", 1, "origins", bill.prices.get("cloudfrontVpcOriginMonth"))


def _alarm(bill: _Bill, alarm: Registration) -> Iterator[Line]:
    queries = alarm.inputs.get("metricQueries") or []
    # An alarm on one metric has no queries; one on an expression pays for each metric it reads, not the expression.
    metrics = sum(1 for query in queries if query.get("metric") is not None) or 1
    yield bill.line(
        alarm,
        "CloudWatch alarm (per metric it reads)",
        metrics,
        "alarm metrics",
        bill.prices.get("cloudwatchAlarmMetricMonth"),
    )


def _dashboard(bill: _Bill, dashboard: Registration) -> Iterator[Line]:
    yield bill.line(dashboard, "CloudWatch dashboard", 1, "dashboards", bill.prices.get("cloudwatchDashboardMonth"))


def _log_group(bill: _Bill, group: Registration) -> Iterator[Line]:
    """The groups that take the usage's logs: the app's, the flow logs', the WAF's; others are small."""
    prices, usage = bill.prices, bill.config.usage
    name = group.name
    if name.endswith("-app-logs"):
        gb, rate, what = usage.log_ingest_gb, prices.get("cloudwatchLogsIngestGb"), "App logs"
    elif name.endswith("-flow-logs"):
        gb, rate, what = usage.flow_log_gb, prices.get("cloudwatchLogsVendedIngestGb"), "VPC flow logs"
    elif name.endswith("-waf-logs"):
        gb = usage.requests_per_month * WAF_LOG_BYTES_PER_REQUEST / GB
        rate, what = prices.get("cloudwatchLogsVendedIngestGb"), "WAF logs"
    else:
        return
    yield bill.line(group, f"{what} ingested (usage)", gb, "GB", rate)
    # Kept for the group's retention: a steady state of that many months of logs (uncompressed: an upper bound).
    stored = gb * float(group.inputs.get("retentionInDays", 30)) / 30
    yield bill.line(group, f"{what} stored", stored, "GB-months", prices.get("cloudwatchLogsStorageGbMonth"))


def _key(bill: _Bill, key: Registration) -> Iterator[Line]:
    prices = bill.prices
    yield bill.line(key, "KMS key", 1, "keys", prices.get("kmsKeyMonth"))
    if key.urn == bill.first(key.type):
        requests = bill.config.usage.kms_requests_per_month / 10**4
        yield bill.line(key, "KMS requests (usage)", requests, "10k requests", prices.get("kmsRequests10k"))


def _secret(bill: _Bill, secret: Registration) -> Iterator[Line]:
    yield bill.line(secret, "Secrets Manager secret", 1, "secrets", bill.prices.get("secretsManagerSecretMonth"))


def _endpoint(bill: _Bill, endpoint: Registration) -> Iterator[Line]:
    if endpoint.inputs.get("vpcEndpointType") != "Interface":
        return  # gateway endpoints (S3, DynamoDB) are free
    zones = len(endpoint.inputs.get("subnetIds") or [])
    service = str(endpoint.inputs.get("serviceName", "")).rsplit(".", 1)[-1]
    yield bill.line(
        endpoint,
        f"Interface endpoint ({service}, one per AZ)",
        zones * HOURS,
        "AZ-hours",
        bill.prices.get("interfaceEndpointHour"),
    )


def _bucket(bill: _Bill, bucket: Registration) -> Iterator[Line]:
    usage = bill.config.usage
    if any(bucket.urn in trail.property_dependencies.get("s3BucketName", ()) for trail in bill.run.find(TRAIL)):
        return  # priced with the trail that fills it
    if "-assets-" in bucket.name:
        gb, what = usage.static_assets_gb, "Static assets stored (usage)"
    else:
        # Access logs of every request (load balancer and CloudFront) kept for the bucket's expiry.
        days = _expiry_days(bill, bucket)
        gb = usage.requests_per_month * ACCESS_LOG_BYTES_PER_REQUEST / GB * days / 30
        what = "Access logs stored"
    yield bill.line(bucket, what, gb, "GB-months", bill.prices.get("s3StandardGbMonth"))


def _expiry_days(bill: _Bill, bucket: Registration) -> float:
    for lifecycle in bill.run.find("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"):
        if bucket.urn in lifecycle.property_dependencies.get("bucket", ()):
            for rule in lifecycle.inputs.get("rules") or []:
                days = (rule.get("expiration") or {}).get("days")
                if days:
                    return float(days)
    return 30.0


# A worker long-polls its queue (20 s waits): three receives a minute even when it is idle.
IDLE_RECEIVES_PER_MONTH = 3 * 60 * HOURS
# Each message is sent, received and deleted once.
REQUESTS_PER_MESSAGE = 3


def _queue(bill: _Bill, queue: Registration) -> Iterator[Line]:
    """A work queue's requests; its dead-letter queue (no redrive policy of its own) is only read by people."""
    if not queue.inputs.get("redrivePolicy"):
        return
    requests = bill.config.usage.queue_messages_per_month * REQUESTS_PER_MESSAGE + IDLE_RECEIVES_PER_MONTH
    yield bill.line(
        queue, "SQS requests (usage)", requests / 1e6, "million requests", bill.prices.get("sqsRequestsMillion")
    )


def _trail(bill: _Bill, trail: Registration) -> Iterator[Line]:
    """The first copy of management events is free; its CloudWatch Logs copy and the bucket's store are not."""
    prices, events = bill.prices, bill.config.usage.management_events_million
    yield bill.line(
        trail,
        "CloudTrail management events, first copy",
        events,
        "million events",
        prices.get("cloudTrailFirstCopyMillion"),
    )
    gb = events * 10**6 * CLOUDTRAIL_EVENT_BYTES / GB
    group = bill.source(trail, "cloudWatchLogsGroupArn", "aws:cloudwatch/logGroup:LogGroup")
    if group is not None:
        yield bill.line(
            trail, "Audit events to CloudWatch Logs (usage)", gb, "GB", prices.get("cloudwatchLogsIngestGb")
        )
        kept = gb * float(group.inputs.get("retentionInDays", 30)) / 30
        yield bill.line(
            trail, "Audit events in CloudWatch Logs", kept, "GB-months", prices.get("cloudwatchLogsStorageGbMonth")
        )
    bucket = bill.source(trail, "s3BucketName", "aws:s3/bucket:Bucket")
    if bucket is not None:
        kept = gb * _expiry_days(bill, bucket) / 30
        yield bill.line(trail, "Audit log files in S3", kept, "GB-months", prices.get("s3StandardGbMonth"))


def _detector(bill: _Bill, detector: Registration) -> Iterator[Line]:
    """GuardDuty's foundational sources: the account's management events, and its VPC flow and DNS logs (analysed
    whether or not the stack records flow logs; their volume is taken as the usage's flow-log GB)."""
    prices, usage = bill.prices, bill.config.usage
    yield bill.line(
        detector,
        "GuardDuty management events analysed (usage)",
        usage.management_events_million,
        "million events",
        prices.get("guardDutyEventsMillion"),
    )
    yield bill.line(
        detector, "GuardDuty flow and DNS logs analysed (usage)", usage.flow_log_gb, "GB", prices.get("guardDutyLogGb")
    )


def _security_hub(bill: _Bill, hub: Registration) -> Iterator[Line]:
    checks = bill.config.usage.security_checks / 1000
    yield bill.line(
        hub, "Security Hub security checks (usage)", checks, "thousand checks", bill.prices.get("securityHubChecks1k")
    )


def _instance(bill: _Bill, instance: Registration) -> Iterator[Line]:
    """A lone instance (the access host), around the clock: a stop schedule lowers this."""
    instance_type = str(instance.inputs["instanceType"])
    hourly = bill.prices.get("ec2InstanceHour", instance_type)
    yield bill.line(instance, f"EC2 {instance_type} (around the clock)", HOURS, "instance-hours", hourly)
    volume_gb = float((instance.inputs.get("rootBlockDevice") or {}).get("volumeSize", 0))
    yield bill.line(instance, "EBS gp3 root volume", volume_gb, "GB-months", bill.prices.get("ebsGp3GbMonth"))


PRICED: dict[str, Rule] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _elastic_ip,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:ecs/cluster:Cluster": _cluster,
    "aws:ecs/service:Service": _fargate_service,
    "aws:autoscaling/group:Group": _auto_scaling_group,
    "aws:rds/instance:Instance": _database,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:dynamodb/table:Table": _table,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/vpcOrigin:VpcOrigin": _vpc_origin,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:kms/key:Key": _key,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _endpoint,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:sqs/queue:Queue": _queue,
    TRAIL: _trail,
    "aws:guardduty/detector:Detector": _detector,
    "aws:securityhub/account:Account": _security_hub,
    "aws:ec2/instance:Instance": _instance,
}


def estimate(run: OfflineRun, config: StackConfig, prices: PriceBook) -> Estimate:
    """The monthly bill of `run` (a plan, not a preview: it prices the plan's values)."""
    if run.preview:
        raise NoPriceError("a preview has no values to price; price the plan instead")
    bill = _Bill(run, config, prices)
    lines: list[Line] = []
    unknown = sorted({r.type for r in run.registrations if r.custom and r.type not in PRICED and r.type not in FREE})
    if unknown:
        raise NoPriceError(
            f"no pricing rule for {', '.join(unknown)}: add it to ops/cost/estimate.py (PRICED, or FREE if it costs "
            "nothing by itself)"
        )
    for registration in run.registrations:
        rule = PRICED.get(registration.type)
        if registration.custom and rule is not None:
            lines.extend(rule(bill, registration))
    usage = config.usage
    assumptions = json.loads(usage.model_dump_json(by_alias=True)) | {
        "hoursPerMonth": HOURS,
        "freeTier": "not applied",
        "containerInsightsMetrics": "18 for the cluster and service, +27 per task when enhanced (estimate)",
        "notPriced": "the Route 53 hosted zone (yours), alias queries and ACM certificates (free), SNS emails "
        "(cents), small log groups (exec, Container Insights events, cache and database logs), the AWS Config "
        "recording Security Hub's checks need (not made by webstack)",
    }
    return Estimate(run.stack, prices.region, prices.currency, prices.taken_on, tuple(lines), assumptions)
