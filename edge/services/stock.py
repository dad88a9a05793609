"""The store's stock at the box, offline: the hub's snapshot plus the box's own moves.

The hub sends each store a stock snapshot (per product and batch) naming,
for each box, the last outbox seq per (epoch, stream) it already counts.
On hand here is::

    snapshot quantity + this box's moves whose (epoch, stream, seq) is later

so a sale is never counted twice (once in the snapshot, once as a move)
nor missed (made after the snapshot). Moves recorded before the box kept
their position (``seq`` null) had reached the hub already: counted as
included. Stock is never overwritten here: the snapshot is the hub's sum of
the ledger; the box only adds its own later moves to it.

Lots are keyed by (product, batch number); a lot's expiry comes from the
snapshot, or from the box's own move when the snapshot does not know it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from edge.services.catalog import search_key
from edge.services.identity import BoxIdentity
from edge.store import outbox
from edge.store import tables as t
from setledger.contracts import ReturnRecorded, SaleRecorded, StockMove, StockSnapshot
from setledger.fefo import ExpiryWarning, Lot, Pick, expiry_warnings, fefo_order, pick


class SnapshotMismatch(ValueError):
    """A snapshot for another org or store reached this box."""


@dataclass(frozen=True)
class ProductStock:
    product_id: str
    sku: str
    name: str
    unit: str
    lots: tuple[Lot, ...]

    @property
    def qty(self) -> int:
        return sum(lot.qty for lot in self.lots)


@dataclass(frozen=True)
class SnapshotState:
    version: int
    as_of: str
    applied_at: str


def snapshot_state(conn: Connection) -> SnapshotState | None:
    row = conn.execute(select(t.stock_snapshot).where(t.stock_snapshot.c.id == 1)).first()
    if row is None:
        return None
    return SnapshotState(int(row.version), row.as_of, row.applied_at)


def apply_snapshot(
    conn: Connection, identity: BoxIdentity, snapshot: StockSnapshot, now: datetime
) -> bool:
    """Replace the snapshot with ``snapshot`` if it is newer; inside the caller's
    write transaction. Returns True when applied."""
    if snapshot.org_id != identity.org_id or str(snapshot.store_id) != identity.store_id:
        raise SnapshotMismatch(
            f"stock of {snapshot.org_id}/{snapshot.store_id} for a box of "
            f"{identity.org_id}/{identity.store_id}"
        )
    current = snapshot_state(conn)
    if current is not None and snapshot.version <= current.version:
        return False
    conn.execute(t.stock_snapshot_item.delete())
    conn.execute(t.stock_snapshot_include.delete())
    if snapshot.items:
        conn.execute(
            insert(t.stock_snapshot_item),
            [
                {
                    "product_id": str(x.product_id),
                    "batch_no": x.batch_no,
                    "expiry": None if x.expiry is None else x.expiry.isoformat(),
                    "qty": x.qty,
                }
                for x in snapshot.items
            ],
        )
    mine = [x for x in snapshot.includes if str(x.device_id) == identity.device_id]
    if mine:
        conn.execute(
            insert(t.stock_snapshot_include),
            [{"epoch": x.epoch, "stream": x.stream, "seq": x.seq} for x in mine],
        )
    values = {
        "version": snapshot.version,
        "as_of": snapshot.as_of.isoformat(),
        "applied_at": now.isoformat(),
    }
    if current is None:
        conn.execute(insert(t.stock_snapshot).values(id=1, **values))
    else:
        conn.execute(t.stock_snapshot.update().where(t.stock_snapshot.c.id == 1).values(**values))
    return True


def append_with_moves(
    conn: Connection,
    message: SaleRecorded | ReturnRecorded,
    *,
    key: str,
    epoch: str,
    stream: str,
    hlc: str,
    wall_time: datetime,
    correlation_id: str | None,
    at_ms: int,
    line_nos: Sequence[int],
    sale_id: str | None = None,
    return_id: str | None = None,
) -> int:
    """Put a sale or a return (``message``) on its stream and record its stock moves
    at that position, in the caller's transaction; the position's seq."""
    seq = outbox.append(
        conn, epoch=epoch, stream=stream, key=key, message=message, hlc=hlc,
        wall_time=wall_time, correlation_id=correlation_id,
    )  # fmt: skip
    record_moves(conn, message.stock_moves, line_nos, at_ms, epoch=epoch, stream=stream,
                 seq=seq, sale_id=sale_id, return_id=return_id)  # fmt: skip
    return seq


def record_moves(
    conn: Connection,
    moves: Sequence[StockMove],
    line_nos: Sequence[int],
    at_ms: int,
    *,
    epoch: str,
    stream: str,
    seq: int,
    sale_id: str | None = None,
    return_id: str | None = None,
) -> None:
    """Insert a sale's or a return's moves with the outbox position of the
    document (``seq`` from ``outbox.append`` in the same transaction)."""
    if not moves:
        return
    conn.execute(
        insert(t.stock_move),
        [
            {
                "move_id": str(m.move_id),
                "product_id": str(m.product_id),
                "qty": m.qty,
                "reason": m.reason,
                "sale_id": sale_id,
                "line_no": line_no,
                "at_ms": at_ms,
                "return_id": return_id,
                "batch_no": m.batch_no,
                "expiry": None if m.expiry is None else m.expiry.isoformat(),
                "serial_no": m.serial_no,
                "epoch": epoch,
                "stream": stream,
                "seq": seq,
            }
            for m, line_no in zip(moves, line_nos, strict=True)
        ],
    )


def parse_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


STOCK_STREAMS = ("sales", "returns")
"""The box's streams whose documents carry stock moves."""


def _uncounted_from(conn: Connection) -> list[tuple[str, str, int]]:
    """Per (epoch, stream) the box ever gave seqs on: the seq after which its
    moves are not in the snapshot (0: none are). ``outbox_seq`` names every
    (epoch, stream) a move can carry; a few rows."""
    seqs, inc = t.outbox_seq, t.stock_snapshot_include
    rows = conn.execute(
        select(seqs.c.epoch, seqs.c.stream, func.coalesce(inc.c.seq, 0))
        .select_from(
            seqs.outerjoin(inc, and_(inc.c.epoch == seqs.c.epoch, inc.c.stream == seqs.c.stream))
        )
        .where(seqs.c.stream.in_(STOCK_STREAMS), func.coalesce(inc.c.seq, 0) < seqs.c.last_seq)
    ).all()
    return [(str(e), str(s), int(n)) for e, s, n in rows]


def lots_of(conn: Connection, product_ids: Iterable[str]) -> dict[str, list[Lot]]:
    """On hand per product and batch (the lots), for ``product_ids``."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    item = t.stock_snapshot_item
    held = conn.execute(
        select(item.c.product_id, item.c.batch_no, func.max(item.c.expiry), func.sum(item.c.qty))
        .where(item.c.product_id.in_(ids))
        .group_by(item.c.product_id, item.c.batch_no)
    ).all()
    m = t.stock_move
    moved: list[Any] = []
    # One range per (epoch, stream) on the (product, epoch, stream, seq) index:
    # only the moves after the snapshot are read, however long the history.
    # A serial number is a lot of one unit: the hub's snapshot lists it as a batch.
    lot = func.coalesce(m.c.batch_no, m.c.serial_no)
    for epoch, stream, after in _uncounted_from(conn):
        moved += conn.execute(
            select(m.c.product_id, lot, func.max(m.c.expiry), func.sum(m.c.qty))
            .where(
                m.c.product_id.in_(ids),
                m.c.epoch == epoch,
                m.c.stream == stream,
                m.c.seq > after,
            )
            .group_by(m.c.product_id, lot)
        ).all()
    found: dict[tuple[str, str | None], tuple[str | None, int]] = {}
    for product_id, batch_no, expiry, qty in held:
        found[(product_id, batch_no)] = (expiry, int(qty))
    for product_id, batch_no, expiry, qty in moved:
        known, before = found.get((product_id, batch_no), (None, 0))
        found[(product_id, batch_no)] = (known or expiry, before + int(qty))
    lots: dict[str, list[Lot]] = {}
    for (product_id, batch_no), (expiry, qty) in found.items():
        lots.setdefault(product_id, []).append(Lot(batch_no, parse_day(expiry), qty))
    return lots


def batched(conn: Connection, product_ids: Iterable[str]) -> set[str]:
    """The products the snapshot holds in batches: only those have lots to choose
    (a box move names a batch only when the snapshot offered it). An indexed
    look-up, so a scan of anything else never sums the product's moves."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return set()
    item = t.stock_snapshot_item
    rows = conn.execute(
        select(item.c.product_id)
        .where(item.c.product_id.in_(ids), item.c.batch_no.is_not(None))
        .distinct()
    ).all()
    return {str(r.product_id) for r in rows}


def product_lots(conn: Connection, product_id: str) -> list[Lot]:
    return lots_of(conn, [product_id]).get(product_id, [])


def suggest(lots: Sequence[Lot], qty: int, today: date) -> Pick:
    """FEFO over the batches (stock without a batch is not a lot to choose)."""
    return pick([lot for lot in lots if lot.batch_no is not None], qty, today)


def find_lot(lots: Sequence[Lot], batch_no: str) -> Lot | None:
    return next((lot for lot in lots if lot.batch_no == batch_no), None)


def warnings(lots: Sequence[Lot], today: date, soon_days: int) -> list[ExpiryWarning]:
    return expiry_warnings(lots, today, soon_days)


def search(conn: Connection, q: str | None, limit: int = 50) -> list[ProductStock]:
    """Products with stock or moves at this store, by SKU or name, on hand per lot.

    Only products the snapshot or the box's own moves know are listed, so
    the view is the store's stock, not the whole catalog.
    """
    p = t.product
    known = select(t.stock_snapshot_item.c.product_id).union(select(t.stock_move.c.product_id))
    query = select(p.c.product_id, p.c.sku, p.c.name, p.c.unit).where(p.c.product_id.in_(known))
    if q:
        like = f"%{search_key(q)}%"
        query = query.where(or_(p.c.search_name.like(like), p.c.sku.like(like)))
    rows = conn.execute(query.order_by(p.c.name, p.c.sku).limit(limit)).all()
    lots = lots_of(conn, [r.product_id for r in rows])
    return [
        ProductStock(
            r.product_id, r.sku, r.name, r.unit, tuple(fefo_order(lots.get(r.product_id, [])))
        )
        for r in rows
    ]


def product_stock(conn: Connection, product_id: str) -> ProductStock | None:
    p = t.product
    row = conn.execute(
        select(p.c.product_id, p.c.sku, p.c.name, p.c.unit).where(p.c.product_id == product_id)
    ).first()
    if row is None:
        return None
    lots = fefo_order(product_lots(conn, product_id))
    return ProductStock(row.product_id, row.sku, row.name, row.unit, tuple(lots))
