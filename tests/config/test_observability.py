"""`webstack:observability`: alarm recipients, the budget and log retention."""

from __future__ import annotations

from config import parse_config


def test_dev_stack_alarms_go_to_its_listed_address(dev_values):
    assert parse_config(dev_values).observability.alarm_emails == ["platform-alerts@example.com"]


def test_more_than_ten_alarm_emails_are_rejected(dev_values, put, rejected):
    emails = [f"oncall{n}@example.com" for n in range(11)]

    problems = rejected(put(dev_values, "observability.alarmEmails", emails))

    assert problems["webstack:observability.alarmEmails"] == "may have at most 10 entries; got 11"


def test_zero_budget_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "observability.monthlyBudgetUsd", 0))

    assert problems["webstack:observability.monthlyBudgetUsd"] == "must be at least 1; got 0"


def test_budget_must_be_a_whole_number_of_dollars(dev_values, put, rejected):
    problems = rejected(put(dev_values, "observability.monthlyBudgetUsd", "a lot"))

    assert problems["webstack:observability.monthlyBudgetUsd"] == "must be a whole number; got 'a lot'"
