"""Run the real Pulumi program offline against the mock engine and return what it registered.

Pulumi's runtime state is process-global; `run_offline` resets all of it (settings, root
stack, config, mocks) before each run, so runs in one process never leak into each other.
The program runs in update mode (not preview) so every `apply` executes and every value
in the result is known.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks

from config.errors import PlanError
from config.loader import REGION_KEY
from ops.mocks import MOCK_ACCOUNT_ID, AwsMocks, RecordingMonitor, Registration

# The SDK's runner (it awaits every RPC and re-raises the program's errors) is untyped; this is its signature.
_as_program = cast("Callable[[Callable[[], pulumi.Output[None]]], Callable[[], None]]", pulumi.runtime.test)

PROJECT = "webstack"
ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"


@dataclass(frozen=True)
class OfflineRun:
    """Everything one offline run of the program produced."""

    project: str
    stack: str
    registrations: tuple[Registration, ...]
    outputs: dict[str, Any]

    def find(self, type_: str, name: str | None = None) -> list[Registration]:
        """Registrations of one type (and name, when given), in registration order."""
        return [r for r in self.registrations if r.type == type_ and (name is None or r.name == name)]

    def one(self, type_: str, name: str | None = None) -> Registration:
        """The single registration of a type (and name); fails loudly when there is not exactly one."""
        found = self.find(type_, name)
        if len(found) != 1:
            raise LookupError(f"expected one {type_} {name or ''}, found {len(found)}")
        return found[0]


def pulumi_config_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Stack config as Pulumi hands it to a program: structured values as JSON text."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in values.items()}


def run_offline(
    stack: str,
    config_values: Mapping[str, Any],
    program: Callable[[], None] | None = None,
    *,
    mocks: AwsMocks | None = None,
) -> OfflineRun:
    """Run `program` (default: the project's `__main__.py`) with `config_values` under the mocks.

    `mocks` replaces the default `AwsMocks` for the config's region and account, e.g. to
    model a region with fewer availability zones.
    """
    if mocks is None:
        region = str(config_values.get(REGION_KEY) or "us-east-1")
        account = str(config_values.get("webstack:accountId") or MOCK_ACCOUNT_ID)
        mocks = AwsMocks(region=region, account_id=account)
    monitor = RecordingMonitor(mocks)

    settings.reset_options(project=PROJECT, stack=stack, preview=False)
    set_all_config(pulumi_config_values(config_values))
    set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)

    outputs: dict[str, Any] = {}

    @_as_program
    def execute() -> pulumi.Output[None]:
        (program or _main)()
        root = settings.get_root_resource()
        exported = getattr(root, "outputs", {})
        return pulumi.Output.from_input(exported).apply(outputs.update)

    try:
        execute()
    except PlanError:
        raise
    except pulumi.RunError as error:
        raise PlanError(str(error)) from error
    except Exception as error:  # any failure of the program is a failed plan
        raise PlanError(f"the program failed under the mock engine: {type(error).__name__}: {error}") from error
    if mocks.rejected:
        raise PlanError("the providers would reject the program:\n" + "\n".join(f"  - {r}" for r in mocks.rejected))
    return OfflineRun(PROJECT, stack, tuple(monitor.registrations), outputs)


def _main() -> None:
    runpy.run_path(str(PROGRAM), run_name="__main__")
