"""What `pulumi up` would do to go from one plan to another: create, delete, update or replace.

Two offline plans of the same stack (before and after a config or code change) are compared
resource by resource, by URN (a resource whose alias names the old URN, its own or one it inherits
from a renamed or moved parent, is the same resource).
A changed input updates a resource in place unless the provider must replace it for that
input (ops/replacement.py, read from the provider's schema); a replacement then reaches every
resource whose replace-forcing input came from it, as in the real engine. This is how the
growth tests prove that a change a user will make later never replaces what holds data or
traffic, and what `ops diff` (ops/plandiff.py) shows a pull request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ops.engine import OfflineRun
from ops.mocks.monitor import Registration
from ops.replacement import forces_replacement

PROVIDER_PREFIX = "pulumi:providers:"
# A provider for another region manages other resources: changing it replaces every resource it manages.
PROVIDER_REPLACE_ON_CHANGE = frozenset({"region"})


class Action(StrEnum):
    CREATE = "create"
    DELETE = "delete"
    UPDATE = "update"
    REPLACE = "replace"


@dataclass(frozen=True)
class Change:
    """One resource `pulumi up` would touch, and the inputs that make it do so."""

    action: Action
    urn: str
    type: str
    name: str
    # For an update, the changed inputs; for a replacement, the inputs that force it (or the replaced
    # resource it depends on, as `<input> <- <name>`).
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanDiff:
    changes: tuple[Change, ...]

    def of(self, action: Action, type_: str | None = None) -> list[Change]:
        return [c for c in self.changes if c.action is action and (type_ is None or c.type == type_)]

    @property
    def touched_urns(self) -> set[str]:
        return {change.urn for change in self.changes}


def diff_runs(before: OfflineRun, after: OfflineRun) -> PlanDiff:
    """The changes that take the stack from `before` to `after`."""
    old = {r.urn: r for r in before.registrations if r.custom}
    new = {r.urn: r for r in after.registrations if r.custom}
    aliases = AliasIndex(after.registrations)
    renamed = {urn: _previous_urn(reg, old, aliases) for urn, reg in new.items()}
    matched = {urn: previous for urn, previous in renamed.items() if previous is not None}

    replaced: dict[str, tuple[str, ...]] = {}
    updated: dict[str, tuple[str, ...]] = {}
    for urn, previous in matched.items():
        changed = _changed_inputs(old[previous].inputs, new[urn].inputs)
        if not changed:
            continue
        forced = _forced(new[urn].type, changed)
        if forced:
            replaced[urn] = tuple(sorted(forced))
        else:
            updated[urn] = tuple(sorted(changed))
    _cascade(new, matched, replaced, updated)

    changes = [Change(Action.CREATE, urn, new[urn].type, new[urn].name) for urn in new if urn not in matched]
    gone = set(old) - set(matched.values())
    changes += [Change(Action.DELETE, urn, old[urn].type, old[urn].name) for urn in old if urn in gone]
    changes += [Change(Action.REPLACE, urn, new[urn].type, new[urn].name, keys) for urn, keys in replaced.items()]
    changes += [
        Change(Action.UPDATE, urn, new[urn].type, new[urn].name, keys)
        for urn, keys in updated.items()
        if urn not in replaced
    ]
    return PlanDiff(tuple(sorted(changes, key=lambda c: (c.action.value, c.type, c.name))))


def _previous_urn(registration: Registration, old: Mapping[str, Registration], aliases: AliasIndex) -> str | None:
    if registration.urn in old:
        return registration.urn
    return next((urn for urn in aliases.of(registration.urn) if urn in old), None)


class AliasIndex:
    """The URNs each resource of a plan may have had before, as the engine derives them from its aliases.

    As the engine does (`generateAliases`): a resource's own aliases, each a URN or a spec whose
    unset name, type and parent default to the resource's; then, for every alias of its parent, the
    URN it had under that alias, its name re-prefixed when it starts with the parent's name
    (`{parent}-role`), alone and combined with each of its own aliases. A renamed or moved
    component thus carries its children along.
    """

    def __init__(self, registrations: Iterable[Registration]) -> None:
        self._by_urn = {registration.urn: registration for registration in registrations}
        self._memo: dict[str, tuple[str, ...]] = {}

    def of(self, urn: str) -> tuple[str, ...]:
        """Every earlier URN the resource `urn` answers to (none for a URN not in the plan)."""
        if urn not in self._memo:
            registration = self._by_urn.get(urn)
            self._memo[urn] = self._compute(registration) if registration is not None else ()
        return self._memo[urn]

    def _compute(self, registration: Registration) -> tuple[str, ...]:
        own = [urn for urn in (_collapse(registration, alias) for alias in registration.aliases) if urn]
        found = dict.fromkeys(own)
        parent = registration.parent
        if parent:
            parent_name = urn_name(parent)
            for parent_alias in self.of(parent):
                name = registration.name
                if name.startswith(parent_name):
                    name = urn_name(parent_alias) + name[len(parent_name) :]
                found[_make_urn(parent_alias, registration.type, name)] = None
                for alias in own:
                    found[_make_urn(parent_alias, urn_type(alias), urn_name(alias))] = None
        found.pop(registration.urn, None)
        return tuple(found)


def _collapse(registration: Registration, alias: Mapping[str, Any]) -> str | None:
    """The URN an alias (as the monitor received it: a URN or a spec) names; None when it names nothing."""
    urn = alias.get("urn")
    if isinstance(urn, str) and urn:
        return urn
    spec = alias.get("spec")
    if not isinstance(spec, Mapping):
        return None
    stack, project = registration.urn.split("::")[:2]
    if spec.get("stack"):
        stack = f"urn:pulumi:{spec['stack']}"
    if spec.get("project"):
        project = str(spec["project"])
    parent = None if spec.get("noParent") else spec.get("parentUrn") or registration.parent
    qualified = _qualified(parent, str(spec.get("type") or registration.type))
    return "::".join((stack, project, qualified, str(spec.get("name") or registration.name)))


def _make_urn(parent: str, type_: str, name: str) -> str:
    """A child's URN as the mock engine makes it (`MockMonitor.make_urn`), which the plans' URNs come from."""
    stack, project = parent.split("::")[:2]
    return "::".join((stack, project, _qualified(parent, type_), name))


def _qualified(parent: str | None, type_: str) -> str:
    # The mock engine qualifies a type with its parent's own type only (the real engine: the whole chain).
    return f"{urn_type(parent)}${type_}" if parent else type_


def urn_type(urn: str) -> str:
    """The resource's own type in a URN (the last of its parent-qualified types)."""
    return urn.split("::")[2].split("$")[-1]


def urn_name(urn: str) -> str:
    """The logical name in a URN."""
    return urn.split("::", 3)[3]


def _changed_inputs(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    return {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


def _forced(type_: str, changed: Iterable[str]) -> frozenset[str]:
    if type_.startswith(PROVIDER_PREFIX):
        return frozenset(changed) & PROVIDER_REPLACE_ON_CHANGE
    return forces_replacement(type_, changed)


def _cascade(
    new: Mapping[str, Registration],
    matched: Mapping[str, str],
    replaced: dict[str, tuple[str, ...]],
    updated: dict[str, tuple[str, ...]],
) -> None:
    """A replaced resource gets a new id: whatever took an input from it changes too, until nothing does."""
    changed = True
    while changed:
        changed = False
        for urn, registration in new.items():
            if urn not in matched or urn in replaced:
                continue
            sources = {
                key: [replaced_urn for replaced_urn in urns if replaced_urn in replaced]
                for key, urns in registration.property_dependencies.items()
            }
            if registration.provider in replaced:
                replaced[urn] = (f"provider <- {new[registration.provider].name}",)
                changed = True
                continue
            inputs = {key for key, urns in sources.items() if urns}
            if not inputs:
                continue
            forced = _forced(registration.type, inputs)
            if forced:
                replaced[urn] = tuple(f"{key} <- {new[sources[key][0]].name}" for key in sorted(forced))
                changed = True
            else:
                # The input will carry the replacement's new id or name: an update of that input.
                updated[urn] = tuple(sorted({*updated.get(urn, ()), *inputs}))
