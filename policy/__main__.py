"""The CrossGuard pack: every rule of policy/rules.py as a stack policy, over the engine's view of the stack.

Run by the Pulumi CLI (`pulumi preview --policy-pack policy`); constructing the pack starts its server,
so nothing else builds it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The pack runs from policy/; the rules import the project's config package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

from policy.resources import from_policy_args
from policy.rules import MANDATORY, RULES, Rule


def validator(rule: Rule) -> Callable[[Any, Callable[[str, str | None], None]], None]:
    def validate(args: Any, report_violation: Callable[[str, str | None], None]) -> None:
        for urn, message in rule.check(from_policy_args(args)):
            report_violation(f"{message}. Fix: {rule.remediation}", urn)

    return validate


PolicyPack(
    name="webstack",
    policies=[
        StackValidationPolicy(
            name=rule.id,
            description=rule.description,
            enforcement_level=EnforcementLevel.MANDATORY
            if rule.enforcement is MANDATORY
            else EnforcementLevel.ADVISORY,
            validate=validator(rule),
            remediation_steps=rule.remediation,
        )
        for rule in RULES
    ],
)
