"""What a change does to a stack, and whether it may: the review behind `python -m ops diff` (ops/plandiff.py).

Both sides are offline plans of one stack. The base is either a plan of this code with another
stack file, or the plan the repository made at a git ref (`plan_at_ref`): the ref's tree is
extracted to a temporary directory and planned there by its own `ops plan STACK --json`, since the
program itself may differ between the two.

The diff (ops/diff.py) lists what `pulumi up` would create, update, replace and delete. A resource
of a stateful type (ops/stateful.py) that is deleted, replaced, or renamed (its URN changed: a
delete and a create to the engine) is a finding that blocks, with its fix: the alias that keeps it,
or the revert, or accepting it on purpose by URN.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from config.errors import WebstackError
from config.loader import parse_config
from config.stackfile import read_stack_file, stack_file_name
from config.text import printable, quote
from ops.diff import Action, AliasIndex, Change, PlanDiff, diff_runs, urn_name, urn_type
from ops.engine import PROJECT, ROOT, OfflineRun, run_offline
from ops.manifest import ManifestError, from_manifest
from ops.mocks.monitor import Registration
from ops.replacement import known
from ops.stateful import is_stateful

# A plan takes seconds; a base that takes this long is stuck, not slow.
PLAN_TIMEOUT_SECONDS = 600
# How much of a failed base plan's stderr the error shows (its last lines say why).
STDERR_LINES = 20


class BaseRefError(WebstackError):
    """Raised when the base side of `ops diff` cannot be planned: an unknown git ref, no git repository,
    or the program or its stack file failing at that ref. Exit code 2: no diff was made."""

    exit_code = 2


@dataclass(frozen=True)
class Rename:
    """A resource whose URN changed: `pulumi up` deletes `before` and creates `after`."""

    before: Registration
    after: Registration
    # The fix: the aliases to add to `holder` (a URN of the head plan) so that the engine keeps the resource.
    holder: str
    alias: str


@dataclass(frozen=True)
class Finding:
    """A stateful resource the change would lose; `urns` are the URNs `--allow-replace` accepts it by."""

    urn: str
    reason: str
    fix: str
    urns: frozenset[str]


@dataclass(frozen=True)
class Review:
    """The diff of two plans of one stack, and what in it would lose data or traffic."""

    stack: str
    base: str
    head: str
    diff: PlanDiff
    renames: tuple[Rename, ...]
    blocking: tuple[Finding, ...]
    accepted: tuple[Finding, ...]
    # --allow-replace URNs that match no finding (a typo, or a finding already fixed).
    unmatched: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)


def review(before: OfflineRun, after: OfflineRun, *, base: str, head: str, allowed: Iterable[str] = ()) -> Review:
    """Compare two plans of a stack; every stateful resource lost by the change is a finding."""
    diff = diff_runs(before, after)
    renames = find_renames(diff, before, after)
    findings = [_renamed(rename) for rename in renames if is_stateful(rename.after.type)]
    renamed = {rename.before.urn for rename in renames}
    old = {r.urn: r for r in before.registrations}
    findings += [
        _deleted(old[change.urn])
        for change in diff.of(Action.DELETE)
        if is_stateful(change.type) and change.urn not in renamed
    ]
    findings += [_replaced(change) for change in diff.of(Action.REPLACE) if is_stateful(change.type)]

    allow = set(allowed)
    accepted = tuple(finding for finding in findings if finding.urns & allow)
    matched = {urn for finding in accepted for urn in finding.urns}
    warnings = tuple(
        f"{change.type} {change.name} changes ({', '.join(change.keys)}), and the replacement table "
        "(ops/replacement.py) does not know this type: check the provider's documentation for inputs "
        "that force a new resource"
        for change in diff.of(Action.UPDATE)
        if is_stateful(change.type) and not known(change.type)
    )
    return Review(
        stack=after.stack,
        base=base,
        head=head,
        diff=diff,
        renames=renames,
        blocking=tuple(finding for finding in findings if not finding.urns & allow),
        accepted=accepted,
        unmatched=tuple(urn for urn in dict.fromkeys(allowed) if urn not in matched),
        warnings=warnings,
    )


# -- renames -------------------------------------------------------------------------------------


def find_renames(diff: PlanDiff, before: OfflineRun, after: OfflineRun) -> tuple[Rename, ...]:
    """Deleted and created resources that are one resource under a new URN, and the alias that keeps each.

    A pair has the same type and either the same name (moved to another parent), the same name relative
    to a renamed parent (`{parent}-role`), or is the only one of its type that left and arrived under
    the same parent (renamed in place). A pair that is ambiguous stays a delete and a create.
    """
    old = {r.urn: r for r in before.registrations}
    new = {r.urn: r for r in after.registrations}
    deleted = [old[change.urn] for change in diff.of(Action.DELETE)]
    created = [new[change.urn] for change in diff.of(Action.CREATE)]
    pairs: list[tuple[Registration, Registration]] = []
    for same in (_same_name, _same_role, _same_parent):
        for gone in list(deleted):
            candidates = [c for c in created if c.type == gone.type and same(gone, c)]
            if len(candidates) != 1:
                continue
            (arrived,) = candidates
            if sum(1 for d in deleted if d.type == arrived.type and same(d, arrived)) != 1:
                continue
            pairs.append((gone, arrived))
            deleted.remove(gone)
            created.remove(arrived)
    return tuple(_with_fix(gone, arrived, old, after) for gone, arrived in pairs)


def _same_name(gone: Registration, arrived: Registration) -> bool:
    return gone.name == arrived.name


def _same_role(gone: Registration, arrived: Registration) -> bool:
    role = _role(gone)
    return role is not None and role == _role(arrived)


def _same_parent(gone: Registration, arrived: Registration) -> bool:
    return gone.parent == arrived.parent


def _role(registration: Registration) -> str | None:
    """The name without its parent's name in front (`-postgres` of `{parent}-postgres`), when it has it."""
    if not registration.parent:
        return None
    parent_name = urn_name(registration.parent)
    name = registration.name
    return name[len(parent_name) :] if name.startswith(parent_name) and len(name) > len(parent_name) else None


def _with_fix(gone: Registration, arrived: Registration, old: Mapping[str, Registration], after: OfflineRun) -> Rename:
    """The rename, with the alias that keeps it: on the renamed component that carries it along when there is
    one (its children inherit the alias), else on the resource itself."""
    component = _renamed_component(gone, arrived, old, after)
    if component is not None:
        urn, previous_name = component
        alias = f'pulumi.Alias(name="{previous_name}")'
        if _alias_keeps(after, urn, {"spec": {"name": previous_name}}, arrived.urn, gone.urn):
            return Rename(gone, arrived, urn, alias)
    parts = []
    if gone.name != arrived.name:
        parts.append(f'name="{gone.name}"')
    if gone.parent != arrived.parent:
        parts.append(f'parent="{gone.parent}"' if gone.parent else "parent=None")
    return Rename(gone, arrived, arrived.urn, f"pulumi.Alias({', '.join(parts)})")


def _renamed_component(
    gone: Registration, arrived: Registration, old: Mapping[str, Registration], after: OfflineRun
) -> tuple[str, str] | None:
    """The outermost ancestor that was renamed in place (same type, same grandparent) and its old name."""
    new = {r.urn: r for r in after.registrations}
    found: tuple[str, str] | None = None
    was, now = gone.parent, arrived.parent
    while was and now and was != now and was not in new and now not in old and urn_type(was) == urn_type(now):
        found = (now, urn_name(was))
        was = old[was].parent if was in old else None
        now = new[now].parent if now in new else None
    return found if was == now else None


def _alias_keeps(after: OfflineRun, holder: str, alias: dict[str, Any], urn: str, previous: str) -> bool:
    """Whether giving `holder` this alias makes the engine see `urn` as `previous` (names must follow the
    `{parent}-role` rule all the way down for an alias to reach a grandchild)."""
    registrations = [replace(r, aliases=(*r.aliases, alias)) if r.urn == holder else r for r in after.registrations]
    return previous in AliasIndex(registrations).of(urn)


# -- findings ------------------------------------------------------------------------------------


def _renamed(rename: Rename) -> Finding:
    gone, arrived = rename.before, rename.after
    moved = gone.parent != arrived.parent
    what = "moved to another parent" if moved and gone.name == arrived.name else "renamed"
    reason = f"{arrived.type} {gone.name} is {what} (it was {gone.urn}): `pulumi up` deletes it and creates a new one"
    if gone.protect:
        reason += "; it is protected, so `pulumi up` fails after creating the new one"
    where = (
        "to the resource"
        if rename.holder == arrived.urn
        else f"to its component {urn_type(rename.holder)} {urn_name(rename.holder)} (its children inherit it)"
    )
    fix = (
        f"add `opts=pulumi.ResourceOptions(aliases=[{rename.alias}])` {where}, merged with its other "
        f"options; or, if a new one is meant, accept it with --allow-replace {arrived.urn}"
    )
    return Finding(arrived.urn, reason, fix, frozenset({arrived.urn, gone.urn}))


def _deleted(registration: Registration) -> Finding:
    reason = f"{registration.type} {registration.name} is deleted, and what it holds with it"
    fix = "restore it in the program if it should stay"
    if registration.protect:
        fix += (
            f" (it is protected: `pulumi up` refuses to delete it until `pulumi state unprotect '{registration.urn}'`)"
        )
    fix += f"; if it goes on purpose, keep a backup and accept it with --allow-replace {registration.urn}"
    return Finding(registration.urn, reason, fix, frozenset({registration.urn}))


def _replaced(change: Change) -> Finding:
    inputs = [f"`{key}`" for key in change.keys if " <- " not in key]
    causes = [f"the provider cannot change {', '.join(inputs)} in place"] if inputs else []
    for key in change.keys:
        if " <- " in key:
            name, source = key.split(" <- ", 1)
            causes.append(f"`{name}` comes from {source}, which is replaced")
    reason = f"{change.type} {change.name} is replaced by a new, empty one: {'; '.join(causes)}"
    fix = (
        "revert that change; if a new one is meant, move its data first and accept it with "
        f"--allow-replace {change.urn}"
    )
    return Finding(change.urn, reason, fix, frozenset({change.urn}))


# -- the two sides -------------------------------------------------------------------------------


def plan_file(stack: str, path: Path) -> OfflineRun:
    """The offline plan of the working tree's program with a stack file; bad config stops it first (exit 2)."""
    values = read_stack_file(path)
    parse_config(values, source=printable(str(path)))
    return run_offline(stack, values)


def resolve_ref(ref: str, *, root: Path = ROOT) -> str:
    """The commit a git ref of the repository at `root` names; a clear error for anything else."""
    if not ref or ref.startswith("-"):
        raise BaseRefError(f"--base {quote(ref)}: not a git ref (a branch, tag or commit)")
    done = _run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode != 0:
        said = printable(done.stderr.decode(errors="replace").strip())
        detail = f" ({said})" if said else ""
        raise BaseRefError(f"--base {quote(ref)}: no such commit, branch or tag in {root}{detail}")
    return done.stdout.decode().strip()


def plan_at_commit(stack: str, commit: str, *, root: Path = ROOT) -> OfflineRun:
    """The plan of `stack` by the repository as it was at `commit`: its code and its stack file, planned by its
    own `ops plan STACK --json` in a copy. A stack whose file did not exist then is empty: all of it is new."""
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    with tempfile.TemporaryDirectory(prefix="webstack-base-") as directory:
        archive = _git(root, "archive", "--format=tar", f"{commit}:{prefix}")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(directory, filter="data")
        if not (Path(directory) / stack_file_name(stack)).is_file():
            return OfflineRun(PROJECT, stack, (), {})
        paths = os.pathsep.join(filter(None, (directory, os.environ.get("PYTHONPATH"))))
        try:
            planned = subprocess.run(
                [sys.executable, "-m", "ops", "plan", stack, "--json"],
                cwd=directory,
                env={**os.environ, "PYTHONPATH": paths},
                capture_output=True,
                text=True,
                timeout=PLAN_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BaseRefError(f"the plan of {stack} at {commit[:7]} took over {PLAN_TIMEOUT_SECONDS} s") from None
    if planned.returncode != 0:
        said = "\n".join(f"  {printable(line)}" for line in planned.stderr.strip().splitlines()[-STDERR_LINES:])
        raise BaseRefError(
            f"the plan of {stack} at {commit[:7]} failed (exit {planned.returncode}); fix the base or diff against "
            f"another one:\n{said}"
        )
    try:
        return from_manifest(json.loads(planned.stdout))
    except (json.JSONDecodeError, ManifestError) as error:
        raise BaseRefError(f"`ops plan {stack} --json` at {commit[:7]} printed no plan manifest: {error}") from None


def _git(root: Path, *args: str) -> bytes:
    done = _run_git(root, *args)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
        raise BaseRefError(f"git {args[0]} failed in {root}: {printable(said)}")
    return done.stdout


def _run_git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise BaseRefError("--base needs git, which is not installed; use --base-config FILE instead") from None


# -- rendering -----------------------------------------------------------------------------------

_ORDER = (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)


def render_text(result: Review) -> str:
    """The report a reviewer reads: every change by action, the renames, then what blocks and how to fix it."""
    lines = [f"ops diff · stack {result.stack} · {result.base} -> {result.head}", ""]
    renamed = {urn for rename in result.renames for urn in (rename.before.urn, rename.after.urn)}
    shown = [c for c in result.diff.changes if c.urn not in renamed]
    if not result.diff.changes:
        lines.append("No changes.")
    for action in _ORDER:
        for change in sorted((c for c in shown if c.action is action), key=lambda c: (c.type, c.name)):
            lines.append(f"  {action.value:<8} {change.type}  {change.name}{_flag(change.type)}{_keys(change)}")
    for rename in result.renames:
        gone, arrived = rename.before, rename.after
        lines.append(f"  {'rename':<8} {arrived.type}  {gone.name} -> {arrived.name}{_flag(arrived.type)}")
    if result.diff.changes:
        counts = {action: len(result.diff.of(action)) for action in _ORDER}
        summary = ", ".join(f"{counts[action]} to {action.value}" for action in _ORDER)
        renames = f" ({len(result.renames)} of the deletions are renames)" if result.renames else ""
        lines += ["", summary + renames]
    for title, findings in (("Blocking", result.blocking), ("Accepted with --allow-replace", result.accepted)):
        if findings:
            lines += ["", f"{title} ({len(findings)}):"]
            for finding in findings:
                lines += [f"  - {finding.urn}", f"    why: {finding.reason}", f"    fix: {finding.fix}"]
    notes = [*result.warnings, *(f"--allow-replace {urn} matches nothing in this diff" for urn in result.unmatched)]
    if notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in notes)]
    verdict = (
        f"blocked: {len(result.blocking)} stateful resource(s) would be lost (exit 1)"
        if result.blocked
        else "ok: no stateful resource is deleted, replaced or renamed"
    )
    lines += ["", verdict]
    return "\n".join(lines)


def _flag(type_: str) -> str:
    return "  [stateful]" if is_stateful(type_) else ""


def _keys(change: Change) -> str:
    if not change.keys:
        return ""
    label = "forced by" if change.action is Action.REPLACE else "changed"
    return f"  {label}: {', '.join(change.keys)}"


def as_json(result: Review) -> dict[str, Any]:
    """The review for machines: every change as `pulumi up` acts on it, the renames, and the findings."""

    def finding(item: Finding) -> dict[str, str]:
        return {"urn": item.urn, "reason": item.reason, "fix": item.fix}

    return {
        "stack": result.stack,
        "base": result.base,
        "head": result.head,
        "changes": [
            {
                "action": change.action.value,
                "urn": change.urn,
                "type": change.type,
                "name": change.name,
                "keys": list(change.keys),
                "stateful": is_stateful(change.type),
            }
            for change in result.diff.changes
        ],
        "renames": [
            {
                "from": rename.before.urn,
                "to": rename.after.urn,
                "type": rename.after.type,
                "alias": rename.alias,
                "aliasOn": rename.holder,
            }
            for rename in result.renames
        ],
        "blocking": [finding(item) for item in result.blocking],
        "accepted": [finding(item) for item in result.accepted],
        "warnings": [*result.warnings, *(f"--allow-replace {urn} matches nothing" for urn in result.unmatched)],
    }
