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


def test_an_alarm_needs_no_more_breaching_minutes_than_it_looks_back(dev_values, put, rejected):
    put(dev_values, "observability.alarms.breachingMinutes", 6)

    problems = rejected(put(dev_values, "observability.alarms.evaluationMinutes", 5))

    assert problems == {
        "webstack:observability.alarms.breachingMinutes": (
            "6 is more than alarms.evaluationMinutes (5): an alarm fires when M of the last N one-minute periods "
            "breach, so M <= N"
        )
    }


def test_alarm_thresholds_default_and_can_be_set(dev_values, put):
    alarms = parse_config(put(dev_values, "observability.alarms.cpuPercent", 70)).observability.alarms

    assert (alarms.cpu_percent, alarms.breaching_minutes, alarms.evaluation_minutes) == (70, 3, 5)


def test_a_percentage_threshold_over_100_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "observability.alarms.memoryPercent", 120))

    assert problems["webstack:observability.alarms.memoryPercent"] == "must be at most 100; got 120"


def test_an_address_listed_twice_is_rejected(dev_values, put, rejected):
    emails = ["oncall@example.com", "OnCall@example.com"]

    problems = rejected(put(dev_values, "observability.alarmEmails", emails))

    assert problems == {
        "webstack:observability.alarmEmails": "OnCall@example.com is listed twice; list each address once"
    }


def test_a_webhook_must_be_https_and_is_not_repeated_back(dev_values, put, rejected):
    url = "http://hooks.example.com/services/T000/B000/secret-token"

    problems = rejected(put(dev_values, "observability.alarmWebhookUrl", url))

    message = problems["webstack:observability.alarmWebhookUrl"]
    assert message.startswith("not an https:// URL")
    assert "secret-token" not in message


def test_an_https_webhook_is_accepted(dev_values, put):
    url = "https://hooks.example.com/services/T000/B000/token"

    assert parse_config(put(dev_values, "observability.alarmWebhookUrl", url)).observability.alarm_webhook_url == url
