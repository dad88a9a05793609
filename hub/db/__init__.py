"""The hub's database: engines, tables, migrations.

Invariants:
- every table carries ``org_id`` and its keys start with it (ready for
  sharding by org); record ids are UUIDv7;
- instants are stored as UTC and read back aware; money is BIGINT paise;
- sales, stock moves, the inbox and price points are append-only, enforced
  by triggers on both databases;
- on PostgreSQL, row-level security backs the application's org scoping:
  a session marked with ``act_for_org`` sees and writes one org's rows
  only (``hub.db.tenancy``);
- the schema is whatever the alembic migrations make, and a test checks
  that equals the models on PostgreSQL and SQLite.
"""

from hub.db.engine import is_postgresql, make_engine
from hub.db.migrate import SCRIPT_LOCATION, code_head, database_revision, migrate

# Importing tenancy registers its Session hook, for every session of the hub.
from hub.db.tenancy import ORG_KEY, act_for_org

__all__ = [
    "ORG_KEY",
    "SCRIPT_LOCATION",
    "act_for_org",
    "code_head",
    "database_revision",
    "is_postgresql",
    "make_engine",
    "migrate",
]
