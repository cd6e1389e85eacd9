"""The one view of a stack the rules read, from the real engine (CrossGuard) or from the offline plan.

`pulumi preview --policy-pack policy` hands each stack policy a `StackValidationArgs`; `ops check`
has the offline plan's registrations. Both become a `Stack` of `Resource`s: type, URN, inputs
(camelCase, as on the wire), `protect`, parent and the resources each input came from. In a real
preview an input that is not known yet raises CrossGuard's `UnknownValueError` when a rule reads
it; the pack reports such a rule as not applicable rather than guessing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

PROVIDER = "pulumi:providers:aws"
# How a manifest (`ops plan --json`) shows a secret value.
MASKED = "[secret]"


class NotKnown(Exception):  # noqa: N818 (a state, not a failure)
    """A rule read a value the view cannot show: a secret in a manifest. The rule does not apply."""


@dataclass(frozen=True)
class Resource:
    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False
    parent: str | None = None
    # Input name -> URNs of the resources its value came from.
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, *path: str | int) -> Any:
        """A nested input, or None when any step is missing (`get("viewerCertificate", "acmCertificateArn")`)."""
        value: Any = self.props
        for step in path:
            if isinstance(step, int):
                value = value[step] if is_list(value) and -len(value) <= step < len(value) else None
            else:
                value = value.get(step) if isinstance(value, Mapping) else None
            value = _revealed(value)
            if value is None:
                return None
            if value == MASKED:
                raise NotKnown(".".join(str(part) for part in path))
        return value

    def document(self, key: str) -> Any:
        """An input that holds JSON text (a policy, container definitions), parsed; None when absent."""
        text = self.get(key)
        return json.loads(text) if isinstance(text, str) and text else None


@dataclass(frozen=True)
class Stack:
    resources: tuple[Resource, ...]

    def of(self, *types: str) -> list[Resource]:
        return [resource for resource in self.resources if resource.type in types]

    def sources(self, resource: Resource, key: str) -> list[Resource]:
        """The resources the input `key` of `resource` came from."""
        urns = set(resource.property_dependencies.get(key, ()))
        return [candidate for candidate in self.resources if candidate.urn in urns]

    def consumers(self, resource: Resource, type_: str, key: str) -> list[Resource]:
        """The resources of `type_` whose input `key` came from `resource` (a bucket's policy, ...)."""
        return [r for r in self.of(type_) if resource.urn in r.property_dependencies.get(key, ())]

    @property
    def environment(self) -> str | None:
        """The tier the providers tag every resource with (`Environment`), or None if they do not."""
        for provider in self.of(PROVIDER):
            tags = default_tags(provider)
            if "Environment" in tags:
                return str(tags["Environment"])
        return None

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"


def _revealed(value: Any) -> Any:
    """What a CrossGuard `Secret` holds (a rule reads it; messages never quote it)."""
    return value.value if type(value).__name__ == "Secret" and hasattr(value, "value") else value


def default_tags(provider: Resource) -> Mapping[str, Any]:
    """A provider's default tags. Provider inputs reach the engine as text, objects as JSON."""
    value = provider.props.get("defaultTags")
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    tags = value.get("tags") if isinstance(value, Mapping) else None
    return tags if isinstance(tags, Mapping) else {}


def is_list(value: Any) -> bool:
    """A list of values (CrossGuard's proxies are Sequences, not lists; text is not a list)."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def as_list(value: Any) -> list[Any]:
    """A value that AWS accepts as one item or a list of them, as a list."""
    if value is None:
        return []
    return list(value) if is_list(value) else [value]


# -- from the offline plan -------------------------------------------------------------------------------------


class _Registration(Protocol):
    """What the rules need of an offline registration (ops.mocks.monitor.Registration)."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def custom(self) -> bool: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def secret_inputs(self) -> dict[str, Any]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def property_dependencies(self) -> dict[str, tuple[str, ...]]: ...


def from_registrations(registrations: Iterable[_Registration]) -> Stack:
    """The offline plan's resources (ops.engine.OfflineRun.registrations), components left out. Rules see the
    values the plan shows as [secret], as CrossGuard's rules do."""
    return Stack(
        tuple(
            Resource(
                r.type,
                r.urn,
                r.name,
                {**r.inputs, **r.secret_inputs},
                r.protect,
                r.parent,
                dict(r.property_dependencies),
            )
            for r in registrations
            if r.custom
        )
    )


# -- from a manifest -------------------------------------------------------------------------------------------------


def from_manifest(data: Mapping[str, Any]) -> Stack:
    """A plan's JSON manifest (`python -m ops plan STACK --json`): secret values show as [secret], which a
    rule that needs one cannot judge."""
    return Stack(
        tuple(
            Resource(
                r["type"],
                r["urn"],
                r["name"],
                r.get("inputs") or {},
                bool(r.get("protect")),
                r.get("parent"),
                {key: tuple(urns) for key, urns in (r.get("propertyDependencies") or {}).items()},
            )
            for r in data["resources"]
            if r.get("custom")
        )
    )


# -- from the real engine ------------------------------------------------------------------------------------------


def from_policy_args(args: Any) -> Stack:
    """A CrossGuard `StackValidationArgs` (pulumi_policy) as a `Stack`, with the providers the resources name
    (their default tags say the stack's tier)."""
    resources = {
        resource.urn: Resource(
            resource.resource_type,
            resource.urn,
            resource.name,
            resource.props,
            bool(resource.opts.protect),
            resource.parent.urn if resource.parent is not None else None,
            {key: tuple(dep.urn for dep in deps) for key, deps in resource.property_dependencies.items()},
        )
        for resource in args.resources
    }
    for resource in args.resources:
        provider = resource.provider
        if provider is not None and provider.urn not in resources:
            resources[provider.urn] = Resource(provider.resource_type, provider.urn, provider.name, provider.props)
    return Stack(tuple(resources.values()))
