"""SQLite engines the way both apps need them.

- WAL, so readers never block the writer (and the counter never waits on
  a report).
- ``synchronous`` chosen by the caller: the box uses FULL, so a committed
  sale is on disk before the receipt prints.
- Write engines begin with ``BEGIN IMMEDIATE``: the write lock is taken up
  front, so two writers queue on ``busy_timeout`` instead of one failing
  with SQLITE_BUSY when it tries to upgrade a read transaction.
- pysqlite's own transaction handling is switched off (isolation_level
  None) so SQLAlchemy's ``begin`` event is the only place a transaction
  starts; this is SQLAlchemy's documented recipe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 10_000


def sqlite_engine(path: Path, *, synchronous: str = "FULL", immediate: bool = True) -> Engine:
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"bad synchronous setting {synchronous!r}")
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS // 1000},
        pool_size=8,
        max_overflow=8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
