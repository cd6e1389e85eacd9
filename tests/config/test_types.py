"""The domain types (config/types.py and the compute name rules), checked where a user meets them: at their key."""

from __future__ import annotations

import pytest
import yaml

from config import parse_config
from config.text import quote

ARN_ACCOUNT = "123456789012"


# --- AWS region ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("Europe", "'Europe' is not a region of the aws partition; expected one like eu-west-1"),
        ("eu-west", "'eu-west' is not an AWS region; did you mean eu-west-1, eu-west-2 or eu-west-3?"),
        ("EU-WEST-1", "'EU-WEST-1' must be written eu-west-1"),
        ("eu_west_1", "did you mean eu-west-1?"),
        ("eu-wset-1", "'eu-wset-1' is not an AWS region; did you mean eu-west-1"),
        ("eu-west-9", "'eu-west-9' is not an AWS region"),
    ],
)
def test_region_rejects_what_is_not_a_region_with_a_suggestion(dev_values, put, rejected, region, message):
    problems = rejected(put(dev_values, "aws:region", region))

    assert message in problems["aws:region"]


@pytest.mark.parametrize(
    ("region", "partition"), [("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn")]
)
def test_region_of_another_partition_is_rejected_with_the_reason(dev_values, put, rejected, region, partition):
    problems = rejected(put(dev_values, "aws:region", region))

    assert f"(partition {partition}); webstack supports the aws partition only" in problems["aws:region"]


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-2", "mx-central-1", "ca-west-1", "us-east-1"])
def test_region_accepts_regions_of_the_aws_partition(dev_values, put, region):
    assert parse_config(put(dev_values, "aws:region", region)).region == region


# --- AWS account id --------------------------------------------------------------------------------------------


def test_account_id_accepts_unquoted_twelve_digit_int(dev_values, put):
    config = parse_config(put(dev_values, "accountId", 123456789012))

    assert config.account_id == "123456789012"


@pytest.mark.parametrize("account", [12345678901, "12345678901", "1234567890123", "12345678901a"])
def test_account_id_rejects_anything_but_twelve_digits(dev_values, put, rejected, account):
    problems = rejected(put(dev_values, "accountId", account))

    assert "expected exactly 12 digits, quoted in YAML" in problems["webstack:accountId"]


def test_account_id_with_leading_zero_unquoted_in_yaml_is_rejected_not_changed(dev_values, put, rejected):
    # YAML reads 012345670123 as an octal int: the digits change, so it must not pass as an account.
    (value,) = yaml.safe_load("accountId: 012345670123").values()

    problems = rejected(put(dev_values, "accountId", value))

    assert "quoted in YAML" in problems["webstack:accountId"]


# --- CIDR ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("nonsense", "'nonsense' is not a valid IPv4 CIDR block like 10.0.0.0/16"),
        ("10.0.0.0/33", "'10.0.0.0/33' is not a valid IPv4 CIDR block"),
        ("10.30.0.1/16", "'10.30.0.1/16' has host bits set; did you mean 10.30.0.0/16?"),
        ("10.30.5.0/16", "did you mean 10.30.0.0/16?"),
        ("8.8.0.0/16", "8.8.0.0/16 is not a private range; use 10.0.0.0/8, 172.16.0.0/12"),
        ("172.32.0.0/16", "is not a private range"),
        ("10.0.0.0/8", "10.0.0.0/8 has a /8 mask; a VPC here must be between /16 and /23"),
        ("10.0.0.0/15", "has a /15 mask"),
        ("10.0.0.0/24", "has a /24 mask"),
        ("172.17.0.0/16", "overlaps 172.17.0.0/16, which AWS documents as used by some of its services"),
        ("172.16.0.0/12", "has a /12 mask"),
    ],
)
def test_cidr_rejects_with_reason(prod_values, put, rejected, cidr, message):
    problems = rejected(put(prod_values, "network.cidr", cidr))

    assert list(problems) == ["webstack:network.cidr"]
    assert message in problems["webstack:network.cidr"]


@pytest.mark.parametrize("cidr", ["10.30.0.0/16", "172.16.0.0/16", "192.168.0.0/16", "100.64.0.0/16"])
def test_cidr_accepts_private_ranges(prod_values, put, cidr):
    assert parse_config(put(prod_values, "network.cidr", cidr)).network.cidr == cidr


def test_cidr_too_small_for_subnet_layout_names_sizes(prod_values, put, rejected):
    problems = rejected(put(prod_values, "network.cidr", "10.30.0.0/22"))

    message = problems["webstack:network.cidr"]
    assert "10.30.0.0/22 is too small: each AZ gets a fixed /25 slot (128 addresses, room for 6 AZs" in message
    assert "need 4608" in message
    assert "use a larger cidr (a smaller mask number, e.g. /16) or smaller subnets (larger mask numbers" in message


def test_smallest_cidr_fits_with_small_subnet_masks(dev_values, put):
    put(dev_values, "network.cidr", "10.10.0.0/23")
    put(dev_values, "network.privateSubnetMask", 27)
    put(dev_values, "network.publicSubnetMask", 28)
    put(dev_values, "network.isolatedSubnetMask", 28)

    assert parse_config(dev_values).network.layout().az_mask == 26


# --- domain names and hosted zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["localhost", "-app.example.com", "app-.example.com", "app_1.example.com", "a" * 64 + ".example.com"]
)
def test_domain_name_rejects_what_is_not_fully_qualified(prod_values, put, rejected, name):
    problems = rejected(put(prod_values, "edge.domainName", name))

    assert "is not a fully qualified domain name like app.example.com" in problems["webstack:edge.domainName"]


def test_domain_name_is_normalised_to_lower_case_without_trailing_dot(prod_values, put):
    put(prod_values, "edge.domainName", "App.Example.COM.")
    put(prod_values, "edge.hostedZoneName", "Example.com")

    edge = parse_config(prod_values).edge

    assert (edge.domain_name, edge.hosted_zone_name) == ("app.example.com", "example.com")


@pytest.mark.parametrize("zone_id", ["abc", "z0123456789", "/hostedzone/Z0123456789", "Z" + "A" * 33])
def test_hosted_zone_id_rejects_what_is_not_a_zone_id(prod_values, put, rejected, zone_id):
    problems = rejected(put(prod_values, "edge.hostedZoneId", zone_id))

    assert "is not a Route 53 hosted zone id; expected one like Z0123" in problems["webstack:edge.hostedZoneId"]


# --- emails ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["nope", "a@b", "two words@example.com", "a@@example.com"])
def test_alarm_email_rejects_what_is_not_an_address(dev_values, put, rejected, email):
    problems = rejected(put(dev_values, "observability.alarmEmails", ["ok@example.com", email]))

    assert problems == {"webstack:observability.alarmEmails[1]": f"{email!r} is not an email address"}


def test_alarm_email_accepts_plus_addresses(dev_values, put):
    config = parse_config(put(dev_values, "observability.alarmEmails", ["ops+alerts@example.co.uk"]))

    assert config.observability.alarm_emails == ["ops+alerts@example.co.uk"]


# --- log retention ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["observability.logRetentionDays", "network.flowLogs.retentionDays"])
@pytest.mark.parametrize("days", [0, 2, 10, 366, 3654])
def test_log_retention_rejects_periods_cloudwatch_does_not_accept(dev_values, put, rejected, path, days):
    problems = rejected(put(dev_values, path, days))

    message = problems[f"webstack:{path}"]
    assert f"{days} is not a retention CloudWatch Logs accepts" in message
    assert "use one of 1, 3, 5, 7, 14, 30" in message


@pytest.mark.parametrize("days", [1, 14, 365, 3653])
def test_log_retention_accepts_cloudwatch_periods(dev_values, put, days):
    assert (
        parse_config(put(dev_values, "observability.logRetentionDays", days)).observability.log_retention_days == days
    )


# --- tags ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["aws:team", "AWS:Team", "x" * 129, "bad!key", "semi;colon"])
def test_tag_key_rejects_unusable_names(dev_values, put, rejected, key):
    problems = rejected(put(dev_values, "tags", {key: "value"}))

    assert "is not a usable tag key" in problems[f"webstack:tags.{key}"]
    assert problems[f"webstack:tags.{key}"].startswith(f"{quote(key)} ")
    assert "not starting with aws:" in problems[f"webstack:tags.{key}"]


@pytest.mark.parametrize("value", ["x" * 257, "bad#value", "<script>"])
def test_tag_value_rejects_unusable_values(dev_values, put, rejected, value):
    problems = rejected(put(dev_values, "tags", {"Team": value}))

    assert f"{quote(value)} is not a usable tag value: at most 256" in problems["webstack:tags.Team"]


def test_tag_value_left_empty_in_yaml_is_rejected_not_written_as_none(dev_values, put, rejected):
    problems = rejected(put(dev_values, "tags", yaml.safe_load("Team:")))

    assert "a tag needs a value" in problems["webstack:tags.Team"]


def test_tag_value_read_as_yaml_boolean_must_be_quoted(dev_values, put, rejected):
    problems = rejected(put(dev_values, "tags", yaml.safe_load("Public: yes")))

    assert "quote the tag value" in problems["webstack:tags.Public"]


def test_tags_accept_aws_characters_and_stringify_numbers(dev_values, put):
    config = parse_config(put(dev_values, "tags", {"team/name": "web-platform", "Cost Center": "A.1 @x", "Tier": 3}))

    assert config.tags == {"team/name": "web-platform", "Cost Center": "A.1 @x", "Tier": "3"}


# --- app environment variables and secrets ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["DB_PASSWORD", "api_key", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "JWT_SECRET"])
def test_plain_environment_rejects_names_that_look_like_secrets(dev_values, put, rejected, name):
    problems = rejected(put(dev_values, "compute.environment", {"LOG_LEVEL": "info", name: "x"}))

    assert problems == {
        f"webstack:compute.environment.{name}": "looks like a secret; put its Secrets Manager or SSM ARN "
        "under `secrets` instead"
    }


@pytest.mark.parametrize("name", ["1BAD", "MY-VAR", "has space"])
def test_plain_environment_rejects_invalid_variable_names(dev_values, put, rejected, name):
    problems = rejected(put(dev_values, "compute.environment", {name: "x"}))

    assert problems[f"webstack:compute.environment.{name}"].startswith(
        f"{name!r} is not a valid environment variable name (letters, digits and _"
    )


def test_plain_environment_accepts_ordinary_variables(dev_values, put):
    config = parse_config(put(dev_values, "compute.environment", {"LOG_LEVEL": "info", "_FLAG": "1"}))

    assert config.compute.services["app"].environment == {"LOG_LEVEL": "info", "_FLAG": "1"}


@pytest.mark.parametrize(
    "arn",
    [
        "arn:nope",
        "my-secret",
        "arn:aws:s3:::bucket/key",
        "arn:aws:secretsmanager:eu-west-1:1234:secret:db",
        "arn:aws:ssm:eu-west-1:123456789012:parameter",
    ],
)
def test_secrets_reject_what_is_not_a_secret_or_parameter_arn(dev_values, put, rejected, arn):
    problems = rejected(put(dev_values, "compute.secrets", {"DB_PASSWORD": arn}))

    assert problems["webstack:compute.secrets.DB_PASSWORD"] == (
        f"{arn!r} is not a Secrets Manager secret or SSM parameter ARN"
    )


def test_secrets_reject_invalid_variable_names(dev_values, put, rejected):
    arn = f"arn:aws:secretsmanager:eu-west-1:{ARN_ACCOUNT}:secret:db-AbCdEf"

    problems = rejected(put(dev_values, "compute.secrets", {"DB-PASSWORD": arn}))

    assert problems["webstack:compute.secrets.DB-PASSWORD"].startswith(
        "'DB-PASSWORD' is not a valid environment variable name"
    )


def test_secrets_accept_secrets_manager_and_ssm_arns(dev_values, put):
    secrets = {
        "DB_PASSWORD": f"arn:aws:secretsmanager:eu-west-1:{ARN_ACCOUNT}:secret:db-AbCdEf",
        "API_KEY": f"arn:aws:ssm:eu-west-1:{ARN_ACCOUNT}:parameter/app/api-key",
    }

    assert parse_config(put(dev_values, "compute.secrets", secrets)).compute.services["app"].secrets == secrets


# --- names (owner, costCenter) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ("", "must not be empty"),
        (
            "-team",
            "must be 1-64 letters, digits, spaces or . _ @ / + = -, starting with a letter or digit; got '-team'",
        ),
        ("team#1", "starting with a letter or digit; got 'team#1'"),
        ("x" * 65, "must be at most 64 characters; got 65 characters"),
    ],
)
def test_owner_rejects_unusable_names_in_words(dev_values, put, rejected, owner, message):
    problems = rejected(put(dev_values, "owner", owner))

    assert message in problems["webstack:owner"]
    assert "pattern" not in problems["webstack:owner"]
