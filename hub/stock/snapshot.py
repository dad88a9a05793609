"""Each store's stock, sent down to its boxes: the snapshot and its publisher.

A snapshot is the store location's levels per product and lot (batch number
and expiry from ``stock_lot``) and, for each box of the store, the last seq
per (epoch, stream) of its ``sales`` and ``returns`` streams the hub has
taken in (``device_cursor``). A box adds to the snapshot only its own moves
after those positions (edge/services/stock.py), so its offline on-hand
neither counts a sale twice nor misses one.

The levels and the cursors must come from one view of the database: the
ingest moves both in one transaction, and :func:`store_snapshot` reads both
in the caller's. On PostgreSQL the publisher reads at REPEATABLE READ, so a
batch committed between the two reads cannot be half seen.

Versions are the snapshot's instant in unix milliseconds: they grow without
a table of their own, survive a restart of the publisher, and a box applies
only a newer one. The publisher sends a store's snapshot again only when its
content changed, retained on ``setledger/v1/{org}/{store}/down/stock``.

A snapshot bigger than ``stock_inline_max_bytes`` (256 KiB; the broker takes
at most 1 MiB a packet, about 12,000 stocked products and batches) is stored
as a blob (hub/catalog/blobs.py, served at ``/api/v1/blobs/{sha256}``) and a
``StockSnapshotRef`` naming it is retained on ``.../down/stock-ref`` instead.
The box takes whichever of the two has the newer version. Stock blobs stay
while this publisher's newest reference of a store names them, and at least
an hour (a box may be fetching the one before); older ones are deleted.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime, timedelta

import paho.mqtt.client as mqtt
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from hub.catalog.blobs import STOCK_KIND, blob_url, store_blob
from hub.clock import utcnow
from hub.db.bulk import is_pg
from hub.db.models import CatalogBlob, DeviceCursor, Org, StockLot, Store
from hub.db.registry import Device
from hub.mqtt.poller import Poller
from hub.settings import HubSettings
from hub.stock import ledger
from setledger.canonical import digest
from setledger.contracts import (
    BlobRef,
    IncludedPosition,
    StockItem,
    StockSnapshot,
    StockSnapshotRef,
    topics,
)
from setledger.hlc import unix_ms
from setledger.stock import NO_LOT

log = logging.getLogger("hub.stock.snapshot")

STOCK_STREAMS = ("sales", "returns")
"""The box streams whose documents carry stock moves."""
FULL_EVERY_S = 900.0
"""Every store's snapshot is built at least this often, whatever its mark says."""
BLOB_GRACE = timedelta(hours=1)
"""How long a stock blob no longer named stays (a box may be fetching it)."""


def store_snapshot(
    session: Session, org_id: uuid.UUID, store_id: uuid.UUID, now: datetime | None = None
) -> StockSnapshot:
    """The store's stock now, per product and lot, with the box positions it counts."""
    at = now or utcnow()
    org = session.get(Org, org_id)
    if org is None:
        raise LookupError(f"no org {org_id}")
    includes = [
        IncludedPosition(device_id=device_id, epoch=epoch, stream=stream, seq=seq)
        for device_id, epoch, stream, seq in session.execute(
            select(
                DeviceCursor.device_id,
                DeviceCursor.epoch,
                DeviceCursor.stream,
                DeviceCursor.contiguous_seq,
            )
            .join(
                Device,
                (Device.org_id == DeviceCursor.org_id)
                & (Device.device_id == DeviceCursor.device_id),
            )
            .where(
                DeviceCursor.org_id == org_id,
                Device.store_id == store_id,
                DeviceCursor.stream.in_(STOCK_STREAMS),
                DeviceCursor.contiguous_seq >= 1,
            )
            .order_by(DeviceCursor.device_id, DeviceCursor.epoch, DeviceCursor.stream)
        )
    ]
    levels = [x for x in ledger.location_on_hand(session, org_id, store_id) if x.qty != 0]
    lot_ids = {x.key.lot_key for x in levels if x.key.lot_key != NO_LOT}
    lots = {
        lot_id: (batch_no, expiry)
        for lot_id, batch_no, expiry in session.execute(
            select(StockLot.lot_id, StockLot.batch_no, StockLot.expiry).where(
                StockLot.org_id == org_id, StockLot.lot_id.in_(lot_ids)
            )
        )
    }
    items = []
    for level in levels:
        batch_no, expiry = lots.get(level.key.lot_key, (None, None))
        items.append(
            StockItem(
                product_id=level.key.product_id, batch_no=batch_no, expiry=expiry, qty=level.qty
            )
        )
    return StockSnapshot(
        org_id=org.org_code,
        store_id=store_id,
        version=unix_ms(at),
        as_of=at,
        includes=includes,
        items=items,
    )


Mark = tuple[int, int, int, int]
EMPTY_MARK: Mark = (0, 0, 0, 0)

LEVEL_MARKS = text(
    "SELECT l.org_id, l.location_id, count(*), "
    "coalesce(sum(hashtextextended(l.product_id::text || l.lot_key::text || l.qty::text, 0)), 0) "
    "FROM stock_level l JOIN store s ON s.org_id = l.org_id AND s.store_id = l.location_id "
    "GROUP BY l.org_id, l.location_id"
)
CURSOR_MARKS = text(
    "SELECT c.org_id, d.store_id, count(*), coalesce(sum(c.contiguous_seq), 0) "
    "FROM device_cursor c JOIN device d ON d.org_id = c.org_id AND d.device_id = c.device_id "
    "WHERE c.stream IN ('sales', 'returns') GROUP BY c.org_id, d.store_id"
)


def store_marks(session: Session) -> dict[tuple[uuid.UUID, uuid.UUID], Mark] | None:
    """Per store, a cheap mark of what its snapshot is made of: its levels (how many,
    and a sum of a hash of each product, lot and quantity) and its boxes' positions
    (how many streams, the sum of their seqs, which only grow). While a store's mark
    holds, so does its snapshot, and the publisher does not build it again: 30 ms
    for a store of 100,000 levels, where building and hashing the snapshot takes
    about 1.5 s. PostgreSQL only; None on SQLite (every snapshot built each time).

    Lots are not in the mark: a lot's batch number and expiry never change, and a
    new lot comes with a level. A full round every ``FULL_EVERY_S`` builds them all
    anyway."""
    if not is_pg(session):
        return None
    levels = {(o, s): (n, h) for o, s, n, h in session.execute(LEVEL_MARKS)}
    cursors = {(o, s): (n, seqs) for o, s, n, seqs in session.execute(CURSOR_MARKS)}
    return {
        key: (*levels.get(key, (0, 0)), *cursors.get(key, (0, 0)))
        for key in levels.keys() | cursors.keys()
    }


def content_digest(snapshot: StockSnapshot) -> str:
    """What a box would see change (not the version or the instant)."""
    return digest(snapshot.model_dump(mode="json", exclude={"version", "as_of"}))


class StockPublisher(Poller):
    """Publishes each store's snapshot, retained, when its content changed.

    Like the staff publisher: after a new broker connection everything is
    sent again (the broker may have lost its retained messages).
    """

    kind = "stock"

    def __init__(
        self,
        settings: HubSettings,
        *,
        name: str = "stock",
        engine: Engine | None = None,
        interval_s: float = 10.0,
    ) -> None:
        super().__init__(settings, name=name, engine=engine, interval_s=interval_s)
        self._generation = 0
        self._sent: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
        self.published: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        """The version last handed to the broker per (org, store) (for tests)."""
        self._marks: dict[tuple[uuid.UUID, uuid.UUID], Mark | None] = {}
        """Each store's mark when its snapshot was last built (see ``store_marks``)."""
        self._full_due = 0.0
        self.built = 0
        self.polls = 0
        """Snapshots built so far (for tests: unchanged stores are not built again)."""
        self._blobs: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
        """The blob each store's newest reference names (stores sent by reference)."""

    def poll_once(self) -> None:
        if not self.link.connected.is_set():
            return
        try:
            self._publish_changed()
        except Exception:
            log.exception("stock snapshot publishing failed; will retry")
        self.polls += 1

    def _publish_changed(self) -> None:
        if self.link.generation != self._generation:
            self._generation = self.link.generation
            self._sent.clear()
        now = time.monotonic()
        full = now >= self._full_due
        if full:
            self._full_due = now + FULL_EVERY_S
        with self.sessions() as session, session.begin():
            stores = session.execute(
                select(Store.org_id, Store.store_id).order_by(Store.org_id, Store.store_id)
            ).all()
            marks = store_marks(session)
        for org_id, store_id in stores:
            key = (org_id, store_id)
            mark = None if marks is None else marks.get(key, EMPTY_MARK)
            if not full and mark is not None and key in self._sent and self._marks.get(key) == mark:
                continue  # nothing it is made of moved: no need to build it
            snapshot = self.snapshot(org_id, store_id)
            self.built += 1
            content = content_digest(snapshot)
            if self._sent.get(key) == content:
                self._marks[key] = mark
                continue
            topic, payload = self._message(org_id, snapshot, first=key not in self._sent)
            info = self.link.publish(topic, payload, qos=1, retain=True)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                self._sent[key] = content
                self._marks[key] = mark
                self.published[key] = snapshot.version
                log.info(
                    "stock snapshot published",
                    extra={
                        "org_id": snapshot.org_id,
                        "store_id": str(store_id),
                        "version": snapshot.version,
                        "items": len(snapshot.items),
                        "by_reference": topic.endswith("-ref"),
                    },
                )

    def _message(
        self, org_id: uuid.UUID, snapshot: StockSnapshot, *, first: bool
    ) -> tuple[str, bytes]:
        """The snapshot in the message, or, when too big, stored as a blob and named."""
        body = snapshot.model_dump_json().encode()
        if len(body) <= self.settings.stock_inline_max_bytes:
            named = self._blobs.pop((org_id, snapshot.store_id), None)
            if first or named is not None:
                # Under the limit (again, or perhaps since before a restart): retire any
                # retained reference (an empty retained message deletes it), so a new
                # box is not sent to fetch an old blob.
                self.link.publish(
                    topics.store_stock_ref(snapshot.org_id, snapshot.store_id), b"", qos=1,
                    retain=True,
                )  # fmt: skip
            return topics.store_stock(snapshot.org_id, snapshot.store_id), body
        with self.sessions.begin() as session:
            stored = store_blob(session, org_id, STOCK_KIND, None, snapshot.version, body)
            self._blobs[(org_id, snapshot.store_id)] = stored.sha256
            keep = {sha for (org, _), sha in self._blobs.items() if org == org_id}
            session.execute(
                delete(CatalogBlob).where(
                    CatalogBlob.org_id == org_id,
                    CatalogBlob.kind == STOCK_KIND,
                    CatalogBlob.created_at < utcnow() - BLOB_GRACE,
                    CatalogBlob.sha256.not_in(keep),
                )
            )
        ref = StockSnapshotRef(
            org_id=snapshot.org_id,
            store_id=snapshot.store_id,
            version=snapshot.version,
            as_of=snapshot.as_of,
            items=len(snapshot.items),
            snapshot=BlobRef(url=blob_url(stored.sha256), sha256=stored.sha256, size=stored.size),
        )
        return topics.store_stock_ref(
            snapshot.org_id, snapshot.store_id
        ), ref.model_dump_json().encode()

    def snapshot(self, org_id: uuid.UUID, store_id: uuid.UUID) -> StockSnapshot:
        """One store's snapshot from one consistent read (see the module's docstring)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with Session(bind=conn) as session, session.begin():
                return store_snapshot(session, org_id, store_id)


def run_stock_publisher(settings: HubSettings, stop: threading.Event) -> None:
    settings.require_broker_secret()
    StockPublisher(settings, name=settings.worker_name or "stock").run(stop)
