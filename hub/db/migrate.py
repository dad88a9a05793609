"""Schema upgrades, run from code through appkit (no alembic.ini)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from appkit.migrations import head_revision, upgrade_to_head
from hub.db.engine import make_engine
from hub.settings import HubSettings

SCRIPT_LOCATION = str(Path(__file__).resolve().parent / "migrations")

# Alembic's ``context`` is a module-level proxy, so two upgrades in threads of
# one process would trample each other. Processes are kept apart by the
# database (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
_IN_PROCESS = threading.Lock()


def migrate(settings: HubSettings, engine: Engine | None = None) -> None:
    """Upgrade the hub's database to the newest revision (idempotent).

    Pass ``engine`` to reuse the app's; otherwise one is made and disposed.
    """
    if engine is not None:
        with _IN_PROCESS:
            upgrade_to_head(engine, SCRIPT_LOCATION)
        return
    own = make_engine(settings.database_url)
    try:
        with _IN_PROCESS:
            upgrade_to_head(own, SCRIPT_LOCATION)
    finally:
        own.dispose()


def database_revision(engine: Engine) -> str | None:
    """The revision the database is at, without alembic's per-call log lines
    (``/healthz`` is probed every few seconds)."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def code_head() -> str | None:
    return head_revision(SCRIPT_LOCATION)
