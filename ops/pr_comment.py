"""`python -m ops pr-comment --base REF`: the one pull-request comment, written here rather than in YAML.

For each stack (dev and prod by default) it plans this tree and the base commit offline, then
reports the plan's size, the policy check, the diff (what `pulumi up` would do, and whether a
stateful resource would be lost), the change in the monthly bill and the architecture diagram.
The comment starts with a hidden marker so the workflow updates the same comment on every push.
Exit 1 when a stack fails a mandatory rule or its diff blocks; the comment is written either way.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.loader import parse_config
from config.stackfile import read_stack_file, stack_file_name
from config.text import printable

MARKER = "<!-- webstack:pr-check -->"
STACKS = ("dev", "prod")
PREVIEW_SKIPPED = (
    "Skipped: no AWS role is configured for this repository (set the `AWS_ROLE_ARN` variable to run "
    "`pulumi preview` with the policy pack on every pull request)."
)


@dataclass(frozen=True)
class StackReport:
    stack: str
    markdown: str
    failed: bool


def stack_report(stack: str, commit: str, base_label: str, root: Path) -> StackReport:
    """One stack's section: plan, policy, diff, cost and diagram, head against the base commit."""
    from ops.check import check
    from ops.check import render as render_check
    from ops.cost.estimate import estimate
    from ops.cost.prices import PriceBook
    from ops.cost.report import render_comparison
    from ops.diagram import mermaid
    from ops.diff import Action
    from ops.engine import run_offline
    from ops.manifest import manifest
    from ops.review import plan_at_commit, render_text, review
    from policy.resources import from_registrations

    path = root / stack_file_name(stack)
    values = read_stack_file(path)
    config = parse_config(values, source=printable(str(path)))  # bad config stops here, before any plan
    head = run_offline(stack, values)
    base = plan_at_commit(stack, commit, root=root)
    policy = check(stack, from_registrations(head.registrations))
    result = review(base, head, base=base_label, head="this branch")
    prices = PriceBook.for_region(config.region)
    after = estimate(head, config, prices)
    base_values = _stack_file_at(root, commit, stack)
    before = estimate(base, parse_config(base_values), prices) if base_values and base.registrations else None

    mandatory = sum(1 for f in policy.findings if f.rule.enforcement.value == "mandatory")
    advisory = len(policy.findings) - mandatory
    order = (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)
    counts = {action.value: len(result.diff.of(action)) for action in order}
    resources = sum(1 for r in head.registrations if r.custom)
    modelled = sum(1 for r in head.registrations if r.modelled)
    if before:
        delta = after.monthly_total - before.monthly_total
        cost = f"${before.monthly_total:,.2f} → ${after.monthly_total:,.2f} a month ({delta:+,.2f})"
    else:
        cost = f"${after.monthly_total:,.2f} a month (new stack)"
    rows = [
        ("Plan", f"{resources} resources ({modelled} modelled in awsx)"),
        ("Policy", f"{_mark(mandatory == 0)} {mandatory} mandatory · {advisory} advisory violations"),
        (
            "Diff",
            f"{_mark(not result.blocked)} "
            + ", ".join(f"{n} to {action}" for action, n in counts.items())
            + (
                f" · **{len(result.blocking)} stateful resource(s) lost**"
                if result.blocked
                else " · nothing stateful lost"
            ),
        ),
        ("Cost", cost),
    ]
    sections = [
        f"### {stack}",
        "",
        "| | |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in rows),
        "",
        _details("What `pulumi up` would do", f"```text\n{render_text(result)}\n```"),
        _details("Policy check", f"```text\n{render_check(policy)}\n```"),
        _details(
            "Cost",
            f"```text\n{render_comparison(before, after)}\n```" if before else "The base has no such stack.",
        ),
        _details("Architecture", f"```mermaid\n{mermaid(manifest(head))}\n```"),
    ]
    return StackReport(stack, "\n".join(sections), failed=mandatory > 0 or result.blocked)


def comment(reports: list[StackReport], base_label: str, preview_note: str) -> str:
    verdict = "❌ needs attention" if any(r.failed for r in reports) else "✅ ready for review"
    return "\n".join(
        [
            MARKER,
            f"## webstack: what this pull request does — {verdict}",
            "",
            f"Compared with `{base_label}`, planned offline (no cloud credentials). "
            "Each stack: its plan, the policy pack, what `pulumi up` would change, the monthly bill and the diagram.",
            "",
            *(r.markdown + "\n" for r in reports),
            "### Cloud preview",
            "",
            preview_note,
            "",
        ]
    )


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>\n"


def _stack_file_at(root: Path, commit: str, stack: str) -> dict[str, Any] | None:
    """The stack file as it was at `commit`, or None when it did not exist then."""
    shown = subprocess.run(
        ["git", "show", f"{commit}:./{stack_file_name(stack)}"], cwd=root, capture_output=True, check=False
    )
    if shown.returncode != 0:
        return None
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / stack_file_name(stack)
        path.write_bytes(shown.stdout)
        return read_stack_file(path)


def run(args: argparse.Namespace) -> int:
    from ops.engine import ROOT
    from ops.review import resolve_ref

    root = Path(args.root) if args.root else ROOT
    commit = resolve_ref(args.base, root=root)
    label = f"{args.base} ({commit[:7]})"
    reports = [stack_report(stack, commit, label, root) for stack in args.stack or STACKS]
    text = comment(reports, label, args.preview_note or PREVIEW_SKIPPED)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 1 if any(report.failed for report in reports) else 0


def add_parser(commands: Any) -> None:
    pr = commands.add_parser("pr-comment", help="the pull-request comment: plan, policy, diff, cost and diagram")
    pr.add_argument("--base", required=True, metavar="REF", help="the target branch (or commit) to compare with")
    pr.add_argument("--stack", action="append", metavar="STACK", help="a stack to report (default: dev and prod)")
    pr.add_argument("--preview-note", metavar="TEXT", help="what the cloud preview job did (default: skipped)")
    pr.add_argument("--output", metavar="FILE", help="write the comment here instead of printing it")
    pr.add_argument("--root", metavar="DIR", help=argparse.SUPPRESS)
    pr.set_defaults(handler=run)
