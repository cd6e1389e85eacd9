"""The stateful tier: PostgreSQL on RDS, the ElastiCache cache and the DynamoDB sessions table.

One component per store (`webstack:data:Database`, `Cache`, `Sessions`): each has its own
lifecycle, protection and outputs, and a stack may switch the cache off without touching the
others. What the app needs from them leaves as one typed `DataEndpoints`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.data.cache import Cache, CacheArgs
from components.data.database import Database, DatabaseArgs
from components.data.sessions import Sessions, SessionsArgs

__all__ = ["AppData", "Cache", "CacheArgs", "Database", "DatabaseArgs", "Sessions", "SessionsArgs"]


@dataclass(frozen=True, kw_only=True)
class AppData:
    """What the app tier needs from the data tier: where each store is, and what to grant access to."""

    database_address: pulumi.Output[str]
    database_port: pulumi.Output[int]
    database_name: str
    database_secret_arn: pulumi.Output[str]
    sessions_table_name: pulumi.Output[str]
    sessions_table_arn: pulumi.Output[str]
    cache_address: pulumi.Output[str] | None
    cache_port: pulumi.Output[int] | None
    cache_arn: pulumi.Output[str] | None
    cache_user_id: pulumi.Output[str] | None
    cache_user_arn: pulumi.Output[str] | None

    @staticmethod
    def of(database: Database, cache: Cache | None, sessions: Sessions) -> AppData:
        return AppData(
            database_address=database.address,
            database_port=database.port,
            database_name=database.database_name,
            database_secret_arn=database.secret_arn,
            sessions_table_name=sessions.table_name,
            sessions_table_arn=sessions.table_arn,
            cache_address=cache.address if cache else None,
            cache_port=cache.port if cache else None,
            cache_arn=cache.arn if cache else None,
            cache_user_id=cache.user_id if cache else None,
            cache_user_arn=cache.user_arn if cache else None,
        )
