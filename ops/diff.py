"""What `pulumi up` would do to go from one plan to another: create, delete, update or replace.

Two offline plans of the same stack (before and after a config or code change) are compared
resource by resource, by URN (a resource whose alias names the old URN is the same resource).
A changed input updates a resource in place unless the provider must replace it for that
input (ops/replacement.py, read from the provider's schema); a replacement then reaches every
resource whose replace-forcing input came from it, as in the real engine. This is how the
growth tests prove that a change a user will make later never replaces what holds data or
traffic, and what `ops diff` will show a pull request.
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
    renamed = {urn: _previous_urn(reg, old) for urn, reg in new.items()}
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


def _previous_urn(registration: Registration, old: Mapping[str, Registration]) -> str | None:
    if registration.urn in old:
        return registration.urn
    for alias in registration.aliases:
        name = alias.get("spec", {}).get("name")
        if isinstance(name, str) and name:
            candidate = registration.urn.rsplit("::", 1)[0] + "::" + name
            if candidate in old:
                return candidate
    return None


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
