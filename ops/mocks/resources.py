"""What the mock engine knows about each AWS resource type: id format, ARN, auto-naming, computed outputs.

One entry per type token, grouped by AWS area. A component that adds a resource type adds
its entry here; a type without one fails the plan (`MockCoverageError`), because outputs
made up for an unknown type would let a mistake through.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def digest(*parts: str, length: int = 17) -> str:
    """Deterministic hex from the parts: the same resource gets the same id on every run."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Facts:
    """What a type's outputs may be built from."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    region: str
    account: str


IdRule = Callable[[Facts], str]
Extra = Callable[[Facts, str], dict[str, Any]]
# What AWS or the provider refuses about one resource's own inputs, one sentence each.
Check = Callable[[Facts], list[str]]


@dataclass(frozen=True)
class ResourceKind:
    """How the provider answers for one resource type.

    `id`: the provider id. `arn`: a template over {region}, {account}, {id} and the resource's
    text inputs ({name}, {identifier}, ...), or None when the type has no ARN. `auto_named`: the
    provider generates `name_property` when the program leaves it out (the logical name plus 7
    random hex characters). `extra`: other
    computed outputs. `check`: what AWS would refuse about the resource's own inputs.
    """

    id: IdRule
    arn: str | None = None
    auto_named: bool = False
    name_property: str = "name"
    extra: Extra = field(default=lambda facts, resource_id: {})
    check: Check = field(default=lambda facts: [])


def ec2_id(prefix: str) -> IdRule:
    """EC2-style ids: a prefix and 17 hex characters (sg-0123456789abcdef0)."""
    return lambda facts: f"{prefix}-{digest(facts.type, facts.name)}"


def by_input(key: str) -> IdRule:
    """The provider id is one of the resource's inputs (its name, identifier, ...)."""
    return lambda facts: str(facts.inputs[key])


by_name = by_input("name")


def key_uuid(facts: Facts) -> str:
    return str(uuid.UUID(digest(facts.type, facts.name, length=32)))


def role_policy_id(facts: Facts) -> str:
    # The provider's id of an inline role policy is `<role name>:<policy name>`.
    return f"{facts.inputs.get('role')}:{facts.inputs['name']}"


def owner(facts: Facts, resource_id: str) -> dict[str, Any]:
    return {"ownerId": facts.account}


def short_region(region: str) -> str:
    """eu-west-1 -> euw1, as ElastiCache endpoints spell the region."""
    area, direction, number = region.split("-")
    return (
        area
        + "".join(word[0] for word in direction.replace("north", "n-").replace("south", "s-").split("-") if word)
        + number
    )


# -- RDS -----------------------------------------------------------------------------------------------------------


def rds_instance_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    identifier = facts.inputs.get("identifier")
    address = f"{identifier}.{digest(facts.account, str(identifier), length=12)}.{facts.region}.rds.amazonaws.com"
    port = facts.inputs.get("port", 5432)
    outputs: dict[str, Any] = {
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "resourceId": resource_id,
        "hostedZoneId": "Z29XKXDKYMONMX",
        "engineVersionActual": f"{facts.inputs.get('engineVersion')}.4",
    }
    if facts.inputs.get("manageMasterUserPassword"):
        secret = f"rds!db-{uuid.UUID(digest(facts.name, 'secret', length=32))}"
        outputs["masterUserSecrets"] = [
            {
                "secretArn": (
                    f"arn:aws:secretsmanager:{facts.region}:{facts.account}:secret:{secret}-{digest(secret, length=6)}"
                ),
                "kmsKeyId": facts.inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ]
    return outputs


def rds_instance_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    if inputs.get("manageMasterUserPassword") and inputs.get("password"):
        problems.append("password and manageMasterUserPassword are mutually exclusive")
    if inputs.get("manageMasterUserPassword") and inputs.get("replicateSourceDb"):
        problems.append("RDS cannot create a read replica of an instance whose master password it manages")
    if inputs.get("kmsKeyId") and not inputs.get("storageEncrypted"):
        problems.append("kmsKeyId needs storageEncrypted")
    if inputs.get("multiAz") and inputs.get("availabilityZone"):
        problems.append("availabilityZone cannot be set on a Multi-AZ instance")
    if not inputs.get("skipFinalSnapshot") and not inputs.get("finalSnapshotIdentifier"):
        problems.append("finalSnapshotIdentifier is required unless skipFinalSnapshot is true")
    if inputs.get("monitoringInterval") and not inputs.get("monitoringRoleArn"):
        problems.append("monitoringInterval above 0 needs monitoringRoleArn")
    retention = inputs.get("performanceInsightsRetentionPeriod")
    if retention is not None and not (retention == 7 or (retention % 31 == 0 and 31 <= retention <= 731)):
        problems.append(f"performanceInsightsRetentionPeriod {retention} is not 7 or a multiple of 31 up to 731")
    if inputs.get("maxAllocatedStorage") and inputs["maxAllocatedStorage"] < inputs.get("allocatedStorage", 0):
        problems.append("maxAllocatedStorage is below allocatedStorage")
    return problems


# -- ElastiCache ---------------------------------------------------------------------------------------------------


def replication_group_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    host = (
        f"{resource_id}.{digest(facts.account, resource_id, length=6)}.{short_region(facts.region)}.cache.amazonaws.com"
    )
    count = int(facts.inputs.get("numCacheClusters", 1))
    return {
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "memberClusters": [f"{resource_id}-{n:03d}" for n in range(1, count + 1)],
        "engineVersionActual": f"{facts.inputs.get('engineVersion')}.1",
    }


def replication_group_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    if inputs.get("automaticFailoverEnabled") and int(inputs.get("numCacheClusters", 1)) < 2:
        problems.append("automatic failover needs numCacheClusters of at least 2")
    if inputs.get("multiAzEnabled") and not inputs.get("automaticFailoverEnabled"):
        problems.append("multiAzEnabled needs automaticFailoverEnabled")
    if inputs.get("userGroupIds") and not inputs.get("transitEncryptionEnabled"):
        problems.append("user groups (RBAC) need transitEncryptionEnabled")
    if inputs.get("kmsKeyId") and not inputs.get("atRestEncryptionEnabled"):
        problems.append("kmsKeyId needs atRestEncryptionEnabled")
    if len(str(inputs.get("replicationGroupId", ""))) > 40:
        problems.append("replicationGroupId is longer than 40 characters")
    return problems


def serverless_cache_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    suffix = f"serverless.{short_region(facts.region)}.cache.amazonaws.com"
    host = f"{resource_id}-{digest(facts.account, resource_id, length=6)}.{suffix}"
    return {
        "endpoints": [{"address": host, "port": 6379}],
        "readerEndpoints": [{"address": host, "port": 6380}],
        "fullEngineVersion": f"{facts.inputs.get('majorEngineVersion')}.0",
        "status": "available",
    }


def elasticache_user_check(facts: Facts) -> list[str]:
    inputs = facts.inputs
    mode = (inputs.get("authenticationMode") or {}).get("type")
    if mode == "iam" and inputs.get("userId") != inputs.get("userName"):
        return ["a user with IAM authentication needs userId equal to userName"]
    return []


# -- DynamoDB ------------------------------------------------------------------------------------------------------


def table_check(facts: Facts) -> list[str]:
    inputs = facts.inputs
    keys = {inputs.get("hashKey"), inputs.get("rangeKey")}
    indexed = keys | {index.get("hashKey") for index in inputs.get("globalSecondaryIndexes") or []}
    problems = [
        f"attribute {attribute['name']!r} is declared but not a key of the table or an index"
        for attribute in inputs.get("attributes") or []
        if attribute["name"] not in indexed
    ]
    ttl = (inputs.get("ttl") or {}).get("attributeName")
    if ttl in keys:
        problems.append(f"the TTL attribute {ttl!r} cannot be a key attribute")
    return problems


# -- S3 ------------------------------------------------------------------------------------------------------------


def bucket_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    return {
        "bucketDomainName": f"{resource_id}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{resource_id}.s3.{facts.region}.amazonaws.com",
        "region": facts.region,
    }


def bucket_check(facts: Facts) -> list[str]:
    name = str(facts.inputs.get("bucket", ""))
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name):
        return [f"bucket name {name!r} is not 3-63 lower-case letters, digits, dots or hyphens"]
    return []


# -- Elastic Load Balancing ----------------------------------------------------------------------------------------

ELB_ARN = "arn:aws:elasticloadbalancing:{region}:{account}:"


def elb_name_check(facts: Facts) -> list[str]:
    name = str(facts.inputs.get("name", ""))
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?", name) or name.startswith("internal-"):
        return [f"name {name!r} is not 1-32 letters, digits or hyphens (no hyphen at either end, not internal-)"]
    return []


def load_balancer_id(facts: Facts) -> str:
    suffix = f"app/{facts.inputs.get('name')}/{digest(facts.type, facts.name, length=16)}"
    return (ELB_ARN + "loadbalancer/{suffix}").format(region=facts.region, account=facts.account, suffix=suffix)


def load_balancer_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    suffix = resource_id.split(":loadbalancer/", 1)[1]
    scheme = "internal-" if facts.inputs.get("internal") else ""
    host = f"{scheme}{facts.inputs.get('name')}-{digest(resource_id, length=10)}"
    return {
        "arnSuffix": suffix,
        "dnsName": f"{host}.{facts.region}.elb.amazonaws.com",
        "zoneId": "Z32O12XQLNTSW2",
    }


def load_balancer_check(facts: Facts) -> list[str]:
    problems = elb_name_check(facts)
    logs = facts.inputs.get("accessLogs") or {}
    if logs.get("enabled") and not logs.get("bucket"):
        problems.append("access logs are enabled without a bucket")
    if len(facts.inputs.get("subnets") or []) < 2:
        problems.append("an Application Load Balancer needs subnets in at least two AZs")
    return problems


def target_group_id(facts: Facts) -> str:
    suffix = f"targetgroup/{facts.inputs.get('name')}/{digest(facts.type, facts.name, length=16)}"
    return (ELB_ARN + "{suffix}").format(region=facts.region, account=facts.account, suffix=suffix)


def target_group_check(facts: Facts) -> list[str]:
    problems = elb_name_check(facts)
    check = facts.inputs.get("healthCheck") or {}
    if check.get("timeout", 0) >= check.get("interval", 30):
        problems.append("the health check timeout must be below its interval")
    slow = facts.inputs.get("slowStart", 0)
    if slow and not 30 <= slow <= 900:
        problems.append(f"slowStart {slow} is not 0 or 30-900")
    return problems


def listener_id(facts: Facts) -> str:
    balancer = str(facts.inputs.get("loadBalancerArn", "")).split(":loadbalancer/", 1)[-1]
    return (ELB_ARN + "listener/{balancer}/{listener}").format(
        region=facts.region, account=facts.account, balancer=balancer, listener=digest(facts.name, length=16)
    )


def listener_check(facts: Facts) -> list[str]:
    if facts.inputs.get("protocol") == "HTTPS" and not (
        facts.inputs.get("certificateArn") and facts.inputs.get("sslPolicy")
    ):
        return ["an HTTPS listener needs a certificate and an SSL policy"]
    return []


def listener_rule_id(facts: Facts) -> str:
    prefix, _, listener = str(facts.inputs.get("listenerArn", "")).partition(":listener/")
    return f"{prefix}:listener-rule/{listener}/{digest(facts.name, length=16)}"


def listener_rule_check(facts: Facts) -> list[str]:
    priority = facts.inputs.get("priority", 0)
    problems = [] if 1 <= priority <= 50_000 else [f"priority {priority} is not 1-50000"]
    for action in facts.inputs.get("actions") or []:
        groups = ((action.get("forward") or {}).get("targetGroups")) or []
        if groups and sum(group.get("weight", 1) for group in groups) == 0:
            problems.append("a forward action whose target groups all weigh 0 sends nothing")
    return problems + _condition_problems(facts.inputs.get("conditions") or [])


def _condition_problems(conditions: list[dict[str, Any]]) -> list[str]:
    """ALB listener rule conditions (Elastic Load Balancing, "Listener rules for your Application Load Balancer")."""
    problems, evaluations = [], 0
    for condition in conditions:
        for kind in ("pathPattern", "hostHeader", "httpRequestMethod", "sourceIp"):
            values = (condition.get(kind) or {}).get("values") or []
            evaluations += len(values)
            if len(values) > 3:
                problems.append(f"{len(values)} values in one {kind} condition; a condition takes at most 3")
        header = condition.get("httpHeader")
        if header:
            values = header.get("values") or []
            evaluations += len(values)
            if len(str(header.get("httpHeaderName", ""))) > 40:
                problems.append("an HTTP header condition's header name is over 40 characters")
            if any(len(str(value)) > 128 for value in values):
                problems.append("an HTTP header condition's value is over 128 characters")
    if evaluations > 5:
        problems.append(f"{evaluations} condition values; a rule evaluates at most 5")
    return problems


# -- ACM and Route 53 ----------------------------------------------------------------------------------------------


def certificate_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    names = [facts.inputs.get("domainName"), *(facts.inputs.get("subjectAlternativeNames") or [])]
    # The provider returns the validation options as a set: unordered, so code must find them by name.
    return {
        "status": "ISSUED",
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": f"_{digest(str(name), length=32)}.{name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{digest(str(name), 'value', length=32)}.acm-validations.aws.",
            }
            for name in sorted(str(name) for name in names)[::-1]
        ],
    }


# -- CloudFront, WAF and Secrets Manager ---------------------------------------------------------------------------


def cloudfront_id(facts: Facts) -> str:
    return "E" + digest(facts.type, facts.name, length=13).upper()


def distribution_outputs(facts: Facts, resource_id: str) -> dict[str, Any]:
    return {
        "domainName": f"d{digest(resource_id, length=13)}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "status": "Deployed",
        "etag": digest(resource_id, length=14).upper(),
    }


def distribution_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    certificate = inputs.get("viewerCertificate") or {}
    arn = str(certificate.get("acmCertificateArn") or "")
    if arn and ":us-east-1:" not in arn:
        problems.append(f"CloudFront takes ACM certificates from us-east-1 only, not {arn}")
    if inputs.get("aliases") and not arn:
        problems.append("aliases need an ACM certificate that covers them")
    web_acl = str(inputs.get("webAclId") or "")
    if web_acl and not web_acl.startswith("arn:aws:wafv2:us-east-1:"):
        problems.append(f"a distribution takes a CLOUDFRONT-scope web ACL of us-east-1, not {web_acl}")
    origins = {origin.get("originId") for origin in inputs.get("origins") or []}
    behaviours = [inputs.get("defaultCacheBehavior") or {}, *(inputs.get("orderedCacheBehaviors") or [])]
    missing = sorted({str(b.get("targetOriginId")) for b in behaviours} - origins)
    if missing:
        problems.append(f"behaviours target origins that do not exist: {', '.join(missing)}")
    logging = inputs.get("loggingConfig") or {}
    if logging and not str(logging.get("bucket", "")).endswith(".s3.amazonaws.com"):
        problems.append("standard logging needs the bucket's domain name (<bucket>.s3.amazonaws.com)")
    return problems


def web_acl_check(facts: Facts) -> list[str]:
    if facts.inputs.get("scope") == "CLOUDFRONT" and facts.region != "us-east-1":
        return [f"a CLOUDFRONT-scope web ACL must be created in us-east-1, not {facts.region}"]
    return []


def waf_logging_check(facts: Facts) -> list[str]:
    destinations = [str(d) for d in facts.inputs.get("logDestinationConfigs") or []]
    wrong = [d for d in destinations if ":log-group:" in d and ":log-group:aws-waf-logs-" not in d]
    return [f"WAF logs only to log groups named aws-waf-logs-...: {', '.join(wrong)}"] if wrong else []


# -- CloudWatch alarms and dashboards, SNS, Budgets ---------------------------------------------------------------

# CloudWatch API Reference, PutMetricAlarm and MetricDataQuery; "Alarms on metric math expressions".
ALARM_COMPARISONS = (
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
)  # fmt: skip
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
ALARM_METRICS = 10  # metrics one alarm's expression may read
SECONDS_PER_DAY = 86_400


def metric_alarm_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    periods, datapoints = int(inputs.get("evaluationPeriods", 0)), int(inputs.get("datapointsToAlarm", 0) or 0)
    if datapoints > periods:
        problems.append(f"datapointsToAlarm {datapoints} is more than evaluationPeriods {periods}")
    if inputs.get("comparisonOperator") not in ALARM_COMPARISONS:
        problems.append(f"comparisonOperator {inputs.get('comparisonOperator')!r} is not one of {ALARM_COMPARISONS}")
    if inputs.get("treatMissingData", "missing") not in MISSING_DATA:
        problems.append(f"treatMissingData {inputs.get('treatMissingData')!r} is not one of {MISSING_DATA}")
    queries = inputs.get("metricQueries") or []
    if sum(1 for query in queries if query.get("returnData")) != 1:
        problems.append("exactly one metric query must return data")
    metrics = [query["metric"] for query in queries if query.get("metric")]
    if len(metrics) > ALARM_METRICS:
        problems.append(f"{len(metrics)} metrics; an alarm reads at most {ALARM_METRICS}")
    for query in queries:
        if not re.fullmatch(r"[a-z][A-Za-z0-9_]*", str(query.get("id"))):
            problems.append(f"metric query id {query.get('id')!r} must start with a lower-case letter")
    for metric in metrics:
        stat, period = str(metric.get("stat")), int(metric.get("period", 0))
        if stat not in STATISTICS and not re.fullmatch(r"p\d{1,2}(\.\d{1,2})?", stat):
            problems.append(f"{metric.get('metricName')}: {stat!r} is not a statistic")
        if period * periods > SECONDS_PER_DAY:
            problems.append(f"{metric.get('metricName')}: {periods} periods of {period} s look back more than a day")
        if len(metric.get("dimensions") or {}) > 30:
            problems.append(f"{metric.get('metricName')}: more than 30 dimensions")
    for action in [*(inputs.get("alarmActions") or []), *(inputs.get("okActions") or [])]:
        parts = str(action).split(":")
        if parts[2:3] == ["sns"] and parts[3] != facts.region:
            problems.append(f"an alarm in {facts.region} cannot notify the topic {action} in {parts[3]}")
    return problems


def dashboard_check(facts: Facts) -> list[str]:
    name = str(facts.inputs.get("dashboardName", ""))
    problems = [] if re.fullmatch(r"[A-Za-z0-9_-]{1,255}", name) else [f"dashboard name {name!r}: 1-255 of A-Za-z0-9_-"]
    try:
        widgets = json.loads(str(facts.inputs.get("dashboardBody")))["widgets"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return [*problems, "dashboardBody is not JSON with a widgets list"]
    if len(widgets) > 500:
        problems.append(f"{len(widgets)} widgets; a dashboard holds at most 500")
    for widget in widgets:
        if widget.get("x", 0) + widget.get("width", 6) > 24:
            problems.append(f"a widget at x={widget.get('x')} of width {widget.get('width')} is past column 24")
        properties = widget.get("properties") or {}
        if widget.get("type") == "metric" and not (properties.get("metrics") and properties.get("region")):
            problems.append(f"metric widget {properties.get('title')!r} needs metrics and a region")
    return problems


SNS_PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")


def subscription_check(facts: Facts) -> list[str]:
    protocol, endpoint = facts.inputs.get("protocol"), str(facts.inputs.get("endpoint", ""))
    if protocol not in SNS_PROTOCOLS:
        return [f"protocol {protocol!r} is not one of {SNS_PROTOCOLS}"]
    if protocol == "https" and not endpoint.startswith("https://"):
        return ["an https subscription's endpoint must be an https:// URL"]
    if protocol == "email" and "@" not in endpoint:
        return [f"{endpoint!r} is not an email address"]
    return []


def budget_check(facts: Facts) -> list[str]:
    problems = []
    for notification in facts.inputs.get("notifications") or []:
        # AWS Budgets: each notification reaches at most 10 email addresses and 1 SNS topic.
        if len(notification.get("subscriberEmailAddresses") or []) > 10:
            problems.append("a budget notification reaches at most 10 email addresses")
        if len(notification.get("subscriberSnsTopicArns") or []) > 1:
            problems.append("a budget notification reaches at most one SNS topic")
    try:
        float(str(facts.inputs.get("limitAmount")))
    except ValueError:
        problems.append(f"limitAmount {facts.inputs.get('limitAmount')!r} is not a number")
    return problems


# -- ECS -----------------------------------------------------------------------------------------------------------


def task_definition_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    try:
        containers = json.loads(str(inputs.get("containerDefinitions")))
    except json.JSONDecodeError:
        return ["containerDefinitions is not JSON"]
    for container in containers:
        names = [variable["name"] for variable in [*container.get("environment", []), *container.get("secrets", [])]]
        doubled = sorted({name for name in names if names.count(name) > 1})
        if doubled:
            problems.append(f"container {container.get('name')}: {', '.join(doubled)} set twice")
        bad = [s["valueFrom"] for s in container.get("secrets", []) if not str(s["valueFrom"]).startswith("arn:aws:")]
        if bad:
            problems.append(f"container {container.get('name')}: secrets must name full ARNs, not {bad}")
        ports = container.get("portMappings", [])
        names = [port["name"] for port in ports if "name" in port]
        if len(set(names)) != len(names):
            problems.append(f"container {container.get('name')}: two port mappings share a name")
        if any("appProtocol" in port and "name" not in port for port in ports):
            problems.append(f"container {container.get('name')}: a port mapping with appProtocol needs a name")
    if "FARGATE" in (inputs.get("requiresCompatibilities") or []) and inputs.get("networkMode") != "awsvpc":
        problems.append("Fargate tasks need networkMode awsvpc")
    return problems


def service_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    strategy = (inputs.get("deploymentConfiguration") or {}).get("strategy", "ROLLING")
    balancers = inputs.get("loadBalancers") or []
    if strategy != "ROLLING" and not all(balancer.get("advancedConfiguration") for balancer in balancers):
        problems.append(
            f"strategy {strategy} needs each load balancer's advancedConfiguration (alternate group, rule, role)"
        )
    if strategy == "BLUE_GREEN" and "bakeTimeInMinutes" not in (inputs.get("deploymentConfiguration") or {}):
        problems.append("BLUE_GREEN needs bakeTimeInMinutes")
    based = [item for item in inputs.get("capacityProviderStrategies") or [] if item.get("base")]
    if len(based) > 1:
        problems.append("only one capacity provider of a strategy may have a base")
    if inputs.get("launchType") and inputs.get("capacityProviderStrategies"):
        problems.append("launchType and capacityProviderStrategies are mutually exclusive")
    if inputs.get("healthCheckGracePeriodSeconds") is not None and not balancers:
        problems.append("healthCheckGracePeriodSeconds is only valid for a service with a load balancer")
    if (inputs.get("alarms") or {}).get("enable") and not (inputs.get("alarms") or {}).get("alarmNames"):
        problems.append("deployment alarms are enabled but name no alarm")
    for served in (inputs.get("serviceConnectConfiguration") or {}).get("services") or []:
        for alias in served.get("clientAlias") or []:
            if not 1 <= int(alias.get("port", 0)) <= 65535:
                problems.append(f"Service Connect client alias port {alias.get('port')} is not 1-65535")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", str(served.get("discoveryName", "x"))):
            problems.append(f"Service Connect discovery name {served.get('discoveryName')!r} is not valid")
    return problems


def service_id(facts: Facts) -> str:
    cluster = str(facts.inputs.get("cluster")).rsplit("/", 1)[-1]
    return f"arn:aws:ecs:{facts.region}:{facts.account}:service/{cluster}/{facts.inputs.get('name')}"


# -- IAM policy documents -----------------------------------------------------------------------------------


def policy_document_check(*, resource_policy: bool, key: str = "policy") -> Check:
    """What IAM refuses in a policy document (MalformedPolicyDocument): JSON, version, statements each with an
    effect, actions and resources; a principal in a resource policy and none in an identity policy."""

    def check(facts: Facts) -> list[str]:
        try:
            document = json.loads(str(facts.inputs.get(key)))
        except json.JSONDecodeError:
            return [f"{key} is not JSON"]
        if document.get("Version") != "2012-10-17":
            return [f"{key}: Version must be 2012-10-17 (older versions do not support policy variables)"]
        statements = document.get("Statement")
        if isinstance(statements, dict):
            statements = [statements]
        if not statements:
            return [f"{key} has no statement"]
        problems = []
        sids = [statement.get("Sid") for statement in statements if statement.get("Sid")]
        if len(set(sids)) != len(sids):
            problems.append(f"{key}: two statements share a Sid")
        for index, statement in enumerate(statements):
            where = f"{key} statement {statement.get('Sid') or index}"
            if statement.get("Effect") not in ("Allow", "Deny"):
                problems.append(f"{where}: Effect must be Allow or Deny")
            if not (statement.get("Action") or statement.get("NotAction")):
                problems.append(f"{where}: no Action")
            if not (statement.get("Resource") or statement.get("NotResource")):
                problems.append(f"{where}: no Resource")
            has_principal = "Principal" in statement or "NotPrincipal" in statement
            if resource_policy and not has_principal:
                problems.append(f"{where}: a resource policy statement needs a Principal")
            if not resource_policy and has_principal:
                problems.append(f"{where}: an identity policy cannot name a Principal")
        return problems

    return check


IDENTITY_POLICY = policy_document_check(resource_policy=False)
RESOURCE_POLICY = policy_document_check(resource_policy=True)


# -- SQS and Cloud Map -----------------------------------------------------------------------------------------


def queue_check(facts: Facts) -> list[str]:
    """SQS's attribute ranges (SetQueueAttributes) and its redrive policy's shape."""
    inputs, problems = facts.inputs, []
    ranges = {
        "visibilityTimeoutSeconds": (0, 43_200),
        "messageRetentionSeconds": (60, 1_209_600),
        "receiveWaitTimeSeconds": (0, 20),
        "kmsDataKeyReusePeriodSeconds": (60, 86_400),
        "delaySeconds": (0, 900),
    }
    for key, (low, high) in ranges.items():
        if key in inputs and not low <= int(inputs[key]) <= high:
            problems.append(f"{key} {inputs[key]} is not {low}-{high}")
    if inputs.get("kmsMasterKeyId") and inputs.get("sqsManagedSseEnabled"):
        problems.append("kmsMasterKeyId and sqsManagedSseEnabled are mutually exclusive")
    if "redrivePolicy" in inputs:
        try:
            redrive = json.loads(str(inputs["redrivePolicy"]))
        except json.JSONDecodeError:
            return [*problems, "redrivePolicy is not JSON"]
        if not str(redrive.get("deadLetterTargetArn", "")).startswith("arn:aws:sqs:"):
            problems.append("redrivePolicy needs deadLetterTargetArn, the ARN of a queue")
        if not 1 <= int(redrive.get("maxReceiveCount", 0)) <= 1000:
            problems.append(f"redrivePolicy maxReceiveCount {redrive.get('maxReceiveCount')} is not 1-1000")
    return problems


def redrive_allow_check(facts: Facts) -> list[str]:
    try:
        policy = json.loads(str(facts.inputs.get("redriveAllowPolicy")))
    except json.JSONDecodeError:
        return ["redriveAllowPolicy is not JSON"]
    permission, sources = policy.get("redrivePermission"), policy.get("sourceQueueArns") or []
    if permission not in ("allowAll", "denyAll", "byQueue"):
        return [f"redrivePermission {permission!r} is not allowAll, denyAll or byQueue"]
    if permission == "byQueue" and not 1 <= len(sources) <= 10:
        return ["byQueue needs 1-10 sourceQueueArns"]
    return []


def queue_url(facts: Facts) -> str:
    return f"https://sqs.{facts.region}.amazonaws.com/{facts.account}/{facts.inputs['name']}"


# -- EC2 Auto Scaling ----------------------------------------------------------------------------------------------


def group_check(facts: Facts) -> list[str]:
    inputs, problems = facts.inputs, []
    low, high, desired = inputs.get("minSize", 0), inputs.get("maxSize", 0), inputs.get("desiredCapacity")
    if not low <= (desired if desired is not None else low) <= high:
        problems.append(f"desiredCapacity {desired} is not within minSize {low} and maxSize {high}")
    preferences = (inputs.get("instanceRefresh") or {}).get("preferences") or {}
    template = (
        inputs.get("launchTemplate")
        or (((inputs.get("mixedInstancesPolicy") or {}).get("launchTemplate") or {}).get("launchTemplateSpecification"))
        or {}
    )
    if preferences.get("autoRollback") and str(template.get("version")) in ("$Latest", "$Default", "None"):
        problems.append("instance refresh cannot roll back a group that uses $Latest or $Default: name a version")
    return problems


KINDS: dict[str, ResourceKind] = {
    # -- EC2 / VPC -------------------------------------------------------------------------------------------
    "aws:ec2/securityGroup:SecurityGroup": ResourceKind(
        ec2_id("sg"), "arn:aws:ec2:{region}:{account}:security-group/{id}", auto_named=True, extra=owner
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ResourceKind(
        ec2_id("sg"), "arn:aws:ec2:{region}:{account}:security-group/{id}", extra=owner
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ResourceKind(
        ec2_id("sgr"),
        "arn:aws:ec2:{region}:{account}:security-group-rule/{id}",
        extra=lambda facts, resource_id: {"securityGroupRuleId": resource_id},
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ResourceKind(
        ec2_id("sgr"),
        "arn:aws:ec2:{region}:{account}:security-group-rule/{id}",
        extra=lambda facts, resource_id: {"securityGroupRuleId": resource_id},
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ResourceKind(
        ec2_id("vpce"), "arn:aws:ec2:{region}:{account}:vpc-endpoint/{id}", extra=owner
    ),
    "aws:ec2/flowLog:FlowLog": ResourceKind(ec2_id("fl"), "arn:aws:ec2:{region}:{account}:vpc-flow-log/{id}"),
    # -- CloudWatch Logs ---------------------------------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": ResourceKind(
        by_name, "arn:aws:logs:{region}:{account}:log-group:{name}", auto_named=True
    ),
    # -- IAM -------------------------------------------------------------------------------------------------
    "aws:iam/role:Role": ResourceKind(
        by_name,
        "arn:aws:iam::{account}:role/{name}",
        auto_named=True,
        extra=lambda facts, resource_id: {"uniqueId": f"AROA{digest(facts.name, length=17).upper()}"},
    ),
    "aws:iam/rolePolicy:RolePolicy": ResourceKind(role_policy_id, None, auto_named=True, check=IDENTITY_POLICY),
    "aws:iam/instanceProfile:InstanceProfile": ResourceKind(
        by_name, "arn:aws:iam::{account}:instance-profile/{name}", auto_named=True
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ResourceKind(
        lambda facts: f"{facts.inputs.get('role')}-{digest(facts.name, length=20)}"
    ),
    # -- KMS -------------------------------------------------------------------------------------------------
    "aws:kms/key:Key": ResourceKind(
        key_uuid, "arn:aws:kms:{region}:{account}:key/{id}", extra=lambda facts, resource_id: {"keyId": resource_id}
    ),
    "aws:kms/alias:Alias": ResourceKind(by_name, "arn:aws:kms:{region}:{account}:{name}"),
    "aws:kms/keyPolicy:KeyPolicy": ResourceKind(lambda facts: str(facts.inputs["keyId"]), check=RESOURCE_POLICY),
    # -- RDS -------------------------------------------------------------------------------------------------
    "aws:rds/subnetGroup:SubnetGroup": ResourceKind(
        by_name, "arn:aws:rds:{region}:{account}:subgrp:{name}", auto_named=True
    ),
    "aws:rds/parameterGroup:ParameterGroup": ResourceKind(
        by_name, "arn:aws:rds:{region}:{account}:pg:{name}", auto_named=True
    ),
    # Since provider v5 an instance's id is its DBI resource id, not its identifier.
    "aws:rds/instance:Instance": ResourceKind(
        lambda facts: "db-" + digest(facts.type, facts.name, length=26).upper(),
        "arn:aws:rds:{region}:{account}:db:{identifier}",
        auto_named=True,
        name_property="identifier",
        extra=rds_instance_outputs,
        check=rds_instance_check,
    ),
    # -- ElastiCache -----------------------------------------------------------------------------------------
    "aws:elasticache/subnetGroup:SubnetGroup": ResourceKind(
        by_name, "arn:aws:elasticache:{region}:{account}:subnetgroup:{name}", auto_named=True
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": ResourceKind(
        by_input("replicationGroupId"),
        "arn:aws:elasticache:{region}:{account}:replicationgroup:{id}",
        extra=replication_group_outputs,
        check=replication_group_check,
    ),
    "aws:elasticache/serverlessCache:ServerlessCache": ResourceKind(
        by_name, "arn:aws:elasticache:{region}:{account}:serverlesscache:{id}", extra=serverless_cache_outputs
    ),
    "aws:elasticache/user:User": ResourceKind(
        by_input("userId"), "arn:aws:elasticache:{region}:{account}:user:{id}", check=elasticache_user_check
    ),
    "aws:elasticache/userGroup:UserGroup": ResourceKind(
        by_input("userGroupId"), "arn:aws:elasticache:{region}:{account}:usergroup:{id}"
    ),
    # -- DynamoDB --------------------------------------------------------------------------------------------
    "aws:dynamodb/table:Table": ResourceKind(
        by_name, "arn:aws:dynamodb:{region}:{account}:table/{name}", auto_named=True, check=table_check
    ),
    # -- S3 --------------------------------------------------------------------------------------------------
    "aws:s3/bucket:Bucket": ResourceKind(
        by_input("bucket"),
        "arn:aws:s3:::{bucket}",
        auto_named=True,
        name_property="bucket",
        extra=bucket_outputs,
        check=bucket_check,
    ),
    **{
        f"aws:s3/{kind}": ResourceKind(by_input("bucket"))
        for kind in (
            "bucketPublicAccessBlock:BucketPublicAccessBlock",
            "bucketOwnershipControls:BucketOwnershipControls",
            "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "bucketVersioning:BucketVersioning",
            "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        )
    },
    "aws:s3/bucketPolicy:BucketPolicy": ResourceKind(by_input("bucket"), check=RESOURCE_POLICY),
    # -- Elastic Load Balancing ------------------------------------------------------------------------------
    "aws:lb/loadBalancer:LoadBalancer": ResourceKind(
        load_balancer_id, "{id}", extra=load_balancer_outputs, check=load_balancer_check
    ),
    "aws:lb/targetGroup:TargetGroup": ResourceKind(
        target_group_id,
        "{id}",
        extra=lambda facts, resource_id: {"arnSuffix": resource_id.split(":", 5)[5]},
        check=target_group_check,
    ),
    "aws:lb/listener:Listener": ResourceKind(listener_id, "{id}", check=listener_check),
    "aws:lb/listenerRule:ListenerRule": ResourceKind(listener_rule_id, "{id}", check=listener_rule_check),
    # -- ACM and Route 53 ------------------------------------------------------------------------------------
    "aws:acm/certificate:Certificate": ResourceKind(
        lambda facts: str(uuid.UUID(digest(facts.type, facts.name, length=32))),
        "arn:aws:acm:{region}:{account}:certificate/{id}",
        extra=certificate_outputs,
    ),
    "aws:acm/certificateValidation:CertificateValidation": ResourceKind(by_input("certificateArn")),
    "aws:route53/record:Record": ResourceKind(
        lambda facts: f"{facts.inputs.get('zoneId')}_{facts.inputs.get('name')}_{facts.inputs.get('type')}",
        extra=lambda facts, resource_id: {"fqdn": str(facts.inputs.get("name", "")).rstrip(".")},
    ),
    # -- CloudWatch alarms -----------------------------------------------------------------------------------
    "aws:cloudwatch/metricAlarm:MetricAlarm": ResourceKind(
        by_name, "arn:aws:cloudwatch:{region}:{account}:alarm:{name}", auto_named=True, check=metric_alarm_check
    ),
    "aws:cloudwatch/dashboard:Dashboard": ResourceKind(
        by_input("dashboardName"), "arn:aws:cloudwatch::{account}:dashboard/{dashboardName}", check=dashboard_check
    ),
    "aws:sns/topic:Topic": ResourceKind(
        lambda facts: f"arn:aws:sns:{facts.region}:{facts.account}:{facts.inputs['name']}", "{id}", auto_named=True
    ),
    "aws:sns/topicPolicy:TopicPolicy": ResourceKind(by_input("arn"), check=RESOURCE_POLICY),
    "aws:sns/topicSubscription:TopicSubscription": ResourceKind(
        lambda facts: f"{facts.inputs.get('topic')}:{uuid.UUID(digest(facts.name, length=32))}",
        "{id}",
        check=subscription_check,
    ),
    "aws:budgets/budget:Budget": ResourceKind(
        lambda facts: f"{facts.account}:{facts.inputs['name']}",
        "arn:aws:budgets::{account}:budget/{name}",
        auto_named=True,
        check=budget_check,
    ),
    # -- CloudFront, WAF and Secrets Manager -----------------------------------------------------------------
    "aws:cloudfront/distribution:Distribution": ResourceKind(
        cloudfront_id,
        "arn:aws:cloudfront::{account}:distribution/{id}",
        extra=distribution_outputs,
        check=distribution_check,
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": ResourceKind(
        cloudfront_id, "arn:aws:cloudfront::{account}:origin-access-control/{id}"
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": ResourceKind(
        lambda facts: str(uuid.UUID(digest(facts.type, facts.name, length=32))),
        "arn:aws:cloudfront::{account}:response-headers-policy/{id}",
    ),
    "aws:cloudfront/vpcOrigin:VpcOrigin": ResourceKind(
        lambda facts: f"vo_{digest(facts.type, facts.name, length=20)}", "arn:aws:cloudfront::{account}:vpcorigin/{id}"
    ),
    "aws:wafv2/webAcl:WebAcl": ResourceKind(
        lambda facts: str(uuid.UUID(digest(facts.type, facts.name, length=32))),
        "arn:aws:wafv2:{region}:{account}:global/webacl/{name}/{id}",
        auto_named=True,
        extra=lambda facts, resource_id: {"capacity": 1200},
        check=web_acl_check,
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ResourceKind(
        by_input("resourceArn"), check=waf_logging_check
    ),
    "aws:secretsmanager/secret:Secret": ResourceKind(
        lambda facts: (
            f"arn:aws:secretsmanager:{facts.region}:{facts.account}:secret:{facts.inputs['name']}-"
            f"{digest(facts.name, length=6)}"
        ),
        "{id}",
        auto_named=True,
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": ResourceKind(
        lambda facts: f"{facts.inputs.get('secretId')}|{uuid.UUID(digest(facts.name, length=32))}",
        extra=lambda facts, resource_id: {"versionId": resource_id.split("|")[-1]},
    ),
    # -- ECS -------------------------------------------------------------------------------------------------
    "aws:ecs/cluster:Cluster": ResourceKind(
        lambda facts: f"arn:aws:ecs:{facts.region}:{facts.account}:cluster/{facts.inputs['name']}",
        "{id}",
        auto_named=True,
    ),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ResourceKind(by_input("clusterName")),
    "aws:ecs/taskDefinition:TaskDefinition": ResourceKind(
        by_input("family"),
        "arn:aws:ecs:{region}:{account}:task-definition/{family}:1",
        extra=lambda facts, resource_id: {
            "revision": 1,
            "arnWithoutRevision": f"arn:aws:ecs:{facts.region}:{facts.account}:task-definition/{resource_id}",
        },
        check=task_definition_check,
    ),
    "aws:ecs/service:Service": ResourceKind(service_id, check=service_check),
    "aws:servicediscovery/httpNamespace:HttpNamespace": ResourceKind(
        ec2_id("ns"),
        "arn:aws:servicediscovery:{region}:{account}:namespace/{id}",
        extra=lambda facts, resource_id: {"httpName": facts.inputs.get("name")},
    ),
    # -- SQS -------------------------------------------------------------------------------------------------
    "aws:sqs/queue:Queue": ResourceKind(
        queue_url,
        "arn:aws:sqs:{region}:{account}:{name}",
        auto_named=True,
        extra=lambda facts, resource_id: {"url": resource_id},
        check=queue_check,
    ),
    "aws:sqs/queuePolicy:QueuePolicy": ResourceKind(by_input("queueUrl"), check=RESOURCE_POLICY),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": ResourceKind(by_input("queueUrl"), check=redrive_allow_check),
    # -- EC2 Auto Scaling and Application Auto Scaling -------------------------------------------------------
    "aws:ec2/launchTemplate:LaunchTemplate": ResourceKind(
        ec2_id("lt"),
        "arn:aws:ec2:{region}:{account}:launch-template/{id}",
        auto_named=True,
        extra=lambda facts, resource_id: {"latestVersion": 1, "defaultVersion": 1},
    ),
    "aws:autoscaling/group:Group": ResourceKind(
        by_name,
        "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/{name}",
        auto_named=True,
        check=group_check,
    ),
    "aws:autoscaling/policy:Policy": ResourceKind(
        by_name, "arn:aws:autoscaling:{region}:{account}:scalingPolicy:policy/{name}", auto_named=True
    ),
    "aws:autoscaling/schedule:Schedule": ResourceKind(by_input("scheduledActionName")),
    "aws:appautoscaling/target:Target": ResourceKind(
        by_input("resourceId"), "arn:aws:application-autoscaling:{region}:{account}:scalable-target/{id}"
    ),
    "aws:appautoscaling/policy:Policy": ResourceKind(
        by_name, "arn:aws:autoscaling:{region}:{account}:scalingPolicy:policy/{name}", auto_named=True
    ),
    "aws:appautoscaling/scheduledAction:ScheduledAction": ResourceKind(
        by_name, "arn:aws:autoscaling:{region}:{account}:scheduledAction:{name}", auto_named=True
    ),
}

# Ids of the children awsx creates inside `awsx:ec2:Vpc` (modelled, never registered by the program itself).
MODELLED_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/route:Route": "r",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule",
}

# Audit, threat detection and the access host: their own table, built on this module's helpers.
from ops.mocks.security_kinds import SECURITY_KINDS  # noqa: E402

KINDS |= SECURITY_KINDS
