"""`webstack:edge:Certificates`: the site's ACM certificates, DNS-validated through Route 53.

CloudFront takes certificates from us-east-1 only; the load balancer from the stack's region. ACM
asks for the same validation record for a name in every region, so each name gets one record,
kept for renewals, and both certificates are validated by it. A new name means a new certificate,
issued before the old one is released.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# The name CloudFront reaches the origin by: covered by the load balancer's certificate.
ORIGIN_LABEL = "origin"


@dataclass(frozen=True, kw_only=True)
class CertificatesArgs:
    domain_name: str
    hosted_zone_id: str
    include_www: bool
    global_provider: aws.Provider


class Certificates(pulumi.ComponentResource):
    """The CloudFront certificate (us-east-1) and the load balancer's (stack region), both issued."""

    cloudfront_arn: pulumi.Output[str]
    load_balancer_arn: pulumi.Output[str]
    site_names: list[str]
    origin_name: str

    def __init__(self, name: str, args: CertificatesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:edge:Certificates", name, None, opts)
        domain = args.domain_name
        site = [domain, *([f"www.{domain}"] if args.include_www else [])]
        origin = f"{ORIGIN_LABEL}.{domain}"
        cloudfront = self._certificate(
            f"{name}-cloudfront", site, pulumi.ResourceOptions(parent=self, provider=args.global_provider)
        )
        regional = self._certificate(f"{name}-load-balancer", [domain, origin], pulumi.ResourceOptions(parent=self))
        labels = {domain: "site", origin: ORIGIN_LABEL, f"www.{domain}": "www"}
        # Each name's record comes from the certificate that changes least: the load balancer's holds the domain and
        # the origin whatever else is served, so adding www (a new CloudFront certificate) leaves their records be.
        options = {**_options(cloudfront, site), **_options(regional, [domain, origin])}
        records = {
            fqdn: aws.route53.Record(
                f"{name}-validation-{labels[fqdn]}",
                zone_id=args.hosted_zone_id,
                name=option.apply(lambda o: o.resource_record_name or ""),
                type=option.apply(lambda o: o.resource_record_type or "CNAME"),
                records=[option.apply(lambda o: o.resource_record_value or "")],
                ttl=300,
                # ACM uses one record per name in every region; the records stay for automatic renewal.
                allow_overwrite=True,
                # A replacement has the same name: made first, the old one's deletion would remove it.
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
            for fqdn, option in options.items()
        }

        self.cloudfront_arn = self._validated(
            f"{name}-cloudfront", cloudfront, [records[n] for n in site], args.global_provider
        )
        self.load_balancer_arn = self._validated(
            f"{name}-load-balancer", regional, [records[domain], records[origin]], None
        )
        self.site_names = site
        self.origin_name = origin
        self.register_outputs({"cloudfront_arn": self.cloudfront_arn, "load_balancer_arn": self.load_balancer_arn})

    def _certificate(self, name: str, names: list[str], opts: pulumi.ResourceOptions) -> aws.acm.Certificate:
        return aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=names[0],
            subject_alternative_names=names[1:],
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            opts=opts,
        )

    def _validated(
        self,
        name: str,
        certificate: aws.acm.Certificate,
        records: list[aws.route53.Record],
        provider: aws.Provider | None,
    ) -> pulumi.Output[str]:
        """The certificate's ARN once ACM has issued it: what a listener or distribution may use."""
        validation = aws.acm.CertificateValidation(
            f"{name}-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in records],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        return validation.certificate_arn


def _options(
    certificate: aws.acm.Certificate, names: list[str]
) -> dict[str, pulumi.Output[aws.acm.outputs.CertificateDomainValidationOption]]:
    """Each name's validation option, found by name: the provider returns them unordered."""

    def option_of(name: str) -> pulumi.Output[aws.acm.outputs.CertificateDomainValidationOption]:
        return certificate.domain_validation_options.apply(
            lambda options: next(option for option in options if option.domain_name == name)
        )

    return {name: option_of(name) for name in names}
