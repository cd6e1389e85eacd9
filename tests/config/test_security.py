"""`webstack:security` and the deploy role: prod owns the account-level features, the rest of the tiers do not, and
every mistake is named at its key before anything is built."""

from __future__ import annotations

import pytest

from components.network import INTERFACE_ENDPOINT_SERVICES
from config import parse_config
from config.security import SSM_ENDPOINT_SERVICES

SCHEDULE = {"stop": "cron(0 19 ? * MON-FRI *)", "start": "cron(0 7 ? * MON-FRI *)", "timeZone": "Europe/Dublin"}


@pytest.mark.parametrize(("tier", "owned"), [("dev", False), ("stage", False), ("prod", True)])
def test_only_prod_owns_the_account_level_features_by_default(minimal, tier, owned):
    security = parse_config(minimal(tier)).security

    assert (security.cloud_trail.enabled, security.guard_duty.enabled, security.security_hub.enabled) == (owned,) * 3
    assert security.access_host.enabled is False
    assert security.access_host.instance_type == "t4g.nano"


def test_each_account_level_feature_says_only_one_stack_per_account_owns_it():
    from config.security import SecurityConfig

    for name in ("cloud_trail", "guard_duty", "security_hub"):
        description = SecurityConfig.model_fields[name].annotation.model_fields["enabled"].description
        assert "only ONE stack per account" in description, name


def test_prod_may_hand_them_to_another_stack_of_the_account(minimal, put):
    values = minimal("prod")
    put(values, "security", {"cloudTrail": {"enabled": False}, "guardDuty": {"enabled": False}})

    security = parse_config(values).security
    assert (security.cloud_trail.enabled, security.guard_duty.enabled, security.security_hub.enabled) == (
        False,
        False,
        True,
    )


def test_a_scheduled_access_host_validates(minimal, put):
    values = put(minimal("dev"), "security.accessHost", {"enabled": True, "schedule": SCHEDULE})

    schedule = parse_config(values).security.access_host.schedule
    assert schedule is not None
    assert (schedule.stop, schedule.time_zone) == (SCHEDULE["stop"], "Europe/Dublin")


@pytest.mark.parametrize(
    ("path", "value", "key", "says"),
    [
        ("security.accessHost.schedule", {**SCHEDULE, "stop": "cron(0 19 * * MON-FRI *)"},
         "webstack:security.accessHost.schedule.stop", "exactly one of day-of-month and day-of-week must be ?"),
        ("security.accessHost.schedule", {**SCHEDULE, "start": "0 7 * * 1-5"},
         "webstack:security.accessHost.schedule.start", "is not cron(minutes hours"),
        ("security.accessHost.schedule", {**SCHEDULE, "timeZone": "Europe/Dubln"},
         "webstack:security.accessHost.schedule.timeZone", "not an IANA time zone"),
        ("security.accessHost.schedule", {**SCHEDULE, "start": SCHEDULE["stop"]},
         "webstack:security.accessHost.schedule.start", "is also security.accessHost.schedule.stop"),
        ("security.accessHost.instanceType", "t4g.tiny", "webstack:security.accessHost.instanceType", "t4g"),
        ("security.guardDuty.enabeld", True, "webstack:security.guardDuty.enabeld", "did you mean enabled?"),
        ("security.cloudTrail.retentionDays", 0, "webstack:security.cloudTrail.retentionDays", "at least 1"),
    ],
)  # fmt: skip
def test_a_bad_security_key_is_named_with_what_is_allowed(minimal, put, rejected, path, value, key, says):
    problems = rejected(put(minimal("dev"), path, value))

    assert says in problems[key]


def test_prod_keeps_its_trail_files_a_year(minimal, put, rejected):
    problems = rejected(put(minimal("prod"), "security.cloudTrail.retentionDays", 90))

    assert (
        "must be at least 365 when webstack:environment is prod"
        in problems["webstack:security.cloudTrail.retentionDays"]
    )


def test_an_access_host_without_a_nat_gateway_is_refused_at_its_key(minimal, put, rejected):
    values = put(minimal("dev"), "network.natGateways", "none")
    put(values, "network.interfaceEndpoints", True)
    put(values, "security.accessHost.enabled", True)

    problems = rejected(values)

    assert list(problems) == ["webstack:security.accessHost.enabled"]
    assert "network.natGateways" in problems["webstack:security.accessHost.enabled"]


def test_the_interface_endpoints_do_not_reach_systems_manager():
    """Why the access host needs NAT: if the SSM endpoints are ever added, relax that rule."""
    assert not set(SSM_ENDPOINT_SERVICES) & set(INTERFACE_ENDPOINT_SERVICES)


# -- the deploy role -------------------------------------------------------------------------------------------


ROLE = "arn:aws:iam::123456789012:role/webstack-deployer"


def test_a_deploy_role_with_an_external_id_and_session_tags_validates(minimal):
    values = {
        **minimal("prod"),
        "webstack:deployRoleArn": ROLE,
        "webstack:deployRoleExternalId": "ci-prod",
        "webstack:deployRoleSessionTags": "true",
    }

    config = parse_config(values)
    assert (config.deploy_role_arn, config.deploy_role_external_id, config.deploy_role_session_tags) == (
        ROLE,
        "ci-prod",
        True,
    )


@pytest.mark.parametrize(
    ("values", "key", "says"),
    [
        ({"webstack:deployRoleArn": "arn:aws:iam::123456789012:user/ci"}, "webstack:deployRoleArn",
         "not an IAM role ARN"),
        ({"webstack:deployRoleArn": "arn:aws-cn:iam::123456789012:role/ci"}, "webstack:deployRoleArn", "aws partition"),
        ({"webstack:deployRoleArn": "arn:aws:iam::210987654321:role/ci"}, "webstack:deployRoleArn",
         "the role is in account 210987654321, but webstack:accountId is 123456789012"),
        ({"webstack:deployRoleExternalId": "ci-prod"}, "webstack:deployRoleExternalId", "set webstack:deployRoleArn"),
        ({"webstack:deployRoleSessionTags": "true"}, "webstack:deployRoleSessionTags", "set webstack:deployRoleArn"),
        ({"webstack:deployRoleArn": ROLE, "webstack:deployRoleExternalId": "x"}, "webstack:deployRoleExternalId",
         "2-1224"),
    ],
)  # fmt: skip
def test_a_bad_deploy_role_is_named_at_its_key(minimal, rejected, values, key, says):
    problems = rejected({**minimal("prod"), **values})

    assert says in problems[key]
