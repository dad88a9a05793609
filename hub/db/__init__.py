"""The hub's database: engines, tables, migrations.

Invariants:
- every table carries ``org_id`` and its keys start with it (ready for
  sharding by org); record ids are UUIDv7;
- instants are stored as UTC and read back aware; money is BIGINT paise;
- sales, stock moves, the inbox and price points are append-only, enforced
  by triggers on both databases;
- the schema is whatever the alembic migrations make, and a test checks
  that equals the models on PostgreSQL and SQLite.
"""

from hub.db.engine import is_postgresql, make_engine
from hub.db.migrate import SCRIPT_LOCATION, code_head, database_revision, migrate

__all__ = [
    "SCRIPT_LOCATION",
    "code_head",
    "database_revision",
    "is_postgresql",
    "make_engine",
    "migrate",
]
