"""Price a stack file and print the estimate, or what a change of stack file does to the bill."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.loader import parse_config
from config.stackfile import read_stack_file
from config.text import printable
from ops.cost.estimate import Estimate, Line, estimate
from ops.cost.prices import PriceBook
from ops.engine import run_offline

USAGE_KEY = "webstack:usage"


def price_stack_file(stack: str, path: Path, usage: Mapping[str, float] | None = None) -> Estimate:
    """The estimate of the stack file at `path`, with `usage` (camelCase keys) over its `webstack:usage`."""
    values = read_stack_file(path)
    if usage:
        section = values.get(USAGE_KEY)
        values[USAGE_KEY] = {**(section if isinstance(section, dict) else {}), **usage}
    config = parse_config(values, source=printable(str(path)))
    prices = PriceBook.for_region(config.region)  # before the plan: a region without prices stops here
    return estimate(run_offline(stack, values), config, prices)


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def render(result: Estimate) -> str:
    """The bill, most expensive first, then the total and what it assumed."""
    width = max((len(_name(line.urn)) for line in result.lines), default=0)
    rows = [
        f"  {line.monthly:10,.2f}  {_name(line.urn):<{width}}  {line.description}: {line.quantity:,.4g} {line.unit}"
        for line in sorted(result.lines, key=lambda line: -line.monthly)
    ]
    assumptions = [f"  {key}: {value}" for key, value in result.assumptions.items()]
    return "\n".join(
        [
            f"{result.stack} in {result.region}: about {result.monthly_total:,.2f} {result.currency} a month "
            f"(list prices of {result.prices_taken_on})",
            "",
            *rows,
            f"  {'-' * 10}",
            f"  {result.monthly_total:10,.2f}  total",
            "",
            "Assumed:",
            *assumptions,
        ]
    )


@dataclass(frozen=True)
class Change:
    """One line of the bill that a change of stack file adds, removes or changes."""

    before: Line | None
    after: Line | None

    @property
    def delta(self) -> float:
        return (self.after.monthly if self.after else 0) - (self.before.monthly if self.before else 0)

    @property
    def line(self) -> Line:
        line = self.after or self.before
        assert line is not None
        return line

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.line.urn,
            "description": self.line.description,
            "before": round(self.before.monthly, 2) if self.before else None,
            "after": round(self.after.monthly, 2) if self.after else None,
            "delta": round(self.delta, 2),
        }


def compare(before: Estimate, after: Estimate) -> list[Change]:
    """The lines that differ, matched by resource and description; unchanged lines are left out."""
    old = {(line.urn, line.description): line for line in before.lines}
    new = {(line.urn, line.description): line for line in after.lines}
    changes = [Change(old.get(key), new.get(key)) for key in [*old, *(key for key in new if key not in old)]]
    return [change for change in changes if abs(change.delta) >= 0.005]


def render_comparison(before: Estimate, after: Estimate) -> str:
    changes = compare(before, after)
    width = max((len(_name(change.line.urn)) for change in changes), default=0)
    rows = []
    for change in sorted(changes, key=lambda change: -abs(change.delta)):
        sign = "+" if change.before is None else "-" if change.after is None else "~"
        rows.append(f"  {sign} {change.delta:+10,.2f}  {_name(change.line.urn):<{width}}  {change.line.description}")
    total = after.monthly_total - before.monthly_total
    return "\n".join(
        [
            f"{before.stack} -> {after.stack}: {before.monthly_total:,.2f} -> {after.monthly_total:,.2f} "
            f"{after.currency} a month ({total:+,.2f})",
            "",
            *(rows or ["  no change to the bill"]),
        ]
    )


def comparison_json(before: Estimate, after: Estimate) -> dict[str, Any]:
    return {
        "before": before.as_json(),
        "after": after.as_json(),
        "monthlyDelta": round(after.monthly_total - before.monthly_total, 2),
        "changes": [change.as_json() for change in compare(before, after)],
    }
