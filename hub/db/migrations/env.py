"""Alembic environment for the hub: runs on the connection the caller passes.

``hub.db.migrate`` (through ``appkit.migrations.upgrade_to_head``) opens the
transaction and hands its connection in ``config.attributes``. There is no
offline (SQL script) mode: the hub upgrades itself on start.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hub.db.models import metadata

# Any fixed number: concurrent hub processes starting on one PostgreSQL
# database take this lock, so only one of them runs the DDL.
MIGRATION_LOCK_KEY = 0x5E71ED6E

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run hub migrations through hub.db.migrate(), which passes a connection")
if context.is_offline_mode():
    raise RuntimeError("hub migrations have no offline mode")

if connection.dialect.name == "postgresql":
    # Released at commit; the revision is read after we hold it.
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
