"""The root of the stack configuration: every `webstack:` key of a Pulumi.<stack>.yaml, plus `aws:region`."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from config import catalog
from config.base import PROD, ConfigModel, Rule, TierRule, rule
from config.compute import ComputeConfig
from config.data import DataConfig
from config.edge import EdgeConfig
from config.network import NetworkConfig
from config.observability import ObservabilityConfig
from config.scope import StackScope, stack_scope
from config.types import AwsAccountId, AwsRegion, Environment, Name, TagKey, TagValue
from config.usage import UsageConfig

# Tags webstack sets on every resource through the providers' default tags.
RESERVED_TAGS = ("Project", "Environment", "Stack", "Owner", "CostCenter", "ManagedBy")


def _own_tags(tags: dict[str, str]) -> dict[str, str]:
    # A field rule, not a `problems()` one: those run only when every other key of the stack is valid.
    clashes = sorted(set(tags) & set(RESERVED_TAGS))
    if clashes:
        raise ValueError(f"{', '.join(clashes)} are set by webstack itself; use another tag name")
    return tags


def scope_of(values: Mapping[str, Any]) -> StackScope:
    """The tier and region a stack's values name, each None when it is not a valid one."""
    environment = values.get("environment")
    region = values.get("region")
    return StackScope(
        environment=Environment(environment) if environment in tuple(Environment) else None,
        region=region if isinstance(region, str) and catalog.region_problem(region) is None else None,
    )


@rule("compute", "edge")
def _hosts_are_served(values: StackConfig) -> Iterator[tuple[str, str]]:
    """A host-header route only sees the names CloudFront serves: any other never reaches the load balancer."""
    edge = values.edge
    served = [name for name in (edge.domain_name, edge.include_www and f"www.{edge.domain_name}") if name]
    for service_name, service in values.compute.services.items():
        for host in service.routing.hosts:
            if not any(fnmatch.fnmatchcase(name, host) for name in served):
                yield (
                    "compute",
                    f"services.{service_name}.routing.hosts: {host} is not a name the distribution serves "
                    f"({', '.join(served) or 'none: set edge.domainName'}); CloudFront would never send it",
                )


class StackConfig(ConfigModel):
    """A whole environment: every `webstack:` key of a stack file, and `aws:region`.

    `config.parse_config` fills in the tier's presets. The tier's rules hold however the model
    is validated, because it binds its own tier and region while its sections validate.
    """

    @classmethod
    def _enter_scope(cls, data: Any) -> AbstractContextManager[None]:
        return stack_scope(scope_of(data)) if isinstance(data, Mapping) else nullcontext()

    environment: Environment = Field(description="Environment tier: dev, stage or prod. Picks every default below.")
    region: AwsRegion = Field(
        description="Region of the stack (`aws:region`). CloudFront's certificate and WAF live in us-east-1 regardless."
    )
    owner: Name = Field(description="Team or person accountable for the environment; tagged on every resource.")
    cost_center: Name = Field(description="Cost center billed for the environment; tagged on every resource.")
    account_id: Annotated[
        AwsAccountId | None,
        AfterValidator(
            TierRule(
                PROD, lambda value: value is not None, "set", "a prod config must never be applied to another account"
            )
        ),
    ] = Field(
        default=None,
        description="The only AWS account the providers may act in (`allowedAccountIds`). Required in prod.",
    )
    network: NetworkConfig = Field(description="The VPC and its subnets.")
    edge: EdgeConfig = Field(description="CloudFront, certificate, DNS, WAF and static assets.")
    compute: ComputeConfig = Field(description="The app tier: `kind: fargate` or `kind: ec2`.")
    data: DataConfig = Field(description="Database, cache and sessions table.")
    observability: ObservabilityConfig = Field(description="Logs, alarms, dashboard and budget.")
    usage: UsageConfig = Field(description="The monthly usage `ops cost` assumes; changes no resource.")
    tags: Annotated[dict[TagKey, TagValue], AfterValidator(_own_tags)] = Field(
        default_factory=dict,
        max_length=40,
        description="Extra tags for every resource. " + ", ".join(RESERVED_TAGS) + " are set by webstack.",
    )

    rules: ClassVar[tuple[Rule, ...]] = (_hosts_are_served,)
