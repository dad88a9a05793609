"""Batches named by the boxes, as the hub's lots.

A box's sale or return move names the batch it took or put back
(``batch_no``, ``expiry``: the stock snapshot's FEFO lot or the cashier's
choice). At ingest the batch becomes the org's ``stock_lot`` of that
product and batch number, created on first sight, so levels are kept per
lot like the hub's own receipts. Creation is ``INSERT ... ON CONFLICT DO
NOTHING`` then a read, so two workers meeting a new batch make one lot.
A lot's expiry is the one it was created with; a box never changes it.

A move's ``serial_no`` (a unit of a serial-tracked product) becomes that
product's lot of the same number with ``serial`` true, the same way: lots
are keyed by (product, number), and a product is kept by batch or by serial,
never both, so the two never share a key. A serial's level is then one
unit or none; a unit sold at two boxes offline takes it to -1, which the
stock exceptions report like any shortage.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.db.bulk import is_pg
from hub.db.models import StockLot
from setledger.ids import new_id

BATCH = "batch_no"
EXPIRY = "expiry"
SERIAL = "serial_no"


def assign_lots(
    session: Session, org_id: uuid.UUID, rows: Sequence[MutableMapping[str, Any]]
) -> None:
    """Turn each row's ``batch_no``/``expiry`` or ``serial_no`` (popped) into its
    ``lot_id``; inside the caller's transaction, before the rows are inserted."""
    wanted: dict[tuple[uuid.UUID, str], date | None] = {}
    serials: set[tuple[uuid.UUID, str]] = set()
    for row in rows:
        batch_no = row.pop(BATCH, None)
        expiry = row.pop(EXPIRY, None)
        serial_no = row.pop(SERIAL, None)
        row["lot_id"] = None
        if serial_no is not None:
            row["_batch"] = (row["product_id"], serial_no)
            wanted.setdefault((row["product_id"], serial_no), None)
            serials.add((row["product_id"], serial_no))
        elif batch_no is not None:
            row["_batch"] = (row["product_id"], batch_no)
            wanted.setdefault((row["product_id"], batch_no), expiry)
    if not wanted:
        return
    lots = _lots(session, org_id, list(wanted))
    missing = [key for key in wanted if key not in lots]
    if missing:
        values = [
            {
                "org_id": org_id,
                "lot_id": new_id(),
                "product_id": product_id,
                "batch_no": batch_no,
                "expiry": wanted[(product_id, batch_no)],
                "serial": (product_id, batch_no) in serials,
            }
            for product_id, batch_no in missing
        ]
        dialect = postgresql if is_pg(session) else sqlite
        session.execute(dialect.insert(StockLot).values(values).on_conflict_do_nothing())
        lots.update(_lots(session, org_id, missing))
    for row in rows:
        key = row.pop("_batch", None)
        if key is not None:
            row["lot_id"] = lots[key]


def _lots(
    session: Session, org_id: uuid.UUID, keys: list[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    found: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    wanted = set(keys)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(StockLot.product_id, StockLot.batch_no, StockLot.lot_id).where(
            StockLot.org_id == org_id,
            StockLot.product_id.in_({product_id for product_id, _ in chunk}),
            StockLot.batch_no.in_({batch_no for _, batch_no in chunk}),
        )
        for product_id, batch_no, lot_id in session.execute(query):
            if (product_id, batch_no) in wanted:
                found[(product_id, batch_no)] = lot_id
    return found


def serial_lot(
    session: Session, org_id: uuid.UUID, product_id: uuid.UUID, serial_no: str
) -> uuid.UUID:
    """The lot of one unit (created on first sight, like a box's), for a receipt at the hub."""
    rows: list[MutableMapping[str, Any]] = [{"product_id": product_id, SERIAL: serial_no}]
    assign_lots(session, org_id, rows)
    lot_id: uuid.UUID = rows[0]["lot_id"]
    return lot_id
