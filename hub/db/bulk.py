"""Bulk writes and reads for ingest, fast on PostgreSQL and plain on SQLite (helpers: never commit).

Ingest writes a few hundred rows per batch. Through SQLAlchemy's
executemany psycopg sends one statement per row, and a multi-row VALUES
statement costs more in psycopg's client-side query parsing (it cannot
cache a statement that long) than in the database. So on PostgreSQL:

- plain inserts use binary COPY (rows streamed in psycopg's C code; the
  binary form is about twice as fast as text to write and to parse);
- "key in (many values)" becomes ``= ANY(array)``: one short statement
  whatever the count, which psycopg parses once.

SQLite gets the ordinary SQLAlchemy statements (its executemany is C and
in-process). Both paths write the same rows; the tests run on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Uuid,
    any_,
    bindparam,
    insert,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from hub.db.tenancy import ORG_KEY


def is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _driver(session: Session) -> psycopg.Connection[Any]:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that are known to be new (a clash raises IntegrityError)."""
    if not rows:
        return
    # PostgreSQL refuses COPY under row-level security: a request acting for
    # an org (hub.db.tenancy) writes with INSERT; workers, which act for no
    # single org, keep COPY.
    if not is_pg(session) or session.info.get(ORG_KEY) is not None:
        session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    types = _copy_types(table, tuple(columns))
    try:
        with _driver(session).cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.errors.IntegrityError as err:
        # As SQLAlchemy would have raised it: ingest retries on IntegrityError.
        raise IntegrityError(statement, None, err) from err


_COPY_TYPES: dict[tuple[str, tuple[str, ...]], list[str]] = {}


def _copy_types(table: Table, columns: tuple[str, ...]) -> list[str]:
    """PostgreSQL type names of the columns, as binary COPY needs them."""
    key = (table.name, columns)
    if key not in _COPY_TYPES:
        _COPY_TYPES[key] = [_pg_type(table.c[c].type) for c in columns]
    return _COPY_TYPES[key]


def _pg_type(column_type: TypeEngine[Any]) -> str:
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    # Most specific first: BigInteger is an Integer.
    for kind, name in (
        (Uuid, "uuid"),
        (BigInteger, "int8"),
        (Integer, "int4"),
        (Boolean, "bool"),
        (Date, "date"),
        (String, "text"),  # varchar's binary form is text's
        (LargeBinary, "bytea"),
    ):
        if isinstance(column_type, kind):
            return name
    if isinstance(column_type, DateTime):
        return "timestamptz" if column_type.timezone else "timestamp"
    raise TypeError(f"no binary COPY type for {column_type!r}")


def one_of(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``, as ``= ANY(array)`` on PostgreSQL (one statement text for any count)."""
    listed = list(values)
    if not is_pg(session):
        result: ColumnElement[bool] = column.in_(listed)
        return result
    array = bindparam(None, listed, type_=postgresql.ARRAY(column.type))
    matched: ColumnElement[bool] = column == any_(array)
    return matched
