"""Shared fixtures: stack configs as dicts, and offline runs of the real program under the mock engine.

Every run goes through `ops.engine.run_offline`, which resets Pulumi's process-global state
(settings, root stack, config, mocks) first, so no registration leaks from one test to another.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from config.loader import read_stack_file
from ops.engine import OfflineRun, run_offline

ROOT = Path(__file__).resolve().parent.parent

StackValues = dict[str, Any]


def stack_values(stack: str) -> StackValues:
    """The `config:` block of a shipped stack file, as a fresh dict a test may change."""
    return copy.deepcopy(read_stack_file(ROOT / f"Pulumi.{stack}.yaml"))


@pytest.fixture
def dev_values() -> StackValues:
    return stack_values("dev")


@pytest.fixture
def prod_values() -> StackValues:
    return stack_values("prod")


_RUN_CACHE: dict[str, OfflineRun] = {}


@pytest.fixture
def shipped_run() -> Callable[[str], OfflineRun]:
    """The offline run of a shipped stack; runs are read-only, so each stack runs once per session."""

    def run(stack: str) -> OfflineRun:
        if stack not in _RUN_CACHE:
            _RUN_CACHE[stack] = run_offline(stack, stack_values(stack))
        return _RUN_CACHE[stack]

    return run


_FILE_RUNS: dict[str, OfflineRun] = {}


@pytest.fixture
def stack_file_run(shipped_run: Callable[[str], OfflineRun]) -> Callable[[str], OfflineRun]:
    """The offline run of a stack file of the repository (`examples/Pulumi.prod-ec2.yaml`), once per session.
    Its stack is named after the file (`prod-ec2`), as `python -m ops plan` names it."""

    def run(relative: str) -> OfflineRun:
        stack = Path(relative).name.removeprefix("Pulumi.").removesuffix(".yaml")
        if relative == f"Pulumi.{stack}.yaml":
            return shipped_run(stack)
        if relative not in _FILE_RUNS:
            _FILE_RUNS[relative] = run_offline(stack, read_stack_file(ROOT / relative))
        return _FILE_RUNS[relative]

    return run


@pytest.fixture
def plan() -> Callable[..., OfflineRun]:
    """Run the real program on config values a test built."""

    def run(values: StackValues, stack: str = "test") -> OfflineRun:
        return run_offline(stack, values)

    return run
