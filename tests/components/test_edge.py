"""The edge under the mock engine: only this distribution reaches the app and the static assets, HTTPS with
strict headers for every viewer, the WAF in prod, the site's names, and growth that replaces nothing stateful."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

import components.platform
from config.errors import PlanError
from ops.diff import Action, diff_runs
from ops.engine import run_offline
from ops.mocks import AwsMocks
from tests.components.conftest import KEY_POLICY, leaks, regional_key, regional_key_policy
from tests.conftest import stack_values

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CERTIFICATE = "aws:acm/certificate:Certificate"
RECORD = "aws:route53/record:Record"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PROVIDER = "pulumi:providers:aws"
STACKS = ("dev", "prod")
ASSETS = "webstack-{stack}-edge-assets-bucket"
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


def distribution(run):
    return run.one(DISTRIBUTION)


def origins(run) -> dict[str, dict]:
    return {origin["originId"]: origin for origin in distribution(run).inputs["origins"]}


def behaviours(run) -> list[dict]:
    inputs = distribution(run).inputs
    return [inputs["defaultCacheBehavior"], *inputs.get("orderedCacheBehaviors", [])]


def statements(policy: str) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in json.loads(policy)["Statement"]}


def plan(stack: str, **edge) -> object:
    values = stack_values(stack)
    values.setdefault("webstack:edge", {}).update(edge)
    return run_offline(stack, values)


DEV_DOMAIN = {"domainName": "dev.example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com"}


# -- CloudFront lives in us-east-1 ---------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_the_distribution_and_everything_it_names_use_the_us_east_1_provider(shipped_run, stack):
    run = shipped_run(stack)
    global_ = run.one(PROVIDER, f"webstack-{stack}-aws-global")
    assert global_.inputs["region"] == "us-east-1"
    for type_ in (DISTRIBUTION, VPC_ORIGIN, OAC, HEADERS):
        assert run.one(type_).provider == global_.urn, type_
    if stack == "prod":
        acl = run.one(WEB_ACL)
        assert acl.provider == global_.urn
        assert acl.inputs["scope"] == "CLOUDFRONT"
        cloudfront = run.one(CERTIFICATE, "webstack-prod-certificates-cloudfront-certificate")
        assert cloudfront.outputs["arn"].startswith("arn:aws:acm:us-east-1:")
        assert (
            distribution(run).inputs["viewerCertificate"]["acmCertificateArn"]
            == (
                run.one(
                    "aws:acm/certificateValidation:CertificateValidation",
                    "webstack-prod-certificates-cloudfront-validation",
                ).outputs["certificateArn"]
            )
        )


# -- viewers: HTTPS, modern TLS, strict headers --------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_behaviour_redirects_http_to_https_compresses_and_carries_the_security_headers(shipped_run, stack):
    run = shipped_run(stack)
    headers = run.one(HEADERS).outputs["id"]
    assert len(behaviours(run)) == 2  # the app, and the static assets
    for behaviour in behaviours(run):
        assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
        assert behaviour["compress"] is True
        assert behaviour["responseHeadersPolicyId"] == headers
    inputs = distribution(run).inputs
    assert (inputs["httpVersion"], inputs["isIpv6Enabled"], inputs["enabled"]) == ("http2and3", True, True)


def test_the_app_is_never_cached_and_gets_every_viewer_header_the_assets_are_cached(shipped_run):
    app, assets = behaviours(shipped_run("prod"))
    assert app["targetOriginId"] == "app"
    assert app["cachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert app["originRequestPolicyId"] == "216adef6-5c7f-47e4-b989-5492eafa07d3"  # Managed-AllViewer
    assert {"POST", "PUT", "DELETE"} <= set(app["allowedMethods"])
    assert (assets["pathPattern"], assets["targetOriginId"]) == ("/static/*", "assets")
    assert assets["cachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"  # Managed-CachingOptimized
    assert set(assets["allowedMethods"]) == {"GET", "HEAD", "OPTIONS"}


def test_prod_serves_its_domain_with_sni_and_tls_1_2_2021_at_least(shipped_run):
    run = shipped_run("prod")
    inputs = distribution(run).inputs
    assert inputs["aliases"] == ["app.example.com"]
    certificate = inputs["viewerCertificate"]
    assert (certificate["sslSupportMethod"], certificate["minimumProtocolVersion"]) == ("sni-only", "TLSv1.2_2021")
    assert run.outputs["site"]["url"] == "https://app.example.com"


def test_dev_without_a_domain_is_served_on_its_cloudfront_name(shipped_run):
    run = shipped_run("dev")
    inputs = distribution(run).inputs
    assert inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert "aliases" not in inputs
    assert run.find(CERTIFICATE) == []
    assert run.find(RECORD) == []
    site = run.outputs["site"]
    assert site["url"] == f"https://{site['distributionDomain']}"
    assert site["distributionDomain"].endswith(".cloudfront.net")


@pytest.mark.parametrize(("stack", "preload"), [("dev", False), ("prod", True)])
def test_security_headers_hsts_for_two_years_no_sniffing_no_framing_and_a_csp(shipped_run, stack, preload):
    security = shipped_run(stack).one(HEADERS).inputs["securityHeadersConfig"]
    hsts = security["strictTransportSecurity"]
    assert (hsts["accessControlMaxAgeSec"], hsts["includeSubdomains"], hsts["preload"]) == (63_072_000, True, preload)
    assert security["contentTypeOptions"]["override"] is True
    assert security["frameOptions"]["frameOption"] == "DENY"
    assert security["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in security["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert all(header["override"] is True for header in security.values())


def test_the_configured_content_security_policy_is_the_one_sent():
    csp = "default-src 'self'; img-src 'self' https://images.example.com"
    run = plan("dev", contentSecurityPolicy=csp)
    policy = run.one(HEADERS).inputs["securityHeadersConfig"]["contentSecurityPolicy"]
    assert policy["contentSecurityPolicy"] == csp


# -- only this distribution reaches the app ------------------------------------------------------


def test_by_default_cloudfront_reaches_the_internal_load_balancer_through_a_vpc_origin_over_tls(shipped_run):
    run = shipped_run("prod")
    balancer = run.one(LOAD_BALANCER)
    vpc_origin = run.one(VPC_ORIGIN)
    endpoint = vpc_origin.inputs["vpcOriginEndpointConfig"]
    assert endpoint["arn"] == balancer.outputs["arn"]
    assert balancer.inputs["internal"] is True
    assert endpoint["originProtocolPolicy"] == "https-only"
    assert endpoint["originSslProtocols"] == {"items": ["TLSv1.2"], "quantity": 1}
    app = origins(run)["app"]
    assert app["vpcOriginConfig"]["vpcOriginId"] == vpc_origin.outputs["id"]
    assert "customOriginConfig" not in app
    # CloudFront checks the origin's certificate against this name, which the load balancer's certificate holds.
    assert app["domainName"] == "origin.app.example.com"
    lb_certificate = run.one(CERTIFICATE, "webstack-prod-certificates-load-balancer-certificate")
    assert "origin.app.example.com" in lb_certificate.inputs["subjectAlternativeNames"]


def test_dev_speaks_http_to_its_vpc_origin_which_has_no_certificate(shipped_run):
    endpoint = shipped_run("dev").one(VPC_ORIGIN).inputs["vpcOriginEndpointConfig"]
    assert endpoint["originProtocolPolicy"] == "http-only"


def test_internet_facing_the_load_balancer_forwards_only_requests_carrying_cloudfronts_secret(internet_facing_run):
    run = internet_facing_run
    assert run.find(VPC_ORIGIN) == []
    (rule,) = run.find(LISTENER_RULE)
    # Shown as [secret] in a plan; the engine keeps the value, which must be the one CloudFront sends.
    assert rule.inputs["conditions"] == "[secret]"
    (header,) = [c["httpHeader"] for c in rule.secret_inputs["conditions"] if "httpHeader" in c]
    sent = {h["name"]: h["value"] for h in origins_secret(run)["app"]["customHeaders"]}
    assert header["httpHeaderName"] == "X-Origin-Verify"
    assert header["values"] == [sent["X-Origin-Verify"]]
    assert len(sent["X-Origin-Verify"]) >= 32
    # A request without it matches no rule: 403.
    (https,) = [listener for listener in run.find(LISTENER) if listener.inputs["port"] == 443]
    assert https.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "403"


def origins_secret(run) -> dict[str, dict]:
    """The distribution's origins as the engine keeps them: the app's carries the secret header."""
    return {origin["originId"]: origin for origin in distribution(run).secret_inputs["origins"]}


def test_internet_facing_the_origin_secret_is_set_once_and_never_shown(internet_facing_run):
    run = internet_facing_run
    version = run.one(SECRET_VERSION)
    assert version.inputs["secretString"] == "[secret]"
    assert version.ignore_changes == ("secretString",)
    assert distribution(run).inputs["origins"] == "[secret]"
    assert leaks(run) == []


def test_internet_facing_cloudfront_speaks_tls_1_2_to_the_origin_name(internet_facing_run):
    app = origins_secret(internet_facing_run)["app"]
    config = app["customOriginConfig"]
    assert (config["originProtocolPolicy"], config["originSslProtocols"]) == ("https-only", ["TLSv1.2"])
    assert app["domainName"] == "origin.app.example.com"


def test_the_origin_name_points_at_the_load_balancer(shipped_run):
    run = shipped_run("prod")
    balancer = run.one(LOAD_BALANCER).outputs
    record = run.one(RECORD, "webstack-prod-edge-origin-a")
    assert record.inputs["name"] == "origin.app.example.com"
    (alias,) = record.inputs["aliases"]
    assert (alias["name"], alias["zoneId"]) == (balancer["dnsName"], balancer["zoneId"])


# -- only this distribution reads the static assets ----------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_the_static_assets_are_read_through_origin_access_control_by_this_distribution_only(shipped_run, stack):
    run = shipped_run(stack)
    bucket = run.one(BUCKET, ASSETS.format(stack=stack))
    access = run.one(OAC).inputs
    assert (access["originAccessControlOriginType"], access["signingBehavior"], access["signingProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )
    assets = origins(run)["assets"]
    assert assets["originAccessControlId"] == run.one(OAC).outputs["id"]
    assert assets["domainName"] == bucket.outputs["bucketRegionalDomainName"]
    assert "s3OriginConfig" not in assets  # no legacy origin access identity
    policy = statements(run.one(BUCKET_POLICY, f"webstack-{stack}-edge-assets-policy").inputs["policy"])
    reads = policy["ThisDistributionReads"]
    assert reads["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert reads["Action"] == "s3:GetObject"
    assert reads["Resource"] == f"{bucket.outputs['arn']}/*"
    assert reads["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution(run).outputs["arn"]}}
    assert policy["DenyInsecureTransport"]["Effect"] == "Deny"
    assert set(policy) == {"ThisDistributionReads", "DenyInsecureTransport"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_static_assets_are_encrypted_with_the_environment_key_which_only_this_distribution_may_use(
    shipped_run, stack
):
    run = shipped_run(stack)
    encryption = run.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"webstack-{stack}-edge-assets-encryption",
    ).inputs["rules"][0]
    by_default = encryption["applyServerSideEncryptionByDefault"]
    assert (by_default["sseAlgorithm"], by_default["kmsMasterKeyId"]) == ("aws:kms", regional_key(run).outputs["arn"])
    assert encryption["bucketKeyEnabled"] is True
    decrypt = statements(regional_key_policy(run).inputs["policy"])["CloudFrontReadsStaticAssets"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution(run).outputs["arn"]}}


@pytest.mark.parametrize(("stack", "kept"), [("dev", False), ("prod", True)])
def test_the_static_assets_bucket_is_private_versioned_and_kept_in_prod(shipped_run, stack, kept):
    run = shipped_run(stack)
    bucket = run.one(BUCKET, ASSETS.format(stack=stack))
    assert (bucket.protect, bucket.retain_on_delete) == (kept, kept)
    access = run.one(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"webstack-{stack}-edge-assets-public-access"
    ).inputs
    assert all(access[key] is True for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"))
    assert access["restrictPublicBuckets"] is True
    ownership = run.one(
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"webstack-{stack}-edge-assets-ownership"
    )
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    (rule,) = run.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", f"webstack-{stack}-edge-assets-lifecycle"
    ).inputs["rules"]
    assert "expiration" not in rule  # assets stay until a deploy replaces them
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30
    assert run.outputs["site"]["staticAssetsBucket"] == bucket.outputs["bucket"]


def test_without_static_assets_there_is_no_bucket_no_oac_and_one_behaviour():
    run = plan("dev", staticAssets={"enabled": False})
    assert run.find(OAC) == []
    assert [b.name for b in run.find(BUCKET)] == []
    assert set(origins(run)) == {"app"}
    assert "orderedCacheBehaviors" not in distribution(run).inputs
    assert run.outputs["site"].get("staticAssetsBucket") is None


# -- the WAF -------------------------------------------------------------------------------------


def test_prod_puts_the_managed_rules_and_a_per_ip_rate_limit_in_front_of_the_distribution(shipped_run):
    run = shipped_run("prod")
    acl = run.one(WEB_ACL)
    assert distribution(run).inputs["webAclId"] == acl.outputs["arn"]
    rules = {rule["name"]: rule for rule in acl.inputs["rules"]}
    assert set(rules) == {
        "RateLimitPerClientIp",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    rate = rules["RateLimitPerClientIp"]
    assert rate["priority"] == 0  # a flood is blocked before any other rule spends capacity on it
    assert "block" in rate["action"]
    limit = rate["statement"]["rateBasedStatement"]
    assert (limit["limit"], limit["aggregateKeyType"], limit["evaluationWindowSec"]) == (2000, "IP", 300)
    assert len({rule["priority"] for rule in rules.values()}) == len(rules)
    assert all(rule["visibilityConfig"]["sampledRequestsEnabled"] for rule in rules.values())
    assert "allow" in acl.inputs["defaultAction"]


def test_prod_waf_logs_go_to_an_encrypted_us_east_1_group_without_credentials(shipped_run):
    run = shipped_run("prod")
    logging = run.one(WAF_LOGGING).inputs
    group = run.one(LOG_GROUP, "webstack-prod-edge-waf-logs")
    assert group.inputs["name"].startswith("aws-waf-logs-")
    assert logging["logDestinationConfigs"] == [group.outputs["arn"]]
    assert logging["resourceArn"] == run.one(WEB_ACL).outputs["arn"]
    redacted = {field["singleHeader"]["name"] for field in logging["redactedFields"]}
    assert redacted == {"authorization", "cookie"}
    key = run.one("aws:kms/key:Key", "webstack-prod-global-encryption-key")
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert key.outputs["arn"].startswith("arn:aws:kms:us-east-1:")
    logs_may_use_it = statements(run.one(KEY_POLICY, "webstack-prod-global-encryption-key-policy").inputs["policy"])
    assert any("logs.us-east-1.amazonaws.com" in json.dumps(s["Principal"]) for s in logs_may_use_it.values())


def test_dev_has_no_waf(shipped_run):
    run = shipped_run("dev")
    assert run.find(WEB_ACL) == []
    assert run.find(WAF_LOGGING) == []
    assert "webAclId" not in distribution(run).inputs


def test_the_anonymous_ip_list_and_the_rate_limit_follow_the_config():
    run = plan("prod", waf={"enabled": True, "anonymousIpList": True, "rateLimitPer5Minutes": 500})
    rules = {rule["name"]: rule for rule in run.one(WEB_ACL).inputs["rules"]}
    assert "AWSManagedRulesAnonymousIpList" in rules
    assert rules["RateLimitPerClientIp"]["statement"]["rateBasedStatement"]["limit"] == 500


# -- the site's names ----------------------------------------------------------------------------


def test_the_site_name_points_at_the_distribution_over_ipv4_and_ipv6(shipped_run):
    run = shipped_run("prod")
    domain = distribution(run).outputs["domainName"]
    records = {r.inputs["type"]: r.inputs for r in run.find(RECORD) if r.name.startswith("webstack-prod-edge-site-")}
    assert set(records) == {"A", "AAAA"}
    for record in records.values():
        assert record["name"] == "app.example.com"
        assert record["aliases"] == [{"name": domain, "zoneId": CLOUDFRONT_ZONE, "evaluateTargetHealth": False}]


def test_include_www_serves_the_www_name_too_with_its_certificate_and_records():
    run = plan("prod", includeWww=True)
    assert distribution(run).inputs["aliases"] == ["app.example.com", "www.app.example.com"]
    cloudfront = run.one(CERTIFICATE, "webstack-prod-certificates-cloudfront-certificate")
    assert cloudfront.inputs["subjectAlternativeNames"] == ["www.app.example.com"]
    www = {r.inputs["type"] for r in run.find(RECORD) if r.name.startswith("webstack-prod-edge-www-")}
    assert www == {"A", "AAAA"}
    assert len([r for r in run.find(RECORD) if "-validation-" in r.name]) == 3


# -- CloudFront's access logs --------------------------------------------------------------------


def test_prod_cloudfront_logs_go_to_the_access_log_bucket_without_cookies(shipped_run):
    run = shipped_run("prod")
    logging = distribution(run).inputs["loggingConfig"]
    bucket = run.one(BUCKET, "webstack-prod-access-logs-bucket")
    assert logging == {"bucket": bucket.outputs["bucketDomainName"], "prefix": "cloudfront/", "includeCookies": False}


def test_in_an_opt_in_region_cloudfront_logs_nowhere_and_the_load_balancer_still_logs():
    values = stack_values("prod")
    values["aws:region"] = "eu-south-1"
    values["webstack:network"]["availabilityZones"] = 3
    run = run_offline("prod", values, mocks=AwsMocks("eu-south-1", "111111111111", zone_count=3))
    assert "loggingConfig" not in distribution(run).inputs
    assert run.one(LOAD_BALANCER).inputs["accessLogs"]["enabled"] is True


def test_the_engine_refuses_a_cloudfront_log_bucket_without_acls():
    def program() -> None:
        provider = aws.Provider("aws", region="eu-west-1")
        opts = pulumi.ResourceOptions(provider=provider)
        bucket = aws.s3.Bucket("logs", opts=opts)
        aws.s3.BucketOwnershipControls(
            "logs-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=opts,
        )
        aws.cloudfront.Distribution(
            "site",
            enabled=True,
            origins=[aws.cloudfront.DistributionOriginArgs(origin_id="o", domain_name="example.com")],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="o",
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
            logging_config=aws.cloudfront.DistributionLoggingConfigArgs(bucket=bucket.bucket_domain_name),
            opts=opts,
        )

    with pytest.raises(PlanError, match="has ACLs disabled"):
        run_offline("mock-test", stack_values("dev"), program=program)


# -- AZs a VPC origin cannot reach ---------------------------------------------------------------


def us_east_1(**network) -> dict:
    values = stack_values("dev")
    values["aws:region"] = "us-east-1"
    values["webstack:network"].update(network)
    return values


def test_the_azs_vpc_origins_cannot_reach_are_passed_over():
    # The mock account's us-east-1b is use1-az3, one of the AZs CloudFront VPC origins do not support.
    run = run_offline("dev", us_east_1(availabilityZones=3))
    assert run.outputs["availabilityZones"] == ["us-east-1a", "us-east-1c", "us-east-1d"]
    assert "use1-az3" not in run.outputs["availabilityZoneIds"]


def test_a_pinned_az_vpc_origins_cannot_reach_is_refused_naming_the_way_out():
    with pytest.raises(PlanError) as error:
        run_offline("dev", us_east_1(availabilityZoneIds=["use1-az2", "use1-az3"]))
    message = str(error.value)
    assert "webstack:network.availabilityZoneIds" in message
    assert "use1-az3 cannot hold a load balancer behind a CloudFront VPC origin" in message
    assert "edge.vpcOrigin: false" in message


def test_an_internet_facing_stack_may_use_any_az():
    values = us_east_1(availabilityZoneIds=["use1-az2", "use1-az3"])
    values["webstack:edge"] = {**DEV_DOMAIN, "vpcOrigin": False}
    assert run_offline("dev", values).outputs["availabilityZoneIds"] == ["use1-az2", "use1-az3"]


def test_the_engine_refuses_a_vpc_origin_in_front_of_such_an_az(monkeypatch):
    chosen = components.platform.select_availability_zones

    def ignoring_vpc_origins(config, opts, *, vpc_origin, region):
        return chosen(config, opts, vpc_origin=False, region=region)

    monkeypatch.setattr(components.platform, "select_availability_zones", ignoring_vpc_origins)
    with pytest.raises(PlanError, match="subnets in use1-az3, that VPC origins can't reach"):
        run_offline("dev", us_east_1(availabilityZoneIds=["use1-az2", "use1-az3"]))


# -- growth --------------------------------------------------------------------------------------


def stateful_or_edge_replaced(diff) -> list[str]:
    return [
        f"{c.type} {c.name}"
        for c in diff.of(Action.REPLACE) + diff.of(Action.DELETE)
        if c.type in (DISTRIBUTION, BUCKET, VPC_ORIGIN, WEB_ACL, LOAD_BALANCER)
    ]


def test_adding_a_domain_to_dev_updates_the_distribution_in_place(shipped_run):
    before = shipped_run("dev")
    after = plan("dev", **DEV_DOMAIN)
    diff = diff_runs(before, after)
    assert stateful_or_edge_replaced(diff) == []
    (update,) = diff.of(Action.UPDATE, DISTRIBUTION)
    assert {"aliases", "viewerCertificate", "origins"} <= set(update.keys)
    # The VPC origin now speaks HTTPS: an update, not a new origin.
    assert [c.keys for c in diff.of(Action.UPDATE, VPC_ORIGIN)] == [("vpcOriginEndpointConfig",)]


def test_turning_the_waf_on_in_dev_attaches_it_in_place(shipped_run):
    diff = diff_runs(shipped_run("dev"), plan("dev", waf={"enabled": True}))
    assert stateful_or_edge_replaced(diff) == []
    assert [c.keys for c in diff.of(Action.UPDATE, DISTRIBUTION)] == [("webAclId",)]
    created = {c.type for c in diff.of(Action.CREATE)}
    assert {WEB_ACL, WAF_LOGGING, LOG_GROUP} <= created


def test_adding_www_replaces_only_the_cloudfront_certificate_issued_before_the_old_one_goes(shipped_run):
    diff = diff_runs(shipped_run("prod"), plan("prod", includeWww=True))
    assert stateful_or_edge_replaced(diff) == []
    assert {(c.type, c.name) for c in diff.of(Action.REPLACE)} <= {
        (CERTIFICATE, "webstack-prod-certificates-cloudfront-certificate"),
        ("aws:acm/certificateValidation:CertificateValidation", "webstack-prod-certificates-cloudfront-validation"),
    }
    assert diff.of(Action.REPLACE, CERTIFICATE)
    assert diff.of(Action.DELETE) == []


def test_a_new_content_security_policy_updates_the_headers_policy_in_place(shipped_run):
    diff = diff_runs(shipped_run("prod"), plan("prod", contentSecurityPolicy="default-src 'self'"))
    assert [(c.type, c.keys) for c in diff.changes] == [(HEADERS, ("securityHeadersConfig",))]
