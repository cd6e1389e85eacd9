"""An in-process stand-in for the Pulumi engine and the AWS providers, for plans and tests.

`AwsMocks` answers like the real providers would: ids and ARNs in AWS's formats, the
auto-generated `name` the provider would pick, the subnet id lists of `awsx:ec2:Vpc`,
and the data sources the program reads. An invoke it does not know raises: a plan built
on a guess is worse than no plan. `RecordingMonitor` keeps every registration with its
inputs and the options that matter for safety review (parent, provider, protect,
retainOnDelete, dependsOn, aliases), which the stock mock monitor drops.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.json_format import MessageToDict
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from config.errors import MockCoverageError

MOCK_ACCOUNT_ID = "123456789012"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Registration:
    """One resource the program registered, as the engine would see it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    depends_on: tuple[str, ...]
    aliases: tuple[dict[str, Any], ...]
    outputs: dict[str, Any] = field(repr=False)
    # Providers handed to a component by package (`aws` -> URN): what a remote component such as awsx uses.
    providers: dict[str, str] = field(default_factory=dict)


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


# EC2-style id prefixes, by resource type token.
_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/internetGateway:InternetGateway": "igw",
}

# Resource types whose provider fills in `name` with a generated one when the program leaves it out.
_AUTO_NAMED = {
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/service:Service",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:sns/topic:Topic",
    "aws:dynamodb/table:Table",
    "aws:wafv2/webAcl:WebAcl",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:autoscaling/group:Group",
    "aws:budgets/budget:Budget",
    "aws:cloudwatch/dashboard:Dashboard",
}

# Resource types whose provider id is their name, as the AWS provider reports them.
_ID_IS_NAME = {
    "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:dynamodb/table:Table",
}

# The zone letters a region offers, in order; `AwsMocks(zone_count=...)` offers the first ones.
_ZONE_LETTERS = "abcdef"

# NAT gateway strategies awsx places in public subnets.
_NAT_IN_PUBLIC_SUBNETS = {"Single", "OnePerAz"}


class AwsMocks(Mocks):
    """Realistic answers for the resources and data sources webstack uses."""

    def __init__(self, region: str, account_id: str = MOCK_ACCOUNT_ID, zone_count: int = len(_ZONE_LETTERS)) -> None:
        if not 1 <= zone_count <= len(_ZONE_LETTERS):
            raise ValueError(f"zone_count must be 1-{len(_ZONE_LETTERS)}, not {zone_count}")
        self.region = region
        self.account_id = account_id
        self.zone_count = zone_count
        # What the real providers would refuse; `run_offline` fails the plan with all of it once the program ends
        # (raising inside a registration leaves its other futures failed and logged as never retrieved).
        self.rejected: list[str] = []

    # -- resources ---------------------------------------------------------------------------

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", dict(args.inputs)
        if args.typ == "awsx:ec2:Vpc":
            return None, self._awsx_vpc(args)
        if not args.custom:
            return None, {}
        outputs = dict(args.inputs)
        if args.typ in _AUTO_NAMED and "name" not in outputs:
            # The SDK leaves auto-naming to the provider: a name plus 7 random hex characters.
            outputs["name"] = f"{args.name}-{_digest(args.typ, args.name, length=7)}"
        resource_id = str(outputs["name"]) if args.typ in _ID_IS_NAME and outputs.get("name") else self._id(args)
        outputs.setdefault("arn", self._arn(args.typ, outputs.get("name") or resource_id))
        outputs.setdefault("id", resource_id)
        outputs.update(self._extra_outputs(args, resource_id))
        return resource_id, outputs

    def _id(self, args: MockResourceArgs) -> str:
        if args.typ == "aws:kms/key:Key":
            return str(uuid.UUID(_digest(args.typ, args.name, length=32)))
        prefix = _ID_PREFIXES.get(args.typ)
        if prefix:
            return f"{prefix}-{_digest(args.typ, args.name)}"
        return f"{args.name}-{_digest(args.typ, args.name, length=8)}"

    def _arn(self, typ: str, resource: str) -> str:
        module = typ.split(":")[1].split("/")[0]
        kind = typ.split(":")[-1].lower()
        if module == "iam":
            return f"arn:aws:iam::{self.account_id}:{kind}/{resource}"
        if module == "cloudwatch" and kind == "loggroup":
            return f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{resource}"
        if module == "kms":
            # Aliases are named `alias/...` and their ARN carries that name; keys are `key/<id>`.
            resource = resource if resource.startswith("alias/") else f"key/{resource}"
            return f"arn:aws:kms:{self.region}:{self.account_id}:{resource}"
        return f"arn:aws:{module}:{self.region}:{self.account_id}:{kind}/{resource}"

    def _extra_outputs(self, args: MockResourceArgs, resource_id: str) -> dict[str, Any]:
        if args.typ == "aws:kms/key:Key":
            return {"keyId": resource_id}
        if args.typ in ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/securityGroup:SecurityGroup"):
            return {"ownerId": self.account_id}
        return {}

    def _awsx_vpc(self, args: MockResourceArgs) -> dict[str, Any]:
        # Only the id outputs: echoing `natGateways` back would clash with the output of that name.
        zones = args.inputs.get("availabilityZoneNames") or []
        tiers = {spec["type"] for spec in args.inputs.get("subnetSpecs", [])}
        strategy = (args.inputs.get("natGateways") or {}).get("strategy", "OnePerAz")
        if strategy in _NAT_IN_PUBLIC_SUBNETS and "Public" not in tiers:
            # awsx refuses this layout: its NAT gateways live in the public subnets.
            self.rejected.append(
                f"awsx:ec2:Vpc {args.name}: NAT gateway strategy {strategy!r} needs a Public subnet spec to host "
                "the NAT gateways; add one or set the strategy to 'None'"
            )

        def ids(tier: str) -> list[str]:
            if tier not in tiers:
                return []
            return [f"subnet-{_digest(args.name, tier, zone)}" for zone in zones]

        return {
            "vpcId": f"vpc-{_digest(args.typ, args.name)}",
            "publicSubnetIds": ids("Public"),
            "privateSubnetIds": ids("Private"),
            "isolatedSubnetIds": ids("Isolated"),
        }

    # -- data sources ------------------------------------------------------------------------

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = self._answers().get(args.token)
        if answer is None:
            raise MockCoverageError(
                f"the offline plan does not know the data source {args.token}; "
                "add a realistic answer to ops/mocks.py (AwsMocks.call)"
            )
        return answer(args.args), []

    def _answers(self) -> dict[str, Any]:
        region, account = self.region, self.account_id
        return {
            "aws:index/getAvailabilityZones:getAvailabilityZones": lambda _: {
                "names": [f"{region}{letter}" for letter in _ZONE_LETTERS[: self.zone_count]],
                "zoneIds": [f"{region[:3]}{region.split('-')[-1]}-az{n}" for n in range(1, self.zone_count + 1)],
                "id": region,
            },
            "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
                "accountId": account,
                "arn": f"arn:aws:iam::{account}:user/offline-plan",
                "userId": "AIDAOFFLINEPLAN",
                "id": account,
            },
            "aws:index/getRegion:getRegion": lambda a: {
                "name": a.get("region") or region,
                "region": region,
                "id": region,
            },
            "aws:index/getPartition:getPartition": lambda _: {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
            },
            "aws:ec2/getManagedPrefixList:getManagedPrefixList": lambda a: {
                "id": f"pl-{_digest(str(a.get('name')), length=8)}",
                "name": a.get("name"),
                "arn": f"arn:aws:ec2:{region}:aws:prefix-list/pl-{_digest(str(a.get('name')), length=8)}",
                "maxEntries": 55,
            },
            "aws:ssm/getParameter:getParameter": lambda a: {
                "name": a.get("name"),
                "type": "String",
                "value": f"ami-{_digest(str(a.get('name')))}",
                "id": a.get("name"),
            },
        }


class RecordingMonitor(MockMonitor):
    """The stock mock monitor, plus a record of every registration and its options."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]  # untyped in the SDK
        if request.type == STACK_TYPE:
            return response
        inputs = rpc.deserialize_properties(request.object)
        implicit = {urn for deps in request.propertyDependencies.values() for urn in deps.urns}
        record = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=_provider_urn(request.provider),
            inputs=inputs,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            depends_on=tuple(sorted(set(request.dependencies) - implicit)),
            aliases=tuple(MessageToDict(alias) for alias in request.aliases),
            outputs=self.resources[response.urn].state,
            providers={package: _provider_urn(ref) or ref for package, ref in request.providers.items()},
        )
        with self._lock:
            self.registrations.append(record)
        return response


def _provider_urn(reference: str) -> str | None:
    """A provider reference is `<urn>::<id>`; keep the URN."""
    if not reference:
        return None
    return reference.rsplit("::", 1)[0]
