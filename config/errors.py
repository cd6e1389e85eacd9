"""The exception tree of webstack: one base class, one subclass per way a run can fail.

Each message says what happened and how to fix it; `ops.main` prints it without a
traceback. Nothing here logs: the boundary decides what the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from config.text import printable


class WebstackError(Exception):
    """Base of every error webstack raises on purpose. Exit code 1 unless a subclass says."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stack configuration, named by its full config key."""

    key: str
    message: str

    def __str__(self) -> str:
        # Keys and values come from the stack file: never let them reach a terminal raw.
        return f"{printable(self.key)}: {printable(self.message)}"


class ConfigError(WebstackError):
    """Raised when a stack configuration is invalid; carries every problem found at once."""

    exit_code = 2

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"{printable(source)}: {count} configuration problem{'s' if count != 1 else ''}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class StackFileError(WebstackError):
    """Raised when a stack file cannot be found or is not a YAML mapping with a `config:` block."""

    exit_code = 2


class PlanError(WebstackError):
    """Raised when the offline plan cannot complete (the program failed under the mock engine)."""


class MockCoverageError(PlanError):
    """Raised when the program calls a provider function the mock engine does not answer.

    The offline plan must never guess: an unknown invoke means the mock engine needs a
    realistic answer added in `ops/mocks.py` before the plan can be trusted.
    """
