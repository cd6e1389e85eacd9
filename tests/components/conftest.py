"""Helpers for the component tests: decoded provider inputs, a readable view of the security group
rules, and offline runs of stack variations shared by the tests of one module.

Every run here goes through `ops.engine.run_offline`, which resets Pulumi's global state first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.runtime.mocks import MockCallArgs

from components.network import CLOUDFRONT_PREFIX_LIST
from ops.engine import OfflineRun, run_offline
from ops.manifest import manifest
from ops.mocks import AwsMocks, Registration
from ops.mocks.invokes import SECRET_VALUE_MARKER
from ops.mocks.monitor import SECRET_SHOWN_AS
from tests.conftest import StackValues, stack_values

PROVIDER = "pulumi:providers:aws"
AWSX_VPC = "awsx:ec2:Vpc"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
KMS_KEY = "aws:kms/key:Key"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
PREFIX_LIST_INVOKE = "aws:ec2/getManagedPrefixList:getManagedPrefixList"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
VPC_ORIGINS = "cloudfront-vpc-origins"


def regional_key(run) -> Registration:
    """The environment's key in the stack's region (the us-east-1 one, when there is a WAF, is for its logs)."""
    (key,) = [k for k in run.find(KMS_KEY) if "-global-" not in k.name]
    return key


def regional_key_policy(run) -> Registration:
    (policy,) = [p for p in run.find(KEY_POLICY) if "-global-" not in p.name]
    return policy


def decoded(value: Any) -> Any:
    """A provider input as data: the engine hands structured provider inputs over as JSON text."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value  # text that only starts like JSON
    return value


def group_roles(run: OfflineRun) -> dict[str, str]:
    """Security group id -> its role (`alb`, `app`, ...), from the ids the groups were registered with."""
    return {
        group.outputs["id"]: group.name.removesuffix("-sg").rsplit("-", 1)[-1] for group in run.find(SECURITY_GROUP)
    }


def group(run: OfflineRun, role: str) -> Registration:
    """The security group of one role."""
    (found,) = [g for g in run.find(SECURITY_GROUP) if g.name.endswith(f"-{role}-sg")]
    return found


@dataclass(frozen=True)
class Rule:
    """One security group rule, with group ids resolved to roles."""

    direction: str
    group: str
    port: int
    peer: str
    description: str
    inputs: dict[str, Any]


def rules(run: OfflineRun) -> list[Rule]:
    """Every ingress and egress rule of the run. The peer is a group's role, `pl:<id>` or the CIDR."""
    roles = group_roles(run)
    found = []
    for direction, type_ in (("ingress", INGRESS), ("egress", EGRESS)):
        for reg in run.find(type_):
            inputs = reg.inputs
            if inputs.get("referencedSecurityGroupId"):
                # A group the program does not make: the one CloudFront's VPC origins use.
                peer = roles.get(inputs["referencedSecurityGroupId"], VPC_ORIGINS)
            elif inputs.get("prefixListId"):
                peer = f"pl:{inputs['prefixListId']}"
            else:
                peer = inputs.get("cidrIpv4") or inputs.get("cidrIpv6") or "?"
            assert inputs["fromPort"] == inputs["toPort"], f"{reg.name} opens a port range"
            found.append(
                Rule(
                    direction=direction,
                    group=roles[inputs["securityGroupId"]],
                    port=int(inputs["fromPort"]),
                    peer=peer,
                    description=inputs.get("description") or "",
                    inputs=inputs,
                )
            )
    return found


def admitted(run: OfflineRun, role: str) -> set[tuple[int, str]]:
    """(port, peer) pairs a group admits."""
    return {(rule.port, rule.peer) for rule in rules(run) if rule.direction == "ingress" and rule.group == role}


def cloudfront_prefix_list(region: str) -> str:
    """The id the engine answers for CloudFront's origin-facing prefix list, as `rules` shows a peer."""
    answer, _ = AwsMocks(region).call(MockCallArgs(PREFIX_LIST_INVOKE, {"name": CLOUDFRONT_PREFIX_LIST}, ""))
    return f"pl:{answer['id']}"


SECRET_KEYS = {"password", "passwords", "authToken", "secretString", "masterPassword"}


def leaks(run) -> list[str]:
    """Every place in a plan (inputs, outputs, stack outputs) that holds a secret value or a secret-named key."""
    found = []

    def walk(where: str, value) -> None:
        value = decoded(value)
        if isinstance(value, dict):
            for key, item in value.items():
                if key in SECRET_KEYS and item and item != SECRET_SHOWN_AS:
                    found.append(f"{where}.{key}")
                walk(f"{where}.{key}", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{where}[{index}]", item)
        elif isinstance(value, str) and SECRET_VALUE_MARKER in value:
            found.append(where)

    for resource in manifest(run)["resources"]:
        walk(resource["name"], resource["inputs"])
    for registration in run.registrations:
        walk(f"{registration.name} (outputs)", registration.outputs)
    walk("stack outputs", run.outputs)
    return found


def _variant(stack: str, change: Callable[[StackValues], None]) -> OfflineRun:
    values = stack_values(stack)
    change(values)
    return run_offline("test", values)


@pytest.fixture(scope="session")
def endpoints_run() -> OfflineRun:
    """dev (single NAT) with interface endpoints."""
    return _variant("dev", lambda values: values["webstack:network"].update(interfaceEndpoints=True))


@pytest.fixture(scope="session")
def no_nat_run() -> OfflineRun:
    """dev without NAT gateways, with interface endpoints (they sit in the app subnets)."""
    return _variant(
        "dev", lambda values: values["webstack:network"].update(natGateways="none", interfaceEndpoints=True)
    )


@pytest.fixture(scope="session")
def internet_facing_run() -> OfflineRun:
    """prod with an internet-facing load balancer on CloudFront's prefix list and the secret origin header."""
    return _variant("prod", lambda values: values["webstack:edge"].update(vpcOrigin=False))
