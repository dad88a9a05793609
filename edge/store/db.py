"""Opening the box database: migrations with a backup first, then two engines.

The writer begins every transaction with BEGIN IMMEDIATE (one writer at a
time, queued on busy_timeout) and commits with synchronous=FULL, so a sale
the API confirmed is on disk. The drafts engine takes the same lock but
commits with synchronous=NORMAL (carts: durable against a crash, not a
power cut; a FULL commit later flushes them too). The reader uses plain
BEGIN: under WAL it never waits for the writer, so scanning stays fast
while a sale commits.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from appkit.migrations import current_revision, head_revision, upgrade_to_head
from appkit.sqlite import sqlite_engine

MIGRATIONS = "edge.store:migrations"
log = logging.getLogger("edge.store")


@dataclass
class BoxDatabase:
    path: Path
    writer: Engine
    """Sales and anything that must survive a pulled plug: synchronous=FULL."""
    drafts: Engine
    """Carts: same lock discipline, synchronous=NORMAL (no flush per scan)."""
    reader: Engine

    def dispose(self) -> None:
        for engine in (self.writer, self.drafts, self.reader):
            engine.dispose()


def backup_copy(source: Path, backup_dir: Path, label: str) -> Path:
    """A consistent copy through SQLite's online backup API (safe under WAL)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"box-{label}-{stamp}.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def open_database(path: Path, backup_dir: Path) -> BoxDatabase:
    """Create or upgrade the database, keeping a copy from before any upgrade."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    writer = sqlite_engine(path, synchronous="FULL", immediate=True)
    current = current_revision(writer)
    head = head_revision(MIGRATIONS)
    if current != head:
        if existed:
            copy = backup_copy(path, backup_dir, f"before-{head}-from-{current}")
            log.info("database backed up before migration", extra={"backup": str(copy)})
        upgrade_to_head(writer, MIGRATIONS)
        log.info("database migrated", extra={"from": current, "to": head})
    drafts = sqlite_engine(path, synchronous="NORMAL", immediate=True)
    reader = sqlite_engine(path, synchronous="FULL", immediate=False)
    return BoxDatabase(path=path, writer=writer, drafts=drafts, reader=reader)
