"""`webstack:edge`: the domain, its hosted zone, the WAF and the static-assets origin."""

from __future__ import annotations

import pytest

from config import parse_config


@pytest.fixture
def domain_values(dev_values, put):
    """dev, served on app.example.com from the example.com zone."""
    put(dev_values, "edge.domainName", "app.example.com")
    put(dev_values, "edge.hostedZoneId", "Z0123456789ABCDEFGHIJ")
    return put(dev_values, "edge.hostedZoneName", "example.com")


def test_edge_without_domain_serves_on_cloudfront_name(dev_values):
    edge = parse_config(dev_values).edge

    assert (edge.domain_name, edge.hosted_zone_id, edge.hosted_zone_name) == (None, None, None)


def test_edge_accepts_domain_inside_its_zone(domain_values):
    assert parse_config(domain_values).edge.domain_name == "app.example.com"


def test_edge_accepts_the_zone_apex_as_domain(domain_values, put):
    assert parse_config(put(domain_values, "edge.domainName", "example.com")).edge.domain_name == "example.com"


@pytest.mark.parametrize("missing", ["hostedZoneId", "hostedZoneName"])
def test_domain_requires_hosted_zone(domain_values, rejected, missing):
    del domain_values["webstack:edge"][missing]

    problems = rejected(domain_values)

    assert problems == {
        f"webstack:edge.{missing}": "required when edge.domainName is set (the certificate is validated in that zone)"
    }


def test_domain_alone_reports_both_zone_keys(dev_values, put, rejected):
    problems = rejected(put(dev_values, "edge.domainName", "app.example.com"))

    assert set(problems) == {"webstack:edge.hostedZoneId", "webstack:edge.hostedZoneName"}


def test_hosted_zone_requires_domain(domain_values, rejected):
    del domain_values["webstack:edge"]["domainName"]

    problems = rejected(domain_values)

    assert "required when a hosted zone is set" in problems["webstack:edge.domainName"]


@pytest.mark.parametrize("domain", ["app.other.com", "app.badexample.com", "example.com.evil.net"])
def test_domain_outside_hosted_zone_is_rejected(domain_values, put, rejected, domain):
    problems = rejected(put(domain_values, "edge.domainName", domain))

    assert problems == {
        "webstack:edge.domainName": f"{domain} is not inside the hosted zone example.com (edge.hostedZoneName)"
    }


def test_prod_domain_outside_zone_is_rejected(prod_values, put, rejected):
    problems = rejected(put(prod_values, "edge.hostedZoneName", "example.org"))

    assert problems == {
        "webstack:edge.domainName": "app.example.com is not inside the hosted zone example.org (edge.hostedZoneName)"
    }


def test_unknown_price_class_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "edge.priceClass", "PriceClass_50"))

    assert (
        problems["webstack:edge.priceClass"]
        == "must be PriceClass_100, PriceClass_200 or PriceClass_All; got 'PriceClass_50'"
    )


@pytest.mark.parametrize(
    ("limit", "message"),
    [(9, "must be at least 10; got 9"), (2_000_000_001, "must be at most 2000000000; got 2000000001")],
)
def test_waf_rate_limit_outside_awss_range_is_rejected(dev_values, put, rejected, limit, message):
    problems = rejected(put(dev_values, "edge.waf.rateLimitPer5Minutes", limit))

    assert problems["webstack:edge.waf.rateLimitPer5Minutes"] == message


def test_a_content_security_policy_must_be_text(dev_values, put, rejected):
    problems = rejected(put(dev_values, "edge.contentSecurityPolicy", {"default-src": "self"}))

    assert problems["webstack:edge.contentSecurityPolicy"] == "must be text; got a mapping of 1 key"


def test_static_path_pattern_must_start_with_slash(dev_values, put, rejected):
    problems = rejected(put(dev_values, "edge.staticAssets.pathPattern", "static/*"))

    assert (
        problems["webstack:edge.staticAssets.pathPattern"]
        == "must be a CloudFront path pattern starting with /, e.g. /static/*; got 'static/*'"
    )


def test_an_internet_facing_origin_needs_a_domain_so_its_secret_travels_over_tls(dev_values, put, rejected):
    problems = rejected(put(dev_values, "edge.vpcOrigin", False))

    assert problems == {
        "webstack:edge.vpcOrigin": (
            "false needs edge.domainName: without a certificate CloudFront would send the origin's secret header to "
            "an internet-facing load balancer over plain HTTP; keep the VPC origin or set a domain"
        )
    }


def test_an_internet_facing_origin_with_a_domain_is_accepted(domain_values, put):
    assert parse_config(put(domain_values, "edge.vpcOrigin", False)).edge.vpc_origin is False
