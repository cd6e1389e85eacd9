"""`webstack:observability`: alarm recipients, the budget and log retention."""

from __future__ import annotations

from config import parse_config


def test_dev_stack_alarms_go_to_its_listed_address(dev_values):
    assert parse_config(dev_values).observability.alarm_emails == ["platform-alerts@example.com"]


def test_more_than_ten_alarm_emails_are_rejected(dev_values, put, rejected):
    emails = [f"oncall{n}@example.com" for n in range(11)]

    problems = rejected(put(dev_values, "observability.alarmEmails", emails))

    assert "at most 10 items" in problems["webstack:observability.alarmEmails"]


def test_zero_budget_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "observability.monthlyBudgetUsd", 0))

    assert "greater than or equal to 1" in problems["webstack:observability.monthlyBudgetUsd"]


def test_budget_must_be_a_whole_number_of_dollars(dev_values, put, rejected):
    problems = rejected(put(dev_values, "observability.monthlyBudgetUsd", "a lot"))

    assert "valid integer" in problems["webstack:observability.monthlyBudgetUsd"]
