"""Restoring a box's database from a backup copy (an installer's job).

The copy is put in place with SQLite's backup API, and the box starts a
new epoch at once: the copy is older than what the hub holds, so its seqs
must never be reused. The invoice series moves past the watermark when
there is one; the start-up check (edge/store/watermark.py) would catch a
copy put back by hand too, as long as the watermark file survives.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from edge.services.identity import start_epoch
from edge.store import watermark
from edge.store.db import backup_copy, open_database

log = logging.getLogger("edge.restore")


def restore(
    backup: Path, db_path: Path, backup_dir: Path, watermark_path: Path, now: datetime
) -> str:
    """Replace the database with ``backup``; returns the new epoch."""
    if db_path.exists():
        kept = backup_copy(db_path, backup_dir, "replaced-by-restore")
        log.info("the database being replaced was kept", extra={"copy": str(kept)})
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(backup) as source, sqlite3.connect(db_path) as target:
        source.backup(target)
    db = open_database(db_path, backup_dir)
    try:
        mark = watermark.read(watermark_path)
        with db.writer.begin() as conn:
            epoch = start_epoch(conn, f"restored from {backup.name}", now)
            if mark is not None:
                watermark.raise_serials(conn, mark)
            current = watermark.from_database(conn)
        if current is not None:
            watermark.write(watermark_path, current)
    finally:
        db.dispose()
    log.warning("database restored; new epoch", extra={"backup": str(backup), "epoch": epoch})
    return epoch
