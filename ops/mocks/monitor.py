"""`RecordingMonitor`: the stock mock monitor, plus a record of every registration and its options.

It also refuses what the real engine refuses under `pulumi:disable-default-providers`: an
AWS resource or invoke without an explicit provider, and an awsx component not handed one.
For `awsx:ec2:Vpc` it records the children awsx will create (modelled, not registered).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.json_format import MessageToDict
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from ops.mocks.aws import AWSX_VPC, UNKNOWN_ID, AwsMocks, unwrapped
from ops.mocks.awsx_vpc import PARENT_TYPE, ModelledResource

STACK_TYPE = "pulumi:pulumi:Stack"
# Packages whose resources and functions the default provider would serve, which webstack disables.
PROVIDER_PACKAGES = ("aws",)


@dataclass(frozen=True)
class Registration:
    """One resource the program registered (or, `modelled`, that awsx will register), as the engine sees it."""

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
    # Input name -> URNs of the resources its value came from (the engine's property dependencies).
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    delete_before_replace: bool = False
    ignore_changes: tuple[str, ...] = ()
    # True for the children awsx will create, modelled from its allocation rather than registered by the program.
    modelled: bool = False
    # The plain values of the inputs shown as [secret], as the engine keeps them encrypted in state: what an
    # after-run check or a test may compare, never printed (the manifest and the diff use `inputs`).
    secret_inputs: dict[str, Any] = field(default_factory=dict, repr=False)


class RecordingMonitor(MockMonitor):
    """The stock mock monitor, plus a record of every registration and its options."""

    def __init__(self, mocks: AwsMocks) -> None:
        super().__init__(mocks)
        self.aws = mocks
        self.registrations: list[Registration] = []
        self._lock = threading.Lock()

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (the gRPC method name)
        package = request.tok.split(":", 1)[0]
        if package in PROVIDER_PACKAGES and not request.provider:
            raise RuntimeError(
                f"{request.tok} was invoked without an explicit provider; pulumi:disable-default-providers makes "
                "the engine refuse it: pass `provider=` (or a `parent=` that has one) in its InvokeOptions"
            )
        return super().Invoke(request)  # type: ignore[no-untyped-call]  # untyped in the SDK

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]  # untyped in the SDK
        if request.type == STACK_TYPE:
            return response
        self._check_provider(request)
        received = rpc.deserialize_properties(request.object)
        inputs = masked(received)
        by_property = {key: tuple(deps.urns) for key, deps in request.propertyDependencies.items() if deps.urns}
        implicit = {urn for urns in by_property.values() for urn in urns}
        providers = {package: _provider_urn(ref) or ref for package, ref in request.providers.items()}
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
            outputs=masked(self.resources[response.urn].state),
            providers=providers,
            property_dependencies=by_property,
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=tuple(request.ignoreChanges),
            secret_inputs={key: unwrapped(received[key]) for key, value in inputs.items() if value != received[key]},
        )
        children = self._modelled_children(record) if request.type == AWSX_VPC else []
        with self._lock:
            self.registrations.append(record)
            self.registrations.extend(children)
        return response

    def _check_provider(self, request: Any) -> None:
        package = request.type.split(":", 1)[0]
        if request.custom and package in PROVIDER_PACKAGES and not request.provider:
            self.aws.rejected.append(
                f"{request.type} {request.name} has no explicit provider; pulumi:disable-default-providers makes "
                "the engine refuse it: give it (or its parent) one of the stack's providers"
            )
        if request.type == AWSX_VPC and "aws" not in request.providers:
            self.aws.rejected.append(
                f"{request.type} {request.name} was not handed an aws provider; its children would use the "
                "disabled default one: pass `providers=[...]` (or a parent that has them)"
            )

    def _modelled_children(self, vpc: Registration) -> list[Registration]:
        """The children awsx will create for this VPC, with URNs as awsx's parent chain makes them."""
        children: list[Registration] = []
        urns: dict[tuple[str, str], str] = {}
        ids: dict[str, str] = {}
        provider = vpc.providers.get("aws")
        for child in self.aws.modelled.get(vpc.name, ()):
            parent = urns[(PARENT_TYPE[child.type], child.parent)] if child.parent else vpc.urn
            urn = self.make_urn(parent, child.type, child.name)
            urns[(child.type, child.name)] = urn
            children.append(_modelled(child, urn, parent, provider, ids))
            if child.outputs.get("id") not in (None, UNKNOWN_ID):
                ids[str(child.outputs["id"])] = urn
        return children


def _modelled(
    child: ModelledResource, urn: str, parent: str, provider: str | None, ids: dict[str, str]
) -> Registration:
    # An input that carries an earlier child's id depends on that child, as in the real engine.
    depends: dict[str, tuple[str, ...]] = {
        key: (ids[value],) for key, value in child.inputs.items() if isinstance(value, str) and value in ids
    }
    return Registration(
        urn=urn,
        type=child.type,
        name=child.name,
        custom=True,
        parent=parent,
        provider=provider,
        inputs=child.inputs,
        protect=False,
        retain_on_delete=False,
        depends_on=(),
        aliases=(),
        outputs=child.outputs,
        property_dependencies=depends,
        modelled=True,
    )


SECRET_SHOWN_AS = "[secret]"


def masked(value: Any) -> Any:
    """`value` with every secret shown as the engine shows it in a plan: `[secret]`, never its text."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:  # the engine's own marker
            return SECRET_SHOWN_AS
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def _provider_urn(reference: str) -> str | None:
    """A provider reference is `<urn>::<id>`; keep the URN."""
    if not reference:
        return None
    return reference.rsplit("::", 1)[0]
