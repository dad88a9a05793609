"""``INSERT ... ON CONFLICT DO NOTHING`` on both databases (helpers: never commit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.db.base import Base


def _insert(session: Session, model: type[Base]) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def insert_ignore(session: Session, model: type[Base], values: Mapping[str, Any]) -> bool:
    """Insert one row unless its key exists; True when this call inserted it.

    The database decides, not a read before the write: on PostgreSQL a
    concurrent insert of the same key waits for the other transaction and
    then does nothing, so exactly one caller ever sees True.
    """
    statement = _insert(session, model).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg 3 reports -1 for this statement, and
    # "did a row come back" means the same on both databases.
    inserted = session.connection().execute(statement.returning(literal_column("1"))).first()
    return inserted is not None


def insert_ignore_many(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    returning: ColumnElement[Any],
) -> set[Any]:
    """:func:`insert_ignore` for many rows; returns the ``returning`` values of the rows
    this call inserted. One compiled statement, executed as SQLAlchemy's batched
    "insertmanyvalues" (many rows per round trip, RETURNING kept)."""
    if not rows:
        return set()
    statement = _insert(session, model).on_conflict_do_nothing().returning(returning)
    result = session.connection().execute(statement, list(rows))
    return set(result.scalars())
