"""Stock downlink: the retained stock snapshot of the store, applied when newer.

Like the staff roster, a snapshot usually travels in the MQTT message itself
(a store's on-hand per product and batch). A store too big for one message
gets a ``StockSnapshotRef`` instead, naming a blob the box fetches from the hub
with its token (checked against its size and sha256, then against the
reference's org, store and version). Either way the newest version offered
replaces the box's in one transaction on a small thread of its own, retried
with back-off if the database is busy or the blob cannot be fetched. The box's
own moves are never touched: on-hand adds those the snapshot does not include
(edge/services/stock.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy.exc import SQLAlchemyError

from edge.services import stock
from edge.services.identity import BoxIdentity
from edge.store.db import BoxDatabase
from edge.sync.blobs import BlobError, BlobFetcher
from edge.sync.downlink import StoreDownlink
from setledger.contracts import StockSnapshot, StockSnapshotRef


class StockSync(StoreDownlink[StockSnapshot | StockSnapshotRef]):
    name = "stock-sync"
    what = "stock"
    retry_on = (SQLAlchemyError, BlobError, httpx.HTTPError, ValueError)
    log = logging.getLogger("edge.sync.stock")

    def __init__(
        self,
        db: BoxDatabase,
        identity: BoxIdentity,
        now: Callable[[], datetime],
        blobs: BlobFetcher | None = None,
    ) -> None:
        super().__init__(db, identity, now)
        self.blobs = blobs
        """None: a box with no hub URL, which can take inline snapshots only."""

    def stop(self) -> None:
        super().stop()
        if self.blobs is not None:
            self.blobs.close()

    def apply(self, document: StockSnapshot | StockSnapshotRef) -> int | None:
        """Apply the snapshot (fetched first when named by reference) if newer than the
        box's; its version when applied."""
        snapshot = self._fetched(document) if isinstance(document, StockSnapshotRef) else document
        if snapshot is None:
            return None
        with self.db.writer.begin() as conn:
            applied = stock.apply_snapshot(conn, self.identity, snapshot, self.now())
        return snapshot.version if applied else None

    def _fetched(self, ref: StockSnapshotRef) -> StockSnapshot | None:
        if self.blobs is None:
            self.log.warning("a stock snapshot by reference, but no hub URL to fetch it from")
            return None
        with self.db.reader.connect() as conn:
            current = stock.snapshot_state(conn)
        if current is not None and current.version >= ref.version:
            return None  # not newer: no need to download it
        snapshot = StockSnapshot.model_validate_json(self.blobs.fetch(ref.snapshot))
        if (snapshot.org_id, snapshot.store_id, snapshot.version) != (
            ref.org_id,
            ref.store_id,
            ref.version,
        ):
            raise BlobError("the stock snapshot is not the one its reference names")
        return snapshot
