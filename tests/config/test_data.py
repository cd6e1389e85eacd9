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


# --- windows ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backup", "maintenance", "key", "message"),
    [
        ("03:00-04:00", "sun:03:30-sun:04:30", "maintenanceWindow", "overlaps the daily window 03:00-04:00"),
        ("23:30-00:30", "mon:00:00-mon:01:00", "maintenanceWindow", "overlaps the daily window 23:30-00:30"),
        ("02:00-02:20", "sun:03:30-sun:04:30", "backupWindow", "20 minutes is too short; RDS needs at least 30"),
        ("2am-3am", "sun:03:30-sun:04:30", "backupWindow", "is not a daily window like 02:00-03:00"),
        ("02:00-03:00", "sunday:03:30-04:30", "maintenanceWindow", "is not a weekly window like sun:03:30-sun:04:30"),
    ],
)
def test_database_windows_must_be_well_formed_long_enough_and_apart(
    dev_values, put, rejected, backup, maintenance, key, message
):
    put(dev_values, "data.postgres.backupWindow", backup)
    problems = rejected(put(dev_values, "data.postgres.maintenanceWindow", maintenance))

    assert message in problems[f"webstack:data.postgres.{key}"]


def test_cache_windows_need_an_hour_each(dev_values, put, rejected):
    problems = rejected(put(dev_values, "data.cache.snapshotWindow", "01:00-01:30"))

    assert "30 minutes is too short; ElastiCache needs at least 60" in problems["webstack:data.cache.snapshotWindow"]


def test_windows_that_do_not_touch_are_accepted(dev_values, put):
    put(dev_values, "data.postgres.backupWindow", "22:00-23:00")
    config = parse_config(put(dev_values, "data.postgres.maintenanceWindow", "Sat:23:00-Sun:00:00"))

    assert config.data.postgres.maintenance_window == "sat:23:00-sun:00:00"


# --- names, monitoring, cache versions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("databaseName", "postgres", "postgres is reserved by PostgreSQL or RDS"),
        ("masterUsername", "rdsadmin", "rdsadmin is reserved"),
        ("masterUsername", "pg_admin", "pg_admin is reserved"),
        ("databaseName", "1app", "must be 1-63 letters, digits or _, starting with a letter; got '1app'"),
        ("monitoringIntervalSeconds", 20, "20 is not an interval RDS accepts; use 0, 1, 5, 10, 15, 30 or 60"),
    ],
)
def test_database_names_and_monitoring_interval_are_checked(dev_values, put, rejected, key, value, message):
    problems = rejected(put(dev_values, f"data.postgres.{key}", value))

    assert message in problems[f"webstack:data.postgres.{key}"]


@pytest.mark.parametrize(
    ("engine", "version", "message"),
    [("valkey", "7.0", "valkey comes in 7.2 or 8.0"), ("redis", "6.2", "redis comes in 7.0 or 7.1")],
)
def test_cache_versions_are_those_with_iam_authentication(dev_values, put, rejected, engine, version, message):
    put(dev_values, "data.cache.engine", engine)
    problems = rejected(put(dev_values, "data.cache.engineVersion", version))

    assert message in problems["webstack:data.cache.engineVersion"]


def test_cache_version_defaults_to_the_engines_newest(dev_values, put):
    config = parse_config(put(dev_values, "data.cache.engine", "redis"))

    assert (config.data.cache.engine_version, config.data.cache.version) == (None, "7.1")


def test_prod_cache_keeps_snapshots(prod_values, put, rejected):
    problems = rejected(put(prod_values, "data.cache.snapshotRetentionDays", 0))

    assert (
        "must be at least 1 when webstack:environment is prod" in problems["webstack:data.cache.snapshotRetentionDays"]
    )


def test_dev_preset_runs_the_cache_serverless_and_prod_on_nodes(dev_values, prod_values):
    assert parse_config(dev_values).data.cache.mode.value == "serverless"
    assert parse_config(prod_values).data.cache.mode.value == "nodes"
