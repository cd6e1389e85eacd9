"""`webstack:observability:Monitoring`: the alarms on every tier, the dashboard of their signals, the budget.

Each tier's signals and alarms are defined once (signals.py). Here every alarm is made, in
us-east-1 for the edge's and in the stack region for the rest, notifying the topic of its region
when it fires and when it clears; the dashboard draws every signal, each alarm's with its
threshold; the budget watches the cost tagged with this stack.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.observability.alarms import AlarmSpec, Evaluation, Metric, Signal, metric_alarm
from components.observability.alerts import Alerts
from components.observability.signals import Tier
from components.options import AwsContext
from config.observability import ObservabilityConfig
from config.release import ALARM_PERIOD_SECONDS

WIDGET_WIDTH, WIDGET_HEIGHT, GRID_WIDTH = 8, 6, 24
# Budgets alerts: 80 % of the limit actually spent, and 100 % forecast for the month.
BUDGET_ALERTS = ((80, "ACTUAL"), (100, "FORECASTED"))


@dataclass(frozen=True, kw_only=True)
class MonitoringArgs:
    config: ObservabilityConfig
    context: AwsContext
    alerts: Alerts
    tiers: Sequence[Tier]
    global_provider: aws.Provider
    global_region: str
    # The cost-allocation tag the budget filters on (it must be activated in the billing console).
    cost_tag: tuple[str, str]


class Monitoring(pulumi.ComponentResource):
    """Alarms per tier, one dashboard, one budget."""

    alarm_names: pulumi.Output[list[str]]
    dashboard_name: pulumi.Output[str] | None
    budget_name: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("webstack:observability:Monitoring", name, None, opts)
        config = args.config
        evaluation = Evaluation(config.alarms.breaching_minutes, config.alarms.evaluation_minutes)
        regional = pulumi.ResourceOptions(parent=self)
        global_ = pulumi.ResourceOptions(parent=self, provider=args.global_provider)
        alarms = [
            metric_alarm(
                f"{name}-{tier.key}-{spec.key}-alarm",
                spec,
                global_ if tier.global_region else regional,
                [args.alerts.global_topic_arn if tier.global_region else args.alerts.topic_arn],
                evaluation,
            )
            for tier in args.tiers
            for spec in tier.alarms
        ]
        dashboard = (
            aws.cloudwatch.Dashboard(
                f"{name}-dashboard",
                dashboard_name=name,
                dashboard_body=_json_once_known(
                    {"widgets": _widgets(args.tiers, args.context.region, args.global_region)}
                ),
                opts=regional,
            )
            if config.dashboard
            else None
        )
        budget = self._budget(name, args)

        self.alarm_names = pulumi.Output.all(*(alarm.name for alarm in alarms))
        self.dashboard_name = dashboard.dashboard_name if dashboard else None
        self.budget_name = budget.name
        self.register_outputs({"alarm_names": self.alarm_names, "budget_name": self.budget_name})

    def _budget(self, name: str, args: MonitoringArgs) -> aws.budgets.Budget:
        """A monthly cost budget on this stack's tag, alerting the regional topic and the emails."""
        config = args.config
        key, value = args.cost_tag
        return aws.budgets.Budget(
            f"{name}-budget",
            budget_type="COST",
            limit_amount=f"{config.monthly_budget_usd}",
            limit_unit="USD",
            time_unit="MONTHLY",
            cost_filters=[aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[f"user:{key}${value}"])],
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                    notification_type=kind,
                    subscriber_sns_topic_arns=[args.alerts.topic_arn],
                    subscriber_email_addresses=list(config.alarm_emails) or None,
                )
                for percent, kind in BUDGET_ALERTS
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )


@dataclass(frozen=True)
class _Slot:
    """Where an output stood in a structure, while the structure waits for it."""

    index: int


def _json_once_known(body: Any) -> pulumi.Output[str]:
    """`body` as JSON once every output in it is known, all resolved in one step.

    `Output.json_dumps` wraps every nested value in an output of its own, thousands for a
    dashboard, and that alone doubled the plan's time.
    """
    outputs: list[pulumi.Output[Any]] = []

    def hoist(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: hoist(item) for key, item in value.items()}
        if isinstance(value, list):
            return [hoist(item) for item in value]
        if isinstance(value, pulumi.Output):
            outputs.append(value)
            return _Slot(len(outputs) - 1)
        return value

    def fill(value: Any, known: list[Any]) -> Any:
        if isinstance(value, dict):
            return {key: fill(item, known) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item, known) for item in value]
        return known[value.index] if isinstance(value, _Slot) else value

    template = hoist(body)
    return pulumi.Output.all(*outputs).apply(lambda known: json.dumps(fill(template, known)))


def _widgets(tiers: Sequence[Tier], region: str, global_region: str) -> list[dict[str, Any]]:
    """A header per tier, then a graph per signal: first those alarmed on (with the threshold), then the rest."""
    widgets: list[dict[str, Any]] = []
    y = 0
    for tier in tiers:
        widgets.append({"type": "text", "x": 0, "y": y, "width": GRID_WIDTH, "height": 1,
                        "properties": {"markdown": f"## {tier.title}"}})  # fmt: skip
        y += 1
        graphs = [
            *(_graph(spec.signal, spec) for spec in (*tier.existing_alarms, *tier.alarms)),
            *(_graph(signal, None) for signal in tier.signals),
        ]
        for index, graph in enumerate(graphs):
            column, row = index % (GRID_WIDTH // WIDGET_WIDTH), index // (GRID_WIDTH // WIDGET_WIDTH)
            graph["properties"]["region"] = global_region if tier.global_region else region
            widgets.append(
                {
                    "type": "metric",
                    "x": column * WIDGET_WIDTH,
                    "y": y + row * WIDGET_HEIGHT,
                    "width": WIDGET_WIDTH,
                    "height": WIDGET_HEIGHT,
                    **graph,
                }
            )
        y += -(-len(graphs) // (GRID_WIDTH // WIDGET_WIDTH)) * WIDGET_HEIGHT
    return widgets


def _graph(signal: Signal, alarm: AlarmSpec | None) -> dict[str, Any]:
    """One graph of a signal: its metrics (hidden behind an expression when it has one)."""
    metrics: list[list[Any]] = [_metric_row(metric, visible=signal.expression is None) for metric in signal.metrics]
    if signal.expression is not None:
        metrics.append([{"expression": signal.expression, "label": signal.title, "id": "result"}])
    properties: dict[str, Any] = {
        "title": f"{signal.title} [{signal.golden.value}]",
        "view": "timeSeries",
        "stacked": False,
        "period": ALARM_PERIOD_SECONDS,
        "metrics": metrics,
    }
    if alarm is not None:
        properties["annotations"] = {"horizontal": [{"label": alarm.description, "value": alarm.threshold}]}
    return {"properties": properties}


def _metric_row(metric: Metric, *, visible: bool) -> list[Any]:
    dimensions = [item for pair in metric.dimensions.items() for item in pair]
    return [metric.namespace, metric.name, *dimensions, {"id": metric.id, "stat": metric.stat, "visible": visible}]
