"""The box database: migrations match the tables, and upgrades keep a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from appkit.migrations import alembic_config, head_revision
from edge.store.db import MIGRATIONS, open_database
from edge.store.tables import metadata


def test_migrations_build_exactly_the_tables(tmp_path: Path) -> None:
    db = open_database(tmp_path / "box.db", tmp_path / "backups")
    try:
        with db.writer.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        with sqlite3.connect(db.path) as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        db.dispose()


def test_an_upgrade_keeps_a_copy_from_before(tmp_path: Path) -> None:
    path = tmp_path / "box.db"
    db = open_database(path, tmp_path / "backups")
    config = alembic_config(MIGRATIONS)
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    with db.writer.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE shop_notes (note TEXT)")
        conn.exec_driver_sql("INSERT INTO shop_notes VALUES ('keep me')")
    db.dispose()

    db = open_database(path, tmp_path / "backups")
    db.dispose()
    backups = list((tmp_path / "backups").glob("box-before-*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT note FROM shop_notes").fetchall() == [("keep me",)]
    with sqlite3.connect(path) as upgraded:
        version = upgraded.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version == (head_revision(MIGRATIONS),)


def test_opening_an_up_to_date_database_takes_no_backup(tmp_path: Path) -> None:
    for _ in range(2):
        open_database(tmp_path / "box.db", tmp_path / "backups").dispose()
    assert not (tmp_path / "backups").exists()
