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
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from edge.services import stock
from edge.services.identity import BoxIdentity
from edge.store.db import BoxDatabase
from edge.sync.downlink import Downlink
from setledger.contracts import StockSnapshot


class StockSync(Downlink[StockSnapshot]):
    name = "stock-sync"
    retry_on = (SQLAlchemyError,)
    backoff_base_s = 0.5
    backoff_cap_s = 30.0
    log = logging.getLogger("edge.sync.stock")

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

    def accepts(self, snapshot: StockSnapshot) -> bool:
        if (
            snapshot.org_id != self.identity.org_id
            or str(snapshot.store_id) != self.identity.store_id
        ):
            self.log.warning(
                "stock of another store ignored",
                extra={"org_id": snapshot.org_id, "store_id": str(snapshot.store_id)},
            )
            return False
        return True

    def apply(self, snapshot: StockSnapshot) -> int | None:
        """Apply ``snapshot`` if newer than the box's; its version when applied."""
        with self.db.writer.begin() as conn:
            applied = stock.apply_snapshot(conn, self.identity, snapshot, self.now())
        return snapshot.version if applied else None
