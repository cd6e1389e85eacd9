"""The loader: namespaced keys, unknown keys at every level, every problem at once, and stack files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from config import (
    ConfigError,
    Environment,
    StackFileError,
    load_stack_file,
    parse_config,
    parse_pulumi_config,
    read_stack_file,
)

ROOT = Path(__file__).resolve().parents[2]

# --- namespaces ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["aws:profile", "aws:accessKey", "aws:defaultTags", "aws:skipCredentialsValidation"])
def test_aws_keys_other_than_region_are_rejected(dev_values, rejected, key):
    dev_values[key] = "anything"

    problems = rejected(dev_values)

    assert list(problems) == [key]
    assert "never read `aws:` settings other than aws:region; remove it" in problems[key]


def test_region_set_in_webstack_namespace_is_rejected(dev_values, rejected):
    dev_values["webstack:region"] = "eu-central-1"

    problems = rejected(dev_values)

    assert problems == {"webstack:region": "the region is set with aws:region; remove this key"}


def test_missing_region_is_reported_at_aws_region(dev_values, rejected):
    del dev_values["aws:region"]

    assert rejected(dev_values) == {"aws:region": "required"}


@pytest.mark.parametrize("key", ["webstack:environment", "webstack:owner", "webstack:costCenter"])
def test_missing_required_key_is_reported(dev_values, rejected, key):
    del dev_values[key]

    assert rejected(dev_values) == {key: "required"}


def test_unknown_environment_lists_the_tiers(dev_values, rejected):
    dev_values["webstack:environment"] = "production"

    problems = rejected(dev_values)

    assert problems == {"webstack:environment": "must be dev, stage or prod; got 'production'"}


def test_environment_picks_the_tier(dev_values):
    dev_values["webstack:environment"] = "stage"

    assert parse_config(dev_values).environment is Environment.STAGE


# --- unknown keys ----------------------------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_the_close_one(dev_values, rejected):
    dev_values["webstack:netwrk"] = {"cidr": "10.10.0.0/16"}

    message = rejected(dev_values)["webstack:netwrk"]

    assert message.startswith("unknown key; did you mean network? allowed here: environment, owner, costCenter")
    assert "region" not in message.split("allowed here: ")[1].split(", ")


def test_unknown_top_level_key_without_close_match_lists_allowed_keys(dev_values, rejected):
    dev_values["webstack:banana"] = True

    message = rejected(dev_values)["webstack:banana"]

    assert message.startswith("unknown key; allowed here: ")
    assert "did you mean" not in message


def test_unknown_network_key_suggests_nat_gateways(dev_values, put, rejected):
    problems = rejected(put(dev_values, "network.natGatway", "single"))

    assert problems == {
        "webstack:network.natGatway": "unknown key; did you mean natGateways? allowed here: cidr, "
        "availabilityZones, availabilityZoneIds, publicSubnetMask, privateSubnetMask, isolatedSubnetMask, natGateways, "
        "interfaceEndpoints, flowLogs"
    }


def test_unknown_key_two_levels_down_is_named_in_full(dev_values, put, rejected):
    problems = rejected(put(dev_values, "network.flowLogs.enabeld", True))

    assert problems["webstack:network.flowLogs.enabeld"].startswith("unknown key; did you mean enabled?")


def test_unknown_key_inside_the_compute_union_suggests_a_field_of_its_kind(dev_values, put, rejected):
    problems = rejected(put(dev_values, "compute.cpuu", 512))

    message = problems["webstack:compute.cpuu"]
    assert message.startswith("unknown key; did you mean cpu? allowed here:")
    assert "memory" in message
    assert "instanceType" not in message


def test_unknown_key_inside_ec2_compute_lists_ec2_fields(dev_values, rejected):
    dev_values["webstack:compute"] = {"kind": "ec2", "instanceTyp": "t4g.small"}

    problems = rejected(dev_values)

    assert problems["webstack:compute.instanceTyp"].startswith("unknown key; did you mean instanceType?")


def test_unknown_compute_kind_is_reported_at_kind(dev_values, put, rejected):
    problems = rejected(put(dev_values, "compute.kind", "lambda"))

    assert problems == {"webstack:compute.kind": "must be fargate or ec2; got 'lambda'"}


def test_section_that_is_not_a_mapping_is_rejected(dev_values, rejected):
    dev_values["webstack:network"] = "10.10.0.0/16"

    problems = rejected(dev_values)

    assert problems["webstack:network"] == (
        "must be a mapping of keys (an indented block of `key: value` lines); got '10.10.0.0/16'"
    )


# --- every problem at once -------------------------------------------------------------------------------------


@pytest.fixture
def six_problems(prod_values, put):
    """prod values with one independent problem in each of six places."""
    prod_values["aws:profile"] = "prod-admin"
    put(prod_values, "network.natGatway", "single")
    put(prod_values, "data.postgres.multiAz", False)
    put(prod_values, "compute.minCount", 13)
    put(prod_values, "observability.alarmEmails", ["not-an-address"])
    put(prod_values, "tags", {"Owner": "someone-else"})
    return prod_values


def test_all_problems_of_a_config_are_reported_at_once(six_problems):
    with pytest.raises(ConfigError) as caught:
        parse_config(six_problems)

    assert {problem.key for problem in caught.value.problems} == {
        "aws:profile",
        "webstack:network.natGatway",
        "webstack:data.postgres.multiAz",
        "webstack:compute.minCount",
        "webstack:observability.alarmEmails[0]",
        "webstack:tags",
    }


def test_error_text_lists_every_problem_under_its_source(six_problems):
    with pytest.raises(ConfigError) as caught:
        parse_config(six_problems, source="Pulumi.prod.yaml")

    text = str(caught.value)
    assert text.startswith("Pulumi.prod.yaml: 6 configuration problems:\n")
    for problem in caught.value.problems:
        assert f"\n  - {problem.key}: {problem.message}" in text


def test_reserved_tag_is_reported_beside_other_problems(prod_values, put, rejected):
    put(prod_values, "edge.waf.enabled", False)

    problems = rejected(put(prod_values, "tags", {"Environment": "x", "Owner": "y", "Team": "web"}))

    assert problems["webstack:tags"] == "Environment, Owner are set by webstack itself; use another tag name"
    assert "webstack:edge.waf.enabled" in problems


def test_config_error_exits_with_code_2(dev_values):
    del dev_values["webstack:owner"]

    with pytest.raises(ConfigError) as caught:
        parse_config(dev_values)

    assert caught.value.exit_code == 2


def test_single_problem_is_counted_in_the_singular(dev_values):
    del dev_values["webstack:owner"]

    with pytest.raises(
        ConfigError, match=r"^stack configuration: 1 configuration problem:\n  - webstack:owner: required$"
    ):
        parse_config(dev_values)


# --- the config of a running program ---------------------------------------------------------------------------


def as_pulumi_passes(values):
    """Config as the language host hands it to a program: every value text, structured ones as JSON."""
    return {key: json.dumps(value) if isinstance(value, dict | list) else str(value) for key, value in values.items()}


def test_running_program_config_decodes_structured_values_from_json(prod_values):
    assert parse_pulumi_config(as_pulumi_passes(prod_values)) == parse_config(prod_values)


def test_running_program_config_keeps_text_that_only_looks_like_json(dev_values):
    dev_values["webstack:owner"] = "[platform"

    with pytest.raises(ConfigError) as caught:
        parse_pulumi_config(as_pulumi_passes(dev_values))

    assert [problem.key for problem in caught.value.problems] == ["webstack:owner"]
    assert caught.value.problems[0].message.endswith("; got '[platform'")


# --- stack files -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stack_files_load(stack):
    config = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")

    assert config.environment.value == stack


def test_stack_file_round_trips_through_yaml(tmp_path, prod_values):
    path = tmp_path / "Pulumi.copy.yaml"
    path.write_text(yaml.safe_dump({"config": prod_values}), encoding="utf-8")

    assert load_stack_file(path) == parse_config(prod_values)


def test_stack_file_with_secrets_provider_keys_is_read(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("secretsprovider: passphrase\nencryptionsalt: v1:abc\nconfig:\n  aws:region: eu-west-1\n")

    assert read_stack_file(path) == {"aws:region": "eu-west-1"}


def test_empty_stack_file_reads_as_no_config(tmp_path):
    path = tmp_path / "Pulumi.empty.yaml"
    path.write_text("# nothing yet\n")

    assert read_stack_file(path) == {}


def test_missing_stack_file_names_the_path(tmp_path):
    path = tmp_path / "Pulumi.nope.yaml"

    with pytest.raises(StackFileError, match="no such stack file; create it or pass --config FILE") as caught:
        read_stack_file(path)

    assert str(caught.value).startswith(f"{path}: ")
    assert caught.value.exit_code == 2


def test_invalid_yaml_names_the_path(tmp_path):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text("config:\n  webstack:network: {cidr: [\n")

    with pytest.raises(StackFileError, match="not valid YAML") as caught:
        read_stack_file(path)

    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "config:\n  - aws:region\n"])
def test_stack_file_that_is_not_a_mapping_with_config_names_the_path(tmp_path, text):
    path = tmp_path / "Pulumi.list.yaml"
    path.write_text(text)

    with pytest.raises(StackFileError) as caught:
        read_stack_file(path)

    assert str(caught.value) == f"{path}: expected a mapping with a `config:` block of `webstack:` keys"


def test_stack_file_with_unknown_top_level_key_names_the_path_and_key(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("webstack:owner: team\nconfig:\n  aws:region: eu-west-1\n")

    with pytest.raises(StackFileError) as caught:
        read_stack_file(path)

    assert str(caught.value) == f"{path}: unknown top-level key(s) webstack:owner; stack settings go under `config:`"


def test_invalid_stack_file_config_names_the_file_as_source(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  aws:region: eu-west-1\n  webstack:environment: dev\n")

    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)

    assert str(caught.value).startswith(f"{path}: 2 configuration problems:")
    assert {problem.key for problem in caught.value.problems} == {"webstack:owner", "webstack:costCenter"}


@pytest.mark.parametrize(
    ("key", "hint"),
    [("webstak:network", "did you mean webstack:network?"), ("webstack:", "unknown key"), ("app:debug", "unknown key")],
)
def test_key_outside_known_namespaces_is_rejected_not_ignored(dev_values, key, hint):
    dev_values[key] = {"cidr": "10.0.0.0/16"}
    with pytest.raises(ConfigError) as raised:
        parse_config(dev_values)
    problems = {problem.key: problem.message for problem in raised.value.problems}
    assert hint in problems[key]


def test_engine_namespace_is_left_to_pulumi(dev_values):
    dev_values["pulumi:disable-default-providers"] = ["aws"]
    assert parse_config(dev_values).environment.value == "dev"
