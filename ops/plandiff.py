"""`python -m ops diff STACK --base REF | --base-config FILE`: what a pull request does to a stack, and whether it may.

The head is the working tree's program with its `Pulumi.STACK.yaml` (or `--config FILE`). The base
is the repository as it was at a git ref (its code and its stack file), or this code with another
stack file. The report lists what `pulumi up` would create, update, replace and delete; a stateful
resource deleted, replaced or renamed blocks (exit 1) unless accepted with `--allow-replace URN`.
Exit 0 when nothing blocks, 2 when the base cannot be planned. The work is in ops/review.py.

`ops.cli` registers the command with `add_parser`; this module imports nothing heavy at load time
(the SDK is imported only by commands that run the program).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from config.text import printable

if TYPE_CHECKING:
    from ops.engine import OfflineRun

WORKING_TREE = "working tree"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `diff` and its arguments on the `python -m ops` subcommands."""
    diff = commands.add_parser(
        "diff",
        help="what a pull request does to a stack; exit 1 if it deletes, replaces or renames a stateful resource",
    )
    diff.add_argument("stack", metavar="STACK")
    base = diff.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", metavar="REF", help="plan the base as this repository was at a git ref")
    base.add_argument("--base-config", metavar="FILE", help="plan the base from this stack file, with the same code")
    diff.add_argument("--config", metavar="FILE", help="the head's stack file (default: Pulumi.STACK.yaml)")
    diff.add_argument(
        "--allow-replace",
        action="append",
        default=[],
        metavar="URN",
        help="accept that this stateful resource is deleted, replaced or renamed (repeatable)",
    )
    diff.add_argument("--json", action="store_true", help="print the review as JSON")
    diff.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan both sides and print the review; 1 when a stateful resource would be lost, else 0."""
    from ops.cli import stack_file  # here, not at the top: ops.cli imports this module
    from ops.review import as_json, plan_at_commit, plan_file, render_text, resolve_ref, review

    head_path = stack_file(args.stack, args.config)
    head_label = printable(str(head_path)) if args.config else WORKING_TREE
    if args.base_config is not None:
        base_path = Path(args.base_config)
        base, base_label = plan_file(args.stack, base_path), printable(str(base_path))
        head = plan_file(args.stack, head_path)
    else:
        commit = resolve_ref(args.base)  # first: a mistyped ref fails before anything is planned
        base, head = _beside(lambda: plan_at_commit(args.stack, commit), args.stack, head_path)
        base_label = f"{printable(args.base)} ({commit[:7]})"
        if not base.registrations:
            base_label += f", where stack {printable(args.stack)} does not exist"
    result = review(base, head, base=base_label, head=head_label, allowed=args.allow_replace)
    print(json.dumps(as_json(result), indent=2) if args.json else render_text(result))
    return 1 if result.blocked else 0


def _beside(plan_base: Callable[[], OfflineRun], stack: str, head_path: Path) -> tuple[OfflineRun, OfflineRun]:
    """The base plans in a subprocess while the head plans here: together they take the time of one."""
    from ops.review import plan_file

    with ThreadPoolExecutor(max_workers=1) as pool:
        base = pool.submit(plan_base)
        head = plan_file(stack, head_path)
        return base.result(), head
