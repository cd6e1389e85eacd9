"""The policy rules for this architecture, as plain functions over a `Stack` (policy/resources.py).

Each rule yields (URN, message) for every resource that breaks it. Mandatory rules guard security
and data; advisory ones cost and hygiene. `pulumi preview --policy-pack policy` runs them through
CrossGuard (policy/__main__.py); `python -m ops check STACK` runs them over the offline plan.
Importing this module starts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from config.types import looks_secret
from policy.resources import PROVIDER, Resource, Stack, as_list, default_tags

Violation = tuple[str, str]
Check = Callable[[Stack], Iterable[Violation]]


class Enforcement(StrEnum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"


MANDATORY, ADVISORY = Enforcement.MANDATORY, Enforcement.ADVISORY


@dataclass(frozen=True)
class Rule:
    id: str
    enforcement: Enforcement
    description: str
    remediation: str
    check: Check


RULES: list[Rule] = []


def rule(rule_id: str, enforcement: Enforcement, description: str, remediation: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES.append(Rule(rule_id, enforcement, description, remediation, check))
        return check

    return register


# Resource types.
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
DB_INSTANCE = "aws:rds/instance:Instance"
DB_PARAMETERS = "aws:rds/parameterGroup:ParameterGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
TABLE = "aws:dynamodb/table:Table"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
SECRET = "aws:secretsmanager/secret:Secret"
TOPIC = "aws:sns/topic:Topic"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
INSTANCE = "aws:ec2/instance:Instance"
TRAIL = "aws:cloudtrail/trail:Trail"

ANYWHERE = ("0.0.0.0/0", "::/0")
ADMIN_PORTS = (22, 3389)
# CloudFront security policies at least as strict as TLSv1.2_2021 (CloudFront Developer Guide, "Supported
# protocols and ciphers between viewers and CloudFront").
CLOUDFRONT_TLS = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
HTTPS_VIEWERS = ("redirect-to-https", "https-only")
ONE_YEAR = 31_536_000
REQUIRED_TAGS = ("Project", "Environment", "Stack", "Owner", "CostCenter", "ManagedBy")
# What holds data: deleting one by accident loses it.
STATEFUL = (DB_INSTANCE, TABLE, BUCKET, KMS_KEY)


def _truthy(value: Any) -> bool:
    """A boolean input (some arrive as the text "true", as launch templates' `encrypted`)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _port_in(resource: Resource, port: int) -> bool:
    if str(resource.get("ipProtocol")) == "-1":
        return True
    low, high = resource.get("fromPort"), resource.get("toPort")
    return low is not None and high is not None and float(low) <= port <= float(high)


def _statements(document: Any) -> list[Mapping[str, Any]]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)] if document else []


def _denies_plain_http(statement: Mapping[str, Any]) -> bool:
    condition = (statement.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport")
    return statement.get("Effect") == "Deny" and str(condition).lower() == "false"


def _ingress_rules(stack: Stack) -> Iterator[tuple[Resource, Any, Any]]:
    """Every ingress permission as (resource, IPv4 CIDRs, IPv6 CIDRs), whichever way it is written."""
    for resource in stack.of(INGRESS):
        yield resource, as_list(resource.get("cidrIpv4")), as_list(resource.get("cidrIpv6"))
    for resource in stack.of(SG_RULE):
        if resource.get("type") == "ingress":
            yield resource, as_list(resource.get("cidrBlocks")), as_list(resource.get("ipv6CidrBlocks"))
    for group in stack.of(SECURITY_GROUP):
        for block in as_list(group.get("ingress")):
            view = Resource(group.type, group.urn, group.name, block)
            yield view, as_list(block.get("cidrBlocks")), as_list(block.get("ipv6CidrBlocks"))


def _consumer(stack: Stack, resource: Resource, type_: str, key: str = "bucket") -> Resource | None:
    """The first `type_` whose input `key` came from `resource` (a bucket's policy, a queue's ...)."""
    found = stack.consumers(resource, type_, key)
    return found[0] if found else None


# -- security groups ---------------------------------------------------------------------------------------------


@rule(
    "sg-no-open-ingress",
    MANDATORY,
    "No security group admits 0.0.0.0/0 or ::/0",
    "Admit a security group (referencedSecurityGroupId) or CloudFront's prefix list instead of the internet.",
)
def _no_open_ingress(stack: Stack) -> Iterator[Violation]:
    for resource, ipv4, ipv6 in _ingress_rules(stack):
        if set(ipv4 + ipv6) & set(ANYWHERE):
            yield resource.urn, "admits traffic from anywhere"


@rule(
    "sg-no-admin-ports",
    MANDATORY,
    "No security group opens SSH (22) or RDP (3389), from anywhere at all",
    "Reach instances with SSM Session Manager or ECS Exec; remove the rule.",
)
def _no_admin_ports(stack: Stack) -> Iterator[Violation]:
    for resource, _, _ in _ingress_rules(stack):
        for port in ADMIN_PORTS:
            if _port_in(resource, port):
                yield resource.urn, f"opens port {port}"


@rule(
    "sg-descriptions",
    ADVISORY,
    "Security groups and their rules say what they are for",
    "Set `description` on the group or rule.",
)
def _descriptions(stack: Stack) -> Iterator[Violation]:
    for resource in stack.of(SECURITY_GROUP, INGRESS, EGRESS, SG_RULE):
        description = str(resource.get("description") or "")
        if not description.strip() or description == "Managed by Pulumi":
            yield resource.urn, "has no description"


@rule(
    "sg-default-locked",
    MANDATORY,
    "Each VPC's default security group is managed and holds no rules",
    "Manage it with aws.ec2.DefaultSecurityGroup and no ingress or egress blocks.",
)
def _default_locked(stack: Stack) -> Iterator[Violation]:
    defaults = stack.of(DEFAULT_SECURITY_GROUP)
    for group in defaults:
        if as_list(group.get("ingress")) or as_list(group.get("egress")):
            yield group.urn, "the default security group has rules"
    if not defaults:
        for vpc in stack.of(VPC):
            yield vpc.urn, "its default security group is not managed (it admits all traffic between members)"


@rule(
    "vpc-flow-logs",
    MANDATORY,
    "In prod, every VPC records its flows",
    "Set network.flowLogs.enabled (prod requires it).",
)
def _flow_logs(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod and not stack.of(FLOW_LOG):
        for vpc in stack.of(VPC):
            yield vpc.urn, "no flow log records this VPC"


# -- S3 --------------------------------------------------------------------------------------------------------------


@rule(
    "s3-public-access-blocked",
    MANDATORY,
    "Every bucket blocks all public access",
    "Add an aws.s3.BucketPublicAccessBlock with all four settings true.",
)
def _public_access(stack: Stack) -> Iterator[Violation]:
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in stack.of(BUCKET):
        block = _consumer(stack, bucket, PUBLIC_ACCESS)
        if block is None or not all(block.get(key) is True for key in settings):
            yield bucket.urn, "public access is not fully blocked"


@rule(
    "s3-tls-only",
    MANDATORY,
    "Every bucket refuses requests without TLS",
    "Add a Deny statement on aws:SecureTransport = false to the bucket policy.",
)
def _tls_only(stack: Stack) -> Iterator[Violation]:
    for bucket in stack.of(BUCKET):
        policy = _consumer(stack, bucket, BUCKET_POLICY)
        statements = _statements(policy.document("policy")) if policy else []
        if not any(_denies_plain_http(s) for s in statements):
            yield bucket.urn, "does not refuse plain HTTP"


@rule(
    "s3-versioning",
    MANDATORY,
    "Every bucket keeps object versions",
    "Add an aws.s3.BucketVersioning with status Enabled.",
)
def _versioning(stack: Stack) -> Iterator[Violation]:
    for bucket in stack.of(BUCKET):
        versioning = _consumer(stack, bucket, VERSIONING)
        if versioning is None or versioning.get("versioningConfiguration", "status") != "Enabled":
            yield bucket.urn, "versioning is not enabled"


@rule(
    "s3-encryption",
    MANDATORY,
    "Every bucket encrypts objects by default",
    "Add an aws.s3.BucketServerSideEncryptionConfiguration (aws:kms with the environment key, or AES256).",
)
def _bucket_encryption(stack: Stack) -> Iterator[Violation]:
    for bucket in stack.of(BUCKET):
        config = _consumer(stack, bucket, ENCRYPTION)
        algorithm = config.get("rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm") if config else None
        if algorithm not in ("aws:kms", "aws:kms:dsse", "AES256"):
            yield bucket.urn, "no default encryption"


@rule(
    "s3-ownership",
    ADVISORY,
    "Buckets disable ACLs (bucket owner enforced), unless a log delivery still writes with them",
    "Add aws.s3.BucketOwnershipControls with BucketOwnerEnforced (BucketOwnerPreferred for CloudFront's logs).",
)
def _ownership(stack: Stack) -> Iterator[Violation]:
    log_buckets = {urn for d in stack.of(DISTRIBUTION) for urn in d.property_dependencies.get("loggingConfig", ())}
    for bucket in stack.of(BUCKET):
        controls = _consumer(stack, bucket, OWNERSHIP)
        allowed = (
            ("BucketOwnerEnforced", "BucketOwnerPreferred") if bucket.urn in log_buckets else ("BucketOwnerEnforced",)
        )
        if controls is None or controls.get("rule", "objectOwnership") not in allowed:
            yield bucket.urn, "object ownership is not controlled"


@rule(
    "s3-lifecycle",
    ADVISORY,
    "Every bucket expires what it no longer needs (old versions, incomplete uploads)",
    "Add an aws.s3.BucketLifecycleConfiguration.",
)
def _lifecycle(stack: Stack) -> Iterator[Violation]:
    for bucket in stack.of(BUCKET):
        if _consumer(stack, bucket, LIFECYCLE) is None:
            yield bucket.urn, "has no lifecycle rules"


# -- CloudFront and WAF ------------------------------------------------------------------------------------------


def _behaviours(distribution: Resource) -> list[Mapping[str, Any]]:
    default = distribution.get("defaultCacheBehavior")
    return [*([default] if default else []), *as_list(distribution.get("orderedCacheBehaviors"))]


@rule(
    "cloudfront-https-only",
    MANDATORY,
    "Viewers reach the distribution over HTTPS only",
    "Set viewerProtocolPolicy to redirect-to-https on every cache behaviour.",
)
def _https_viewers(stack: Stack) -> Iterator[Violation]:
    for distribution in stack.of(DISTRIBUTION):
        if any(b.get("viewerProtocolPolicy") not in HTTPS_VIEWERS for b in _behaviours(distribution)):
            yield distribution.urn, "a cache behaviour allows plain HTTP"


@rule(
    "cloudfront-tls-minimum",
    MANDATORY,
    "The distribution accepts TLSv1.2_2021 or stricter (prod serves its own certificate)",
    "Set viewerCertificate.minimumProtocolVersion to TLSv1.2_2021; in prod set edge.domainName.",
)
def _tls_minimum(stack: Stack) -> Iterator[Violation]:
    for distribution in stack.of(DISTRIBUTION):
        certificate = distribution.get("viewerCertificate") or {}
        if certificate.get("cloudfrontDefaultCertificate"):
            if stack.is_prod:
                yield distribution.urn, "prod serves CloudFront's default certificate, which allows TLS 1.0"
        elif certificate.get("minimumProtocolVersion") not in CLOUDFRONT_TLS:
            yield distribution.urn, f"minimum TLS is {certificate.get('minimumProtocolVersion')}"


@rule(
    "cloudfront-waf",
    MANDATORY,
    "In prod a WAF web ACL protects the distribution",
    "Set edge.waf.enabled (prod requires it).",
)
def _waf_attached(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for distribution in stack.of(DISTRIBUTION):
            if not distribution.get("webAclId"):
                yield distribution.urn, "no web ACL"


@rule(
    "cloudfront-logging",
    ADVISORY,
    "The distribution writes standard logs",
    "Set observability.accessLogs (outside the opt-in regions CloudFront cannot deliver to).",
)
def _cloudfront_logging(stack: Stack) -> Iterator[Violation]:
    for distribution in stack.of(DISTRIBUTION):
        if not distribution.get("loggingConfig", "bucket"):
            yield distribution.urn, "no standard logs"


@rule(
    "cloudfront-oac",
    MANDATORY,
    "S3 origins are read through Origin Access Control, not an origin access identity or a public bucket",
    "Give the origin an originAccessControlId and a bucket policy for this distribution only.",
)
def _oac(stack: Stack) -> Iterator[Violation]:
    for distribution in stack.of(DISTRIBUTION):
        for origin in as_list(distribution.get("origins")):
            if ".s3." in str(origin.get("domainName")) and (
                not origin.get("originAccessControlId")
                or (origin.get("s3OriginConfig") or {}).get("originAccessIdentity")
            ):
                yield distribution.urn, f"origin {origin.get('originId')} is not read through OAC"


@rule(
    "cloudfront-security-headers",
    MANDATORY,
    "Every response carries security headers, with HSTS for at least a year",
    "Attach a response headers policy with strictTransportSecurity (max age >= 31536000) to every behaviour.",
)
def _security_headers(stack: Stack) -> Iterator[Violation]:
    for distribution in stack.of(DISTRIBUTION):
        if any(not b.get("responseHeadersPolicyId") for b in _behaviours(distribution)):
            yield distribution.urn, "a cache behaviour has no response headers policy"
            continue
        policies = stack.sources(distribution, "defaultCacheBehavior")
        for policy in (p for p in policies if p.type == HEADERS_POLICY):
            age = policy.get("securityHeadersConfig", "strictTransportSecurity", "accessControlMaxAgeSec")
            if age is None or float(age) < ONE_YEAR:
                yield distribution.urn, "its headers policy sets no HSTS of a year or more"


@rule(
    "cloudfront-origin-locked",
    MANDATORY,
    "The app's origin is reachable only through this distribution",
    "Use a VPC origin (edge.vpcOrigin) or the secret origin header the load balancer requires.",
)
def _origin_locked(stack: Stack) -> Iterator[Violation]:
    for distribution in stack.of(DISTRIBUTION):
        for origin in as_list(distribution.get("origins")):
            if ".s3." in str(origin.get("domainName")):
                continue
            if not (origin.get("vpcOriginConfig") or {}).get("vpcOriginId") and not as_list(
                origin.get("customHeaders")
            ):
                yield distribution.urn, f"origin {origin.get('originId')} is open to any client"


@rule(
    "waf-rate-limit",
    ADVISORY,
    "The web ACL limits the request rate per client",
    "Keep the rate-based rule (edge.waf.rateLimitPer5Minutes).",
)
def _rate_limit(stack: Stack) -> Iterator[Violation]:
    for acl in stack.of(WEB_ACL):
        if not any((r.get("statement") or {}).get("rateBasedStatement") for r in as_list(acl.get("rules"))):
            yield acl.urn, "no rate-based rule"


@rule(
    "waf-logging",
    ADVISORY,
    "The web ACL logs requests, without credentials",
    "Add a logging configuration that redacts the authorization and cookie headers.",
)
def _waf_logging(stack: Stack) -> Iterator[Violation]:
    for acl in stack.of(WEB_ACL):
        logging = stack.consumers(acl, WAF_LOGGING, "resourceArn")
        redacted = {
            str((field.get("singleHeader") or {}).get("name", "")).lower()
            for config in logging
            for field in as_list(config.get("redactedFields"))
        }
        if not logging or not {"authorization", "cookie"} <= redacted:
            yield acl.urn, "no logging, or credentials left in the logs"


# -- the load balancer ---------------------------------------------------------------------------------------


def _listeners(stack: Stack, balancer: Resource) -> list[Resource]:
    return stack.consumers(balancer, LISTENER, "loadBalancerArn")


@rule(
    "alb-deletion-protection",
    MANDATORY,
    "In prod the load balancer cannot be deleted by accident",
    "Set enableDeletionProtection (webstack does in prod).",
)
def _alb_deletion(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for balancer in stack.of(LOAD_BALANCER):
            if balancer.get("enableDeletionProtection") is not True:
                yield balancer.urn, "deletion protection is off"


@rule(
    "alb-drop-invalid-headers",
    MANDATORY,
    "The load balancer drops malformed headers (request smuggling)",
    "Set dropInvalidHeaderFields.",
)
def _alb_headers(stack: Stack) -> Iterator[Violation]:
    for balancer in stack.of(LOAD_BALANCER):
        if balancer.get("dropInvalidHeaderFields") is not True:
            yield balancer.urn, "keeps invalid header fields"


@rule(
    "alb-modern-tls",
    MANDATORY,
    "HTTPS listeners use a TLS 1.3 policy; in prod the load balancer serves HTTPS",
    "Use an ELBSecurityPolicy-TLS13-* policy; in prod set edge.domainName so the origin gets a certificate.",
)
def _alb_tls(stack: Stack) -> Iterator[Violation]:
    for balancer in stack.of(LOAD_BALANCER):
        https = [listener for listener in _listeners(stack, balancer) if listener.get("protocol") == "HTTPS"]
        if stack.is_prod and not https:
            yield balancer.urn, "prod serves no HTTPS listener"
        for listener in https:
            if not str(listener.get("sslPolicy")).startswith("ELBSecurityPolicy-TLS13"):
                yield listener.urn, f"TLS policy {listener.get('sslPolicy')}"


@rule(
    "alb-http-redirects",
    MANDATORY,
    "Where the load balancer serves HTTPS, plain HTTP only redirects to it",
    "Make the HTTP listener's default action a redirect to HTTPS.",
)
def _alb_redirect(stack: Stack) -> Iterator[Violation]:
    for balancer in stack.of(LOAD_BALANCER):
        listeners = _listeners(stack, balancer)
        if not any(listener.get("protocol") == "HTTPS" for listener in listeners):
            continue
        for listener in (listener for listener in listeners if listener.get("protocol") == "HTTP"):
            actions = as_list(listener.get("defaultActions"))
            if not actions or any(
                a.get("type") != "redirect" or (a.get("redirect") or {}).get("protocol") != "HTTPS" for a in actions
            ):
                yield listener.urn, "serves plain HTTP beside HTTPS"


@rule(
    "alb-access-logs",
    MANDATORY,
    "In prod the load balancer logs every request",
    "Set observability.accessLogs (prod requires it).",
)
def _alb_logs(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for balancer in stack.of(LOAD_BALANCER):
            if balancer.get("accessLogs", "enabled") is not True:
                yield balancer.urn, "no access logs"


@rule(
    "alb-not-public",
    MANDATORY,
    "The load balancer is internal, or internet-facing only with the secret header CloudFront sends",
    "Keep edge.vpcOrigin (internal); otherwise every listener rule must require CloudFront's origin header.",
)
def _alb_exposure(stack: Stack) -> Iterator[Violation]:
    for balancer in stack.of(LOAD_BALANCER):
        if balancer.get("internal") is True:
            continue
        listener_urns = {listener.urn for listener in _listeners(stack, balancer)}
        rules = [
            r for r in stack.of(LISTENER_RULE) if set(r.property_dependencies.get("listenerArn", ())) & listener_urns
        ]
        open_rules = [r for r in rules if not any(c.get("httpHeader") for c in as_list(r.get("conditions")))]
        if not rules or open_rules:
            yield balancer.urn, "internet-facing, and reachable without CloudFront's origin header"


# -- RDS ---------------------------------------------------------------------------------------------------------


def _databases(stack: Stack) -> list[Resource]:
    return stack.of(DB_INSTANCE)


@rule("rds-encrypted", MANDATORY, "Databases are encrypted at rest", "Set storageEncrypted with the environment key.")
def _rds_encrypted(stack: Stack) -> Iterator[Violation]:
    for db in _databases(stack):
        if db.get("storageEncrypted") is not True:
            yield db.urn, "storage is not encrypted"


@rule("rds-not-public", MANDATORY, "Databases have no public address", "Set publiclyAccessible to false.")
def _rds_private(stack: Stack) -> Iterator[Violation]:
    for db in _databases(stack):
        if db.get("publiclyAccessible") is True:
            yield db.urn, "publicly accessible"


@rule("rds-multi-az", MANDATORY, "In prod databases keep a standby in another AZ", "Set data.postgres.multiAz.")
def _rds_multi_az(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for db in _databases(stack):
            if db.get("multiAz") is not True:
                yield db.urn, "single-AZ"


@rule(
    "rds-deletion-protection",
    MANDATORY,
    "In prod databases refuse deletion",
    "Set data.postgres.deletionProtection.",
)
def _rds_deletion(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for db in _databases(stack):
            if db.get("deletionProtection") is not True:
                yield db.urn, "deletion protection is off"


@rule(
    "rds-backups",
    MANDATORY,
    "Databases keep automated backups: a week or more in prod",
    "Set data.postgres.backupRetentionDays (at least 7 in prod).",
)
def _rds_backups(stack: Stack) -> Iterator[Violation]:
    floor = 7 if stack.is_prod else 1
    for db in _databases(stack):
        if float(db.get("backupRetentionPeriod") or 0) < floor:
            yield db.urn, f"keeps backups for {db.get('backupRetentionPeriod') or 0} days; at least {floor}"


@rule(
    "rds-managed-password",
    MANDATORY,
    "The master password is managed by RDS in Secrets Manager, never passed in",
    "Set manageMasterUserPassword and remove `password`.",
)
def _rds_password(stack: Stack) -> Iterator[Violation]:
    for db in _databases(stack):
        if db.get("manageMasterUserPassword") is not True or db.get("password"):
            yield db.urn, "the master password is not managed by RDS"


@rule(
    "rds-force-tls",
    MANDATORY,
    "Databases refuse connections without TLS",
    "Use a parameter group with rds.force_ssl = 1.",
)
def _rds_tls(stack: Stack) -> Iterator[Violation]:
    for db in _databases(stack):
        groups = [g for g in stack.sources(db, "parameterGroupName") if g.type == DB_PARAMETERS]
        forced = any(
            p.get("name") == "rds.force_ssl" and str(p.get("value")) == "1"
            for g in groups
            for p in as_list(g.get("parameters"))
        )
        if not forced:
            yield db.urn, "TLS is not forced"


@rule(
    "rds-iam-auth",
    ADVISORY,
    "Databases accept IAM authentication (no long-lived passwords for the app)",
    "Set iamDatabaseAuthenticationEnabled.",
)
def _rds_iam(stack: Stack) -> Iterator[Violation]:
    for db in _databases(stack):
        if db.get("iamDatabaseAuthenticationEnabled") is not True:
            yield db.urn, "IAM authentication is off"


@rule(
    "rds-log-exports",
    ADVISORY,
    "Databases export their logs to CloudWatch",
    "Set enabledCloudwatchLogsExports to include postgresql.",
)
def _rds_logs(stack: Stack) -> Iterator[Violation]:
    for db in _databases(stack):
        if "postgresql" not in as_list(db.get("enabledCloudwatchLogsExports")):
            yield db.urn, "the postgresql log is not exported"


# -- ElastiCache and DynamoDB ---------------------------------------------------------------------------------------


@rule(
    "cache-encryption",
    MANDATORY,
    "Caches are encrypted at rest and in transit",
    "Set atRestEncryptionEnabled and transitEncryptionEnabled (serverless caches always are).",
)
def _cache_encryption(stack: Stack) -> Iterator[Violation]:
    for group in stack.of(REPLICATION_GROUP):
        if group.get("atRestEncryptionEnabled") is not True or group.get("transitEncryptionEnabled") is not True:
            yield group.urn, "not encrypted at rest and in transit"


@rule(
    "cache-auth",
    MANDATORY,
    "Caches authenticate their clients (RBAC users, IAM)",
    "Attach a user group (userGroupIds / userGroupId).",
)
def _cache_auth(stack: Stack) -> Iterator[Violation]:
    for group in stack.of(REPLICATION_GROUP):
        if not as_list(group.get("userGroupIds")):
            yield group.urn, "no user group: any client on the network may use it"
    for cache in stack.of(SERVERLESS_CACHE):
        if not cache.get("userGroupId"):
            yield cache.urn, "no user group: any client on the network may use it"


@rule(
    "cache-failover",
    MANDATORY,
    "In prod caches fail over to a replica in another AZ",
    "Set data.cache.replicas >= 1 and automaticFailover.",
)
def _cache_failover(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for group in stack.of(REPLICATION_GROUP):
            if group.get("automaticFailoverEnabled") is not True or group.get("multiAzEnabled") is not True:
                yield group.urn, "no automatic failover across AZs"


@rule(
    "dynamodb-pitr",
    MANDATORY,
    "Tables keep point-in-time recovery",
    "Set pointInTimeRecovery.enabled.",
)
def _pitr(stack: Stack) -> Iterator[Violation]:
    for table in stack.of(TABLE):
        if table.get("pointInTimeRecovery", "enabled") is not True:
            yield table.urn, "no point-in-time recovery"


@rule(
    "dynamodb-kms",
    MANDATORY,
    "Tables are encrypted with the environment key",
    "Set serverSideEncryption with kmsKeyArn.",
)
def _table_key(stack: Stack) -> Iterator[Violation]:
    for table in stack.of(TABLE):
        if table.get("serverSideEncryption", "enabled") is not True or not table.get(
            "serverSideEncryption", "kmsKeyArn"
        ):
            yield table.urn, "not encrypted with a customer-managed key"


# -- ECS -------------------------------------------------------------------------------------------------------------


def _containers(stack: Stack) -> Iterator[tuple[Resource, Mapping[str, Any]]]:
    for task in stack.of(TASK_DEFINITION):
        for container in as_list(task.document("containerDefinitions")):
            yield task, container


@rule(
    "ecs-no-public-ip",
    MANDATORY,
    "Tasks have no public address, except in dev's no-NAT design",
    "Run the app in private subnets behind NAT (network.natGateways).",
)
def _ecs_public_ip(stack: Stack) -> Iterator[Violation]:
    if stack.environment == "dev":
        return
    for service in stack.of(ECS_SERVICE):
        if service.get("networkConfiguration", "assignPublicIp") is True:
            yield service.urn, "tasks get public addresses"


@rule(
    "ecs-no-secret-env",
    MANDATORY,
    "No secret-looking value sits in a container's plain environment",
    "Move it to compute.secrets (a Secrets Manager or SSM reference).",
)
def _ecs_secret_env(stack: Stack) -> Iterator[Violation]:
    for task, container in _containers(stack):
        for variable in as_list(container.get("environment")):
            # A reference to a secret (its ARN) is not the secret.
            if looks_secret(str(variable.get("name", ""))) and not str(variable.get("value", "")).startswith("arn:"):
                yield task.urn, f"{container.get('name')}: {variable.get('name')} looks like a secret in plain text"


@rule(
    "ecs-logs",
    MANDATORY,
    "Every container sends its logs to CloudWatch",
    "Set logConfiguration with the awslogs driver.",
)
def _ecs_logs(stack: Stack) -> Iterator[Violation]:
    for task, container in _containers(stack):
        if (container.get("logConfiguration") or {}).get("logDriver") not in ("awslogs", "awsfirelens"):
            yield task.urn, f"{container.get('name')}: logs go nowhere"


@rule(
    "ecs-container-insights",
    ADVISORY,
    "Clusters report Container Insights (task counts, per-task metrics)",
    "Set compute.containerInsights to enabled or enhanced.",
)
def _insights(stack: Stack) -> Iterator[Violation]:
    for cluster in stack.of(ECS_CLUSTER):
        settings = {s.get("name"): s.get("value") for s in as_list(cluster.get("settings"))}
        if settings.get("containerInsights") not in ("enabled", "enhanced"):
            yield cluster.urn, "Container Insights is off"


@rule(
    "ecs-read-only-root",
    ADVISORY,
    "Containers run with a read-only root filesystem",
    "Set compute.readOnlyRootFilesystem once the image writes only to /tmp or volumes.",
)
def _read_only_root(stack: Stack) -> Iterator[Violation]:
    for task, container in _containers(stack):
        if container.get("readonlyRootFilesystem") is not True:
            yield task.urn, f"{container.get('name')}: writable root filesystem"


@rule(
    "ecs-circuit-breaker",
    MANDATORY,
    "A failed release rolls back by itself",
    "Set deploymentCircuitBreaker with enable and rollback.",
)
def _circuit_breaker(stack: Stack) -> Iterator[Violation]:
    for service in stack.of(ECS_SERVICE):
        breaker = service.get("deploymentCircuitBreaker") or {}
        if breaker.get("enable") is not True or breaker.get("rollback") is not True:
            yield service.urn, "no circuit breaker with rollback"


# -- IAM, KMS, logs, secrets, topics, alarms -----------------------------------------------------------------------


def _policy_documents(stack: Stack) -> Iterator[tuple[Resource, Any]]:
    for resource in stack.of(ROLE_POLICY, IAM_POLICY):
        yield resource, resource.document("policy")
    for role in stack.of(ROLE):
        for inline in as_list(role.get("inlinePolicies")):
            policy = inline.get("policy")
            yield role, Resource(role.type, role.urn, role.name, {"policy": policy}).document("policy")


@rule(
    "iam-no-wildcard-admin",
    MANDATORY,
    "No policy allows every action on every resource",
    "Name the actions and the resources' ARNs.",
)
def _no_admin(stack: Stack) -> Iterator[Violation]:
    for resource, document in _policy_documents(stack):
        for statement in _statements(document):
            actions, targets = as_list(statement.get("Action")), as_list(statement.get("Resource"))
            if statement.get("Effect") == "Allow" and {"*", "*:*"} & set(actions) and "*" in targets:
                yield resource.urn, "allows * on *"


@rule(
    "iam-trust-source-account",
    MANDATORY,
    "A role a service assumes may be assumed only on behalf of this account",
    "Add an aws:SourceAccount (or aws:SourceArn) condition to the trust policy.",
)
def _trust(stack: Stack) -> Iterator[Violation]:
    # EC2 instances assume their role without a source account or ARN in the request context, and so does
    # CloudTrail its CloudWatch Logs role (AWS: that role "doesn't support the use of aws:SourceArn and
    # aws:SourceAccount").
    exempt = {"ec2.amazonaws.com", "cloudtrail.amazonaws.com"}
    for role in stack.of(ROLE):
        for statement in _statements(role.document("assumeRolePolicy")):
            services = set(as_list((statement.get("Principal") or {}).get("Service")))
            conditions = {key for block in (statement.get("Condition") or {}).values() for key in block}
            if services - exempt and not {"aws:SourceAccount", "aws:SourceArn"} & conditions:
                yield role.urn, f"{', '.join(sorted(services))} may assume it on behalf of any account"


@rule("kms-rotation", MANDATORY, "Keys rotate their material yearly", "Set enableKeyRotation.")
def _rotation(stack: Stack) -> Iterator[Violation]:
    for key in stack.of(KMS_KEY):
        if key.get("enableKeyRotation") is not True:
            yield key.urn, "rotation is off"


@rule(
    "kms-deletion-window",
    ADVISORY,
    "In prod a scheduled key deletion waits the longest window (30 days)",
    "Set deletionWindowInDays to 30.",
)
def _deletion_window(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for key in stack.of(KMS_KEY):
            if float(key.get("deletionWindowInDays") or 30) < 30:
                yield key.urn, "deletion window shorter than 30 days"


@rule(
    "log-retention",
    MANDATORY,
    "Every log group expires its logs",
    "Set retentionInDays (observability.logRetentionDays).",
)
def _retention(stack: Stack) -> Iterator[Violation]:
    for group in stack.of(LOG_GROUP):
        if not group.get("retentionInDays"):
            yield group.urn, "keeps logs forever"


@rule(
    "log-encryption",
    MANDATORY,
    "Every log group is encrypted with the environment key",
    "Set kmsKeyId (its key policy must let CloudWatch Logs use it).",
)
def _log_key(stack: Stack) -> Iterator[Violation]:
    for group in stack.of(LOG_GROUP):
        if not group.get("kmsKeyId"):
            yield group.urn, "not encrypted with a customer-managed key"


@rule(
    "secrets-customer-key",
    ADVISORY,
    "Secrets are encrypted with the environment key",
    "Set kmsKeyId on the secret.",
)
def _secret_key(stack: Stack) -> Iterator[Violation]:
    for secret in stack.of(SECRET):
        if not secret.get("kmsKeyId"):
            yield secret.urn, "encrypted with the AWS-managed key"


@rule(
    "sns-encrypted",
    MANDATORY,
    "Topics are encrypted with a customer-managed key",
    "Set kmsMasterKeyId (and let CloudWatch and Budgets use the key for the topic).",
)
def _topic_key(stack: Stack) -> Iterator[Violation]:
    for topic in stack.of(TOPIC):
        if not topic.get("kmsMasterKeyId"):
            yield topic.urn, "not encrypted"


@rule(
    "sqs-encrypted",
    MANDATORY,
    "Queues are encrypted with a customer-managed key",
    "Set kmsMasterKeyId to the environment key (SQS uses it through kms:ViaService).",
)
def _queue_key(stack: Stack) -> Iterator[Violation]:
    for queue in stack.of(QUEUE):
        if not queue.get("kmsMasterKeyId"):
            yield queue.urn, "not encrypted with a customer-managed key"


@rule(
    "sqs-tls-only",
    MANDATORY,
    "Every queue refuses requests without TLS",
    "Add a queue policy with a Deny statement on aws:SecureTransport = false.",
)
def _queue_tls_only(stack: Stack) -> Iterator[Violation]:
    for queue in stack.of(QUEUE):
        policy = _consumer(stack, queue, QUEUE_POLICY, "queueUrl")
        if not any(_denies_plain_http(s) for s in _statements(policy.document("policy") if policy else None)):
            yield queue.urn, "does not refuse plain HTTP"


@rule(
    "sqs-dead-letter",
    ADVISORY,
    "Every work queue moves messages that keep failing to a dead-letter queue",
    "Set a redrivePolicy with a maxReceiveCount; a poison message is otherwise retried until it expires.",
)
def _queue_dead_letter(stack: Stack) -> Iterator[Violation]:
    for queue in stack.of(QUEUE):
        is_dead_letter_queue = _consumer(stack, queue, QUEUE, "redrivePolicy") is not None
        if not queue.get("redrivePolicy") and not is_dead_letter_queue:
            yield queue.urn, "has no dead-letter queue"


@rule(
    "alarms-notify",
    MANDATORY,
    "In prod every alarm notifies someone, when it fires and when it clears",
    "Set alarmActions and okActions to the alert topic.",
)
def _alarms_notify(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for alarm in stack.of(ALARM):
            if not as_list(alarm.get("alarmActions")) or not as_list(alarm.get("okActions")):
                yield alarm.urn, "notifies no one"


# -- EC2 -----------------------------------------------------------------------------------------------------------


@rule("ec2-imdsv2", MANDATORY, "Instances require IMDSv2 tokens", "Set metadataOptions.httpTokens to required.")
def _imdsv2(stack: Stack) -> Iterator[Violation]:
    # A launch template and a lone instance (the access host) spell it the same way.
    for template in stack.of(LAUNCH_TEMPLATE, INSTANCE):
        if template.get("metadataOptions", "httpTokens") != "required":
            yield template.urn, "IMDSv1 is allowed"


@rule(
    "ec2-encrypted-volumes",
    MANDATORY,
    "Instance volumes are encrypted",
    "Set ebs.encrypted (and the environment key) on every block device mapping.",
)
def _volumes(stack: Stack) -> Iterator[Violation]:
    for template in stack.of(LAUNCH_TEMPLATE):
        for mapping in as_list(template.get("blockDeviceMappings")):
            if not _truthy((mapping.get("ebs") or {}).get("encrypted")):
                yield template.urn, f"{mapping.get('deviceName')} is not encrypted"
    for instance in stack.of(INSTANCE):
        if not _truthy(instance.get("rootBlockDevice", "encrypted")):
            yield instance.urn, "the root volume is not encrypted"


@rule(
    "ec2-no-key-pair",
    MANDATORY,
    "Instances have no SSH key pair",
    "Remove keyName; use SSM Session Manager.",
)
def _no_key_pair(stack: Stack) -> Iterator[Violation]:
    for template in stack.of(LAUNCH_TEMPLATE, INSTANCE):
        if template.get("keyName"):
            yield template.urn, "has an SSH key pair"


# -- audit -----------------------------------------------------------------------------------------------------------


@rule(
    "cloudtrail-validated-encrypted",
    MANDATORY,
    "Trails record every region, validate their log files and encrypt them with a customer-managed key",
    "Set isMultiRegionTrail, enableLogFileValidation and kmsKeyId (security.cloudTrail does).",
)
def _trail(stack: Stack) -> Iterator[Violation]:
    for trail in stack.of(TRAIL):
        lacks = [
            what
            for what, present in (
                ("log-file validation", trail.get("enableLogFileValidation") is True),
                ("a KMS key", bool(trail.get("kmsKeyId"))),
                ("the other regions", trail.get("isMultiRegionTrail") is True),
            )
            if not present
        ]
        if lacks:
            yield trail.urn, f"lacks {', '.join(lacks)}"


# -- tags and protection -------------------------------------------------------------------------------------------


@rule(
    "required-tags",
    ADVISORY,
    "Every resource carries the cost and ownership tags (through the providers' default tags)",
    "Set defaultTags on every AWS provider: " + ", ".join(REQUIRED_TAGS) + ".",
)
def _tags(stack: Stack) -> Iterator[Violation]:
    for provider in stack.of(PROVIDER):
        missing = [tag for tag in REQUIRED_TAGS if tag not in default_tags(provider)]
        if missing:
            yield provider.urn, f"default tags lack {', '.join(missing)}"


@rule(
    "prod-stateful-protected",
    MANDATORY,
    "In prod what holds data is protected from `pulumi destroy` and accidental replacement",
    "Set protect (webstack's `stateful` options do in prod).",
)
def _protected(stack: Stack) -> Iterator[Violation]:
    if stack.is_prod:
        for resource in stack.of(*STATEFUL):
            if not resource.protect:
                yield resource.urn, "not protected"


def by_id() -> dict[str, Rule]:
    return {r.id: r for r in RULES}


# Ids are what a user types (`--allow`, the pack's config): short, lower case, hyphenated.
assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.id) for r in RULES)
assert len(by_id()) == len(RULES), "two rules share an id"
