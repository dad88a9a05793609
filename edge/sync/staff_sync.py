"""Staff downlink: the retained roster message, applied when it is newer.

Unlike the catalog, the roster travels in the MQTT message itself (a
store's staff is a few kilobytes), so there is nothing to fetch: the
newest roster offered is applied in one transaction on a small thread of
its own, retried with back-off if the database is busy, so the network
thread never waits on SQLite's write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from edge.services import staff
from edge.services.identity import BoxIdentity
from edge.store.db import BoxDatabase
from edge.sync.downlink import Downlink
from setledger.contracts import StaffRoster


class StaffSync(Downlink[StaffRoster]):
    name = "staff-sync"
    retry_on = (SQLAlchemyError,)
    backoff_base_s = 0.5
    backoff_cap_s = 30.0
    log = logging.getLogger("edge.sync.staff")

    def __init__(
        self,
        db: BoxDatabase,
        identity: BoxIdentity,
        now: Callable[[], datetime],
        on_applied: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(on_applied)
        self.db = db
        self.identity = identity
        self.now = now

    def accepts(self, roster: StaffRoster) -> bool:
        if roster.org_id != self.identity.org_id or str(roster.store_id) != self.identity.store_id:
            self.log.warning(
                "roster of another store ignored",
                extra={"org_id": roster.org_id, "store_id": str(roster.store_id)},
            )
            return False
        return True

    def apply(self, roster: StaffRoster) -> int | None:
        """Apply ``roster`` if newer than the box's; its version when applied."""
        with self.db.writer.begin() as conn:
            applied = staff.apply_roster(conn, self.identity, roster, self.now())
        return roster.version if applied else None
