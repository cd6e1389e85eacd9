"""`webstack:data`: PostgreSQL storage bounds and versions, the cache's failover rule, the sessions table."""

from __future__ import annotations

import pytest

from config import parse_config
from config.data import CacheEngine


def test_max_storage_below_allocated_is_rejected(dev_values, put, rejected):
    put(dev_values, "data.postgres.allocatedStorageGb", 100)

    problems = rejected(put(dev_values, "data.postgres.maxAllocatedStorageGb", 50))

    assert problems == {
        "webstack:data.postgres.maxAllocatedStorageGb": "50 is below data.postgres.allocatedStorageGb (100)"
    }


def test_max_storage_equal_to_allocated_is_accepted(dev_values, put):
    put(dev_values, "data.postgres.allocatedStorageGb", 50)

    postgres = parse_config(put(dev_values, "data.postgres.maxAllocatedStorageGb", 50)).data.postgres

    assert (postgres.allocated_storage_gb, postgres.max_allocated_storage_gb) == (50, 50)


def test_storage_below_20_gb_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "data.postgres.allocatedStorageGb", 10))

    assert problems["webstack:data.postgres.allocatedStorageGb"] == "must be at least 20; got 10"


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            "13",
            "PostgreSQL 13 left RDS standard support on 2026-02-28 (a new instance would be billed for RDS "
            "Extended Support); use 14, 15, 16, 17 or 18",
        ),
        ("16.4", "'16.4' is a minor version; give the major version, 16 (RDS applies minor versions)"),
        ("19", "'19' is not a PostgreSQL major version RDS offers; use 14, 15, 16, 17 or 18"),
        ("9.6", "'9.6' is not a PostgreSQL major version RDS offers; use 14, 15, 16, 17 or 18"),
    ],
)
def test_unsupported_postgres_version_is_rejected_with_what_to_use(dev_values, put, rejected, version, message):
    problems = rejected(put(dev_values, "data.postgres.engineVersion", version))

    assert problems["webstack:data.postgres.engineVersion"] == message


def test_an_unquoted_major_version_is_read_as_its_digits(dev_values, put):
    assert parse_config(put(dev_values, "data.postgres.engineVersion", 17)).data.postgres.engine_version == "17"


def test_an_instance_class_that_does_not_run_the_version_is_rejected(dev_values, put, rejected):
    put(dev_values, "data.postgres.instanceClass", "db.x2idn.16xlarge")
    problems = rejected(put(dev_values, "data.postgres.engineVersion", "16"))

    assert "db.x2idn.16xlarge runs PostgreSQL 15 only, not 16" in problems["webstack:data.postgres.instanceClass"]


def test_a_valkey_only_node_type_is_rejected_for_redis(dev_values, put, rejected):
    put(dev_values, "data.cache.nodeType", "cache.m8g.large")
    problems = rejected(put(dev_values, "data.cache.engine", "redis"))

    assert "cache.m8g.large runs Valkey only" in problems["webstack:data.cache.nodeType"]


@pytest.mark.parametrize(
    ("instance_class", "message"),
    [
        ("t4g.micro", "'t4g.micro' lacks the db. prefix: db.t4g.micro"),
        ("db.t4g", "'db.t4g' is not an RDS for PostgreSQL instance class"),
        (
            "cache.t4g.micro",
            "'cache.t4g.micro' is an ElastiCache node type; an RDS for PostgreSQL instance class looks like "
            "db.t4g.micro",
        ),
        ("db.m7g.huge", "db.m7g comes in large, xlarge"),
        ("db.m9z.large", "is not an RDS for PostgreSQL instance class"),
    ],
)
def test_postgres_instance_class_must_be_one_rds_offers(dev_values, put, rejected, instance_class, message):
    problems = rejected(put(dev_values, "data.postgres.instanceClass", instance_class))

    assert message in problems["webstack:data.postgres.instanceClass"]


@pytest.mark.parametrize(("days", "message"), [(0, "must be at least 1; got 0"), (36, "must be at most 35; got 36")])
def test_backup_retention_outside_rds_range_is_rejected(dev_values, put, rejected, days, message):
    problems = rejected(put(dev_values, "data.postgres.backupRetentionDays", days))

    assert message in problems["webstack:data.postgres.backupRetentionDays"]


def test_cache_failover_without_replica_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "data.cache.automaticFailover", True))

    assert problems == {
        "webstack:data.cache.automaticFailover": "needs data.cache.replicas of at least 1 "
        "(there is nothing to fail over to)"
    }


def test_cache_failover_with_replica_is_accepted(dev_values, put):
    put(dev_values, "data.cache.replicas", 1)

    cache = parse_config(put(dev_values, "data.cache.automaticFailover", True)).data.cache

    assert (cache.replicas, cache.automatic_failover) == (1, True)


def test_cache_engine_defaults_to_valkey(dev_values):
    assert parse_config(dev_values).data.cache.engine is CacheEngine.VALKEY


def test_unknown_cache_engine_is_rejected(dev_values, put, rejected):
    problems = rejected(put(dev_values, "data.cache.engine", "memcached"))

    assert problems["webstack:data.cache.engine"] == "must be valkey or redis; got 'memcached'"


def test_sessions_ttl_attribute_must_be_an_attribute_name(dev_values, put, rejected):
    problems = rejected(put(dev_values, "data.sessions.ttlAttribute", "expires-at"))

    assert (
        problems["webstack:data.sessions.ttlAttribute"]
        == "must be 1-255 letters, digits or _, not starting with a digit; got 'expires-at'"
    )
