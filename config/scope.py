"""The stack being validated: its tier and region, which section rules may read.

A section (`data.postgres`) cannot see the root's `environment` or `aws:region`, yet the
prod invariants and region checks depend on them. The root model binds a `StackScope`
while it validates, so the rules hold however a `StackConfig` is validated: through the
loader, `StackConfig.model_validate`, or an Automation API caller's own mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum


class Environment(StrEnum):
    """The environment tier: it picks the presets and switches on the prod invariants."""

    DEV = "dev"
    STAGE = "stage"
    PROD = "prod"


@dataclass(frozen=True)
class StackScope:
    """The tier and region of the stack being validated; None where unknown or invalid."""

    environment: Environment | None = None
    region: str | None = None


_SCOPE: ContextVar[StackScope] = ContextVar("webstack_stack_scope")
_NO_SCOPE = StackScope()


@contextmanager
def stack_scope(scope: StackScope) -> Iterator[None]:
    """Bind `scope` while a stack is validated (the root model does this itself)."""
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def current_scope() -> StackScope:
    """The scope bound by the stack being validated; empty outside one (a section validated alone)."""
    return _SCOPE.get(_NO_SCOPE)
