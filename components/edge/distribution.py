"""`webstack:edge:Edge`: CloudFront in front of everything, its WAF, the static-assets bucket and the site's DNS.

Only this distribution reaches the app: the default design reaches an internal load balancer
through a CloudFront VPC origin (the load balancer's group then admits only the group CloudFront's
VPC origins use, looked up once the VPC origin exists); the option sends a secret header to an
internet-facing one. The static bucket answers only this distribution, through Origin Access
Control and TLS. CloudFront is global, and so are its resources here: they use the us-east-1
provider, as its certificate and web ACL must.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.buckets import BucketSettings, PrivateBucket
from components.compute.load_balancer import LoadBalancer
from components.edge.certificates import Certificates
from components.edge.origin_secret import OriginSecret
from components.naming import CLOUDFRONT_NAME, physical_name
from components.observability.logs import LogBucket
from components.options import AwsContext
from components.security import Encryption
from config.edge import EdgeConfig

# AWS managed CloudFront policies (ids are the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"  # forwards host, cookies, query strings and headers
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # the hosted zone of every *.cloudfront.net alias target
VPC_ORIGINS_GROUP = "CloudFront-VPCOrigins-Service-SG"  # made by CloudFront in the VPC with its first VPC origin
MINIMUM_TLS = "TLSv1.2_2021"
HSTS_SECONDS = 63_072_000  # two years, as preload lists require at least one
APP_ORIGIN, ASSETS_ORIGIN = "app", "assets"
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
ANONYMOUS_IP_LIST = "AWSManagedRulesAnonymousIpList"
REDACTED_HEADERS = ("authorization", "cookie")


@dataclass(frozen=True, kw_only=True)
class EdgeArgs:
    config: EdgeConfig
    context: AwsContext
    encryption: Encryption
    # The us-east-1 key for the WAF's log group (a key cannot leave its region).
    global_encryption: Encryption
    global_provider: aws.Provider
    load_balancer: LoadBalancer
    vpc_id: pulumi.Input[str]
    certificates: Certificates | None
    origin_secret: OriginSecret | None
    log_bucket: LogBucket | None
    log_retention_days: int


class Edge(pulumi.ComponentResource):
    """The distribution, its protections and its names."""

    site_url: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    distribution_domain: pulumi.Output[str]
    distribution_arn: pulumi.Output[str]
    static_bucket_name: pulumi.Output[str] | None
    vpc_origins_group_id: pulumi.Output[str] | None
    # The web ACL's metric name: its CloudWatch metrics' WebACL dimension. None without a WAF.
    waf_metric_name: str | None

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:edge:Edge", name, None, opts)
        self._name = name
        config, context = args.config, args.context
        cloudfront = pulumi.ResourceOptions(parent=self, provider=args.global_provider)
        assets = self._static_bucket(args) if config.static_assets.enabled else None
        headers = self._security_headers(config, cloudfront)
        origins, vpc_origin = self._origins(args, cloudfront)
        access = (
            aws.cloudfront.OriginAccessControl(
                f"{name}-oac",
                name=physical_name(CLOUDFRONT_NAME, name, "assets"),
                description="CloudFront reads the static assets, signing every request",
                origin_access_control_origin_type="s3",
                signing_behavior="always",
                signing_protocol="sigv4",
                opts=cloudfront,
            )
            if assets is not None
            else None
        )
        if assets is not None and access is not None:
            origins.append(
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ASSETS_ORIGIN,
                    domain_name=assets.bucket.bucket_regional_domain_name,
                    origin_access_control_id=access.id,
                )
            )
        self.waf_metric_name = physical_name(CLOUDFRONT_NAME, name, "waf") if config.waf.enabled else None
        web_acl = self._web_acl(args, self.waf_metric_name) if self.waf_metric_name else None
        certificates = args.certificates
        distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            comment=f"{name}: the site",
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=config.price_class.value,
            aliases=certificates.site_names if certificates else None,
            web_acl_id=web_acl.arn if web_acl else None,
            origins=origins,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=APP_ORIGIN,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_DISABLED,
                origin_request_policy_id=ALL_VIEWER,
                response_headers_policy_id=headers.id,
                compress=True,
            ),
            ordered_cache_behaviors=[
                aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=config.static_assets.path_pattern,
                    target_origin_id=ASSETS_ORIGIN,
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=["GET", "HEAD", "OPTIONS"],
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_OPTIMIZED,
                    response_headers_policy_id=headers.id,
                    compress=True,
                )
            ]
            if assets is not None
            else None,
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=certificates.cloudfront_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=MINIMUM_TLS,
            )
            if certificates
            else aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
            logging_config=aws.cloudfront.DistributionLoggingConfigArgs(
                bucket=args.log_bucket.bucket_domain_name, prefix="cloudfront/", include_cookies=False
            )
            if args.log_bucket
            else None,
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.global_provider, protect=context.is_prod),
        )
        if assets is not None:
            self._admit_distribution(args, assets, distribution)
        if certificates is not None and args.config.hosted_zone_id is not None:
            self._dns(args, certificates, distribution)

        self.site_url = (
            pulumi.Output.from_input(f"https://{certificates.site_names[0]}")
            if certificates
            else distribution.domain_name.apply(lambda domain: f"https://{domain}")
        )
        self.distribution_id = distribution.id
        self.distribution_domain = distribution.domain_name
        self.distribution_arn = distribution.arn
        self.static_bucket_name = assets.bucket.bucket if assets is not None else None
        self.vpc_origins_group_id = self._vpc_origins_group(args, vpc_origin) if vpc_origin is not None else None
        self.register_outputs(
            {
                "site_url": self.site_url,
                "distribution_id": self.distribution_id,
                "distribution_domain": self.distribution_domain,
            }
        )

    def _origins(
        self, args: EdgeArgs, cloudfront: pulumi.ResourceOptions
    ) -> tuple[list[aws.cloudfront.DistributionOriginArgs], aws.cloudfront.VpcOrigin | None]:
        """The app's origin: a VPC origin to an internal load balancer, or the internet-facing one with its secret."""
        balancer, certificates = args.load_balancer, args.certificates
        https = certificates is not None
        policy = "https-only" if https else "http-only"
        # With a certificate CloudFront connects to origin.<domain>, the name the load balancer's certificate holds.
        domain: pulumi.Input[str] = certificates.origin_name if certificates else balancer.dns_name
        if args.config.vpc_origin:
            vpc_origin = aws.cloudfront.VpcOrigin(
                f"{self._name}-vpc-origin",
                vpc_origin_endpoint_config=aws.cloudfront.VpcOriginVpcOriginEndpointConfigArgs(
                    name=physical_name(CLOUDFRONT_NAME, self._name, "app"),
                    arn=balancer.arn,
                    http_port=80,
                    https_port=443,
                    origin_protocol_policy=policy,
                    origin_ssl_protocols=aws.cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs(
                        items=["TLSv1.2"], quantity=1
                    ),
                ),
                opts=cloudfront,
            )
            origin = aws.cloudfront.DistributionOriginArgs(
                origin_id=APP_ORIGIN,
                domain_name=domain,
                vpc_origin_config=aws.cloudfront.DistributionOriginVpcOriginConfigArgs(vpc_origin_id=vpc_origin.id),
            )
            return [origin], vpc_origin
        header = args.origin_secret.header if args.origin_secret else None
        origin = aws.cloudfront.DistributionOriginArgs(
            origin_id=APP_ORIGIN,
            domain_name=domain,
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                http_port=80,
                https_port=443,
                origin_protocol_policy=policy,
                origin_ssl_protocols=["TLSv1.2"],
            ),
            custom_headers=[aws.cloudfront.DistributionOriginCustomHeaderArgs(name=header.name, value=header.value)]
            if header
            else None,
        )
        return [origin], None

    def _vpc_origins_group(self, args: EdgeArgs, vpc_origin: aws.cloudfront.VpcOrigin) -> pulumi.Output[str]:
        """The group CloudFront's VPC origins send from, which exists once the first VPC origin does."""
        return aws.ec2.get_security_group_output(
            vpc_id=args.vpc_id,
            filters=[aws.ec2.GetSecurityGroupFilterArgs(name="group-name", values=[VPC_ORIGINS_GROUP])],
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[vpc_origin]),
        ).id

    def _static_bucket(self, args: EdgeArgs) -> PrivateBucket:
        """Private and encrypted with the environment key; readable only by this distribution (below)."""
        settings = BucketSettings(
            kms_key_arn=args.encryption.key_arn,
            object_ownership="BucketOwnerEnforced",
            expire_days=None,  # assets live until a deploy replaces them; old versions a month more, for rollbacks
            noncurrent_days=30,
        )
        return PrivateBucket(f"{self._name}-assets", settings, parent=self, context=args.context)

    def _admit_distribution(
        self, args: EdgeArgs, assets: PrivateBucket, distribution: aws.cloudfront.Distribution
    ) -> None:
        """This distribution, and only it, reads the bucket (over TLS) and decrypts its objects."""
        only_this_distribution = distribution.arn.apply(lambda arn: {"StringEquals": {"AWS:SourceArn": arn}})
        args.encryption.allow(
            only_this_distribution.apply(
                lambda condition: {
                    "Sid": "CloudFrontReadsStaticAssets",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": condition,
                }
            )
        )
        assets.grant(
            pulumi.Output.all(assets.bucket.arn, only_this_distribution).apply(
                lambda values: [
                    {
                        "Sid": "ThisDistributionReads",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": f"{values[0]}/*",
                        "Condition": values[1],
                    }
                ]
            )
        )

    def _security_headers(
        self, config: EdgeConfig, cloudfront: pulumi.ResourceOptions
    ) -> aws.cloudfront.ResponseHeadersPolicy:
        security = aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs
        return aws.cloudfront.ResponseHeadersPolicy(
            f"{self._name}-security-headers",
            name=physical_name(CLOUDFRONT_NAME, self._name, "security-headers"),
            comment="HSTS, no sniffing, no framing, a strict referrer and the configured CSP on every response",
            security_headers_config=security(
                strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=HSTS_SECONDS,
                    include_subdomains=True,
                    preload=config.hsts_preload,
                    override=True,
                ),
                content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
                    override=True
                ),
                frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                content_security_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                    content_security_policy=config.content_security_policy, override=True
                ),
            ),
            opts=cloudfront,
        )

    def _web_acl(self, args: EdgeArgs, metric_name: str) -> aws.wafv2.WebAcl:
        """AWS's managed rules and a rate limit per client IP, every request sampled, logs without credentials."""
        name, waf = self._name, args.config.waf
        cloudfront = pulumi.ResourceOptions(parent=self, provider=args.global_provider)
        groups = [*MANAGED_RULE_GROUPS, *([ANONYMOUS_IP_LIST] if waf.anonymous_ip_list else [])]
        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=group,
                priority=priority,
                # The managed groups act as AWS defines them (no override).
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()  # type: ignore[no-untyped-call]  # unannotated
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        name=group, vendor_name="AWS"
                    )
                ),
                visibility_config=_rule_visibility(group),
            )
            for priority, group in enumerate(groups, start=1)
        ]
        rules.append(
            aws.wafv2.WebAclRuleArgs(
                name="RateLimitPerClientIp",
                priority=0,
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=waf.rate_limit_per_5_minutes, aggregate_key_type="IP", evaluation_window_sec=300
                    )
                ),
                visibility_config=_rule_visibility("RateLimitPerClientIp"),
            )
        )
        acl = aws.wafv2.WebAcl(
            f"{name}-waf",
            description=f"{name}: managed rules and a rate limit in front of CloudFront",
            scope="CLOUDFRONT",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True,
                metric_name=metric_name,
                sampled_requests_enabled=True,
            ),
            opts=cloudfront,
        )
        logs = args.global_encryption.log_group(
            f"{name}-waf-logs",
            args.log_retention_days,
            cloudfront,
            # WAF logs only to groups named aws-waf-logs-..., in the web ACL's region (us-east-1 for CloudFront).
            name=f"aws-waf-logs-{physical_name(CLOUDFRONT_NAME, name)}",
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf-logging",
            resource_arn=acl.arn,
            log_destination_configs=[logs.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            opts=cloudfront,
        )
        return acl

    def _dns(self, args: EdgeArgs, certificates: Certificates, distribution: aws.cloudfront.Distribution) -> None:
        """The site's names on the distribution (IPv4 and IPv6), and the origin's name on the load balancer."""
        zone_id = args.config.hosted_zone_id
        assert zone_id is not None
        labels = {certificates.site_names[0]: "site", **{n: "www" for n in certificates.site_names[1:]}}
        for fqdn, label in labels.items():
            for record_type in ("A", "AAAA"):
                aws.route53.Record(
                    f"{self._name}-{label}-{record_type.lower()}",
                    zone_id=zone_id,
                    name=fqdn,
                    type=record_type,
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=distribution.domain_name, zone_id=CLOUDFRONT_ZONE_ID, evaluate_target_health=False
                        )
                    ],
                    opts=pulumi.ResourceOptions(parent=self),
                )
        balancer = args.load_balancer
        aws.route53.Record(
            f"{self._name}-origin-a",
            zone_id=zone_id,
            name=certificates.origin_name,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=balancer.dns_name, zone_id=balancer.zone_id, evaluate_target_health=True
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )


def _rule_visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    """Every rule's metrics and sampled requests: what it blocked, and why, can be looked at."""
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )
