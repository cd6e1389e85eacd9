"""`ops check`: the policy pack's rules over the offline plan (or a plan's JSON manifest), without a cloud."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.loader import parse_config
from config.stackfile import read_stack_file
from config.text import printable
from policy.resources import NotKnown, Stack, from_manifest, from_registrations
from policy.rules import MANDATORY, RULES, Rule


@dataclass(frozen=True)
class Finding:
    rule: Rule
    urn: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {
            "policy": self.rule.id,
            "enforcement": self.rule.enforcement.value,
            "urn": self.urn,
            "message": self.message,
        }


@dataclass(frozen=True)
class Report:
    stack: str
    findings: tuple[Finding, ...]
    # Rules that needed a value the plan does not show (a secret in a manifest).
    not_applicable: tuple[str, ...]

    @property
    def failed(self) -> bool:
        return any(finding.rule.enforcement is MANDATORY for finding in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "violations": [finding.as_json() for finding in self.findings],
            "notApplicable": list(self.not_applicable),
        }


def check(stack_name: str, stack: Stack, rules: Sequence[Rule] = RULES) -> Report:
    findings: list[Finding] = []
    skipped: list[str] = []
    for rule in rules:
        try:
            findings += [Finding(rule, urn, message) for urn, message in rule.check(stack)]
        except NotKnown:
            skipped.append(rule.id)
    return Report(stack_name, tuple(findings), tuple(skipped))


def render(report: Report) -> str:
    """Violations grouped by rule, mandatory first, each resource with its message, then the fix."""
    if not report.findings:
        lines = [f"{report.stack}: every rule passes ({len(RULES)} rules)"]
    else:
        mandatory = sum(1 for f in report.findings if f.rule.enforcement is MANDATORY)
        lines = [f"{report.stack}: {mandatory} mandatory and {len(report.findings) - mandatory} advisory violations"]
        rules = {f.rule.id: f.rule for f in report.findings}.values()
        for rule in sorted(rules, key=lambda r: (r.enforcement is not MANDATORY, r.id)):
            lines += ["", f"[{rule.enforcement.value}] {rule.id}: {rule.description}"]
            lines += [f"  {f.urn.rsplit('::', 1)[-1]}: {f.message}" for f in report.findings if f.rule is rule]
            lines.append(f"  fix: {rule.remediation}")
    if report.not_applicable:
        lines += ["", f"not applicable (needs a secret value the manifest hides): {', '.join(report.not_applicable)}"]
    return "\n".join(lines)


def listing() -> str:
    return "\n".join(f"{rule.id}\t{rule.enforcement.value}\t{rule.description}" for rule in RULES)


def run(args: argparse.Namespace) -> int:
    """`python -m ops check STACK [--config FILE | --manifest FILE] [--json] [--list]`."""
    from ops.cli import stack_file

    if args.list:
        print(listing())
        return 0
    if args.manifest:
        stack = from_manifest(json.loads(Path(args.manifest).read_text(encoding="utf-8")))
    else:
        from ops.engine import run_offline  # the SDK is imported only when the program runs

        path = stack_file(args.stack, args.config)
        values = read_stack_file(path)
        parse_config(values, source=printable(str(path)))
        stack = from_registrations(run_offline(args.stack, values).registrations)
    report = check(args.stack, stack)
    print(json.dumps(report.as_json(), indent=2) if args.json else render(report))
    return 1 if report.failed else 0


def add_parser(commands: Any) -> None:
    check_parser = commands.add_parser("check", help="run the policy pack's rules over the offline plan")
    check_parser.add_argument("stack", metavar="STACK")
    source = check_parser.add_mutually_exclusive_group()
    source.add_argument("--config", metavar="FILE", help="check this stack file instead")
    source.add_argument("--manifest", metavar="FILE", help="check a plan's JSON manifest (`ops plan STACK --json`)")
    check_parser.add_argument("--json", action="store_true", help="print the violations as JSON")
    check_parser.add_argument("--list", action="store_true", help="list every rule: id, enforcement, description")
    check_parser.set_defaults(handler=run)
