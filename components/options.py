"""Resource options shared by every component: one place decides what "stateful" means."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi

from config.types import Environment


@dataclass(frozen=True, kw_only=True)
class AwsContext:
    """Facts about the target account every component needs, looked up once by the root."""

    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: str
    environment: Environment

    @property
    def is_prod(self) -> bool:
        return self.environment is Environment.PROD

    def in_region(self, region: str) -> AwsContext:
        """The same account and environment in another region (us-east-1, for what CloudFront needs there)."""
        return replace(self, region=region)


def stateful(parent: pulumi.Resource, context: AwsContext, **options: object) -> pulumi.ResourceOptions:
    """Options of a resource whose loss loses data: protected and retained on delete in prod."""
    return pulumi.ResourceOptions(
        parent=parent,
        protect=context.is_prod,
        retain_on_delete=context.is_prod,
        **options,  # type: ignore[arg-type]
    )
