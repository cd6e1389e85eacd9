"""The component tests' plan of the internet-facing design, shared with the policy tests."""

from tests.components.conftest import internet_facing_run

__all__ = ["internet_facing_run"]
