"""Run the real Pulumi program offline against the mock engine and return what it registered.

Pulumi's runtime state is process-global; `run_offline` resets all of it (settings, root
stack, config, mocks) before each run, so runs in one process never leak into each other.

By default the program runs in update mode: every `apply` executes and every value in the
result is known. With `preview=True` it runs as a `pulumi preview` does: computed outputs
are unknown and callbacks over them never run, so code that only works with known values
fails here before it fails in a pull-request check.
"""

from __future__ import annotations

import json
import os
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from unittest import mock

import pulumi
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.proto import source_pb2

from config.errors import PlanError
from config.loader import REGION_KEY
from ops.mocks import MOCK_ACCOUNT_ID, AwsMocks, RecordingMonitor, Registration
from ops.mocks.aws import UNKNOWN_ID
from ops.mocks.checks import AFTER_RUN_CHECKS
from ops.mocks.monitor import SECRET_SHOWN_AS

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
    preview: bool = False

    def find(self, type_: str, name: str | None = None, *, modelled: bool | None = None) -> list[Registration]:
        """Registrations of one type (and name, when given), in registration order.

        `modelled=False` keeps only what the program registered itself, `True` only the children
        modelled inside awsx, None both.
        """
        return [
            r
            for r in self.registrations
            if r.type == type_ and (name is None or r.name == name) and modelled in (None, r.modelled)
        ]

    def one(self, type_: str, name: str | None = None, *, modelled: bool | None = None) -> Registration:
        """The single registration of a type (and name); fails loudly when there is not exactly one."""
        found = self.find(type_, name, modelled=modelled)
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
    preview: bool = False,
) -> OfflineRun:
    """Run `program` (default: the project's `__main__.py`) with `config_values` under the mocks.

    `mocks` replaces the default `AwsMocks` for the config's region and account, e.g. to
    model a region with fewer availability zones. `preview` runs it as `pulumi preview` would.
    """
    if mocks is None:
        region = str(config_values.get(REGION_KEY) or "us-east-1")
        account = str(config_values.get("webstack:accountId") or MOCK_ACCOUNT_ID)
        mocks = AwsMocks(region=region, account_id=account, preview=preview)
    preview = mocks.preview
    monitor = RecordingMonitor(mocks)

    settings.reset_options(project=PROJECT, stack=stack, preview=preview)
    set_all_config(pulumi_config_values(config_values))
    set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)

    outputs: dict[str, Any] = {}

    @_as_program
    def execute() -> pulumi.Output[None]:
        (program or _main)()
        exported: dict[str, Any] = getattr(settings.get_root_resource(), "outputs", {})
        # Each output on its own: in a preview an unknown one must not hide the known ones.
        for name in exported:
            outputs[name] = UNKNOWN_ID
        recorded = [_record(outputs, name, value) for name, value in exported.items()]
        return pulumi.Output.all(*recorded).apply(lambda _: None)

    previous = os.environ.get(_OUTPUT_STRING_ERRORS)
    # An Output formatted into a string is a bug the real engine only warns about; here it fails the plan.
    os.environ[_OUTPUT_STRING_ERRORS] = "1"
    try:
        # The real engine records where each resource was declared; the mock engine keeps no such thing, and the
        # SDK stats and reads the source file of every frame to say it: a third of a plan's wall time.
        with mock.patch.object(runtime_resource, "_get_stack_trace", source_pb2.StackTrace):
            execute()
    except PlanError:
        raise
    except pulumi.RunError as error:
        raise PlanError(str(error)) from error
    except Exception as error:  # any failure of the program is a failed plan
        raise PlanError(f"the program failed under the mock engine: {type(error).__name__}: {error}") from error
    finally:
        if previous is None:
            os.environ.pop(_OUTPUT_STRING_ERRORS, None)
        else:
            os.environ[_OUTPUT_STRING_ERRORS] = previous
    registrations = tuple(monitor.registrations)
    rejected = [*mocks.rejected, *(problem for check in AFTER_RUN_CHECKS for problem in check(registrations))]
    if rejected:
        raise PlanError("the providers would reject the program:\n" + "\n".join(f"  - {r}" for r in rejected))
    return OfflineRun(PROJECT, stack, registrations, outputs, preview)


_OUTPUT_STRING_ERRORS = "PULUMI_ERROR_OUTPUT_STRING"


def _record(outputs: dict[str, Any], name: str, value: Any) -> pulumi.Output[None]:
    """Put the stack output `name` into `outputs` once it is known (never, for an unknown one in a preview);
    a secret one as the engine shows it, `[secret]`."""
    output = pulumi.Output.from_input(value)

    def keep(values: list[Any]) -> None:
        known, secret = values
        outputs[name] = SECRET_SHOWN_AS if secret else known

    # The SDK offers no public accessor for an output's secretness; the engine reads the same flag.
    secret: pulumi.Output[bool] = pulumi.Output.from_input(output._is_secret)
    return pulumi.Output.all(output, secret).apply(keep)


def _main() -> None:
    runpy.run_path(str(PROGRAM), run_name="__main__")
