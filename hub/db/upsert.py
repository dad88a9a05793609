"""``INSERT ... ON CONFLICT DO NOTHING`` on both databases (helpers: never commit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.db.base import Base


def insert_ignore(session: Session, model: type[Base], values: Mapping[str, Any]) -> bool:
    """Insert one row unless its key exists; True when this call inserted it.

    The database decides, not a read before the write: on PostgreSQL a
    concurrent insert of the same key waits for the other transaction and
    then does nothing, so exactly one caller ever sees True.
    """
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = postgresql.insert(model).values(**values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(model).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg 3 reports -1 for this statement, and
    # "did a row come back" means the same on both databases.
    inserted = session.connection().execute(statement.returning(literal_column("1"))).first()
    return inserted is not None
