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


@pytest.mark.parametrize("version", ["13", "16.4", "19", "9.6"])
def test_unsupported_postgres_version_is_rejected(dev_values, put, rejected, version):
    problems = rejected(put(dev_values, "data.postgres.engineVersion", version))

    assert (
        f"{version!r} is not a PostgreSQL major version RDS offers; use 14, 15, 16, 17 or 18"
        == problems["webstack:data.postgres.engineVersion"]
    )


@pytest.mark.parametrize(
    ("instance_class", "message"),
    [
        ("t4g.micro", "'t4g.micro' lacks the db. prefix of RDS instance classes: db.t4g.micro"),
        ("db.t4g", "'db.t4g' is not an RDS for PostgreSQL instance class"),
        (
            "cache.t4g.micro",
            "'cache.t4g.micro' is an ElastiCache node type; an RDS instance class looks like db.t4g.micro",
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
