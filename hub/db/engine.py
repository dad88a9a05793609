"""Engines for the hub's two databases, from one URL.

SQLite (the embedded default) goes through appkit's engine: WAL,
``synchronous=FULL`` and ``BEGIN IMMEDIATE``, so concurrent writers queue
instead of failing, and a committed sale is on disk. PostgreSQL (production)
uses psycopg 3 with pre-ping, so a restarted server costs one retry, not
a burst of errors.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.engine import URL

from appkit.sqlite import sqlite_engine


def normalise_url(database_url: str) -> URL:
    url = make_url(database_url)
    if url.drivername in {"postgresql", "postgres"}:
        # The only PostgreSQL driver we ship is psycopg 3.
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(database_url: str, *, pg_options: str | None = None) -> Engine:
    """An engine for ``database_url``; ``pg_options`` are libpq ``options`` for PostgreSQL."""
    url = normalise_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            # Every pooled connection would get its own empty database.
            raise ValueError("the hub needs a SQLite file, not an in-memory database")
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite_engine(path, synchronous="FULL", immediate=True)
    if backend == "postgresql":
        connect_args = {"options": pg_options} if pg_options else {}
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args=connect_args
        )
    raise ValueError(f"unsupported database {backend!r}: use postgresql or sqlite")


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
