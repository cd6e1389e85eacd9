"""The shipped stacks validate, and no prod config can switch off a prod invariant (dev may)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config import ConfigError, Environment, StackConfig, parse_config
from config.network import NatGateways

# (config path, a value prod must refuse, the key the problem names, a fragment of the reason it gives)
PROD_INVARIANTS = [
    ("data.postgres.multiAz", False, "webstack:data.postgres.multiAz", "goes down with its AZ"),
    ("data.postgres.backupRetentionDays", 6, "webstack:data.postgres.backupRetentionDays", "at least 7"),
    ("data.postgres.deletionProtection", False, "webstack:data.postgres.deletionProtection", "deleted by accident"),
    ("data.postgres.storageEncrypted", False, "webstack:data.postgres.storageEncrypted", "must be encrypted"),
    ("network.natGateways", "single", "webstack:network.natGateways", "egress up when an AZ fails"),
    ("network.natGateways", "none", "webstack:network.natGateways", "egress up when an AZ fails"),
    ("network.flowLogs.enabled", False, "webstack:network.flowLogs.enabled", "record of every flow"),
    ("edge.waf.enabled", False, "webstack:edge.waf.enabled", "managed rules and the rate limit"),
    ("compute.minCount", 1, "webstack:compute.minCount", "single AZ serving"),
    ("compute.desiredCount", 1, "webstack:compute.desiredCount", "single point of failure"),
    ("compute.image", "public.ecr.aws/nginx/nginx:latest", "webstack:compute.image", "reproducible"),
    ("compute.image", "public.ecr.aws/nginx/nginx", "webstack:compute.image", "reproducible"),
    ("compute.image", "registry.example.com:5000/app", "webstack:compute.image", "reproducible"),
    ("data.cache.replicas", 0, "webstack:data.cache.replicas", "loses its data"),
    ("data.cache.automaticFailover", False, "webstack:data.cache.automaticFailover", "without a page"),
    ("data.cache.snapshotRetentionDays", 0, "webstack:data.cache.snapshotRetentionDays", "warm the whole cache"),
    ("data.sessions.deletionProtection", False, "webstack:data.sessions.deletionProtection", "signing every user"),
    ("data.sessions.pointInTimeRecovery", False, "webstack:data.sessions.pointInTimeRecovery", "bad write"),
    (
        "compute.schedule",
        {"scaleDown": "cron(0 19 * * ? *)", "scaleUp": "cron(0 7 * * ? *)", "timeZone": "UTC"},
        "webstack:compute.schedule",
        "serves around the clock",
    ),
    ("observability.accessLogs", False, "webstack:observability.accessLogs", "must be traceable"),
]
IDS = [f"{path}={value}" for path, value, _, _ in PROD_INVARIANTS]


def test_shipped_dev_stack_validates(dev_values):
    config = parse_config(dev_values, source="Pulumi.dev.yaml")

    assert config.environment is Environment.DEV
    assert config.region == "eu-west-1"


def test_shipped_prod_stack_is_highly_available_and_protected(prod_values):
    config = parse_config(prod_values, source="Pulumi.prod.yaml")

    assert config.environment is Environment.PROD
    assert config.account_id == "111111111111"
    assert config.data.postgres.multi_az is True
    assert config.data.postgres.deletion_protection is True
    assert config.data.postgres.storage_encrypted is True
    assert config.data.postgres.backup_retention_days >= 7
    assert config.network.availability_zones == 3
    assert config.network.nat_gateways is NatGateways.ONE_PER_AZ
    assert config.network.flow_logs.enabled is True
    assert config.compute.services["app"].min_count >= 2
    assert config.compute.services["app"].desired_count >= 2
    assert config.edge.waf.enabled is True
    assert config.data.cache.replicas >= 1
    assert config.observability.access_logs is True


def test_shipped_dev_stack_is_cheap(dev_values):
    config = parse_config(dev_values)

    assert config.network.nat_gateways is NatGateways.SINGLE
    assert config.data.postgres.multi_az is False
    assert config.compute.kind == "fargate"
    assert (config.compute.services["app"].on_demand_base, config.compute.services["app"].spot_percent) == (0, 100)
    assert config.compute.services["app"].deployment.strategy.value == "rolling"


@pytest.mark.parametrize(("path", "value", "key", "reason"), PROD_INVARIANTS, ids=IDS)
def test_prod_rejects_switching_off_invariant(prod_values, put, rejected, path, value, key, reason):
    problems = rejected(put(prod_values, path, value))

    assert list(problems) == [key]
    assert "when webstack:environment is prod" in problems[key]
    assert reason in problems[key]


@pytest.mark.parametrize(("path", "value", "key", "reason"), PROD_INVARIANTS, ids=IDS)
def test_dev_accepts_what_prod_forbids(dev_values, put, path, value, key, reason):
    config = parse_config(put(dev_values, path, value))

    node = config.model_dump(by_alias=True, mode="json")
    # The single app's keys, written under compute, are the service `app`'s.
    parts = path.split(".")
    if parts[0] == "compute" and parts[1] not in node["compute"]:
        parts[1:1] = ["services", "app"]
    for part in parts:
        node = node[part]
    assert node == value


def test_prod_rejects_missing_account_id(prod_values, rejected):
    del prod_values["webstack:accountId"]

    problems = rejected(prod_values)

    assert "must be set when webstack:environment is prod" in problems["webstack:accountId"]
    assert "another account" in problems["webstack:accountId"]


def test_dev_allows_missing_account_id(dev_values):
    assert parse_config(dev_values).account_id is None


def test_prod_accepts_image_pinned_by_digest(prod_values, put):
    image = "public.ecr.aws/nginx/nginx@sha256:" + "a" * 64

    assert parse_config(put(prod_values, "compute.image", image)).compute.services["app"].image == image


def test_prod_accepts_registry_port_with_pinned_tag(prod_values, put):
    image = "registry.example.com:5000/app:1.4.2"

    assert parse_config(put(prod_values, "compute.image", image)).compute.services["app"].image == image


def test_stage_rejects_no_nat_gateways(minimal, put, rejected):
    problems = rejected(put(minimal("stage"), "network.natGateways", "none"))

    message = problems["webstack:network.natGateways"]
    assert "must be single or onePerAz when webstack:environment is stage" in message
    assert "dev-only economy" in message


def test_stage_accepts_single_nat_gateway(minimal, put):
    config = parse_config(put(minimal("stage"), "network.natGateways", "single"))

    assert config.network.nat_gateways is NatGateways.SINGLE


def test_dev_accepts_no_nat_gateways(dev_values, put):
    config = parse_config(put(dev_values, "network.natGateways", "none"))

    assert config.network.nat_gateways is NatGateways.NONE


# -- the rules hold however the config is built ----------------------------------------------------


def prod_document(prod_values):
    """A full prod config as an Automation API caller might build it: presets applied, no loader."""
    from config.loader import parse_config

    return parse_config(prod_values).model_dump(mode="json", by_alias=True)


def test_prod_rules_hold_for_model_validate_without_the_loader(prod_values):
    document = prod_document(prod_values)
    document["data"]["postgres"]["multiAz"] = False
    document["network"]["natGateways"] = "none"

    with pytest.raises(ValidationError) as caught:
        StackConfig.model_validate(document)

    failed = {error["loc"] for error in caught.value.errors()}
    assert ("data", "postgres", "multiAz") in failed
    assert ("network", "natGateways") in failed


def test_the_same_document_in_dev_is_accepted_by_model_validate(prod_values):
    document = prod_document(prod_values)
    document.update(environment="dev")
    document["data"]["postgres"]["multiAz"] = False

    assert StackConfig.model_validate(document).data.postgres.multi_az is False


def test_a_config_changed_after_validation_is_checked_again_before_anything_is_built(prod_values):
    from config.loader import parse_config, revalidated

    config = parse_config(prod_values)
    postgres = config.data.postgres.model_copy(update={"multi_az": False})
    weakened = config.model_copy(update={"data": config.data.model_copy(update={"postgres": postgres})})

    with pytest.raises(ConfigError) as caught:
        revalidated(weakened)

    assert [problem.key for problem in caught.value.problems] == ["webstack:data.postgres.multiAz"]


@pytest.mark.parametrize(
    ("path", "value", "key", "reason"),
    [
        ("edge", {}, "webstack:edge.domainName", "prod serves HTTPS end to end"),
        ("network.flowLogs.retentionDays", 180, "webstack:network.flowLogs.retentionDays", "must be at least 365"),
        ("observability.logRetentionDays", 14, "webstack:observability.logRetentionDays", "must be at least 30"),
        ("compute.image", "public.ecr.aws/nginx/nginx:stable", "webstack:compute.image", "tags such as latest"),
        ("compute.image", "ghcr.io/acme/app:main", "webstack:compute.image", "a version tag"),
        ("compute.image", "ghcr.io/acme/app:edge", "webstack:compute.image", "a version tag"),
    ],
)
def test_prod_cross_section_rules(prod_values, put, rejected, path, value, key, reason):
    if path == "edge":
        prod_values["webstack:edge"] = value
    else:
        put(prod_values, path, value)

    problems = rejected(prod_values)

    assert reason in problems[key]


@pytest.mark.parametrize(
    "image",
    [
        "public.ecr.aws/nginx/nginx:1.27",
        "ghcr.io/acme/app:v2.3.1-alpine",
        "ghcr.io/acme/app:2024.10.01",
        "ghcr.io/acme/app:3f2c1ab",
        "ghcr.io/acme/app@sha256:" + "a" * 64,
        "registry.example.com:5000/team/app:1.0",
    ],
)
def test_prod_accepts_images_pinned_by_version_sha_or_digest(prod_values, put, image):
    assert parse_config(put(prod_values, "compute.image", image)).compute.services["app"].image == image


@pytest.mark.parametrize("tier", ["dev", "prod"])
def test_cache_tls_cannot_be_switched_off_in_any_tier(minimal, put, rejected, tier):
    problems = rejected(put(minimal(tier), "data.cache.encryptionInTransit", False))

    assert problems == {"webstack:data.cache.encryptionInTransit": "must be true; got false"}
