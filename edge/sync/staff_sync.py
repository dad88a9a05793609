"""Staff downlink: the retained roster message, applied when it is newer.

Unlike the catalog, the roster travels in the MQTT message itself (a
store's staff is a few kilobytes), so there is nothing to fetch: the
newest roster offered is applied in one transaction on a small thread of
its own, retried with back-off if the database is busy, so the network
thread never waits on SQLite's write lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from edge.services import staff
from edge.services.identity import BoxIdentity
from edge.store.db import BoxDatabase
from edge.sync.backoff import Backoff
from setledger.contracts import StaffRoster

log = logging.getLogger("edge.sync.staff")


class StaffSync:
    def __init__(
        self,
        db: BoxDatabase,
        identity: BoxIdentity,
        now: Callable[[], datetime],
        on_applied: Callable[[int], None] | None = None,
    ) -> None:
        self.db = db
        self.identity = identity
        self.now = now
        self.on_applied = on_applied
        self._pending: StaffRoster | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="staff-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def offer(self, roster: StaffRoster) -> None:
        """Called from the network thread; keeps only the newest roster offered."""
        if roster.org_id != self.identity.org_id or str(roster.store_id) != self.identity.store_id:
            log.warning(
                "roster of another store ignored",
                extra={"org_id": roster.org_id, "store_id": str(roster.store_id)},
            )
            return
        with self._lock:
            if self._pending is None or roster.version > self._pending.version:
                self._pending = roster
        self._wake.set()

    def apply(self, roster: StaffRoster) -> bool:
        """Apply ``roster`` if newer than the box's; True when applied."""
        with self.db.writer.begin() as conn:
            return staff.apply_roster(conn, self.identity, roster, self.now())

    def _run(self) -> None:
        backoff = Backoff(base=0.5, cap=30.0)
        while not self._stop.is_set():
            self._wake.wait(timeout=5)
            self._wake.clear()
            with self._lock:
                roster = self._pending
            if roster is None:
                continue
            try:
                applied = self.apply(roster)
            except SQLAlchemyError as err:
                delay = backoff.next()
                log.warning(
                    "staff roster not applied; retrying",
                    extra={"error": str(err), "retry_in_s": round(delay, 1)},
                )
                self._stop.wait(delay)
                self._wake.set()
                continue
            backoff.reset()
            with self._lock:
                if self._pending is roster:
                    self._pending = None
            if not applied:
                log.info("staff roster not newer; ignored", extra={"version": roster.version})
            elif self.on_applied is not None:
                self.on_applied(roster.version)
