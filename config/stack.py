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
from config.network import NatGateways, NetworkConfig
from config.observability import ObservabilityConfig
from config.scope import StackScope, stack_scope
from config.security import SSM_ENDPOINT_SERVICES, SecurityConfig
from config.types import (
    AwsAccountId,
    AwsRegion,
    Environment,
    ExternalId,
    IamRoleArn,
    Name,
    TagKey,
    TagValue,
    role_arn_account,
)
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


@rule("account_id", "deploy_role_arn")
def _role_in_target_account(values: StackConfig) -> Iterator[tuple[str, str]]:
    account = role_arn_account(values.deploy_role_arn) if values.deploy_role_arn else None
    if account and values.account_id and account != values.account_id:
        yield (
            "deploy_role_arn",
            f"the role is in account {account}, but webstack:accountId is {values.account_id}: the providers assume "
            "a role in the target account; use that account's deployer role",
        )


@rule("deploy_role_arn", "deploy_role_external_id", "deploy_role_session_tags")
def _role_settings_need_a_role(values: StackConfig) -> Iterator[tuple[str, str]]:
    if values.deploy_role_arn is None:
        if values.deploy_role_external_id is not None:
            yield "deploy_role_external_id", "set webstack:deployRoleArn too: an external id goes with a role to assume"
        if values.deploy_role_session_tags:
            yield "deploy_role_session_tags", "set webstack:deployRoleArn too: session tags go with a role to assume"


@rule("network", "security")
def _access_host_reaches_ssm(values: StackConfig) -> Iterator[tuple[str, str]]:
    if values.security.access_host.enabled and values.network.nat_gateways is NatGateways.NONE:
        yield (
            "security.accessHost.enabled",
            "the access host reaches Systems Manager over HTTPS through a NAT gateway, and network.natGateways is "
            f"none (the interface endpoints do not include {', '.join(SSM_ENDPOINT_SERVICES)}): set "
            "network.natGateways to single, or leave the access host off",
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
    deploy_role_arn: IamRoleArn | None = Field(
        default=None,
        description=(
            "An IAM role in the target account that both AWS providers assume (`assumeRoles`), so a central CI "
            "account deploys each stack into its own account. Its account must be webstack:accountId. The session "
            "is named webstack-<stack>, which CloudTrail records. Unset: the credentials of the environment."
        ),
    )
    deploy_role_external_id: ExternalId | None = Field(
        default=None,
        description="The external id the role's trust policy requires (sts:ExternalId); not a secret.",
    )
    deploy_role_session_tags: bool = Field(
        default=False,
        description=(
            "Tag the role session with Project, Stack and Environment, so the role's policies can match "
            "aws:PrincipalTag/Stack; its trust policy must then allow sts:TagSession."
        ),
    )
    network: NetworkConfig = Field(description="The VPC and its subnets.")
    edge: EdgeConfig = Field(description="CloudFront, certificate, DNS, WAF and static assets.")
    compute: ComputeConfig = Field(description="The app tier: `kind: fargate` or `kind: ec2`.")
    data: DataConfig = Field(description="Database, cache and sessions table.")
    observability: ObservabilityConfig = Field(description="Logs, alarms, dashboard and budget.")
    security: SecurityConfig = Field(description="Audit trail, threat detection and the database access host.")
    usage: UsageConfig = Field(description="The monthly usage `ops cost` assumes; changes no resource.")
    tags: Annotated[dict[TagKey, TagValue], AfterValidator(_own_tags)] = Field(
        default_factory=dict,
        max_length=40,
        description="Extra tags for every resource. " + ", ".join(RESERVED_TAGS) + " are set by webstack.",
    )

    rules: ClassVar[tuple[Rule, ...]] = (
        _hosts_are_served,
        _role_in_target_account,
        _role_settings_need_a_role,
        _access_host_reaches_ssm,
    )
