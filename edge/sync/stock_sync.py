"""Stock downlink: the retained stock snapshot of the store, applied when newer.

Like the staff roster, the snapshot travels in the MQTT message itself (a
store's on-hand per product and batch), so there is nothing to fetch: the
newest snapshot offered replaces the box's in one transaction on a small
thread of its own, retried with back-off if the database is busy. The
box's own moves are never touched: on-hand adds those the snapshot does
not include (edge/services/stock.py).
"""

from __future__ import annotations

import logging

from edge.services import stock
from edge.sync.downlink import StoreDownlink
from setledger.contracts import StockSnapshot


class StockSync(StoreDownlink[StockSnapshot]):
    name = "stock-sync"
    what = "stock"
    log = logging.getLogger("edge.sync.stock")

    def apply(self, snapshot: StockSnapshot) -> int | None:
        """Apply ``snapshot`` if newer than the box's; its version when applied."""
        with self.db.writer.begin() as conn:
            applied = stock.apply_snapshot(conn, self.identity, snapshot, self.now())
        return snapshot.version if applied else None
