"""Careless and hostile stack files, as `python -m ops validate` meets them.

Each class of bad input from the review: exit code 2, every problem at once, each under its
config key (or line), said in words, and never a traceback or a raw control character.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ops.cli import main
from tests.conftest import ROOT

DEV = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")


def validate(tmp_path: Path, text: str | bytes, capsys) -> tuple[int, str]:
    path = tmp_path / "Pulumi.hostile.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    code = main(["validate", "dev", "--config", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def dev_with(extra: str) -> str:
    """The shipped dev stack with `extra` lines added under `config:`."""
    return DEV.rstrip("\n") + "\n" + extra


# -- YAML that silently loses or changes data ----------------------------------------------------


def test_a_section_given_twice_is_rejected_with_both_lines(tmp_path, capsys):
    text = dev_with("  webstack:network:\n    cidr: 10.20.0.0/16\n")
    first = DEV.splitlines().index("  webstack:network:") + 1
    second = len(DEV.splitlines()) + 1

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert f"webstack:network: line {second}: given twice (first on line {first})" in err


def test_a_nested_key_given_twice_is_rejected_with_both_lines(tmp_path, capsys):
    text = dev_with("  webstack:tags:\n    Team: web\n    Tier: one\n    Team: api\n")

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert "webstack:tags.Team: line" in err
    assert "given twice" in err


def test_a_merge_key_is_not_a_duplicate(tmp_path, capsys):
    text = dev_with("  webstack:tags:\n    <<: {Team: web}\n    Team: api\n")

    code, _ = validate(tmp_path, text, capsys)

    assert code == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.10", "YAML reads '1.10' as the number 1.1; put it in quotes if it is text"),
        ("0755", "YAML reads '0755' as the number 493; write 493, or put it in quotes if it is text"),
        ("2024-01-01", "YAML reads '2024-01-01' as a date; put it in quotes"),
        ("1_000", "YAML reads '1_000' as the number 1000"),
    ],
)
def test_a_value_yaml_would_change_must_be_quoted(tmp_path, capsys, value, message):
    code, err = validate(tmp_path, dev_with(f"  webstack:tags:\n    Version: {value}\n"), capsys)

    assert code == 2
    assert f"webstack:tags.Version: line {len(DEV.splitlines()) + 2}: {message}" in err


def test_the_same_value_quoted_is_kept_as_written(tmp_path, capsys):
    code, _ = validate(tmp_path, dev_with("  webstack:tags:\n    Version: '1.10'\n    Mode: '0755'\n"), capsys)

    assert code == 0


@pytest.mark.parametrize("value", ["4711", "012345", "1.10", "true", "2024-01-01"])
def test_a_top_level_value_is_the_text_written_as_pulumi_hands_it_over(tmp_path, capsys, value):
    # Pulumi passes a top-level scalar to the program as its text; validate must agree with the engine.
    from config import read_stack_file

    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(DEV.replace("webstack:costCenter: engineering", f"webstack:costCenter: {value}"), encoding="utf-8")

    assert read_stack_file(path)["webstack:costCenter"] == value
    assert main(["validate", "dev", "--config", str(path)]) == 0


@pytest.mark.parametrize("value", ["yes", "on", "No"])
def test_yaml_1_1_booleans_are_text_as_in_pulumis_yaml(tmp_path, capsys, value):
    from config import read_stack_file

    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(dev_with(f"  webstack:tags:\n    Public: {value}\n"), encoding="utf-8")

    assert read_stack_file(path)["webstack:tags"] == {"Public": value}


# -- work and size bounds ------------------------------------------------------------------------


BOMB = """config:
  aws:region: eu-west-1
  webstack:environment: dev
  webstack:owner: team
  webstack:costCenter: cc
  webstack:tags:
    a: &a ["x","x","x","x","x","x","x","x","x"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_an_alias_expansion_bomb_is_refused_quickly(tmp_path, capsys):
    start = time.perf_counter()
    code, err = validate(tmp_path, BOMB, capsys)
    seconds = time.perf_counter() - start

    assert code == 2
    assert "expands to more than 20000 values through its aliases" in err
    assert seconds < 5  # a bound on the work, not a benchmark: unbounded, this takes hours


def test_an_alias_that_refers_to_itself_is_refused(tmp_path, capsys):
    text = dev_with("  webstack:tags: &loop\n    Self: *loop\n")

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert "expands to more than" in err


def test_nesting_too_deep_for_a_stack_file_is_refused(tmp_path, capsys):
    code, err = validate(tmp_path, dev_with("  webstack:tags: " + "[" * 5000 + "]" * 5000 + "\n"), capsys)

    assert code == 2
    assert "nested more than 32 levels deep" in err


def test_a_file_larger_than_the_limit_is_refused_before_it_is_parsed(tmp_path, capsys):
    code, err = validate(tmp_path, DEV + "#" * (1024 * 1024), capsys)

    assert code == 2
    assert "larger than 1024 KiB; a stack file is a few kilobytes" in err


@pytest.mark.parametrize(
    ("old", "echo"),
    [
        ("platform-team", "got 100000 characters"),
        ("aws:region: eu-west-1", "… (100000 characters)"),
        ("image: public.ecr.aws/nginx/nginx:stable", "… (100000 characters)"),
    ],
)
def test_a_huge_value_is_quoted_short(tmp_path, capsys, old, echo):
    huge = old.split(": ")[0] + ": " + "x" * 100_000 if ": " in old else "x" * 100_000
    code, err = validate(tmp_path, DEV.replace(old, huge), capsys)

    assert code == 2
    assert echo in err
    assert len(err) < 2000


# -- files that are not stack files --------------------------------------------------------------


def test_a_file_that_is_not_utf8_names_the_line(tmp_path, capsys):
    line = DEV.splitlines().index("  webstack:owner: platform-team") + 1
    code, err = validate(tmp_path, DEV.encode("utf-8").replace(b"platform-team", b"plat\xffform"), capsys)

    assert code == 2
    assert f"line {line}: not UTF-8 text; save the file as UTF-8" in err


def test_a_directory_given_as_the_stack_file_is_named(tmp_path, capsys):
    code = main(["validate", "dev", "--config", str(tmp_path)])
    err = capsys.readouterr().err

    assert code == 2
    assert f"{tmp_path}: is a directory; give the path of a stack file" in err
    assert "Traceback" not in err


def test_a_binary_file_is_refused(tmp_path, capsys):
    code, err = validate(tmp_path, b"config:\x00\x01\x02", capsys)

    assert code == 2
    assert "NUL bytes" in err


# -- what reaches the user's terminal ------------------------------------------------------------


def test_control_characters_in_values_are_escaped_not_printed(tmp_path, capsys):
    code, err = validate(tmp_path, DEV.replace("platform-team", '"team\\e[31mRED\\e[0m"'), capsys)

    assert code == 2
    assert "\x1b" not in err
    assert "\\x1b[31mRED" in err


def test_a_newline_in_a_value_cannot_forge_a_problem_line(tmp_path, capsys):
    forged = '"team\\n  - webstack:fake: everything is fine"'

    code, err = validate(tmp_path, DEV.replace("platform-team", forged), capsys)

    assert code == 2
    assert "\n  - webstack:fake" not in err
    assert [line for line in err.splitlines() if line.startswith("  - ")] == [
        line for line in err.splitlines() if line.startswith("  - webstack:owner")
    ]


def test_control_characters_in_a_key_are_escaped(tmp_path, capsys):
    code, err = validate(tmp_path, dev_with('  "webstack:x\\e[2J": 1\n'), capsys)

    assert code == 2
    assert "\x1b" not in err
    assert "webstack:x\\x1b[2J" in err


# -- every problem at once -----------------------------------------------------------------------


def test_a_sections_cross_field_rule_is_reported_beside_another_fields_error(tmp_path, capsys):
    text = DEV.replace("    containerPort: 80\n", "    containerPort: eighty\n    cpu: 256\n    memory: 4096\n")

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert "webstack:compute.containerPort: must be a whole number; got 'eighty'" in err
    assert "webstack:compute.memory: 4096 MiB does not go with cpu 256" in err


def test_every_secret_looking_variable_is_reported_at_its_own_key(tmp_path, capsys):
    text = DEV.replace(
        "    containerPort: 80\n",
        "    containerPort: 80\n    environment:\n      DB_PASSWORD: x\n      API_TOKEN: y\n      LOG_LEVEL: info\n",
    )

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert "webstack:compute.environment.DB_PASSWORD: looks like a secret" in err
    assert "webstack:compute.environment.API_TOKEN: looks like a secret" in err
    assert "LOG_LEVEL" not in err


# -- values AWS or Docker would reject -----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("aws:region: eu-west-1", "aws:region: eu-wset-1", "aws:region", "did you mean eu-west-1"),
        ("aws:region: eu-west-1", "aws:region: us-gov-west-1", "aws:region", "webstack supports the aws partition"),
        ("aws:region: eu-west-1", "aws:region: cn-north-1", "aws:region", "(partition aws-cn)"),
        ("cidr: 10.10.0.0/16", "cidr: 172.17.0.0/16", "webstack:network.cidr", "overlaps 172.17.0.0/16"),
        (
            "image: public.ecr.aws/nginx/nginx:stable",
            "image: public.ecr.aws/MyOrg/App:1.0",
            "webstack:compute.image",
            "repository names must be lower case",
        ),
    ],
)
def test_a_value_aws_or_docker_would_reject_is_rejected_here(tmp_path, capsys, old, new, key, message):
    code, err = validate(tmp_path, DEV.replace(old, new), capsys)

    assert code == 2
    assert f"{key}: " in err
    assert message in err


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("    data:\n      postgres:\n        instanceClass: db.m7g.huge\n", "db.m7g comes in"),
        ("    data:\n      cache:\n        nodeType: cache.t4g.giant\n", "cache.t4g comes in"),
    ],
)
def test_instance_classes_and_node_types_that_do_not_exist_are_rejected(tmp_path, capsys, section, message):
    text = dev_with("  webstack:data:\n" + "\n".join(line[2:] for line in section.splitlines()[1:]) + "\n")

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf", "in the aws-cn partition"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "is in us-east-1, not the stack's region"),
    ],
)
def test_a_secret_from_another_partition_or_region_is_rejected(tmp_path, capsys, arn, message):
    text = DEV.replace("    containerPort: 80\n", f"    containerPort: 80\n    secrets:\n      DB_URL: {arn}\n")

    code, err = validate(tmp_path, text, capsys)

    assert code == 2
    assert "webstack:compute.secrets.DB_URL: " in err
    assert message in err


# -- messages in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    containerPort: 80\n", "    containerPort: 80\n    healthCheckPath: no slash\n"),
        ("  webstack:owner: platform-team", "  webstack:owner: '#team'"),
        ("    natGateways: single", "    natGateways: several"),
        ("  webstack:network:\n", "  webstack:network: 12\n  webstack:ignored:\n"),
        ("    containerPort: 80\n", "    containerPort: 80\n    maxCount:\n"),
    ],
)
def test_no_pydantic_jargon_reaches_the_user(tmp_path, capsys, old, new):
    code, err = validate(tmp_path, DEV.replace(old, new), capsys)

    assert code == 2
    for jargon in ("pattern", "Input should", "after validation", "got unset", "Config'", "instance of", "dictionary"):
        assert jargon not in err, jargon


def test_a_snake_case_key_is_reported_as_written_with_the_camel_case_spelling(tmp_path, capsys):
    code, err = validate(tmp_path, DEV.replace("natGateways: single", "nat_gateways: single"), capsys)

    assert code == 2
    assert "webstack:network.nat_gateways: unknown key; write it as natGateways (config keys are camelCase)" in err


def test_python_minus_oo_still_prints_help():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-OO", "-m", "ops", "--help"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0
    assert "Validate, plan and price a stack offline" in result.stdout
