"""Real deployments from Python through the Pulumi Automation API (needs the Pulumi CLI and credentials).

Every call validates the stack's config first, offline, so a bad config never reaches the CLI
or the cloud. The program is this repository's `__main__.py`, run by the CLI in the project's
`.venv` exactly as `pulumi up` would. The engine's events stream to `on_event` (by default a
progress line per resource on stderr), and each call returns an `Outcome`.

    from ops import automation
    result = automation.preview("prod", policy_pack=Path("policy"))
    print(result.changes)            # {"create": 3, "same": 180}
    automation.up("dev").outputs["site"]["url"]

The CLI is `pulumi` on PATH, or the one under `$WEBSTACK_PULUMI_ROOT/bin/` when that is set.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pulumi import automation as auto

from config.errors import WebstackError
from config.loader import load_stack_file
from config.stackfile import stack_file_name

ROOT = Path(__file__).resolve().parent.parent
PULUMI_ROOT_VARIABLE = "WEBSTACK_PULUMI_ROOT"
# A concurrent update is another `pulumi up` holding the stack's lock: wait for it, then give up and say so.
RETRY_DELAYS_SECONDS = (10.0, 30.0, 60.0)

OnEvent = Callable[[auto.EngineEvent], Any]
OnOutput = Callable[[str], Any]


class PulumiCliMissingError(WebstackError):
    """Raised when a deployment is asked for but no Pulumi CLI can be found."""


class CredentialsError(WebstackError):
    """Raised when the CLI has no Pulumi backend login or no AWS credentials."""


class StackBusyError(WebstackError):
    """Raised when another update still holds the stack's lock after the retries."""


class PolicyViolationError(WebstackError):
    """Raised when the policy pack refuses the change (a mandatory rule failed)."""


class DeployError(WebstackError):
    """Raised when the CLI fails for another reason; carries its error output."""


@dataclass(frozen=True)
class Outcome:
    """What one operation did: the change summary by operation, the stack's outputs, how long it took."""

    stack: str
    operation: str
    changes: dict[str, int]
    outputs: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


class Progress:
    """The default event display: one line per resource step, with how many of those started have finished."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._started: set[str] = set()
        self._done: set[str] = set()

    def __call__(self, event: auto.EngineEvent) -> None:
        if event.resource_pre_event is not None:
            metadata = event.resource_pre_event.metadata
            self._started.add(metadata.urn)
            self._line(f"{metadata.op.value} {metadata.type} {metadata.urn.rsplit('::', 1)[-1]}")
        elif event.res_outputs_event is not None:
            self._done.add(event.res_outputs_event.metadata.urn)
        elif event.summary_event is not None:
            changes = {
                op.value if hasattr(op, "value") else str(op): n
                for op, n in event.summary_event.resource_changes.items()
            }
            self._line(f"done in {event.summary_event.duration_seconds} s: {changes}")

    def _line(self, text: str) -> None:
        self._stream.write(f"[{len(self._done)}/{len(self._started)}] {text}\n")
        self._stream.flush()


def pulumi_command() -> auto.PulumiCommand:
    """The Pulumi CLI to drive: under $WEBSTACK_PULUMI_ROOT/bin, else `pulumi` on PATH."""
    root = os.environ.get(PULUMI_ROOT_VARIABLE)
    if root:
        if not (Path(root) / "bin" / "pulumi").is_file():
            raise PulumiCliMissingError(f"{PULUMI_ROOT_VARIABLE}={root} has no bin/pulumi")
        return auto.PulumiCommand(root=root)
    if shutil.which("pulumi") is None:
        raise PulumiCliMissingError(
            "the Pulumi CLI is not installed or not on PATH: install it (https://www.pulumi.com/docs/install/), "
            f"or set {PULUMI_ROOT_VARIABLE} to a directory holding bin/pulumi. `python -m ops plan STACK` needs "
            "neither the CLI nor credentials"
        )
    return auto.PulumiCommand()


def stack_path(name: str) -> Path:
    return ROOT / stack_file_name(name)


def select(name: str, *, create: bool = False) -> auto.Stack:
    """The stack after its config validated (before the CLI is touched); `create` makes it if missing."""
    load_stack_file(stack_path(name))
    options = auto.LocalWorkspaceOptions(work_dir=str(ROOT), pulumi_command=pulumi_command())
    try:
        if create:
            return auto.create_or_select_stack(stack_name=name, work_dir=str(ROOT), opts=options)
        return auto.select_stack(stack_name=name, work_dir=str(ROOT), opts=options)
    except auto.CommandError as error:
        raise _translated(name, error) from None


def preview(
    name: str, *, policy_pack: Path | None = None, on_event: OnEvent | None = None, on_output: OnOutput | None = None
) -> Outcome:
    """`pulumi preview`, with the policy pack enforced when given."""
    return _run(
        name,
        "preview",
        lambda s, events: s.preview(policy_packs=_packs(policy_pack), on_event=events, on_output=on_output),
        on_event,
    )


def up(
    name: str, *, policy_pack: Path | None = None, on_event: OnEvent | None = None, on_output: OnOutput | None = None
) -> Outcome:
    """`pulumi up`; the stack is created on its first deploy."""
    return _run(
        name,
        "up",
        lambda s, events: s.up(policy_packs=_packs(policy_pack), on_event=events, on_output=on_output),
        on_event,
        create=True,
    )


def refresh(name: str, *, on_event: OnEvent | None = None, on_output: OnOutput | None = None) -> Outcome:
    """`pulumi refresh`: the state made to match what exists."""
    return _run(name, "refresh", lambda s, events: s.refresh(on_event=events, on_output=on_output), on_event)


def destroy(name: str, *, on_event: OnEvent | None = None, on_output: OnOutput | None = None) -> Outcome:
    """`pulumi destroy`; protected resources (prod's stateful ones) make it stop, by design."""
    return _run(name, "destroy", lambda s, events: s.destroy(on_event=events, on_output=on_output), on_event)


def outputs(name: str) -> dict[str, Any]:
    return {key: output.value for key, output in select(name).outputs().items()}


def remove(name: str) -> None:
    """Delete a stack (its state and history) once it holds no resources."""
    try:
        select(name).workspace.remove_stack(name)
    except auto.CommandError as error:
        raise _translated(name, error) from None


def _packs(policy_pack: Path | None) -> list[str] | None:
    return [str(policy_pack.resolve())] if policy_pack else None


def _run(
    name: str,
    operation: str,
    call: Callable[[auto.Stack, OnEvent], Any],
    on_event: OnEvent | None,
    *,
    create: bool = False,
) -> Outcome:
    stack = select(name, create=create)
    events = on_event or Progress()
    start = time.monotonic()
    for delay in (*RETRY_DELAYS_SECONDS, None):
        try:
            result = call(stack, events)
            break
        except auto.ConcurrentUpdateError:
            if delay is None:
                raise StackBusyError(
                    f"{name}: another update still holds the stack after {len(RETRY_DELAYS_SECONDS)} retries; if "
                    f"none is running, `pulumi cancel --stack {name}` releases the lock"
                ) from None
            time.sleep(delay)
        except auto.CommandError as error:
            raise _translated(name, error) from None
    return Outcome(name, operation, _changes(result), _outputs(result), round(time.monotonic() - start, 1))


def _changes(result: Any) -> dict[str, int]:
    changes = getattr(result, "change_summary", None)
    if changes is None:
        summary = getattr(result, "summary", None)
        changes = getattr(summary, "resource_changes", None) or {}
    return {str(getattr(op, "value", op)): int(count) for op, count in changes.items()}


def _outputs(result: Any) -> dict[str, Any]:
    outputs: Mapping[str, Any] = getattr(result, "outputs", None) or {}
    return {key: getattr(value, "value", value) for key, value in outputs.items()}


_CREDENTIALS = re.compile(
    r"(PULUMI_ACCESS_TOKEN|pulumi login|no credentials|NoCredentialProviders|no valid credential sources|"
    r"ExpiredToken|InvalidClientTokenId|failed to refresh cached credentials)",
    re.IGNORECASE,
)
_POLICY = re.compile(r"(mandatory policy violation|policy violations|Policy Violations)", re.IGNORECASE)


def _translated(name: str, error: auto.CommandError) -> WebstackError:
    """The CLI's failure as the error that says what to do."""
    text = str(error)
    if _POLICY.search(text):
        lines = [line.strip() for line in text.splitlines() if "mandatory" in line or "[" in line]
        return PolicyViolationError(f"{name}: the policy pack refused the change:\n  " + "\n  ".join(lines[:20]))
    if _CREDENTIALS.search(text):
        return CredentialsError(
            f"{name}: the CLI has no credentials: `pulumi login` (or PULUMI_ACCESS_TOKEN) for the state backend, "
            "and AWS credentials for the account (AWS_PROFILE, or a role). Offline, `python -m ops plan` needs none"
        )
    return DeployError(f"{name}: the Pulumi CLI failed:\n{text[-4000:]}")
