"""Staff downlink: the retained roster message, applied when it is newer.

Unlike the catalog, the roster travels in the MQTT message itself (a
store's staff is a few kilobytes), so there is nothing to fetch: the
newest roster offered is applied in one transaction on a small thread of
its own, retried with back-off if the database is busy, so the network
thread never waits on SQLite's write lock.
"""

from __future__ import annotations

import logging

from edge.services import staff
from edge.sync.downlink import StoreDownlink
from setledger.contracts import StaffRoster


class StaffSync(StoreDownlink[StaffRoster]):
    name = "staff-sync"
    what = "roster"
    log = logging.getLogger("edge.sync.staff")

    def apply(self, roster: StaffRoster) -> int | None:
        """Apply ``roster`` if newer than the box's; its version when applied."""
        with self.db.writer.begin() as conn:
            applied = staff.apply_roster(conn, self.identity, roster, self.now())
        return roster.version if applied else None
