"""`webstack:compute`: the Fargate / EC2 union, scaling bounds, Fargate sizes and the app's variables."""

from __future__ import annotations

import pytest

from config import parse_config
from config.compute import FARGATE_SIZES, Architecture, instance_architecture

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"


@pytest.fixture
def counts(dev_values, put):
    """Set compute.minCount, desiredCount and maxCount on the dev stack."""

    def build(minimum, desired, maximum):
        put(dev_values, "compute.minCount", minimum)
        put(dev_values, "compute.desiredCount", desired)
        return put(dev_values, "compute.maxCount", maximum)

    return build


# --- scaling bounds --------------------------------------------------------------------------------------------


def test_min_above_max_is_rejected_at_min_count(counts, rejected):
    problems = rejected(counts(3, 3, 2))

    assert problems == {"webstack:compute.minCount": "3 is above maxCount (2)"}


@pytest.mark.parametrize(("desired", "maximum"), [(1, 4), (5, 4)])
def test_desired_outside_min_and_max_is_rejected_at_desired_count(counts, rejected, desired, maximum):
    problems = rejected(counts(2, desired, maximum))

    assert problems == {"webstack:compute.desiredCount": f"{desired} must be between minCount (2) and maxCount (4)"}


@pytest.mark.parametrize(("minimum", "desired", "maximum"), [(0, 0, 1), (2, 2, 2), (1, 3, 4), (1, 4, 4)])
def test_counts_within_bounds_are_accepted(counts, minimum, desired, maximum):
    compute = parse_config(counts(minimum, desired, maximum)).compute.services["app"]

    assert (compute.min_count, compute.desired_count, compute.max_count) == (minimum, desired, maximum)


# --- Fargate sizes ---------------------------------------------------------------------------------------------


def test_fargate_rejects_cpu_that_is_not_a_fargate_size(dev_values, put, rejected):
    problems = rejected(put(dev_values, "compute.cpu", 300))

    assert problems == {
        "webstack:compute.cpu": "300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384"
    }


@pytest.mark.parametrize(
    ("cpu", "memory", "allowed"),
    [
        (256, 1536, "Fargate accepts 512, 1024, 2048 MiB"),
        (256, 4096, "Fargate accepts 512, 1024, 2048 MiB"),
        (512, 512, "Fargate accepts 1024-4096 MiB in steps of 1024"),
        (1024, 1536, "Fargate accepts 2048-8192 MiB in steps of 1024"),
        (8192, 18432, "Fargate accepts 16384-61440 MiB in steps of 4096"),
    ],
)
def test_fargate_rejects_memory_that_does_not_go_with_cpu(dev_values, put, rejected, cpu, memory, allowed):
    put(dev_values, "compute.cpu", cpu)

    problems = rejected(put(dev_values, "compute.memory", memory))

    assert problems == {"webstack:compute.memory": f"{memory} MiB does not go with cpu {cpu}; {allowed}"}


@pytest.mark.parametrize(
    ("cpu", "memory"), [(cpu, memory) for cpu, sizes in FARGATE_SIZES.items() for memory in (sizes[0], sizes[-1])]
)
def test_fargate_accepts_smallest_and_largest_memory_of_each_cpu(dev_values, put, cpu, memory):
    put(dev_values, "compute.cpu", cpu)

    compute = parse_config(put(dev_values, "compute.memory", memory)).compute.services["app"]

    assert (compute.cpu, compute.memory) == (cpu, memory)


# --- EC2 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "message"),
    [
        ("t4g", "'t4g': t4g comes in nano, micro, small, medium, large, xlarge, 2xlarge"),
        ("T4G.small", "'T4G.small' must be written t4g.small"),
        ("small", "'small' is not an EC2 instance type webstack runs on"),
        ("t4g.huge", "'t4g.huge': t4g comes in nano, micro, small"),
        ("m7q.large", "is not an EC2 instance type"),
        (
            "db.t4g.micro",
            "'db.t4g.micro' is an RDS or ElastiCache class, not an EC2 instance type; the EC2 type is t4g.micro",
        ),
    ],
)
def test_ec2_rejects_instance_types_ec2_does_not_offer(dev_values, rejected, instance_type, message):
    dev_values["webstack:compute"] = {"kind": "ec2", "instanceType": instance_type}

    problems = rejected(dev_values)

    assert message in problems["webstack:compute.instanceType"]


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [("t4g.small", Architecture.ARM64), ("c7gn.large", Architecture.ARM64), ("m7i.large", Architecture.X86_64)],
)
def test_ec2_architecture_follows_instance_family(instance_type, architecture):
    assert instance_architecture(instance_type) is architecture


def test_ec2_rejects_fargate_only_keys(dev_values, rejected):
    dev_values["webstack:compute"] = {"kind": "ec2", "cpu": 256}

    problems = rejected(dev_values)

    assert problems["webstack:compute.cpu"].startswith("unknown key; allowed here: ")
    assert "instanceType" in problems["webstack:compute.cpu"]


# --- variables and secrets -------------------------------------------------------------------------------------


def test_variable_set_both_plain_and_secret_is_rejected_at_secrets(dev_values, put, rejected):
    put(dev_values, "compute.environment", {"DATABASE_URL": "postgres://db", "LOG_LEVEL": "info"})

    problems = rejected(put(dev_values, "compute.secrets", {"DATABASE_URL": SECRET_ARN}))

    assert problems == {
        "webstack:compute.secrets": "DATABASE_URL set both as a plain variable and as a secret; keep one"
    }


@pytest.mark.parametrize(
    ("port", "message"), [(0, "must be at least 1; got 0"), (65536, "must be at most 65535; got 65536")]
)
def test_container_port_outside_tcp_range_is_rejected(dev_values, put, rejected, port, message):
    problems = rejected(put(dev_values, "compute.containerPort", port))

    assert message in problems["webstack:compute.containerPort"]


def test_health_check_path_must_start_with_slash(dev_values, put, rejected):
    problems = rejected(put(dev_values, "compute.healthCheck.path", "health"))

    assert problems["webstack:compute.healthCheck.path"] == (
        "must be a URL path starting with /, without spaces; got 'health'"
    )


def test_the_old_health_check_path_key_points_at_the_new_one(dev_values, put, rejected):
    problems = rejected(put(dev_values, "compute.healthCheckPath", "/health"))

    assert problems["webstack:compute.healthCheckPath"].startswith("unknown key; did you mean healthCheck?")


def test_health_check_timeout_must_be_below_its_interval(dev_values, put, rejected):
    put(dev_values, "compute.healthCheck.intervalSeconds", 5)
    problems = rejected(put(dev_values, "compute.healthCheck.timeoutSeconds", 5))

    assert problems["webstack:compute.healthCheck.timeoutSeconds"] == (
        "5 must be below healthCheck.intervalSeconds (5)"
    )


@pytest.mark.parametrize("seconds", [1, 29])
def test_slow_start_is_off_or_30_to_900_seconds(dev_values, put, rejected, seconds):
    problems = rejected(put(dev_values, "compute.slowStartSeconds", seconds))

    assert problems["webstack:compute.slowStartSeconds"] == f"{seconds} is below 30; use 30-900, or 0 for off"


def test_linear_steps_must_divide_the_traffic_evenly(dev_values, put, rejected):
    put(dev_values, "compute.deployment", {"strategy": "linear", "linearStepPercent": 30})
    problems = rejected(dev_values)

    assert "30.0 does not divide 100" in problems["webstack:compute.deployment.linearStepPercent"]


@pytest.mark.parametrize(
    ("schedule", "key", "message"),
    [
        ({"scaleDown": "cron(0 19 ? * MON-FRI *)", "scaleUp": "cron(0 7 ? * MON-FRI *)"}, "timeZone", "required"),
        ({"scaleDown": "19:00", "scaleUp": "cron(0 7 ? * MON-FRI *)", "timeZone": "UTC"}, "scaleDown", "got '19:00'"),
        ({"scaleDown": "cron(0 19 * * ? *)", "scaleUp": "cron(0 7 * * ? *)", "timeZone": "dublin"}, "timeZone", "got"),
    ],
)
def test_a_schedule_needs_crons_and_a_time_zone(dev_values, put, rejected, schedule, key, message):
    problems = rejected(put(dev_values, "compute.schedule", schedule))

    assert message in problems[f"webstack:compute.schedule.{key}"]


def test_a_burstable_type_in_prod_needs_unlimited_credits(prod_values, rejected):
    prod_values["webstack:compute"] = {"kind": "ec2", "instanceType": "t4g.large", "image": "nginx:1.27"}

    problems = rejected(prod_values)

    assert "t4g.large is burstable: in prod it throttles" in problems["webstack:compute.instanceType"]


def test_a_burstable_type_with_unlimited_credits_is_accepted_in_prod(prod_values):
    prod_values["webstack:compute"] = {
        "kind": "ec2",
        "instanceType": "t4g.large",
        "unlimitedCredits": True,
        "image": "nginx:1.27",
    }

    assert parse_config(prod_values).compute.services["app"].instance_type == "t4g.large"


def test_the_ec2_kind_only_rolls(dev_values, rejected):
    dev_values["webstack:compute"] = {"kind": "ec2", "deployment": {"strategy": "canary"}}

    problems = rejected(dev_values)

    assert "kind ec2 rolls out by instance refresh" in problems["webstack:compute.deployment"]
