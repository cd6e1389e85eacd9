"""`python -m ops COMMAND`: validate, plan and price a stack offline, deploy it through Pulumi, regenerate the docs.

`main(argv)` is the one boundary: it turns a `WebstackError` into its message on stderr and
an exit code (2 for bad config), with no traceback unless `--debug` is given.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from config.errors import WebstackError
from config.loader import load_stack_file, parse_config
from config.stackfile import read_stack_file, stack_file_name
from config.text import printable
from ops import check, diagram, plandiff, pr_comment

ROOT = Path(__file__).resolve().parent.parent
# Not taken from __doc__: `python -OO` strips docstrings.
DESCRIPTION = "Validate, plan and price a stack offline, deploy it through Pulumi, regenerate the docs."


def stack_file(stack: str, override: str | None) -> Path:
    """The stack's YAML: `--config FILE` when given, else Pulumi.<stack>.yaml beside Pulumi.yaml."""
    return Path(override) if override else ROOT / stack_file_name(stack)


def _validate(args: argparse.Namespace) -> int:
    path = stack_file(args.stack, args.config)
    config = load_stack_file(path)
    print(f"{path}: valid {config.environment.value} configuration for {config.region}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    from ops.engine import run_offline  # the SDK is imported only by commands that run the program
    from ops.manifest import render_text, to_json

    path = stack_file(args.stack, args.config)
    values = read_stack_file(path)
    parse_config(values, source=printable(str(path)))  # bad config stops here, before anything is registered
    run = run_offline(args.stack, values, preview=args.preview)
    print(to_json(run) if args.json else render_text(run))
    return 0


def _cost(args: argparse.Namespace) -> int:
    import json

    from ops.cost.report import comparison_json, price_stack_file, render, render_comparison

    usage = {
        key: value
        for key, value in (
            ("requestsPerMonth", args.requests),
            ("dataOutGb", args.data_out_gb),
            ("natDataGb", args.nat_gb),
            ("logIngestGb", args.log_gb),
        )
        if value is not None
    }
    current = price_stack_file(args.stack, stack_file(args.stack, args.config), usage)
    if args.compare is None:
        print(json.dumps(current.as_json(), indent=2) if args.json else render(current))
        return 0
    proposed = price_stack_file(args.stack, Path(args.compare), usage)
    print(
        json.dumps(comparison_json(current, proposed), indent=2) if args.json else render_comparison(current, proposed)
    )
    return 0


def _docs(args: argparse.Namespace) -> int:
    from ops.docs import REFERENCE, render_reference

    text = render_reference()
    if args.check:
        if not REFERENCE.exists() or REFERENCE.read_text(encoding="utf-8") != text:
            print(f"{REFERENCE} is stale; run `python -m ops docs` and commit it", file=sys.stderr)
            return 1
        print(f"{REFERENCE} is up to date")
        return 0
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from ops import automation, review_stacks

    if args.command == "outputs":
        print(json.dumps(automation.outputs(args.stack), indent=2, default=str))
        return 0
    if args.command == "review":
        if args.action == "up":
            outcome = review_stacks.up(args.name, base=args.base, overrides=args.set or [])
        else:
            outcome = review_stacks.destroy(args.name)
    elif args.command in ("preview", "up"):
        action = automation.preview if args.command == "preview" else automation.up
        outcome = action(args.stack, policy_pack=args.policy_pack)
    else:
        outcome = {"refresh": automation.refresh, "destroy": automation.destroy}[args.command](args.stack)
    print(json.dumps(dataclasses.asdict(outcome), indent=2, default=str))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m ops", description=DESCRIPTION)
    root.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="validate Pulumi.STACK.yaml; exit 2 listing every problem")
    validate.add_argument("stack", metavar="STACK")
    validate.add_argument("--config", metavar="FILE", help="validate this stack file instead")
    validate.set_defaults(handler=_validate)

    plan = commands.add_parser("plan", help="run the program offline against the mock engine")
    plan.add_argument("stack", metavar="STACK")
    plan.add_argument("--config", metavar="FILE", help="plan this stack file instead (review a proposed config)")
    plan.add_argument("--json", action="store_true", help="print the manifest as JSON")
    plan.add_argument(
        "--preview",
        action="store_true",
        help="run as `pulumi preview` would: computed outputs unknown (what a pull-request check sees)",
    )
    plan.set_defaults(handler=_plan)

    check.add_parser(commands)
    plandiff.add_parser(commands)
    pr_comment.add_parser(commands)
    diagram.add_parser(commands)

    cost = commands.add_parser("cost", help="price the offline plan: a monthly estimate, line by line")
    cost.add_argument("stack", metavar="STACK")
    cost.add_argument("--config", metavar="FILE", help="price this stack file instead")
    cost.add_argument("--compare", metavar="OTHER", help="show what OTHER (a stack file) changes in the bill")
    cost.add_argument("--json", action="store_true", help="print the estimate (or the comparison) as JSON")
    for flag, kind, what in (
        ("--requests", int, "viewer requests a month"),
        ("--data-out-gb", float, "GB to viewers a month"),
        ("--nat-gb", float, "GB through NAT a month"),
        ("--log-gb", float, "GB of app logs a month"),
    ):
        cost.add_argument(flag, type=kind, metavar="N", help=f"assume N {what} (overrides webstack:usage)")
    cost.set_defaults(handler=_cost)

    for name, summary in (
        ("preview", "pulumi preview through the Automation API (needs the Pulumi CLI and credentials)"),
        ("up", "pulumi up through the Automation API (needs the Pulumi CLI and credentials)"),
        ("refresh", "pulumi refresh through the Automation API"),
        ("destroy", "pulumi destroy through the Automation API; protected resources stop it"),
        ("outputs", "print the deployed stack's outputs as JSON"),
    ):
        deploy = commands.add_parser(name, help=summary)
        deploy.add_argument("stack", metavar="STACK")
        if name in ("preview", "up"):
            deploy.add_argument("--policy-pack", type=Path, metavar="DIR", help="enforce this CrossGuard policy pack")
        deploy.set_defaults(handler=_deploy)

    review = commands.add_parser("review", help="review stacks: a cheap dev-tier copy of a stack for a pull request")
    review.add_argument("action", choices=["up", "destroy"])
    review.add_argument("name", metavar="NAME", help="the review stack, e.g. pr-123")
    review.add_argument("--from", dest="base", metavar="STACK", default="dev", help="the stack to copy (default dev)")
    review.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a key, e.g. compute.image=...")
    review.set_defaults(handler=_deploy)

    docs = commands.add_parser("docs", help="regenerate docs/config.md from the config models")
    docs.add_argument("--check", action="store_true", help="exit 1 if docs/config.md is stale")
    docs.set_defaults(handler=_docs)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except WebstackError as error:
        if args.debug:
            traceback.print_exc()
        print(str(error), file=sys.stderr)
        return error.exit_code
    return code
