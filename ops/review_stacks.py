"""Review stacks: a short-lived copy of a stack for a pull request (`pr-123`), cheap and safe to throw away.

The copy takes the base stack's identity (region, account, owner, image, app settings) and
drops what sizes or exposes it: it is always dev-tier (dev's presets size it, so nothing is
`protect`ed or kept on delete), serves on its CloudFront name (the base's domain and its DNS
records stay the base's), and pages no one. `--set key=value` overrides any key after that.
Its config is written to Pulumi.<name>.yaml, as every stack's is, and removed with the stack.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from config.errors import WebstackError
from config.loader import parse_config
from config.stackfile import read_stack_file
from config.text import quote
from ops import automation

NAMESPACE = "webstack"
# Shipped stacks a review stack must never overwrite.
RESERVED = frozenset({"dev", "stage", "prod"})
NAME = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
# What a review stack does not take from its base: the keys that size the stack, expose its domain or page
# people. Dev's presets fill them in.
DROPPED: dict[str, tuple[str, ...]] = {
    "network": ("availabilityZones", "availabilityZoneIds", "natGateways", "flowLogs", "interfaceEndpoints"),
    "edge": ("domainName", "hostedZoneId", "hostedZoneName", "includeWww", "waf", "priceClass", "hstsPreload"),
    "compute": ("containerInsights",),
    "data": ("postgres", "cache", "sessions"),
    "observability": ("alarmEmails", "alarmWebhookUrl", "monthlyBudgetUsd", "logRetentionDays", "accessLogs"),
    "usage": (),
}  # fmt: skip
# What sizes a service: dropped from the single app (directly under compute) and from each of compute.services.
SERVICE_SIZING = (
    "cpu", "memory", "instanceType", "desiredCount", "minCount", "maxCount", "onDemandBase", "spotPercent",
    "deployment",
)  # fmt: skip


class ReviewStackError(WebstackError):
    """Raised when a review stack's name or overrides cannot be used."""

    exit_code = 2


def review_values(base: Mapping[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """The review stack's config: the base's, made dev-tier and small, then `key=value` overrides applied."""
    values = copy.deepcopy(dict(base))
    values[f"{NAMESPACE}:environment"] = "dev"
    for section, keys in DROPPED.items():
        block = values.get(f"{NAMESPACE}:{section}")
        if isinstance(block, dict):
            for key in keys:
                block.pop(key, None)
    compute = values.get(f"{NAMESPACE}:compute")
    if isinstance(compute, dict):
        _drop_service_sizing(compute)
    for override in overrides:
        _apply(values, override)
    return values


def _drop_service_sizing(compute: dict[str, Any]) -> None:
    services = compute.get("services")
    members = [s for s in services.values() if isinstance(s, dict)] if isinstance(services, dict) else [compute]
    for service in members:
        for key in SERVICE_SIZING:
            service.pop(key, None)
    # A queue worker scales on Container Insights' task count, which dev's preset switches off.
    if any(service.get("queue") is not None for service in members):
        compute["containerInsights"] = "enabled"


def _apply(values: dict[str, Any], override: str) -> None:
    """`compute.image=repo:tag` or `webstack:compute.image=...`; the value is read as a YAML scalar."""
    key, separator, text = override.partition("=")
    if not separator or not key.strip():
        raise ReviewStackError(f"--set {quote(override)}: expected key=value, e.g. compute.image=repo/app:1.2")
    path = key.strip().removeprefix(f"{NAMESPACE}:").split(".")
    root = f"aws:{path[0]}" if path[0] == "region" else f"{NAMESPACE}:{path[0]}"
    value = yaml.safe_load(text) if text.strip() else ""
    if len(path) == 1:
        values[root] = value
        return
    block = values.setdefault(root, {})
    for part in path[1:-1]:
        if not isinstance(block, dict):
            raise ReviewStackError(f"--set {quote(key)}: {part} is not a section")
        block = block.setdefault(part, {})
    if not isinstance(block, dict):
        raise ReviewStackError(f"--set {quote(key)}: the parent of {path[-1]} is not a section")
    block[path[-1]] = value


def check_name(name: str) -> None:
    if name in RESERVED or not NAME.fullmatch(name):
        reserved = ", ".join(sorted(RESERVED))
        raise ReviewStackError(
            f"review stack name {quote(name)}: 2-40 lower-case letters, digits and hyphens, not {reserved}"
        )


def write_stack_file(name: str, base: str, overrides: Sequence[str]) -> Path:
    """Validate the review stack's config and write Pulumi.<name>.yaml; nothing is written if it is invalid."""
    check_name(name)
    base_values = read_stack_file(automation.stack_path(base))
    values = review_values(base_values, overrides)
    parse_config(values, source=f"review stack {name} (from {base})")  # bad overrides stop here, nothing written
    path = automation.stack_path(name)
    header = f"# Review stack {name}, from {base}{' with ' + ', '.join(overrides) if overrides else ''}. Made by\n"
    header += "# `python -m ops review up`; `python -m ops review destroy` removes it and this file.\n"
    path.write_text(header + yaml.safe_dump({"config": values}, sort_keys=True), encoding="utf-8")
    return path


def up(
    name: str, *, base: str, overrides: Sequence[str] = (), on_event: automation.OnEvent | None = None
) -> automation.Outcome:
    """Create (or update) the review stack `name` from `base` plus `overrides`, and deploy it."""
    write_stack_file(name, base, overrides)
    return automation.up(name, on_event=on_event)


def destroy(name: str, *, on_event: automation.OnEvent | None = None) -> automation.Outcome:
    """Destroy the review stack's resources, then the stack itself and its file."""
    check_name(name)
    outcome = automation.destroy(name, on_event=on_event)
    automation.remove(name)
    automation.stack_path(name).unlink(missing_ok=True)
    return outcome
