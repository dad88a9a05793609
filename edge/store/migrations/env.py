"""Alembic environment for the box. Run through ``edge.store.migrate``."""

from __future__ import annotations

from alembic import context

from edge.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("box migrations run through edge.store.migrate, with a connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
