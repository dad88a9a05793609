"""Read-only queries the console's stock pages need beyond ``hub.stock``'s own.

Everything here only reads (the writes go through ``hub.stock``'s services)
and reads the same tables the API does: the level cache (``stock_level``,
always equal to the ledger), the moves, lots and counts. Quantities are
milli-units, values paise.

- A location's on-hand list is paged by SKU with a keyset (``after``/
  ``before`` a SKU): the catalogue's ``(org_id, sku)`` index is walked in
  order and each product's levels at the location summed by the level
  table's key, so a page costs the same on the first page of 100,000 SKUs
  as on the last.
- Valuation is per product across the org (docs/VALUATION.md): a location's
  value is its share of each product's value in proportion to its quantity,
  split so the locations' shares add up to the product's value exactly.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from hub.db.accounts import AuditRecord
from hub.db.bulk import is_pg
from hub.db.models import Product
from hub.db.registry import Device
from hub.db.sales import Sale, StockMove
from hub.db.stock import StockCount, StockLevel, StockLot, StockTransfer
from setledger.money import round_div

CHUNK = 500
HUB_MOVE_ACTIONS = ("stock.received", "stock.adjusted")
AUDIT_SLACK = timedelta(minutes=5)
"""How far apart a hub move's ``received_at`` and its audit record's ``at`` may be
(the same transaction writes both; the clock is read twice)."""


@dataclass(frozen=True)
class LocationSummary:
    skus: int
    """Products with a non-zero level there."""
    units: int
    """Milli-units, all products and lots together."""


@dataclass(frozen=True)
class OnHandRow:
    product_id: uuid.UUID
    sku: str
    name: str
    on_hand: int
    """Milli-units at the location, all lots together."""


@dataclass(frozen=True)
class OnHandPage:
    rows: list[OnHandRow]
    total: int
    """Products at the location matching the search (all pages)."""
    more_before: bool
    more_after: bool


@dataclass(frozen=True)
class MoveLine:
    move_id: uuid.UUID
    moved_at: datetime
    qty: int
    reason: str
    batch_no: str | None
    reference: str
    who: str


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def location_summaries(session: Session, org_id: uuid.UUID) -> dict[uuid.UUID, LocationSummary]:
    nonzero = case((StockLevel.qty != 0, StockLevel.product_id))
    rows = session.execute(
        select(
            StockLevel.location_id,
            func.count(func.distinct(nonzero)),
            cast(func.coalesce(func.sum(StockLevel.qty), 0), BigInteger),
        )
        .where(StockLevel.org_id == org_id)
        .group_by(StockLevel.location_id)
    )
    return {loc: LocationSummary(int(skus), int(units)) for loc, skus, units in rows}


def location_values(
    session: Session, org_id: uuid.UUID, products: Mapping[uuid.UUID, tuple[int, int]]
) -> dict[uuid.UUID, int]:
    """Each location's share of the org's stock value: ``products`` holds each product's
    (quantity, value) across the org; a location gets the value in proportion to its
    quantity of the product, the last location the exact remainder."""
    values: dict[uuid.UUID, int] = defaultdict(int)
    rows = _product_location_sums(session, org_id)  # by product, then location
    start = 0
    while start < len(rows):
        product_id = rows[start][0]
        end = start + 1
        while end < len(rows) and rows[end][0] == product_id:
            end += 1
        _, value = products.get(product_id, (0, 0))
        if value:
            held = [(location, int(qty)) for _, location, qty in rows[start:end] if qty]
            for location_id, share in split_value(value, held):
                values[location_id] += share
        start = end
    return dict(values)


PRODUCT_LOCATION_SUMS = (
    "SELECT product_id, location_id, sum(qty)::bigint FROM stock_level "
    "WHERE org_id = %s GROUP BY product_id, location_id ORDER BY product_id, location_id"
)


def _product_location_sums(session: Session, org_id: uuid.UUID) -> list[tuple[Any, Any, Any]]:
    """Every (product, location, quantity) of the org: a million rows at 100,000 SKUs
    in 10 locations, so on PostgreSQL psycopg's binary rows are read straight, without
    SQLAlchemy's per-row processing (as ``hub.stock.ledger.location_on_hand`` does)."""
    if is_pg(session):
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor(binary=True) as cursor:
            cursor.execute(PRODUCT_LOCATION_SUMS, (org_id,))
            rows: list[tuple[Any, Any, Any]] = cursor.fetchall()
            return rows
    query = (
        select(StockLevel.product_id, StockLevel.location_id, func.sum(StockLevel.qty))
        .where(StockLevel.org_id == org_id)
        .group_by(StockLevel.product_id, StockLevel.location_id)
        .order_by(StockLevel.product_id, StockLevel.location_id)
    )
    return [(p, loc, qty) for p, loc, qty in session.execute(query)]


def split_value(value: int, quantities: list[tuple[uuid.UUID, int]]) -> list[tuple[uuid.UUID, int]]:
    """``value`` shared by quantity: each part in proportion to what is left, so the
    parts add up to ``value`` whatever the rounding (as the valuation takes layers)."""
    left_value = value
    left_qty = sum(qty for _, qty in quantities)
    shares: list[tuple[uuid.UUID, int]] = []
    for n, (key, qty) in enumerate(quantities):
        if n == len(quantities) - 1:
            share = left_value
        elif left_qty == 0:
            share = 0
        else:
            numerator = left_value * qty
            share = round_div(numerator if left_qty > 0 else -numerator, abs(left_qty))
        shares.append((key, share))
        left_value -= share
        left_qty -= qty
    return shares


def on_hand_page(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    *,
    search: str = "",
    after: str | None = None,
    before: str | None = None,
    negative_only: bool = False,
    limit: int = 50,
) -> OnHandPage:
    """One page of a location's products by SKU, their on-hand over all lots."""
    qty = (
        select(cast(func.sum(StockLevel.qty), BigInteger))
        .where(
            StockLevel.org_id == Product.org_id,
            StockLevel.location_id == location_id,
            StockLevel.product_id == Product.product_id,
        )
        .scalar_subquery()
    )
    held_here = exists().where(
        StockLevel.org_id == Product.org_id,
        StockLevel.location_id == location_id,
        StockLevel.product_id == Product.product_id,
    )
    conditions: list[Any] = [Product.org_id == org_id, held_here]
    if search:
        pattern = f"%{_escape(search.lower())}%"
        conditions.append(
            or_(
                func.lower(Product.sku).like(pattern, escape="\\"),
                func.lower(Product.name).like(pattern, escape="\\"),
            )
        )
    if negative_only:
        # A product is below zero only where one of its lots is: start from those
        # (a few rows of an index) instead of summing every product at the location.
        below = select(StockLevel.product_id).where(
            StockLevel.org_id == org_id, StockLevel.location_id == location_id, StockLevel.qty < 0
        )
        conditions += [Product.product_id.in_(below), qty < 0]
    total = session.scalar(select(func.count()).select_from(Product).where(*conditions)) or 0
    query = select(Product.product_id, Product.sku, Product.name, qty).where(*conditions)
    if before is not None:
        query = query.where(Product.sku < before).order_by(Product.sku.desc())
    else:
        if after is not None:
            query = query.where(Product.sku > after)
        query = query.order_by(Product.sku)
    rows = session.execute(query.limit(limit + 1))
    found = [OnHandRow(p, sku, name, int(q or 0)) for p, sku, name, q in rows]
    extra = len(found) > limit
    found = found[:limit]
    if before is not None:
        found.reverse()
        return OnHandPage(found, int(total), extra, True)
    return OnHandPage(found, int(total), after is not None, extra)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def products_named(
    session: Session, org_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """(SKU, name) of the products given."""
    named: dict[uuid.UUID, tuple[str, str]] = {}
    for chunk in _chunks(set(ids)):
        rows = session.execute(
            select(Product.product_id, Product.sku, Product.name).where(
                Product.org_id == org_id, Product.product_id.in_(chunk)
            )
        )
        named.update({p: (sku, name) for p, sku, name in rows})
    return named


def product_lots(session: Session, org_id: uuid.UUID, product_id: uuid.UUID) -> list[StockLot]:
    return list(
        session.scalars(
            select(StockLot)
            .where(StockLot.org_id == org_id, StockLot.product_id == product_id)
            .order_by(StockLot.expiry.is_(None), StockLot.expiry, StockLot.batch_no)
        )
    )


def counts_at(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID, product_id: uuid.UUID
) -> list[StockCount]:
    """The physical counts of a product at a location, newest first."""
    return list(
        session.scalars(
            select(StockCount)
            .where(
                StockCount.org_id == org_id,
                StockCount.location_id == location_id,
                StockCount.product_id == product_id,
            )
            .order_by(StockCount.counted_at.desc(), StockCount.count_id.desc())
            .limit(50)
        )
    )


def moves_at(
    session: Session,
    org_id: uuid.UUID,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MoveLine], int]:
    """A product's moves at a location, newest first, with what they refer to and who
    made them (the sale's cashier and box, the transfer's shipper, the audit record of a
    receipt or an adjustment); and how many there are in all."""
    where = (
        StockMove.org_id == org_id,
        StockMove.location_id == location_id,
        StockMove.product_id == product_id,
    )
    total = session.scalar(select(func.count()).select_from(StockMove).where(*where)) or 0
    rows = list(
        session.scalars(
            select(StockMove)
            .where(*where)
            .order_by(StockMove.moved_at.desc(), StockMove.move_id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    sales = _by_id(session, Sale, Sale.sale_id, org_id, {m.sale_id for m in rows if m.sale_id})
    devices = _by_id(
        session, Device, Device.device_id, org_id, {m.device_id for m in rows if m.device_id}
    )
    transfers = _by_id(
        session,
        StockTransfer,
        StockTransfer.transfer_id,
        org_id,
        {m.transfer_id for m in rows if m.transfer_id},
    )
    lots = _by_id(session, StockLot, StockLot.lot_id, org_id, {m.lot_id for m in rows if m.lot_id})
    audited = _audited(session, org_id, location_id, [m for m in rows if m.device_id is None])
    lines = []
    for m in rows:
        reference, who = "", ""
        if m.sale_id is not None and m.sale_id in sales:
            sale = sales[m.sale_id]
            reference = f"invoice {sale.invoice_no}"
            who = sale.cashier or ""
        if m.device_id is not None:
            box = devices.get(m.device_id)
            who = f"{who} at {box.name}" if who and box else (box.name if box else who)
        if m.transfer_id is not None and m.transfer_id in transfers:
            transfer = transfers[m.transfer_id]
            reference = f"transfer {str(m.transfer_id)[:8]}"
            who = transfer.shipped_by or ""
        if m.move_id in audited:
            _, actor, said = audited[m.move_id]
            reference = reference or said
            who = actor
        batch = lots[m.lot_id].batch_no if m.lot_id in lots else None
        lines.append(MoveLine(m.move_id, m.moved_at, m.qty, m.reason, batch, reference, who))
    return lines, int(total)


def _by_id(
    session: Session, model: Any, column: Any, org_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found: dict[uuid.UUID, Any] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(select(model).where(model.org_id == org_id, column.in_(chunk))):
            found[getattr(row, column.key)] = row
    return found


def _audited(
    session: Session, org_id: uuid.UUID, location_id: uuid.UUID, moves: list[StockMove]
) -> dict[uuid.UUID, tuple[str, str, str]]:
    """Hub moves' audit records (receipts, adjustments): action, actor and the reference
    or reason given. The records of the location around the moves' arrival are read and
    matched by move id (an audit record lists the moves it made)."""
    if not moves:
        return {}
    wanted = {str(m.move_id): m.move_id for m in moves}
    since = min(m.received_at for m in moves) - AUDIT_SLACK
    until = max(m.received_at for m in moves) + AUDIT_SLACK
    records = session.scalars(
        select(AuditRecord).where(
            AuditRecord.org_id == org_id,
            AuditRecord.action.in_(HUB_MOVE_ACTIONS),
            AuditRecord.target == str(location_id),
            AuditRecord.at >= since,
            AuditRecord.at <= until,
        )
    )
    found: dict[uuid.UUID, tuple[str, str, str]] = {}
    for record in records:
        details = record.details or {}
        said = details.get("reference") or details.get("reason") or ""
        for described in details.get("moves", []):
            move_id = wanted.get(str(described.get("move_id")))
            if move_id is not None:
                found[move_id] = (record.action, record.actor, str(said))
    return found


def invoices_and_boxes(
    session: Session,
    org_id: uuid.UUID,
    sale_ids: Iterable[uuid.UUID],
    device_ids: Iterable[uuid.UUID],
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    """Sales' invoice numbers and boxes' names, for naming the moves of a cause."""
    sales = _by_id(session, Sale, Sale.sale_id, org_id, set(sale_ids))
    devices = _by_id(session, Device, Device.device_id, org_id, set(device_ids))
    return (
        {k: v.invoice_no for k, v in sales.items()},
        {k: v.name for k, v in devices.items()},
    )


def tracking_of(session: Session, org_id: uuid.UUID, product_id: uuid.UUID) -> str | None:
    """``batch`` or ``serial`` for a product kept by lot, None otherwise."""
    row = session.execute(
        select(Product.batch_tracked, Product.serial_tracked).where(
            Product.org_id == org_id, Product.product_id == product_id
        )
    ).first()
    if row is None:
        return None
    return "batch" if row[0] else "serial" if row[1] else None
