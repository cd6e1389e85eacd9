"""`webstack:data`: PostgreSQL on RDS, the ElastiCache cache and the DynamoDB sessions table."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field

from config import catalog
from config.base import PROD, ConfigModel, at_least_in, required_in, rule
from config.text import words
from config.types import Allowed, checked_by, text_from_plain_scalar

POSTGRES_MAJOR_VERSIONS = tuple(catalog.POSTGRES_MAJOR_VERSIONS)


@rule("allocated_storage_gb", "max_allocated_storage_gb")
def _ceiling_above_start(values: PostgresConfig) -> Iterator[tuple[str, str]]:
    if values.max_allocated_storage_gb < values.allocated_storage_gb:
        below = f"{values.max_allocated_storage_gb} is below data.postgres.allocatedStorageGb"
        yield "max_allocated_storage_gb", f"{below} ({values.allocated_storage_gb})"


@rule("instance_class", "engine_version")
def _class_runs_the_version(values: PostgresConfig) -> Iterator[tuple[str, str]]:
    problem = catalog.rds_instance_class_problem(values.instance_class, values.engine_version)
    if problem:
        yield "instance_class", problem


@rule("engine", "node_type")
def _node_type_runs_the_engine(values: CacheConfig) -> Iterator[tuple[str, str]]:
    problem = catalog.cache_node_type_problem(values.node_type, values.engine.value)
    if problem:
        yield "node_type", problem


@rule("replicas", "automatic_failover")
def _failover_needs_replica(values: CacheConfig) -> Iterator[tuple[str, str]]:
    if values.automatic_failover and values.replicas < 1:
        yield "automatic_failover", "needs data.cache.replicas of at least 1 (there is nothing to fail over to)"


class PostgresConfig(ConfigModel):
    """RDS for PostgreSQL in the isolated subnets; the master password lives in Secrets Manager."""

    instance_class: Annotated[
        str,
        checked_by(catalog.rds_instance_class_problem),
        Allowed("an RDS instance class for PostgreSQL, e.g. db.t4g.micro"),
    ] = Field(description="RDS instance class, e.g. db.t4g.micro or db.m7g.large.")
    engine_version: Annotated[
        str,
        BeforeValidator(text_from_plain_scalar),
        checked_by(catalog.postgres_major_version_problem),
        Allowed(words(POSTGRES_MAJOR_VERSIONS)),
    ] = Field(
        default="16",
        description="PostgreSQL major version: "
        + words(POSTGRES_MAJOR_VERSIONS)
        + ". Minor upgrades apply themselves; raising it is an in-place major upgrade.",
    )
    allocated_storage_gb: int = Field(ge=20, le=65536, description="Initial gp3 storage in GiB (20 or more).")
    max_allocated_storage_gb: int = Field(
        ge=20, le=65536, description="Ceiling for storage autoscaling in GiB; at least `allocatedStorageGb`."
    )
    multi_az: Annotated[bool, required_in(PROD, True, "a single-AZ database goes down with its AZ")] = Field(
        description="Keep a synchronous standby in a second AZ with automatic failover."
    )
    backup_retention_days: Annotated[int, at_least_in(PROD, 7, "a week of point-in-time recovery is the floor")] = (
        Field(ge=1, le=35, description="Days of automated backups and point-in-time recovery (1-35).")
    )
    deletion_protection: Annotated[
        bool, required_in(PROD, True, "the prod database must not be deleted by accident")
    ] = Field(description="Refuse DeleteDBInstance until this is switched off.")
    storage_encrypted: Annotated[bool, required_in(PROD, True, "data at rest must be encrypted")] = Field(
        default=True, description="Encrypt storage, snapshots and backups with the environment's KMS key."
    )
    performance_insights: bool = Field(description="Enable Performance Insights (7 days free).")

    rules = (_ceiling_above_start, _class_runs_the_version)


class CacheEngine(StrEnum):
    """ElastiCache engines; Valkey is the open-source Redis successor and costs less."""

    VALKEY = "valkey"
    REDIS = "redis"


class CacheConfig(ConfigModel):
    """An ElastiCache replication group in the isolated subnets, reachable only from the app tier."""

    enabled: bool = Field(default=True, description="Create the cache.")
    engine: CacheEngine = Field(default=CacheEngine.VALKEY, description="valkey or redis.")
    node_type: Annotated[
        str,
        checked_by(catalog.cache_node_type_problem),
        Allowed("an ElastiCache node type, e.g. cache.t4g.micro"),
    ] = Field(description="Node type, e.g. cache.t4g.micro or cache.m7g.large.")
    replicas: Annotated[int, at_least_in(PROD, 1, "a cache without a replica loses its data with its node")] = Field(
        ge=0, le=5, description="Read replicas beside the primary (0-5), spread across AZs."
    )
    automatic_failover: Annotated[bool, required_in(PROD, True, "a failed primary must be replaced without a page")] = (
        Field(description="Promote a replica when the primary fails; needs at least one replica.")
    )
    encryption_in_transit: Annotated[bool, required_in(PROD, True, "traffic to the cache must use TLS")] = Field(
        default=True, description="Require TLS between the app and the cache."
    )

    rules = (_failover_needs_replica, _node_type_runs_the_engine)


class SessionsConfig(ConfigModel):
    """A DynamoDB table (on-demand) for HTTP sessions, expiring items by TTL."""

    point_in_time_recovery: Annotated[bool, required_in(PROD, True, "sessions must survive a bad write")] = Field(
        description="Continuous backups with 35 days of point-in-time recovery."
    )
    ttl_attribute: Annotated[str, Allowed("1-255 letters, digits or _, not starting with a digit")] = Field(
        default="expiresAt",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$",
        description="Attribute holding each item's expiry (epoch seconds).",
    )


class DataConfig(ConfigModel):
    """The stateful tier. Everything here is encrypted with the environment's KMS key."""

    postgres: PostgresConfig = Field(description="The relational database.")
    cache: CacheConfig = Field(description="The in-memory cache.")
    sessions: SessionsConfig = Field(description="The sessions table.")
