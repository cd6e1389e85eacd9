"""Every policy rule fails on a minimal resource that breaks it and passes on the same resource done right;
the shipped stacks and the examples pass every mandatory rule; the pack builds from the same functions."""

from __future__ import annotations

import json
import runpy
import sys
import types
from collections.abc import Callable, Sequence

import pytest

from ops.check import check
from policy.resources import PROVIDER, Resource, Stack, from_policy_args, from_registrations
from policy.rules import (
    ALARM,
    BUCKET,
    BUCKET_POLICY,
    DB_INSTANCE,
    DB_PARAMETERS,
    DEFAULT_SECURITY_GROUP,
    DISTRIBUTION,
    ECS_CLUSTER,
    ECS_SERVICE,
    EGRESS,
    ENCRYPTION,
    FLOW_LOG,
    HEADERS_POLICY,
    INGRESS,
    INSTANCE,
    KMS_KEY,
    LAUNCH_TEMPLATE,
    LIFECYCLE,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    LOG_GROUP,
    MANDATORY,
    OWNERSHIP,
    PUBLIC_ACCESS,
    QUEUE,
    QUEUE_POLICY,
    REPLICATION_GROUP,
    ROLE,
    ROLE_POLICY,
    RULES,
    SECRET,
    SECURITY_GROUP,
    SERVERLESS_CACHE,
    TABLE,
    TASK_DEFINITION,
    TOPIC,
    TRAIL,
    VERSIONING,
    VPC,
    WAF_LOGGING,
    WEB_ACL,
    by_id,
)
from tests.conftest import ROOT

TAGS = {"Project": "webstack", "Stack": "t", "Owner": "o", "CostCenter": "c", "ManagedBy": "pulumi"}


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:t::webstack::{type_}::{name}"


def res(type_: str, name: str = "r", props: dict | None = None, *, protect: bool = False, **deps: Resource) -> Resource:
    """A resource; each keyword names an input whose value came from that resource."""
    # Keywords are snake_case: load_balancer_arn names the input loadBalancerArn.
    dependencies = {_camel(key): (source.urn,) for key, source in deps.items()}
    return Resource(type_, urn(type_, name), name, props or {}, protect, None, dependencies)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.capitalize() for part in rest)


def provider(environment: str, **tags: str) -> Resource:
    return res(PROVIDER, "aws", {"defaultTags": json.dumps({"tags": {**TAGS, "Environment": environment, **tags}})})


PROD, DEV = provider("prod"), provider("dev")


def stack(*resources: Resource) -> Stack:
    return Stack(tuple(resources))


# -- one failing and one passing stack per rule ------------------------------------------------------------------

Case = Callable[[bool], Sequence[Resource]]  # good -> the resources


def bucket_with(good: bool, missing: str) -> list[Resource]:
    """A bucket with every companion done right, except `missing` when not good."""
    bucket = res(BUCKET, "b")
    companions = {
        PUBLIC_ACCESS: {
            k: True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        },
        BUCKET_POLICY: {
            "policy": json.dumps(
                {
                    "Statement": [
                        {"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                    ]
                }
            )
        },
        VERSIONING: {"versioningConfiguration": {"status": "Enabled"}},
        ENCRYPTION: {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
        OWNERSHIP: {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
        LIFECYCLE: {"rules": [{"id": "tidy", "status": "Enabled"}]},
    }
    return [bucket, *(res(t, t, props, bucket=bucket) for t, props in companions.items() if good or t != missing)]


def distribution(good: bool, **overrides: object) -> list[Resource]:
    headers = res(
        HEADERS_POLICY,
        "h",
        {"securityHeadersConfig": {"strictTransportSecurity": {"accessControlMaxAgeSec": 63072000}}},
    )
    props = {
        "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "responseHeadersPolicyId": "h1"},
        "viewerCertificate": {"acmCertificateArn": "arn", "minimumProtocolVersion": "TLSv1.2_2021"},
        "origins": [{"originId": "app", "domainName": "origin.example.com", "vpcOriginConfig": {"vpcOriginId": "vo"}}],
        "webAclId": "acl",
        "loggingConfig": {"bucket": "logs.s3.amazonaws.com"},
    }
    if not good:
        props.update(overrides)
    return [headers, res(DISTRIBUTION, "d", props, default_cache_behavior=headers)]


def balancer(good: bool, listener_props: dict | None = None, **overrides: object) -> list[Resource]:
    props = {
        "internal": True,
        "dropInvalidHeaderFields": True,
        "enableDeletionProtection": True,
        "accessLogs": {"enabled": True, "bucket": "logs"},
    }
    if not good:
        props.update(overrides)
    lb = res(LOAD_BALANCER, "lb", props)
    https = res(
        LISTENER,
        "https",
        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"},
        load_balancer_arn=lb,
    )
    http = res(
        LISTENER,
        "http",
        {"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}]},
        load_balancer_arn=lb,
    )
    listeners = [https, http]
    if not good and listener_props is not None:
        listeners = [res(LISTENER, "https", listener_props, load_balancer_arn=lb), http]
    return [lb, *listeners]


def database(good: bool, **overrides: object) -> list[Resource]:
    parameters = res(DB_PARAMETERS, "pg", {"parameters": [{"name": "rds.force_ssl", "value": "1"}]})
    props = {
        "storageEncrypted": True,
        "publiclyAccessible": False,
        "multiAz": True,
        "deletionProtection": True,
        "backupRetentionPeriod": 14,
        "manageMasterUserPassword": True,
        "iamDatabaseAuthenticationEnabled": True,
        "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
    }
    if not good:
        props.update(overrides)
    return [parameters, res(DB_INSTANCE, "db", props, protect=True, parameter_group_name=parameters)]


def task(good: bool, **overrides: object) -> list[Resource]:
    container = {
        "name": "app",
        "readonlyRootFilesystem": True,
        "environment": [
            {"name": "DATABASE_HOST", "value": "h"},
            {"name": "DATABASE_SECRET_ARN", "value": "arn:aws:secretsmanager:eu-west-1:1:secret:db"},
        ],
        "logConfiguration": {"logDriver": "awslogs"},
    }
    if not good:
        container.update(overrides)
    return [res(TASK_DEFINITION, "task", {"containerDefinitions": json.dumps([container])})]


def launch_template(good: bool, **overrides: object) -> list[Resource]:
    props = {
        "metadataOptions": {"httpTokens": "required"},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
    }
    if not good:
        props.update(overrides)
    return [res(LAUNCH_TEMPLATE, "lt", props)]


def one(type_: str, good_props: dict, bad_props: dict, **options: bool) -> Case:
    return lambda good: [res(type_, "x", good_props if good else bad_props, **options)]


def trust(condition: dict | None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    return {
        "assumeRolePolicy": json.dumps(
            {"Statement": [{**statement, **({"Condition": condition} if condition else {})}]}
        )
    }


def internet_facing(good: bool) -> list[Resource]:
    lb = res(LOAD_BALANCER, "lb", {"internal": False, "dropInvalidHeaderFields": True})
    listener = res(
        LISTENER,
        "https",
        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
        load_balancer_arn=lb,
    )
    conditions = [{"pathPattern": {"values": ["/*"]}}]
    if good:
        conditions.append({"httpHeader": {"httpHeaderName": "X-Origin-Verify", "values": ["s"]}})
    return [lb, listener, res(LISTENER_RULE, "rule", {"conditions": conditions}, listener_arn=listener)]


def web_acl(good: bool, what: str) -> list[Resource]:
    rules = [{"name": "rate", "statement": {"rateBasedStatement": {"limit": 2000}}}]
    acl = res(WEB_ACL, "acl", {"rules": rules if good or what != "rate" else []})
    redacted = [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}]
    logging = res(
        WAF_LOGGING,
        "log",
        {"redactedFields": redacted if good or what != "logging" else redacted[:1]},
        resource_arn=acl,
    )
    return [acl, logging]


DENY_PLAIN_HTTP = json.dumps(
    {"Statement": [{"Effect": "Deny", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
)


CASES: dict[str, Case] = {
    "sg-no-open-ingress": one(
        INGRESS,
        {"cidrIpv4": "10.0.0.0/16", "fromPort": 443, "toPort": 443, "description": "d"},
        {"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443, "description": "d"},
    ),
    "sg-no-admin-ports": one(
        INGRESS,
        {"referencedSecurityGroupId": "sg", "fromPort": 443, "toPort": 443},
        {"referencedSecurityGroupId": "sg", "fromPort": 0, "toPort": 1024},
    ),
    "sg-descriptions": one(SECURITY_GROUP, {"description": "the app"}, {"description": "Managed by Pulumi"}),
    "sg-default-locked": lambda good: [
        res(VPC, "vpc"),
        res(DEFAULT_SECURITY_GROUP, "default", {"ingress": [], "egress": [] if good else [{"protocol": "-1"}]}),
    ],
    "vpc-flow-logs": lambda good: [
        PROD,
        res(VPC, "vpc"),
        res(DEFAULT_SECURITY_GROUP, "default"),
        *([res(FLOW_LOG, "fl")] if good else []),
    ],
    "s3-public-access-blocked": lambda good: bucket_with(good, PUBLIC_ACCESS),
    "s3-tls-only": lambda good: bucket_with(good, BUCKET_POLICY),
    "s3-versioning": lambda good: bucket_with(good, VERSIONING),
    "s3-encryption": lambda good: bucket_with(good, ENCRYPTION),
    "s3-ownership": lambda good: bucket_with(good, OWNERSHIP),
    "s3-lifecycle": lambda good: bucket_with(good, LIFECYCLE),
    "cloudfront-https-only": lambda good: distribution(
        good, defaultCacheBehavior={"viewerProtocolPolicy": "allow-all", "responseHeadersPolicyId": "h1"}
    ),
    "cloudfront-tls-minimum": lambda good: distribution(
        good, viewerCertificate={"acmCertificateArn": "arn", "minimumProtocolVersion": "TLSv1.1_2016"}
    ),
    "cloudfront-waf": lambda good: [PROD, *distribution(good, webAclId=None)],
    "cloudfront-logging": lambda good: distribution(good, loggingConfig=None),
    "cloudfront-oac": lambda good: distribution(
        good,
        origins=[
            {"originId": "app", "domainName": "origin.example.com", "vpcOriginConfig": {"vpcOriginId": "vo"}},
            {"originId": "assets", "domainName": "b.s3.eu-west-1.amazonaws.com"},
        ],
    ),
    "cloudfront-security-headers": lambda good: distribution(
        good, defaultCacheBehavior={"viewerProtocolPolicy": "redirect-to-https"}
    ),
    "cloudfront-origin-locked": lambda good: distribution(
        good,
        origins=[
            {
                "originId": "app",
                "domainName": "lb.example.com",
                "customOriginConfig": {"originProtocolPolicy": "https-only"},
            }
        ],
    ),
    "waf-rate-limit": lambda good: web_acl(good, "rate"),
    "waf-logging": lambda good: web_acl(good, "logging"),
    "alb-deletion-protection": lambda good: [PROD, *balancer(good, enableDeletionProtection=False)],
    "alb-drop-invalid-headers": lambda good: balancer(good, dropInvalidHeaderFields=False),
    "alb-modern-tls": lambda good: balancer(
        good, listener_props={"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"}
    ),
    "alb-http-redirects": lambda good: [
        res(LOAD_BALANCER, "lb", {"internal": True}),
        *(
            [
                res(LISTENER, "https", {"protocol": "HTTPS"}, load_balancer_arn=res(LOAD_BALANCER, "lb")),
                res(
                    LISTENER,
                    "http",
                    {
                        "protocol": "HTTP",
                        "defaultActions": [
                            {"type": "redirect", "redirect": {"protocol": "HTTPS"}} if good else {"type": "forward"}
                        ],
                    },
                    load_balancer_arn=res(LOAD_BALANCER, "lb"),
                ),
            ]
        ),
    ],
    "alb-access-logs": lambda good: [PROD, *balancer(good, accessLogs={"enabled": False})],
    "alb-not-public": internet_facing,
    "rds-encrypted": lambda good: database(good, storageEncrypted=False),
    "rds-not-public": lambda good: database(good, publiclyAccessible=True),
    "rds-multi-az": lambda good: [PROD, *database(good, multiAz=False)],
    "rds-deletion-protection": lambda good: [PROD, *database(good, deletionProtection=False)],
    "rds-backups": lambda good: [PROD, *database(good, backupRetentionPeriod=3)],
    "rds-managed-password": lambda good: database(good, manageMasterUserPassword=False, password="hunter2"),
    "rds-force-tls": lambda good: [*database(True)[1:]] if not good else database(True),
    "rds-iam-auth": lambda good: database(good, iamDatabaseAuthenticationEnabled=False),
    "rds-log-exports": lambda good: database(good, enabledCloudwatchLogsExports=["upgrade"]),
    "cache-encryption": one(
        REPLICATION_GROUP,
        {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": True, "userGroupIds": ["u"]},
        {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": False, "userGroupIds": ["u"]},
    ),
    "cache-auth": one(SERVERLESS_CACHE, {"userGroupId": "users"}, {}),
    "cache-failover": lambda good: [
        PROD,
        res(
            REPLICATION_GROUP,
            "rg",
            {
                "automaticFailoverEnabled": good,
                "multiAzEnabled": good,
                "atRestEncryptionEnabled": True,
                "transitEncryptionEnabled": True,
                "userGroupIds": ["u"],
            },
        ),
    ],
    "dynamodb-pitr": one(
        TABLE, {"pointInTimeRecovery": {"enabled": True}}, {"pointInTimeRecovery": {"enabled": False}}
    ),
    "dynamodb-kms": one(
        TABLE,
        {"serverSideEncryption": {"enabled": True, "kmsKeyArn": "k"}},
        {"serverSideEncryption": {"enabled": True}},
    ),
    "ecs-no-public-ip": lambda good: [
        PROD,
        res(
            ECS_SERVICE,
            "svc",
            {
                "networkConfiguration": {"assignPublicIp": not good},
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
        ),
    ],
    "ecs-no-secret-env": lambda good: task(good, environment=[{"name": "DATABASE_PASSWORD", "value": "x"}]),
    "ecs-logs": lambda good: task(good, logConfiguration=None),
    "ecs-container-insights": one(
        ECS_CLUSTER,
        {"settings": [{"name": "containerInsights", "value": "enhanced"}]},
        {"settings": [{"name": "containerInsights", "value": "disabled"}]},
    ),
    "ecs-read-only-root": lambda good: task(good, readonlyRootFilesystem=False),
    "ecs-circuit-breaker": one(
        ECS_SERVICE,
        {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        {"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    ),
    "iam-no-wildcard-admin": one(
        ROLE_POLICY,
        {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})},
        {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})},
    ),
    "iam-trust-source-account": one(ROLE, trust({"StringEquals": {"aws:SourceAccount": "111111111111"}}), trust(None)),
    "kms-rotation": one(KMS_KEY, {"enableKeyRotation": True}, {"enableKeyRotation": False}),
    "kms-deletion-window": lambda good: [
        PROD,
        res(KMS_KEY, "k", {"enableKeyRotation": True, "deletionWindowInDays": 30 if good else 7}, protect=True),
    ],
    "log-retention": one(LOG_GROUP, {"retentionInDays": 30, "kmsKeyId": "k"}, {"kmsKeyId": "k"}),
    "log-encryption": one(LOG_GROUP, {"retentionInDays": 30, "kmsKeyId": "k"}, {"retentionInDays": 30}),
    "secrets-customer-key": one(SECRET, {"kmsKeyId": "k"}, {}),
    "sns-encrypted": one(TOPIC, {"kmsMasterKeyId": "k"}, {}),
    "sqs-encrypted": lambda good: [
        q := res(QUEUE, "q", {"kmsMasterKeyId": "k", "redrivePolicy": "{}"} if good else {"redrivePolicy": "{}"}),
        res(QUEUE_POLICY, "p", {"policy": DENY_PLAIN_HTTP}, queue_url=q),
    ],
    "sqs-tls-only": lambda good: [
        q := res(QUEUE, "q", {"kmsMasterKeyId": "k", "redrivePolicy": "{}"}),
        res(QUEUE_POLICY, "p", {"policy": DENY_PLAIN_HTTP if good else json.dumps({"Statement": []})}, queue_url=q),
    ],
    "sqs-dead-letter": lambda good: [
        dead := res(QUEUE, "dead", {"kmsMasterKeyId": "k"}),
        res(
            QUEUE,
            "q",
            {"kmsMasterKeyId": "k", "redrivePolicy": "{}"} if good else {"kmsMasterKeyId": "k"},
            redrive_policy=dead,
        ),
        res(QUEUE_POLICY, "p1", {"policy": DENY_PLAIN_HTTP}, queue_url=dead),
    ],
    "alarms-notify": lambda good: [PROD, res(ALARM, "a", {"alarmActions": ["t"], "okActions": ["t"] if good else []})],
    "ec2-imdsv2": lambda good: launch_template(good, metadataOptions={"httpTokens": "optional"}),
    "ec2-encrypted-volumes": lambda good: launch_template(
        good, blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]
    ),
    "ec2-no-key-pair": lambda good: launch_template(good, keyName="admin"),
    "required-tags": lambda good: [
        provider("dev") if good else res(PROVIDER, "aws", {"defaultTags": json.dumps({"tags": {"Environment": "dev"}})})
    ],
    "prod-stateful-protected": lambda good: [PROD, res(TABLE, "t", {}, protect=good)],
    "cloudtrail-validated-encrypted": one(
        TRAIL,
        {"isMultiRegionTrail": True, "enableLogFileValidation": True, "kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"},
        {"isMultiRegionTrail": True, "enableLogFileValidation": False},
    ),
}


def test_every_rule_has_a_case_and_there_are_at_least_40():
    assert len(RULES) >= 40
    assert set(CASES) == set(by_id())


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_fails_on_the_bad_case_and_passes_on_the_good_one(rule_id):
    rule = by_id()[rule_id]
    bad = list(rule.check(stack(*CASES[rule_id](False))))
    good = list(rule.check(stack(*CASES[rule_id](True))))
    assert bad, f"{rule_id} found nothing wrong with its failing case"
    assert good == [], f"{rule_id} failed its passing case: {good}"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_no_other_mandatory_rule_trips_on_a_passing_case(rule_id):
    """The passing cases are built right: only advisory rules may object to them (a tiny stack lacks a lot)."""
    findings = check("t", stack(*CASES[rule_id](True))).findings
    assert [f.rule.id for f in findings if f.rule.id == rule_id] == []


def test_every_rule_says_what_it_checks_and_how_to_fix_it():
    for rule in RULES:
        assert rule.description, rule.id
        assert rule.remediation, rule.id
        assert rule.enforcement in ("mandatory", "advisory")
    assert {rule.enforcement for rule in RULES} == {"mandatory", "advisory"}


def test_prod_only_rules_do_not_bind_in_dev():
    dev_db = database(False, multiAz=False)
    assert list(by_id()["rds-multi-az"].check(stack(DEV, *dev_db))) == []
    assert list(by_id()["rds-multi-az"].check(stack(PROD, *dev_db)))


# -- the shipped stacks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stack_file",
    [
        "Pulumi.dev.yaml",
        "Pulumi.prod.yaml",
        "examples/Pulumi.prod-ec2.yaml",
        "examples/Pulumi.prod-minimal.yaml",
        "examples/Pulumi.dev-lean.yaml",
        "examples/Pulumi.prod-access.yaml",
    ],
)
def test_shipped_stacks_and_examples_pass_every_mandatory_rule(stack_file_run, stack_file):
    run = stack_file_run(stack_file)
    report = check(stack_file, from_registrations(run.registrations))
    assert [(f.rule.id, f.urn, f.message) for f in report.findings if f.rule.enforcement is MANDATORY] == []
    assert report.not_applicable == ()
    # Said outright: no security group rule of these stacks, in or out, covers SSH or RDP.
    opened = [
        r.name
        for r in run.find(INGRESS) + run.find(EGRESS)
        if r.inputs.get("ipProtocol") == "-1"
        or any(r.inputs["fromPort"] <= p <= r.inputs["toPort"] for p in (22, 3389))
    ]
    assert opened == []


@pytest.mark.parametrize(
    ("rule_id", "bad"),
    [
        ("ec2-imdsv2", {"metadataOptions": {"httpTokens": "optional"}}),
        ("ec2-encrypted-volumes", {"rootBlockDevice": {"encrypted": False}}),
        ("ec2-no-key-pair", {"keyName": "admin"}),
    ],
)
def test_the_ec2_rules_hold_for_a_lone_instance_too(rule_id, bad):
    good = {"metadataOptions": {"httpTokens": "required"}, "rootBlockDevice": {"encrypted": True}}
    check = by_id()[rule_id].check

    assert list(check(stack(res(INSTANCE, "host", good)))) == []
    assert list(check(stack(res(INSTANCE, "host", {**good, **bad}))))


def test_the_internet_facing_design_passes_because_its_rule_requires_the_header(internet_facing_run):
    report = check("internet-facing", from_registrations(internet_facing_run.registrations))
    assert [f.rule.id for f in report.findings if f.rule.enforcement is MANDATORY] == []


# -- the real engine's view ----------------------------------------------------------------------------------------


def test_the_engines_view_becomes_the_same_stack_with_its_providers_and_secrets():
    from pulumi_policy import PolicyProviderResource, PolicyResource, PolicyResourceOptions, Secret, StackValidationArgs
    from pulumi_policy.policy import PolicyCustomTimeouts

    def options(protect: bool) -> PolicyResourceOptions:
        return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])

    aws = PolicyProviderResource(
        PROVIDER, {"defaultTags": json.dumps({"tags": {**TAGS, "Environment": "prod"}})}, urn(PROVIDER, "aws"), "aws"
    )
    lb = PolicyResource(
        LOAD_BALANCER, {"internal": False}, urn(LOAD_BALANCER, "lb"), "lb", options(True), aws, None, [], {}
    )
    listener = PolicyResource(
        LISTENER,
        {"protocol": "HTTPS"},
        urn(LISTENER, "l"),
        "l",
        options(False),
        aws,
        None,
        [],
        {"loadBalancerArn": [lb]},
    )
    rule = PolicyResource(
        LISTENER_RULE,
        {"conditions": Secret([{"httpHeader": {"httpHeaderName": "X"}}])},
        urn(LISTENER_RULE, "r"),
        "r",
        options(False),
        aws,
        None,
        [],
        {"listenerArn": [listener]},
    )

    view = from_policy_args(StackValidationArgs([lb, listener, rule]))

    assert view.is_prod
    assert view.of(LOAD_BALANCER)[0].protect is True
    assert view.sources(view.of(LISTENER_RULE)[0], "listenerArn")[0].urn == listener.urn
    assert list(by_id()["alb-not-public"].check(view)) == []  # the secret condition is read through


def test_the_pack_builds_one_stack_policy_per_rule_from_the_same_functions(monkeypatch):
    """policy/__main__.py run against a stand-in for pulumi_policy: no server starts."""
    built: dict[str, object] = {}
    fake = types.ModuleType("pulumi_policy")

    class EnforcementLevel:
        MANDATORY, ADVISORY = "mandatory", "advisory"

    def stack_validation_policy(**kwargs: object) -> dict[str, object]:
        return kwargs

    def policy_pack(name: str, policies: list[dict]) -> None:
        built["name"], built["policies"] = name, policies

    fake.EnforcementLevel = EnforcementLevel  # type: ignore[attr-defined]
    fake.StackValidationPolicy = stack_validation_policy  # type: ignore[attr-defined]
    fake.PolicyPack = policy_pack  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pulumi_policy", fake)
    runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")

    policies = built["policies"]
    assert built["name"] == "webstack"
    assert [p["name"] for p in policies] == [rule.id for rule in RULES]
    assert [p["enforcement_level"] for p in policies] == [rule.enforcement.value for rule in RULES]
    reported: list[tuple[str, str | None]] = []
    weakened = stack(*CASES["sg-no-open-ingress"](False))
    args = types.SimpleNamespace(resources=[])
    monkeypatch.setattr("policy.resources.from_policy_args", lambda _: weakened)
    validate = next(p["validate"] for p in policies if p["name"] == "sg-no-open-ingress")
    monkeypatch.setitem(validate.__globals__, "from_policy_args", lambda _: weakened)
    validate(args, lambda message, resource_urn: reported.append((message, resource_urn)))
    assert reported == [
        (f"admits traffic from anywhere. Fix: {by_id()['sg-no-open-ingress'].remediation}", weakened.resources[0].urn)
    ]
