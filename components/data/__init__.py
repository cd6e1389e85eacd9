"""The stateful tier: PostgreSQL on RDS, the ElastiCache cache and the DynamoDB sessions table.

One component per store (`webstack:data:Database`, `Cache`, `Sessions`): each has its own
lifecycle, protection and outputs, and a stack may switch the cache off without touching the
others. What the app needs from them leaves as one typed `DataEndpoints`.
"""

from components.data.cache import Cache, CacheArgs
from components.data.database import Database, DatabaseArgs
from components.data.sessions import Sessions, SessionsArgs

__all__ = ["Cache", "CacheArgs", "Database", "DatabaseArgs", "Sessions", "SessionsArgs"]
