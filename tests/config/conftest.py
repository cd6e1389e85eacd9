"""Helpers for the config tests: set one config key by its dotted path, and collect a rejection's problems.

The stack values come from `dev_values` / `prod_values` in tests/conftest.py; a test changes
one key with `put` and reads what `parse_config` said about it with `rejected`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from config import ConfigError, parse_config

MINIMAL = {"aws:region": "eu-west-1", "webstack:owner": "platform-team", "webstack:costCenter": "engineering"}
# What prod needs beyond the preset: an account to pin, a domain for HTTPS end to end, a pinned image.
PROD_REQUIRED = {
    "webstack:accountId": "123456789012",
    "webstack:edge": {"domainName": "app.example.com", "hostedZoneId": "Z0123456789", "hostedZoneName": "example.com"},
    "webstack:compute": {"image": "public.ecr.aws/nginx/nginx:1.27"},
}


def _put(values: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set `network.flowLogs.enabled` (a `webstack:` key) or `aws:region` in stack values, making sections."""
    if ":" in path.split(".")[0]:
        values[path] = value
        return values
    section, *rest = path.split(".")
    if not rest:
        values[f"webstack:{section}"] = value
        return values
    node = values.setdefault(f"webstack:{section}", {})
    for part in rest[:-1]:
        node = node.setdefault(part, {})
    node[rest[-1]] = value
    return values


@pytest.fixture
def put() -> Callable[[dict[str, Any], str, Any], dict[str, Any]]:
    """`put(values, "data.postgres.multiAz", False)` sets one key in place and returns the values."""
    return _put


@pytest.fixture
def minimal() -> Callable[[str], dict[str, Any]]:
    """The fewest keys a stack of a tier needs: everything else comes from the tier's preset."""

    def build(tier: str) -> dict[str, Any]:
        values: dict[str, Any] = {**MINIMAL, "webstack:environment": tier}
        if tier == "prod":
            values.update(copy.deepcopy(PROD_REQUIRED))
        return values

    return build


@pytest.fixture
def rejected() -> Callable[[dict[str, Any]], dict[str, str]]:
    """Validate values that must fail; return {full config key: message} of every problem."""

    def run(values: dict[str, Any]) -> dict[str, str]:
        with pytest.raises(ConfigError) as caught:
            parse_config(values, source="test stack")
        return {problem.key: problem.message for problem in caught.value.problems}

    return run
