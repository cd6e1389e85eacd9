"""`webstack:edge`: CloudFront, its certificate and DNS, the WAF and the static-assets origin."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from config.base import PROD, ConfigModel, TierRule, required_in, rule
from config.types import Allowed, DomainName, HostedZoneId


class PriceClass(StrEnum):
    """CloudFront price classes: which edge locations serve the site."""

    NORTH_AMERICA_EUROPE = "PriceClass_100"
    MOST = "PriceClass_200"
    ALL = "PriceClass_All"


class WafConfig(ConfigModel):
    """The WAFv2 web ACL in front of CloudFront (AWS managed rule groups plus a rate limit)."""

    enabled: Annotated[bool, required_in(PROD, True, "a public site needs the managed rules and the rate limit")] = (
        Field(description="Attach a WAFv2 web ACL to CloudFront (about $5/month plus $1 per rule and requests).")
    )
    rate_limit_per_5_minutes: int = Field(
        default=2000,
        ge=10,
        le=2_000_000_000,
        alias="rateLimitPer5Minutes",
        description="Requests one client IP may make in 5 minutes before the WAF blocks it (10 to 2,000,000,000).",
    )
    anonymous_ip_list: bool = Field(
        default=False,
        description="Also block requests from VPNs, proxies and Tor (AWS's anonymous IP list); off by default.",
    )


class StaticAssetsConfig(ConfigModel):
    """A private S3 bucket served by CloudFront through Origin Access Control."""

    enabled: bool = Field(default=True, description="Serve `pathPattern` from a private S3 bucket.")
    path_pattern: Annotated[str, Allowed("a CloudFront path pattern starting with /, e.g. /static/*")] = Field(
        default="/static/*",
        pattern=r"^/[A-Za-z0-9_\-./*]*$",
        max_length=255,
        description="CloudFront path pattern routed to the bucket.",
    )


@rule("domain_name", "hosted_zone_id", "hosted_zone_name")
def _zone_holds_domain(values: EdgeConfig) -> Iterator[tuple[str, str]]:
    if values.domain_name:
        for name in ("hosted_zone_id", "hosted_zone_name"):
            if getattr(values, name) is None:
                yield name, "required when edge.domainName is set (the certificate is validated in that zone)"
    elif values.hosted_zone_id or values.hosted_zone_name:
        yield "domain_name", "required when a hosted zone is set; set it or remove edge.hostedZoneId/hostedZoneName"
    zone = values.hosted_zone_name
    if values.domain_name and zone and not (values.domain_name == zone or values.domain_name.endswith("." + zone)):
        yield "domain_name", f"{values.domain_name} is not inside the hosted zone {zone} (edge.hostedZoneName)"


@rule("vpc_origin", "domain_name")
def _secret_header_needs_tls(values: EdgeConfig) -> Iterator[tuple[str, str]]:
    if not values.vpc_origin and values.domain_name is None:
        yield (
            "vpc_origin",
            "false needs edge.domainName: without a certificate CloudFront would send the origin's secret header to "
            "an internet-facing load balancer over plain HTTP; keep the VPC origin or set a domain",
        )


class EdgeConfig(ConfigModel):
    """What stands between users and the load balancer."""

    domain_name: Annotated[
        DomainName | None,
        AfterValidator(
            TierRule(
                PROD,
                lambda value: value is not None,
                "set",
                "prod serves HTTPS end to end, which needs a certificate for a name of yours",
            )
        ),
    ] = Field(
        default=None,
        description=(
            "The site's name, e.g. app.example.com. Unset (not in prod): the site is served on CloudFront's own "
            "*.cloudfront.net name and no certificate or DNS record is made."
        ),
    )
    hosted_zone_id: HostedZoneId | None = Field(
        default=None, description="Route 53 public hosted zone that holds `domainName` (needed with it)."
    )
    hosted_zone_name: DomainName | None = Field(
        default=None,
        description="The hosted zone's domain, e.g. example.com; `domainName` must be inside it.",
    )
    price_class: PriceClass = Field(
        description="CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All."
    )
    waf: WafConfig = Field(description="The web application firewall.")
    static_assets: StaticAssetsConfig = Field(
        default_factory=StaticAssetsConfig, description="The S3 origin for static files."
    )
    vpc_origin: bool = Field(
        default=True,
        description=(
            "The load balancer is internal, with no public address at all, and CloudFront reaches it through a "
            "VPC origin; its security group admits only the group CloudFront's VPC origins use. Off: an "
            "internet-facing load balancer admits CloudFront's origin-facing ranges, and forwards only requests "
            "that carry a secret header this distribution adds (kept in Secrets Manager)."
        ),
    )
    include_www: bool = Field(
        default=False,
        description="Serve the site at www.<domainName> too (same distribution and certificate).",
    )
    content_security_policy: Annotated[
        str, Allowed("a Content-Security-Policy header value, e.g. default-src 'self'")
    ] = Field(
        default="default-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
        min_length=1,
        max_length=1783,
        pattern=r"^[\x20-\x7e]+$",
        description="The Content-Security-Policy every response carries (set in the response-headers policy).",
    )
    hsts_preload: bool = Field(
        description="Ask browsers to preload HTTPS-only for the domain (only once every subdomain serves HTTPS)."
    )

    rules = (_zone_holds_domain, _secret_header_needs_tls)
