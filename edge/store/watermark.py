"""The watermark beside the database: how far this box has been.

``box.watermark.json`` holds the epoch, the last seq of each outbox
stream, the last serial of each invoice and credit-note series and the
last Z report number. It is
rewritten after every sale and return. A database found *behind* its watermark at start-up was
restored from an older copy: reusing its seqs or invoice numbers would
collide with what the hub already holds, so the box starts a new epoch and
moves its invoice and credit-note series past the watermark
(docs/REPLICATION.md).

The file is replaced atomically but not fsynced: after a power cut it may
lag the database by a sale or two, and a lagging watermark is harmless (it
only ever under-reports). What matters is that it is never ahead of a
database that was not restored, and it is written only after commits.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Table, select

from edge.services.identity import current_epoch, start_epoch
from edge.store import outbox
from edge.store import tables as t

log = logging.getLogger("edge.watermark")


@dataclass
class Watermark:
    epoch: str
    seqs: dict[str, int] = field(default_factory=dict)
    """stream -> last seq given out in ``epoch``"""
    invoices: dict[str, int] = field(default_factory=dict)
    """"<prefix>|<financial year>" -> last serial"""
    notes: dict[str, int] = field(default_factory=dict)
    """"<prefix>|<financial year>" -> last credit-note serial"""
    z: int = 0
    """The last Z report's serial (shift closes, ``Z00001``...)."""

    def to_json(self) -> str:
        data: dict[str, object] = {
            "epoch": self.epoch,
            "seqs": self.seqs,
            "invoices": self.invoices,
            "notes": self.notes,
        }
        if self.z:  # a box that never closed a shift keeps the file as it was
            data["z"] = self.z
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Watermark:
        data = json.loads(text)
        return cls(
            epoch=str(data["epoch"]),
            seqs={str(k): int(v) for k, v in data.get("seqs", {}).items()},
            invoices={str(k): int(v) for k, v in data.get("invoices", {}).items()},
            notes={str(k): int(v) for k, v in data.get("notes", {}).items()},
            z=int(data.get("z", 0)),
        )


def series_key(prefix: str, financial_year: str) -> str:
    return f"{prefix}|{financial_year}"


def read(path: Path) -> Watermark | None:
    try:
        return Watermark.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        # A torn or damaged file says nothing either way.
        log.warning(
            "watermark unreadable; rebuilding it from the database", extra={"path": str(path)}
        )
        return None


def write(path: Path, mark: Watermark) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(mark.to_json(), encoding="utf-8")
    os.replace(tmp, path)


def from_database(conn: Connection) -> Watermark | None:
    epoch = current_epoch(conn)
    if epoch is None:
        return None
    return Watermark(
        epoch=epoch,
        seqs=outbox.last_seqs(conn, epoch),
        invoices=_serials(conn, t.invoice_series),
        notes=_serials(conn, t.credit_note_series),
        z=int(conn.execute(select(t.shift_z_series.c.last_serial)).scalar() or 0),
    )


def _serials(conn: Connection, series: Table) -> dict[str, int]:
    rows = conn.execute(select(series)).all()
    return {series_key(r.prefix, r.financial_year): int(r.last_serial) for r in rows}


def behind(db: Watermark, mark: Watermark, known_epochs: set[str]) -> bool:
    """Is the database older than what the watermark saw?"""
    if mark.epoch != db.epoch:
        # The database has moved on to a newer epoch (the watermark lagged
        # a crash right after a restore), or it does not even know the
        # watermark's epoch: then it is a copy from before that epoch began.
        return mark.epoch not in known_epochs
    if any(db.seqs.get(stream, 0) < seq for stream, seq in mark.seqs.items()):
        return True
    if db.z < mark.z:
        return True
    return any(
        db_series.get(key, 0) < serial
        for db_series, mark_series in ((db.invoices, mark.invoices), (db.notes, mark.notes))
        for key, serial in mark_series.items()
    )


def recover(conn: Connection, path: Path, now: datetime) -> Watermark | None:
    """At start-up: detect a restored database and make it safe to sell on.

    Runs inside the caller's write transaction. Returns the watermark to
    keep (None for a box not provisioned yet).
    """
    db = from_database(conn)
    if db is None:
        return None
    mark = read(path)
    known = {str(e) for e in conn.execute(select(t.box_epoch.c.epoch)).scalars()}
    if mark is not None and behind(db, mark, known):
        epoch = start_epoch(conn, "database restored from an older copy", now)
        raise_serials(conn, mark)
        log.warning(
            "database is behind its watermark: restored from an older copy; new epoch",
            extra={"old_epoch": db.epoch, "new_epoch": epoch},
        )
        db = from_database(conn)
        assert db is not None
    return db


def raise_serials(conn: Connection, mark: Watermark) -> None:
    """Move every invoice, credit-note and Z series at least to where the watermark saw it."""
    for table, serials in ((t.invoice_series, mark.invoices), (t.credit_note_series, mark.notes)):
        for key, serial in serials.items():
            prefix, year = key.split("|", 1)
            _raise_serial(conn, table, prefix, year, serial)
    z_series = t.shift_z_series
    current_z = conn.execute(select(z_series.c.last_serial)).scalar()
    if current_z is None and mark.z:
        conn.execute(z_series.insert().values(id=1, last_serial=mark.z))
    elif current_z is not None and current_z < mark.z:
        conn.execute(z_series.update().values(last_serial=mark.z))


def _raise_serial(conn: Connection, series: Table, prefix: str, year: str, serial: int) -> None:
    key = (series.c.prefix == prefix, series.c.financial_year == year)
    current = conn.execute(select(series.c.last_serial).where(*key)).scalar()
    if current is None:
        conn.execute(series.insert().values(prefix=prefix, financial_year=year, last_serial=serial))
    elif current < serial:
        conn.execute(series.update().where(*key).values(last_serial=serial))


class WatermarkKeeper:
    """Keeps the watermark file in step with committed sales (thread-safe)."""

    def __init__(self, path: Path, mark: Watermark | None) -> None:
        self.path = path
        self._mark = mark
        self._lock = threading.Lock()
        if mark is not None:
            write(path, mark)

    def _moved(self, epoch: str, positions: Iterable[tuple[str, int]]) -> Watermark:
        """The mark of ``epoch`` with its streams moved up to ``positions`` (lock held)."""
        if self._mark is None or self._mark.epoch != epoch:
            self._mark = Watermark(epoch=epoch)
        mark = self._mark
        for stream, seq in positions:
            mark.seqs[stream] = max(mark.seqs.get(stream, 0), seq)
        return mark

    def advance_seq(self, epoch: str, stream: str, seq: int) -> None:
        """Record a committed outbox row that is not a sale (e.g. an approval)."""
        with self._lock:
            write(self.path, self._moved(epoch, [(stream, seq)]))

    def advance(self, epoch: str, stream: str, seq: int, series: str, serial: int) -> None:
        """Record a committed sale; only ever moves forward."""
        with self._lock:
            mark = self._moved(epoch, [(stream, seq)])
            mark.invoices[series] = max(mark.invoices.get(series, 0), serial)
            write(self.path, mark)

    def advance_z(self, epoch: str, positions: Iterable[tuple[str, int]], serial: int) -> None:
        """Record a committed shift close: its outbox rows and its Z serial."""
        with self._lock:
            mark = self._moved(epoch, positions)
            mark.z = max(mark.z, serial)
            write(self.path, mark)

    def advance_note(
        self, epoch: str, positions: Iterable[tuple[str, int]], series: str, serial: int
    ) -> None:
        """Record a committed return: its outbox rows and its credit-note serial."""
        with self._lock:
            mark = self._moved(epoch, positions)
            mark.notes[series] = max(mark.notes.get(series, 0), serial)
            write(self.path, mark)
