"""`webstack:data`: PostgreSQL on RDS, the ElastiCache cache and the DynamoDB sessions table."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from config import catalog
from config.base import PROD, ConfigModel, at_least_in, required_in, rule
from config.text import words
from config.types import (
    Allowed,
    DailyWindow,
    WeeklyWindow,
    checked_by,
    text_from_plain_scalar,
    window_problems,
)

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


@rule("backup_window", "maintenance_window")
def _database_windows_apart(values: PostgresConfig) -> Iterator[tuple[str, str]]:
    yield from window_problems(
        "backup_window", values.backup_window, "maintenance_window", values.maintenance_window,
        minimum_minutes=30, service="RDS",
    )  # fmt: skip


@rule("snapshot_window", "maintenance_window")
def _cache_windows_apart(values: CacheConfig) -> Iterator[tuple[str, str]]:
    yield from window_problems(
        "snapshot_window", values.snapshot_window, "maintenance_window", values.maintenance_window,
        minimum_minutes=60, service="ElastiCache",
    )  # fmt: skip


@rule("engine", "engine_version")
def _engine_has_the_version(values: CacheConfig) -> Iterator[tuple[str, str]]:
    offered = CACHE_ENGINE_VERSIONS[values.engine]
    if values.engine_version is not None and values.engine_version not in offered:
        yield "engine_version", f"{values.engine.value} comes in {words(offered)} here (IAM authentication needs them)"


# Names PostgreSQL or RDS keep for themselves.
_RESERVED_NAMES = {"postgres", "template0", "template1", "rdsadmin", "public"}


def _identifier(value: str) -> str:
    if value.lower() in _RESERVED_NAMES or value.lower().startswith(("pg_", "rds")):
        raise ValueError(f"{value} is reserved by PostgreSQL or RDS; choose another name")
    return value


# Enhanced Monitoring intervals RDS accepts (0 turns it off).
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)


def _monitoring_interval(value: int) -> int:
    if value not in MONITORING_INTERVALS:
        raise ValueError(f"{value} is not an interval RDS accepts; use {words(MONITORING_INTERVALS)} (0 is off)")
    return value


Identifier = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$"),
    AfterValidator(_identifier),
    Allowed("1-63 letters, digits or _, starting with a letter"),
]


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
    ] = Field(
        description=(
            "RDS instance class, e.g. db.t4g.micro (about $12 a month Single-AZ in eu-west-1) or db.m7g.large "
            "(about $136); `python -m ops cost` prices yours."
        )
    )
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
    allocated_storage_gb: int = Field(
        ge=20, le=65536, description="Initial gp3 storage in GiB (20 or more; about $0.13 per GB-month in eu-west-1)."
    )
    max_allocated_storage_gb: int = Field(
        ge=20, le=65536, description="Ceiling for storage autoscaling in GiB; at least `allocatedStorageGb`."
    )
    multi_az: Annotated[bool, required_in(PROD, True, "a single-AZ database goes down with its AZ")] = Field(
        description="Keep a synchronous standby in a second AZ with automatic failover (doubles the instance and "
        "storage price: db.t4g.micro about $12 becomes $25 a month)."
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
    monitoring_interval_seconds: Annotated[int, AfterValidator(_monitoring_interval)] = Field(
        description="Enhanced Monitoring: OS metrics every N seconds (1, 5, 10, 15, 30 or 60); 0 turns it off."
    )
    database_name: Identifier = Field(default="app", description="The database created with the instance.")
    master_username: Identifier = Field(
        default="app_admin",
        description="The master user. Its password is generated and rotated by RDS in Secrets Manager, never set here.",
    )
    backup_window: DailyWindow = Field(
        default="02:00-03:00", description="Daily backup window (UTC, at least 30 minutes, apart from maintenance)."
    )
    maintenance_window: WeeklyWindow = Field(
        default="sun:03:30-sun:04:30",
        description="Weekly maintenance window (UTC, at least 30 minutes): minor upgrades and patches happen here.",
    )
    slow_statement_ms: int = Field(
        default=1000,
        ge=-1,
        le=3_600_000,
        description="Log statements slower than this many milliseconds (log_min_duration_statement); -1 is off.",
    )
    apply_immediately: bool = Field(
        description=(
            "Apply changes (instance class, storage, engine version) at once, with their restart, instead of in "
            "the next maintenance window."
        )
    )

    rules = (_ceiling_above_start, _class_runs_the_version, _database_windows_apart)


class CacheEngine(StrEnum):
    """ElastiCache engines; Valkey is the open-source Redis successor and costs less."""

    VALKEY = "valkey"
    REDIS = "redis"


class CacheMode(StrEnum):
    """How the cache runs: nodes you size, or ElastiCache Serverless billed by data and requests."""

    NODES = "nodes"
    SERVERLESS = "serverless"


# Engine versions offered here: those with IAM authentication (Valkey 7.2+, Redis OSS 7.0+).
CACHE_ENGINE_VERSIONS: dict[str, tuple[str, ...]] = {"valkey": ("7.2", "8.0"), "redis": ("7.0", "7.1")}
DEFAULT_CACHE_ENGINE_VERSION = {"valkey": "8.0", "redis": "7.1"}


class CacheConfig(ConfigModel):
    """An ElastiCache cache in the isolated subnets, reachable only from the app tier, with IAM authentication.

    It is a cache: nothing durable may depend on it. A failover, a node replacement or a change
    of mode can empty it, and the app must rebuild what it held from the database.
    """

    enabled: bool = Field(
        default=True, description="Create the cache (from about $7 a month serverless; sessions are in DynamoDB)."
    )
    mode: CacheMode = Field(
        description=(
            "`nodes`: a replication group of `nodeType` nodes. `serverless`: ElastiCache Serverless (Valkey from "
            "about $6/month for 100 MB, cheaper than the smallest node for a small stack; replicas and failover "
            "are built in). Changing it creates a new, empty cache."
        )
    )
    engine: CacheEngine = Field(default=CacheEngine.VALKEY, description="valkey or redis.")
    engine_version: Annotated[str | None, BeforeValidator(text_from_plain_scalar)] = Field(
        default=None,
        description=(
            "Engine version: valkey 7.2 or 8.0, redis 7.0 or 7.1 (those with IAM authentication). Unset: the newest "
            "(valkey 8.0, redis 7.1). Raising it upgrades in place."
        ),
    )
    node_type: Annotated[
        str,
        checked_by(catalog.cache_node_type_problem),
        Allowed("an ElastiCache node type, e.g. cache.t4g.micro"),
    ] = Field(
        description="Node type, e.g. cache.t4g.micro (about $10 a node-month for Valkey in eu-west-1) or "
        "cache.m7g.large (about $103)."
    )
    replicas: Annotated[int, at_least_in(PROD, 1, "a cache without a replica loses its data with its node")] = Field(
        ge=0,
        le=5,
        description=(
            "Read replicas beside the primary (0-5), spread across AZs; each is one node more (cache.t4g.micro "
            "about $10 a month)."
        ),
    )
    automatic_failover: Annotated[bool, required_in(PROD, True, "a failed primary must be replaced without a page")] = (
        Field(description="Promote a replica when the primary fails; needs at least one replica.")
    )
    encryption_in_transit: Literal[True] = Field(
        default=True,
        description="Always true: TLS is required, as IAM authentication needs. Kept so files that set it stay valid.",
    )
    snapshot_retention_days: Annotated[
        int, at_least_in(PROD, 1, "a restart must not have to warm the whole cache from the database")
    ] = Field(ge=0, le=35, description="Days of daily snapshots kept (0-35); 0 takes none.")
    snapshot_window: DailyWindow = Field(
        default="01:00-02:00", description="Daily snapshot window (UTC, at least 60 minutes, apart from maintenance)."
    )
    maintenance_window: WeeklyWindow = Field(
        default="sun:05:00-sun:06:00", description="Weekly maintenance window (UTC, at least 60 minutes)."
    )
    apply_immediately: bool = Field(
        description="Apply node type and version changes at once instead of in the next maintenance window."
    )
    serverless_max_data_gb: int = Field(
        default=1, ge=1, le=5000, description="`serverless` only: the most data it may hold, in GB (caps the bill)."
    )
    serverless_max_ecpu_per_second: int = Field(
        default=5000,
        ge=1000,
        le=15_000_000,
        description="`serverless` only: the most ElastiCache Processing Units per second (caps the bill).",
    )

    rules = (
        _failover_needs_replica,
        _node_type_runs_the_engine,
        _cache_windows_apart,
        _engine_has_the_version,
    )

    @property
    def version(self) -> str:
        """The engine version to run: the configured one, else the engine's newest."""
        return self.engine_version or DEFAULT_CACHE_ENGINE_VERSION[self.engine]


class SessionsConfig(ConfigModel):
    """A DynamoDB table (on-demand) for HTTP sessions, expiring items by TTL."""

    deletion_protection: Annotated[bool, required_in(PROD, True, "signing every user out is an outage")] = Field(
        description="Refuse DeleteTable until this is switched off."
    )
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
