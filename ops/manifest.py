"""The offline plan as data (the `--json` manifest) and as the tree a reviewer reads."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from config.errors import WebstackError
from ops.engine import OfflineRun
from ops.mocks.monitor import Registration


def tree_order(run: OfflineRun) -> list[tuple[int, Registration]]:
    """Registrations depth-first from the roots, siblings by type then name: stable across runs."""
    by_parent: dict[str | None, list[Registration]] = {}
    urns = {registration.urn for registration in run.registrations}
    for registration in run.registrations:
        parent = registration.parent if registration.parent in urns else None
        by_parent.setdefault(parent, []).append(registration)
    ordered: list[tuple[int, Registration]] = []

    def visit(parent: str | None, depth: int) -> None:
        for registration in sorted(by_parent.get(parent, []), key=lambda r: (r.type, r.name)):
            ordered.append((depth, registration))
            visit(registration.urn, depth + 1)

    visit(None, 0)
    return ordered


def manifest(run: OfflineRun) -> dict[str, Any]:
    """The plan in the shape PR checks consume (`ops plan STACK --json`)."""
    return {
        "project": run.project,
        "stack": run.stack,
        "preview": run.preview,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "provider": r.provider,
                "inputs": r.inputs,
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "dependsOn": list(r.depends_on),
                # Sorted: the engine records them in the order the inputs resolved, which varies between runs.
                "propertyDependencies": {key: sorted(urns) for key, urns in r.property_dependencies.items()},
                "aliases": list(r.aliases),
                "deleteBeforeReplace": r.delete_before_replace,
                "ignoreChanges": list(r.ignore_changes),
                "modelled": r.modelled,
            }
            for _, r in tree_order(run)
        ],
        "outputs": run.outputs,
    }


def from_manifest(data: Mapping[str, Any]) -> OfflineRun:
    """The run a manifest describes (the JSON of `ops plan STACK --json`, parsed), e.g. a plan made at another
    commit. Registration-level outputs, provider maps and secret values are not in a manifest; what the diff
    compares (URNs, parents, providers, inputs, options, dependencies) is."""
    try:
        registrations = tuple(_registration(resource) for resource in data["resources"])
        return OfflineRun(
            project=str(data["project"]),
            stack=str(data["stack"]),
            registrations=registrations,
            outputs=dict(data.get("outputs") or {}),
            preview=bool(data.get("preview", False)),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ManifestError(f"not a plan manifest (`ops plan STACK --json`): {type(error).__name__}: {error}") from None


class ManifestError(WebstackError):
    """Raised when a manifest read back (from a file or another checkout's `ops plan --json`) lacks what a plan has."""


def _registration(resource: Mapping[str, Any]) -> Registration:
    return Registration(
        urn=str(resource["urn"]),
        type=str(resource["type"]),
        name=str(resource["name"]),
        custom=bool(resource["custom"]),
        parent=resource.get("parent"),
        provider=resource.get("provider"),
        inputs=dict(resource["inputs"]),
        protect=bool(resource.get("protect", False)),
        retain_on_delete=bool(resource.get("retainOnDelete", False)),
        depends_on=tuple(resource.get("dependsOn", ())),
        aliases=tuple(dict(alias) for alias in resource.get("aliases", ())),
        outputs={},
        property_dependencies={key: tuple(urns) for key, urns in (resource.get("propertyDependencies") or {}).items()},
        delete_before_replace=bool(resource.get("deleteBeforeReplace", False)),
        ignore_changes=tuple(resource.get("ignoreChanges", ())),
        modelled=bool(resource.get("modelled", False)),
    )


def to_json(run: OfflineRun) -> str:
    return json.dumps(manifest(run), indent=2, sort_keys=False, default=str)


def render_text(run: OfflineRun) -> str:
    """The resource tree with the options that matter, counts per type, and the stack outputs."""
    ordered = tree_order(run)
    custom = sum(1 for _, r in ordered if r.custom)
    modelled = sum(1 for _, r in ordered if r.modelled)
    mode = "preview (computed values unknown)" if run.preview else "plan"
    header = f"webstack {mode} · stack {run.stack} · {len(ordered)} resources"
    lines = [
        f"{header} ({custom} cloud, of which {modelled} modelled inside awsx; {len(ordered) - custom} components)",
        "",
    ]
    for depth, r in ordered:
        options = (("protect", r.protect), ("retainOnDelete", r.retain_on_delete), ("modelled", r.modelled))
        flags = [flag for flag, on in options if on]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(f"{'  ' * depth}{r.type}  {r.name}{suffix}")
    lines += ["", "Resources by type:"]
    counts = Counter(r.type for _, r in ordered)
    lines += [f"  {count:4d}  {type_}" for type_, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    lines += ["", "Outputs:"]
    lines += [f"  {name}: {json.dumps(value, default=str)}" for name, value in run.outputs.items()]
    return "\n".join(lines)
