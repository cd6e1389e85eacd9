"""What webstack watches on each tier, as data: the dashboard draws these signals and the alarms fire on them.

Every tier gets its golden signals (traffic, errors, latency, saturation). Missing data is
chosen per alarm: `notBreaching` where no data means no traffic (nothing can be failing),
`breaching` where the metric always exists while the resource is up, so silence means it is
down. Metric names and dimensions: each service's "CloudWatch metrics" page in its guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.observability.alarms import AlarmSpec, Golden, Metric, Signal
from config import catalog
from config.compute import SINGLE_APP
from config.observability import AlarmConfig

ELB = "AWS/ApplicationELB"
CLOUDFRONT = "AWS/CloudFront"
WAF = "AWS/WAFV2"
ECS = "AWS/ECS"
SQS = "AWS/SQS"
CONTAINER_INSIGHTS = "ECS/ContainerInsights"
EC2 = "AWS/EC2"
AUTO_SCALING = "AWS/AutoScaling"
RDS = "AWS/RDS"
ELASTICACHE = "AWS/ElastiCache"
DYNAMODB = "AWS/DynamoDB"
# The item operations the app's sessions use: their system errors are summed.
SESSION_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem")
GIB = 2**30
BREACHING, NOT_BREACHING = "breaching", "notBreaching"


@dataclass(frozen=True)
class Tier:
    """A row of the dashboard: a tier's signals that are only drawn, and its alarms (drawn with their threshold)."""

    key: str
    title: str
    signals: tuple[Signal, ...]
    alarms: tuple[AlarmSpec, ...]
    # CloudFront and its WAF publish their metrics in us-east-1, where their alarms must live too.
    global_region: bool = False
    # Alarms made elsewhere and drawn here: the deployment alarms, made with the service's routing.
    existing_alarms: tuple[AlarmSpec, ...] = ()


def _metric(metric_id: str, namespace: str, name: str, stat: str, **dimensions: pulumi.Input[str]) -> Metric:
    return Metric(metric_id, namespace, name, dimensions, stat)


def _rate(title: str, golden: Golden, errors: Sequence[Metric], requests: Sequence[Metric]) -> Signal:
    """100 x errors / requests, 0 when there are no requests (no traffic is no failure)."""
    error_sum = " + ".join(f"FILL({m.id}, 0)" for m in errors)
    request_sum = " + ".join(f"FILL({m.id}, 0)" for m in requests)
    expression = f"IF(({request_sum}) > 0, 100 * ({error_sum}) / ({request_sum}), 0)"
    return Signal(title, golden, (*errors, *requests), expression)


# -- the deployment alarms (they also roll releases back) --------------------------------------------------------


def target_5xx_rate(
    service: str, load_balancer: pulumi.Input[str], target_groups: Sequence[pulumi.Input[str]], percent: float
) -> AlarmSpec:
    """The share of one service's responses that are 5xx, summed over its target groups (blue and green)."""
    errors, requests = [], []
    for index, target_group in enumerate(target_groups):
        dims = {"LoadBalancer": load_balancer, "TargetGroup": target_group}
        errors.append(_metric(f"errors{index}", ELB, "HTTPCode_Target_5XX_Count", "Sum", **dims))
        requests.append(_metric(f"requests{index}", ELB, "RequestCount", "Sum", **dims))
    return AlarmSpec(
        "5xx",
        f"More than {percent:g}% of {service}'s responses are 5xx",
        _rate(f"{service}: 5xx responses (%)", Golden.ERRORS, errors, requests),
        threshold=percent,
    )


def unhealthy_hosts(
    service: str, colour: str, load_balancer: pulumi.Input[str], target_group: pulumi.Input[str]
) -> AlarmSpec:
    """Targets of one target group failing their health checks (an idle group has no data: not breaching)."""
    metric = _metric(
        "unhealthy", ELB, "UnHealthyHostCount", "Maximum", LoadBalancer=load_balancer, TargetGroup=target_group
    )
    return AlarmSpec(
        f"{colour}-unhealthy",
        f"A target of {service} ({colour}) is failing its health check",
        Signal(f"{service} ({colour}): unhealthy targets", Golden.ERRORS, (metric,)),
        threshold=0,
    )


# -- the tiers -----------------------------------------------------------------------------------------------------


def edge(distribution_id: pulumi.Input[str], waf_metric: str | None, limits: AlarmConfig) -> Tier:
    """CloudFront (its metrics carry Region=Global) and, when on, the WAF in front of it.

    CloudFront's origin latency is an additional, paid metric subscription: not drawn.
    """
    dims = {"DistributionId": distribution_id, "Region": "Global"}
    requests = Signal("Requests", Golden.TRAFFIC, (Metric("requests", CLOUDFRONT, "Requests", dims, "Sum"),))
    bytes_out = Signal(
        "Bytes to viewers", Golden.SATURATION, (Metric("bytes", CLOUDFRONT, "BytesDownloaded", dims, "Sum"),)
    )
    errors = AlarmSpec(
        "5xx",
        f"More than {limits.cdn_5xx_percent:g}% of CloudFront's responses are 5xx",
        Signal("5xx responses (%)", Golden.ERRORS, (Metric("rate", CLOUDFRONT, "5xxErrorRate", dims, "Average"),)),
        threshold=limits.cdn_5xx_percent,
        treat_missing_data=NOT_BREACHING,  # no requests, no errors
    )
    alarms = [errors]
    if waf_metric is not None:
        # A CloudFront web ACL's metrics have no Region dimension; WebACL is its visibility metric name.
        blocked = _metric("blocked", WAF, "BlockedRequests", "Sum", WebACL=waf_metric, Rule="ALL")
        alarms.append(
            AlarmSpec(
                "waf-blocked",
                f"The WAF blocks more than {limits.waf_blocked_per_minute} requests a minute: an attack, or a "
                "rule that blocks real users",
                Signal("Requests the WAF blocked", Golden.ERRORS, (blocked,)),
                threshold=limits.waf_blocked_per_minute,
                treat_missing_data=NOT_BREACHING,  # nothing blocked
            )
        )
    return Tier("edge", "Edge: CloudFront and WAF", (requests, bytes_out), tuple(alarms), global_region=True)


def load_balancer(arn_suffix: pulumi.Input[str], limits: AlarmConfig) -> Tier:
    """The load balancer itself: its own 5xx (no healthy target, timeouts) and the app's p99 through it."""
    requests = _metric("requests", ELB, "RequestCount", "Sum", LoadBalancer=arn_suffix)
    own_errors = _metric("errors", ELB, "HTTPCode_ELB_5XX_Count", "Sum", LoadBalancer=arn_suffix)
    latency = _metric("p99", ELB, "TargetResponseTime", "p99", LoadBalancer=arn_suffix)
    lcus = _metric("lcus", ELB, "ConsumedLCUs", "Sum", LoadBalancer=arn_suffix)
    return Tier(
        "load-balancer",
        "Load balancer",
        (
            Signal("Requests", Golden.TRAFFIC, (requests,)),
            Signal("Load balancer capacity units", Golden.SATURATION, (lcus,)),
        ),
        (
            AlarmSpec(
                "5xx",
                f"More than {limits.load_balancer_5xx_percent:g}% of requests get a 5xx from the load balancer itself",
                _rate("5xx from the load balancer (%)", Golden.ERRORS, [own_errors], [requests]),
                threshold=limits.load_balancer_5xx_percent,
                treat_missing_data=NOT_BREACHING,  # no requests
            ),
            AlarmSpec(
                "latency",
                f"The app's p99 response time is above {limits.latency_p99_seconds:g} s",
                Signal("Response time p99 (s)", Golden.LATENCY, (latency,)),
                threshold=limits.latency_p99_seconds,
                treat_missing_data=NOT_BREACHING,  # no requests
            ),
        ),
    )


def service_title(service: str, runs_on: str) -> str:
    """A service's dashboard row: the single app keeps the title it always had."""
    return f"App ({runs_on})" if service == SINGLE_APP else f"Service {service} ({runs_on})"


def fargate_app(
    name: str,
    cluster: pulumi.Input[str],
    service: pulumi.Input[str],
    deployment: Sequence[AlarmSpec],
    limits: AlarmConfig,
    *,
    running_tasks: bool,
    queue: Sequence[AlarmSpec] = (),
) -> Tier:
    """A service's tasks: CPU and memory (AWS/ECS), running below desired when Container Insights reports it,
    and its queue's alarms when it works one."""
    dims = {"ClusterName": cluster, "ServiceName": service}
    running = Metric("running", CONTAINER_INSIGHTS, "RunningTaskCount", dims, "Minimum")
    desired = Metric("desired", CONTAINER_INSIGHTS, "DesiredTaskCount", dims, "Maximum")
    tasks = AlarmSpec(
        "tasks",
        "Fewer tasks run than the service wants",
        Signal("Desired minus running tasks", Golden.TRAFFIC, (running, desired), "desired - running"),
        threshold=0,
        # Container Insights reports both every minute while the service exists: silence is an outage.
        treat_missing_data=BREACHING,
    )
    label = "App" if name == SINGLE_APP else name
    return Tier(
        name,
        service_title(name, "ECS Fargate"),
        (),
        (
            _utilization(
                "cpu", f"{label} CPU", Metric("cpu", ECS, "CPUUtilization", dims, "Average"), limits.cpu_percent
            ),
            _utilization(
                "memory",
                f"{label} memory",
                Metric("memory", ECS, "MemoryUtilization", dims, "Average"),
                limits.memory_percent,
            ),
            *([tasks] if running_tasks else []),
            *queue,
        ),
        existing_alarms=tuple(deployment),
    )


def dead_letters(worker: str, dead_letter_queue: pulumi.Input[str]) -> AlarmSpec:
    """The redrive alarm: a message failed the worker too often and moved to the dead-letter queue."""
    return AlarmSpec(
        "deadletters",
        f"Messages of {worker} failed too often and wait in its dead-letter queue",
        Signal(
            "Messages in the dead-letter queue",
            Golden.ERRORS,
            (_metric("dead", SQS, "ApproximateNumberOfMessagesVisible", "Maximum", QueueName=dead_letter_queue),),
        ),
        threshold=0,
        treat_missing_data=NOT_BREACHING,  # SQS stops reporting an idle queue: nothing has failed
    )


def oldest_message(worker: str, queue: pulumi.Input[str], max_age_seconds: int) -> AlarmSpec:
    """The backlog is not worked: the oldest message has waited longer than the limit."""
    return AlarmSpec(
        "backlog",
        f"The oldest message for {worker} has waited over {max_age_seconds} s",
        Signal(
            "Age of the oldest message (s)",
            Golden.SATURATION,
            (_metric("age", SQS, "ApproximateAgeOfOldestMessage", "Maximum", QueueName=queue),),
        ),
        threshold=max_age_seconds,
        treat_missing_data=NOT_BREACHING,  # SQS stops reporting an idle queue: nothing waits
    )


def ec2_app(name: str, group: pulumi.Input[str], deployment: Sequence[AlarmSpec], limits: AlarmConfig) -> Tier:
    """The app's instances: CPU, and in service below the group's minimum (group metrics are collected).

    Memory needs the CloudWatch agent on the instances, which the image may not have: not alarmed.
    """
    in_service = _metric("inservice", AUTO_SCALING, "GroupInServiceInstances", "Minimum", AutoScalingGroupName=group)
    minimum = _metric("minimum", AUTO_SCALING, "GroupMinSize", "Maximum", AutoScalingGroupName=group)
    cpu = _metric("cpu", EC2, "CPUUtilization", "Average", AutoScalingGroupName=group)
    return Tier(
        name,
        service_title(name, "EC2 Auto Scaling"),
        (),
        (
            _utilization("cpu", "App CPU", cpu, limits.cpu_percent),
            AlarmSpec(
                "instances",
                "Fewer instances are in service than the group's minimum",
                Signal(
                    "Minimum minus in-service instances", Golden.TRAFFIC, (in_service, minimum), "minimum - inservice"
                ),
                threshold=0,
                treat_missing_data=BREACHING,  # the group reports every minute while it exists
            ),
        ),
        existing_alarms=tuple(deployment),
    )


def database(identifier: pulumi.Input[str], instance_class: str, storage_gb: int, limits: AlarmConfig) -> Tier:
    """PostgreSQL on RDS. RDS reports every minute while the instance is up: silence is breaching.

    Thresholds in bytes and connections come from the class's memory and the allocated storage. There are no
    read replicas (RDS-managed passwords rule them out), so no replica lag.
    """

    def rds(metric_id: str, name: str, stat: str) -> Metric:
        return _metric(metric_id, RDS, name, stat, DBInstanceIdentifier=identifier)

    memory = catalog.rds_memory_gib(instance_class) * GIB
    connections = catalog.postgres_max_connections(instance_class)
    # Storage autoscaling adds space at 10% free: below this share of the first allocation, it did not or cannot.
    free_storage = storage_gb * GIB * limits.database_free_storage_percent / 100
    return Tier(
        "database",
        "Database (RDS PostgreSQL)",
        (
            Signal(
                "Read and write IOPS",
                Golden.TRAFFIC,
                (rds("reads", "ReadIOPS", "Average"), rds("writes", "WriteIOPS", "Average")),
                "reads + writes",
            ),
            Signal(
                "Read and write latency (s)",
                Golden.LATENCY,
                (rds("read", "ReadLatency", "Average"), rds("write", "WriteLatency", "Average")),
            ),
        ),
        (
            _utilization("cpu", "Database CPU", rds("cpu", "CPUUtilization", "Average"), limits.cpu_percent, BREACHING),
            AlarmSpec(
                "storage",
                f"Less than {limits.database_free_storage_percent:g}% of the allocated storage ({storage_gb} GB) "
                "is free: storage autoscaling did not add space, or is at its ceiling",
                Signal("Free storage (bytes)", Golden.SATURATION, (rds("free", "FreeStorageSpace", "Minimum"),)),
                threshold=free_storage,
                comparison="LessThanThreshold",
                treat_missing_data=BREACHING,
            ),
            AlarmSpec(
                "memory",
                f"Less than {limits.database_freeable_memory_percent:g}% of the instance's memory is freeable",
                Signal("Freeable memory (bytes)", Golden.SATURATION, (rds("freeable", "FreeableMemory", "Minimum"),)),
                threshold=memory * limits.database_freeable_memory_percent / 100,
                comparison="LessThanThreshold",
                treat_missing_data=BREACHING,
            ),
            AlarmSpec(
                "connections",
                f"Connections above {limits.database_connections_percent:g}% of max_connections ({connections})",
                Signal("Connections", Golden.SATURATION, (rds("connections", "DatabaseConnections", "Maximum"),)),
                threshold=round(connections * limits.database_connections_percent / 100),
                treat_missing_data=BREACHING,
            ),
        ),
    )


def cache_nodes(member_clusters: Sequence[pulumi.Input[str]], limits: AlarmConfig) -> Tier:
    """Each node of the replication group (CacheClusterId is the member cluster, one node each)."""
    alarms: list[AlarmSpec] = []
    signals: list[Signal] = []
    for index, member in enumerate(member_clusters, start=1):

        def node(metric_id: str, name: str, stat: str, member: pulumi.Input[str] = member) -> Metric:
            return _metric(metric_id, ELASTICACHE, name, stat, CacheClusterId=member)

        label = f"cache node {index}"
        signals.append(
            Signal(
                f"{label}: commands and hit rate",
                Golden.TRAFFIC,
                (node("hits", "CacheHitRate", "Average"), node("connections", "CurrConnections", "Maximum")),
            )
        )
        alarms += [
            # A node reports every minute while it is up: silence is breaching.
            _utilization(
                f"node{index}-cpu",
                f"{label} host CPU",
                node("cpu", "CPUUtilization", "Average"),
                limits.cpu_percent,
                BREACHING,
            ),
            _utilization(
                f"node{index}-engine-cpu",
                f"{label} engine CPU",
                node("engine", "EngineCPUUtilization", "Average"),
                limits.cpu_percent,
                BREACHING,
            ),
            _utilization(
                f"node{index}-memory",
                f"{label} memory for data",
                node("memory", "DatabaseMemoryUsagePercentage", "Average"),
                limits.memory_percent,
                BREACHING,
            ),
            AlarmSpec(
                f"node{index}-evictions",
                f"The cache ({label}) evicts more than {limits.cache_evictions_per_minute} keys a minute",
                Signal(f"{label}: evictions", Golden.SATURATION, (node("evictions", "Evictions", "Sum"),)),
                threshold=limits.cache_evictions_per_minute,
                treat_missing_data=BREACHING,
            ),
            AlarmSpec(
                f"node{index}-lag",
                f"A replica ({label}) is more than {limits.replication_lag_seconds:g} s behind its primary",
                Signal(f"{label}: replication lag (s)", Golden.LATENCY, (node("lag", "ReplicationLag", "Maximum"),)),
                threshold=limits.replication_lag_seconds,
                # Only a replica reports lag, and which node is the primary changes at failover.
                treat_missing_data=NOT_BREACHING,
            ),
        ]
    return Tier("cache", "Cache (ElastiCache nodes)", tuple(signals), tuple(alarms))


def cache_serverless(cache_name: pulumi.Input[str], limits: AlarmConfig) -> Tier:
    """ElastiCache Serverless scales itself up to its usage limits: throttling while it scales, evictions at the
    data limit."""

    def serverless(metric_id: str, name: str, stat: str) -> Metric:
        return _metric(metric_id, ELASTICACHE, name, stat, clusterId=cache_name)

    return Tier(
        "cache",
        "Cache (ElastiCache Serverless)",
        (
            Signal(
                "Processing units (ECPUs)", Golden.TRAFFIC, (serverless("ecpus", "ElastiCacheProcessingUnits", "Sum"),)
            ),
            Signal(
                "Read latency (µs)", Golden.LATENCY, (serverless("latency", "SuccessfulReadRequestLatency", "Average"),)
            ),
            Signal("Data stored (bytes)", Golden.SATURATION, (serverless("bytes", "BytesUsedForCache", "Maximum"),)),
        ),
        (
            AlarmSpec(
                "throttled",
                "The cache throttles commands: the load grows faster than it scales",
                Signal("Throttled commands", Golden.ERRORS, (serverless("throttled", "ThrottledCmds", "Sum"),)),
                threshold=0,
                treat_missing_data=NOT_BREACHING,  # nothing throttled
            ),
            AlarmSpec(
                "evictions",
                f"The cache evicts more than {limits.cache_evictions_per_minute} keys a minute: it is at its data "
                "limit (data.cache.serverlessMaxDataGb)",
                Signal("Evictions", Golden.SATURATION, (serverless("evictions", "Evictions", "Sum"),)),
                threshold=limits.cache_evictions_per_minute,
                treat_missing_data=NOT_BREACHING,  # nothing evicted
            ),
        ),
    )


def sessions(table: pulumi.Input[str]) -> Tier:
    """The sessions table (on demand): throttles and DynamoDB's own errors should never happen."""

    def dynamo(metric_id: str, name: str, stat: str, **extra: pulumi.Input[str]) -> Metric:
        return _metric(metric_id, DYNAMODB, name, stat, TableName=table, **extra)

    system_errors = tuple(
        dynamo(f"e{index}", "SystemErrors", "Sum", Operation=operation)
        for index, operation in enumerate(SESSION_OPERATIONS)
    )
    return Tier(
        "sessions",
        "Sessions (DynamoDB)",
        (
            Signal(
                "Read and write capacity used",
                Golden.TRAFFIC,
                (
                    dynamo("reads", "ConsumedReadCapacityUnits", "Sum"),
                    dynamo("writes", "ConsumedWriteCapacityUnits", "Sum"),
                ),
            ),
            Signal(
                "GetItem latency (ms)",
                Golden.LATENCY,
                (dynamo("latency", "SuccessfulRequestLatency", "Average", Operation="GetItem"),),
            ),
        ),
        (
            AlarmSpec(
                "throttles",
                "The sessions table throttles reads or writes",
                Signal(
                    "Throttle events",
                    Golden.ERRORS,
                    (
                        dynamo("readthrottles", "ReadThrottleEvents", "Sum"),
                        dynamo("writethrottles", "WriteThrottleEvents", "Sum"),
                    ),
                    "FILL(readthrottles, 0) + FILL(writethrottles, 0)",
                ),
                threshold=0,
                treat_missing_data=NOT_BREACHING,  # nothing throttled
            ),
            AlarmSpec(
                "errors",
                "DynamoDB fails requests to the sessions table (HTTP 500)",
                Signal(
                    "System errors",
                    Golden.ERRORS,
                    system_errors,
                    " + ".join(f"FILL({metric.id}, 0)" for metric in system_errors),
                ),
                threshold=0,
                treat_missing_data=NOT_BREACHING,  # no errors
            ),
        ),
    )


def _utilization(key: str, what: str, metric: Metric, percent: float, missing: str = NOT_BREACHING) -> AlarmSpec:
    """A utilization (%) above its threshold. Not breaching when missing, unless the caller knows silence is
    an outage (a stopped service has no CPU; the task-count alarm covers that)."""
    return AlarmSpec(
        key,
        f"{what} above {percent:g}%",
        Signal(f"{what} (%)", Golden.SATURATION, (metric,)),
        threshold=percent,
        treat_missing_data=missing,
    )
