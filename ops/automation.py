"""Real deployments from Python through the Pulumi Automation API (needs the Pulumi CLI and AWS credentials).

Every call validates the stack's config first, offline, so a bad config never reaches the
CLI or the cloud. The program is this repository's `__main__.py`, run by the CLI in the
project's `.venv` exactly as `pulumi up` would.

    from ops import automation
    automation.preview("prod")
    automation.up("dev", on_output=print)
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from config.errors import WebstackError
from config.loader import load_stack_file
from ops.cli import ROOT, stack_file

OnOutput = Callable[[str], Any]


class PulumiCliMissingError(WebstackError):
    """Raised when a deployment is asked for but the Pulumi CLI is not on PATH."""


def require_cli() -> None:
    if shutil.which("pulumi") is None:
        raise PulumiCliMissingError(
            "the Pulumi CLI is not installed or not on PATH; install it (https://www.pulumi.com/docs/install/) "
            "or use `python -m ops plan STACK`, which needs neither the CLI nor credentials"
        )


def select(stack: str, *, create: bool = False) -> auto.Stack:
    """The stack after its config validated; `create` makes it when it does not exist yet."""
    load_stack_file(stack_file(stack, None))
    require_cli()
    if create:
        return auto.create_or_select_stack(stack_name=stack, work_dir=str(ROOT))
    return auto.select_stack(stack_name=stack, work_dir=str(ROOT))


def _packs(policy_pack: Path | None) -> list[str] | None:
    return [str(policy_pack)] if policy_pack else None


def preview(stack: str, *, policy_pack: Path | None = None, on_output: OnOutput | None = None) -> auto.PreviewResult:
    """`pulumi preview`, with the policy pack enforced when given."""
    return select(stack).preview(policy_packs=_packs(policy_pack), on_output=on_output)


def up(stack: str, *, policy_pack: Path | None = None, on_output: OnOutput | None = None) -> auto.UpResult:
    return select(stack, create=True).up(policy_packs=_packs(policy_pack), on_output=on_output)


def destroy(stack: str, *, on_output: OnOutput | None = None) -> auto.DestroyResult:
    """`pulumi destroy`; protected resources (prod's stateful ones) make it stop, by design."""
    return select(stack).destroy(on_output=on_output)


def outputs(stack: str) -> dict[str, Any]:
    return {name: output.value for name, output in select(stack).outputs().items()}
