"""Stock at cost: an org's moves valued per product, and the books kept equal to it.

The kernel (``setledger.valuation``) values one product's moves across the
whole org (transfers move goods at their cost, so they are left out); this
module reads the moves, turns physical counts into the adjustments they
imply, picks the org's method (``valuation_method_change``, default the
weighted average) and posts what is not yet in the journal:

- each sale's cost of goods (``cost``: Dr COGS, Cr inventory);
- each return's goods back at their sale's cost (``cost_return``);
- each receipt at cost (``receipt``: Dr inventory, Cr goods received not
  invoiced), each adjustment and each count's implied adjustment
  (``adjustment``: inventory against stock adjustments); an inflow that
  covered oversold units carries their settlement to COGS in its entry;
- each return to a supplier (``goods_returned``: Cr inventory at the stock's
  cost, Dr goods received not invoiced at the purchase order's, the
  difference to COGS).

Entries are never edited, and a cost once posted stays. When the
valuation changes under them (a box's sales arriving days late, a count
that now sees another move, a change of method), the run ends with a
``revaluation`` entry (COGS against inventory) for the difference, so
after every run the journal's inventory equals the valuation to the
paisa. One run is one transaction under the journal's lock, so two runs
never both post a revaluation. A run values the org's whole history when
a move or a count was added since the last (docs/VALUATION.md has the
figures): that is the price of never storing a running cost that late
moves would make wrong.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, and_, cast, func, select
from sqlalchemy.orm import Session

from hub.db.ledger import JournalEntry, JournalLine
from hub.db.models import SaleReturn, SaleReturnLine, StockCount, StockLocation, StockMove
from hub.db.valuation import ValuationMethodChange
from hub.ledger.journal import lock_ledger, post
from setledger import chart, fiscal
from setledger.ids import new_id
from setledger.postings import (
    EntryDraft,
    post_cost_of_return,
    post_cost_of_sale,
    post_cost_settlement,
    post_goods_received,
    post_goods_returned,
    post_stock_adjustment,
)
from setledger.stock import lot_key
from setledger.valuation import Method, MoveKind, Valuation, ValuationMove, value_moves

DEFAULT_METHOD = Method.AVERAGE
VALUED: dict[str, MoveKind] = {
    "receipt": MoveKind.RECEIPT,
    "sale": MoveKind.ISSUE,
    "return": MoveKind.RETURN,
    "adjustment": MoveKind.ADJUSTMENT,
    "supplier_return": MoveKind.SUPPLIER_RETURN,
}
"""Stock move reasons with a value; ``transfer_out`` and ``transfer_in`` have none."""
STOCK_SOURCES = (
    "cost",
    "cost_return",
    "receipt",
    "adjustment",
    "goods_returned",
    "revaluation",
)
"""The journal's source types written here."""
POST_CHUNK = 5000
COUNT_AFTER = timedelta(microseconds=1)
"""A count's implied adjustment is valued just after the moves it saw (those at its instant)."""

Key = tuple[uuid.UUID, uuid.UUID, uuid.UUID]
"""(location, product, lot key): where a count holds."""


@dataclass(frozen=True)
class Document:
    """The journal entry a valued move belongs to."""

    source_type: str
    source_id: uuid.UUID
    business_date: date
    store_id: uuid.UUID | None


@dataclass
class OrgStock:
    method: Method
    valuations: dict[uuid.UUID, Valuation] = field(default_factory=dict)
    """Per product."""
    documents: dict[uuid.UUID, Document] = field(default_factory=dict)
    """Per valued move (a count's implied adjustment under the count's id)."""

    @property
    def total_value(self) -> int:
        return sum(v.closing_value for v in self.valuations.values())


def current_method(session: Session, org_id: uuid.UUID) -> Method:
    found = session.scalar(
        select(ValuationMethodChange.method)
        .where(ValuationMethodChange.org_id == org_id)
        .order_by(ValuationMethodChange.changed_at.desc(), ValuationMethodChange.change_id.desc())
        .limit(1)
    )
    return DEFAULT_METHOD if found is None else Method(found)


def choose_method(
    session: Session, org_id: uuid.UUID, method: Method, *, by: str | None, at: datetime
) -> None:
    """Record the org's method from now on (a helper: the caller commits)."""
    session.add(
        ValuationMethodChange(
            org_id=org_id, change_id=new_id(), method=method.value, changed_at=at, changed_by=by
        )
    )


@dataclass(frozen=True)
class _Row:
    move_id: uuid.UUID
    key: Key
    qty: int
    moved_at: datetime


def _store_of_locations(session: Session, org_id: uuid.UUID) -> dict[uuid.UUID, uuid.UUID | None]:
    query = select(StockLocation.location_id, StockLocation.store_id).where(
        StockLocation.org_id == org_id
    )
    return {location: store for location, store in session.execute(query)}


def value_org(
    session: Session,
    org_id: uuid.UUID,
    method: Method | None = None,
    products: Iterable[uuid.UUID] | None = None,
) -> OrgStock:
    """The org's stock at cost, per product (all products, or those given)."""
    stock = OrgStock(method or current_method(session, org_id))
    wanted = None if products is None else set(products)
    moves: dict[uuid.UUID, list[ValuationMove]] = defaultdict(list)
    rows: dict[Key, list[_Row]] = defaultdict(list)
    returned = and_(
        StockMove.reason == "return",
        SaleReturnLine.org_id == StockMove.org_id,
        SaleReturnLine.move_id == StockMove.move_id,
    )
    query = (
        select(
            StockMove.move_id,
            StockMove.product_id,
            StockMove.qty,
            StockMove.reason,
            StockMove.moved_at,
            StockMove.business_date,
            StockMove.store_id,
            StockMove.location_id,
            StockMove.lot_id,
            StockMove.unit_cost,
            StockMove.sale_id,
            SaleReturn.return_id,
            SaleReturn.sale_id.label("returned_sale"),
            SaleReturn.business_date.label("returned_on"),
        )
        .outerjoin(SaleReturnLine, returned)
        .outerjoin(
            SaleReturn,
            and_(
                SaleReturn.org_id == SaleReturnLine.org_id,
                SaleReturn.return_id == SaleReturnLine.return_id,
            ),
        )
        .where(StockMove.org_id == org_id)
    )
    counts = _counts(session, org_id, wanted)
    for (
        move_id,
        product_id,
        qty,
        reason,
        moved_at,
        business_date,
        store_id,
        location_id,
        lot_id,
        unit_cost,
        sale_id,
        return_id,
        returned_sale,
        returned_on,
    ) in session.connection().execute(query):
        if wanted is not None and product_id not in wanted:
            continue
        if counts:
            key = (location_id or store_id, product_id, lot_key(lot_id))
            if key in counts:
                rows[key].append(_Row(move_id, key, qty, moved_at))
        kind = VALUED.get(reason)
        if kind is None:
            continue
        if (qty > 0 and (kind is MoveKind.ISSUE or kind is MoveKind.SUPPLIER_RETURN)) or (
            qty < 0 and (kind is MoveKind.RECEIPT or kind is MoveKind.RETURN)
        ):
            # Against its reason's direction (no box or service makes one): valued
            # as the correction it is rather than stopping the org's posting.
            kind = MoveKind.ADJUSTMENT
        if kind is MoveKind.ISSUE:
            document = Document("cost", sale_id or move_id, business_date, store_id)
        elif kind is MoveKind.RETURN:
            sale_id = returned_sale
            document = (
                Document("cost_return", move_id, business_date, store_id)
                if return_id is None
                else Document("cost_return", return_id, returned_on, store_id)
            )
        elif kind is MoveKind.SUPPLIER_RETURN:
            document = Document("goods_returned", move_id, business_date, store_id)
        else:
            source = "receipt" if kind is MoveKind.RECEIPT else "adjustment"
            document = Document(source, move_id, business_date, store_id)
        moves[product_id].append(ValuationMove(move_id, moved_at, kind, qty, unit_cost, sale_id))
        stock.documents[move_id] = document
    stores = _store_of_locations(session, org_id) if counts else {}
    for count, delta in _count_adjustments(counts, rows):
        moves[count.product_id].append(
            ValuationMove(
                count.count_id, count.counted_at + COUNT_AFTER, MoveKind.ADJUSTMENT, delta
            )
        )
        stock.documents[count.count_id] = Document(
            "adjustment",
            count.count_id,
            fiscal.business_date(count.counted_at),
            stores.get(count.location_id),
        )
    for product_id, product_moves in moves.items():
        stock.valuations[product_id] = value_moves(stock.method, product_moves)
    return stock


def _counts(
    session: Session, org_id: uuid.UUID, wanted: set[uuid.UUID] | None
) -> dict[Key, list[StockCount]]:
    counts: dict[Key, list[StockCount]] = defaultdict(list)
    for count in session.scalars(select(StockCount).where(StockCount.org_id == org_id)):
        if wanted is None or count.product_id in wanted:
            counts[(count.location_id, count.product_id, lot_key(count.lot_id))].append(count)
    return counts


def _count_adjustments(
    counts: dict[Key, list[StockCount]], rows: dict[Key, list[_Row]]
) -> list[tuple[StockCount, int]]:
    """Each count with what it implies: counted minus the level it found (the
    previous count, or nothing, plus the moves up to its instant after that)."""
    implied: list[tuple[StockCount, int]] = []
    for key, held in counts.items():
        moved = sorted(rows.get(key, []), key=lambda r: r.moved_at)
        times = [r.moved_at for r in moved]
        running = [0]
        for r in moved:
            running.append(running[-1] + r.qty)
        level, seen = 0, 0
        for count in sorted(held, key=lambda c: (c.counted_at, c.count_id)):
            upto = bisect.bisect_right(times, count.counted_at)
            level += running[upto] - running[seen]
            seen = upto
            if count.counted_qty != level:
                implied.append((count, count.counted_qty - level))
            level = count.counted_qty
    return implied


def stock_drafts(
    stock: OrgStock, posted: set[tuple[str, uuid.UUID]] | None = None
) -> list[EntryDraft]:
    """One entry per document not in ``posted``, oldest first; documents that move
    no value make none."""
    value: dict[Document, int] = defaultdict(int)
    settled: dict[Document, int] = defaultdict(int)
    cleared: dict[Document, int] = defaultdict(int)
    first: dict[Document, tuple[datetime, uuid.UUID]] = {}
    for valuation in stock.valuations.values():
        for costed in valuation.moves:
            document = stock.documents[costed.move.move_id]
            value[document] += costed.value
            settled[document] += costed.settlement
            cleared[document] += costed.cleared
            at = (costed.move.moved_at, costed.move.move_id)
            first[document] = min(first.get(document, at), at)
    drafts: list[EntryDraft | None] = []
    done = posted or set()
    fresh = [d for d in value if (d.source_type, d.source_id) not in done]
    for doc in sorted(fresh, key=lambda d: (d.business_date, first[d])):
        on, amount, settlement, store = doc.business_date, value[doc], settled[doc], doc.store_id
        if doc.source_type == "cost":
            drafts.append(post_cost_of_sale(doc.source_id, on, -amount, store))
        elif doc.source_type == "cost_return":
            drafts.append(post_cost_of_return(doc.source_id, on, amount, store, settlement))
        elif doc.source_type == "goods_returned":
            drafts.append(post_goods_returned(doc.source_id, on, amount, cleared[doc], store,
                                              settlement))  # fmt: skip
        elif doc.source_type == "receipt":
            drafts.append(
                post_goods_received(
                    doc.source_id, on, amount, store_id=store, settlement=settlement
                )
            )
        else:
            drafts.append(
                post_stock_adjustment(
                    doc.source_id, on, amount, store_id=store, settlement=settlement
                )
            )
    return [draft for draft in drafts if draft is not None]


def _posted(session: Session, org_id: uuid.UUID) -> set[tuple[str, uuid.UUID]]:
    query = select(JournalEntry.source_type, JournalEntry.source_id).where(
        JournalEntry.org_id == org_id, JournalEntry.source_type.in_(STOCK_SOURCES)
    )
    return {(source_type, source_id) for source_type, source_id in session.execute(query)}


def booked_inventory(session: Session, org_id: uuid.UUID) -> int:
    """Inventory in the journal from the entries this module writes."""
    total = session.scalar(
        select(cast(func.coalesce(func.sum(JournalLine.amount), 0), BigInteger))
        .join(
            JournalEntry,
            and_(
                JournalEntry.org_id == JournalLine.org_id,
                JournalEntry.entry_id == JournalLine.entry_id,
            ),
        )
        .where(
            JournalLine.org_id == org_id,
            JournalLine.account_code == chart.INVENTORY,
            JournalEntry.source_type.in_(STOCK_SOURCES),
        )
    )
    return int(total or 0)


_BALANCED: dict[tuple[str, uuid.UUID], tuple[object, ...]] = {}
"""Per (database, org): the stock's fingerprint when a run last left the books
equal to the valuation. Moves and counts are append-only, so while it is the
same there is nothing to post and a run can skip valuing the whole history
(bench/stock_valuation.py, PostgreSQL, 100,000 moves: 3.8 s to revalue and find
nothing to do, 16 ms to see nothing changed)."""


def _fingerprint(session: Session, org_id: uuid.UUID) -> tuple[object, ...]:
    moves = session.execute(
        select(func.count(), func.max(StockMove.received_at)).where(StockMove.org_id == org_id)
    ).one()
    counts = session.execute(
        select(func.count(), func.max(StockCount.recorded_at)).where(StockCount.org_id == org_id)
    ).one()
    return (*moves, *counts, current_method(session, org_id))


def post_stock_costs(session: Session, org_id: uuid.UUID, *, at: datetime | None = None) -> int:
    """Post the org's unposted stock entries and, if the valuation moved under
    posted ones, the revaluation; one transaction. The number of entries written."""
    now = (at or datetime.now(UTC)).astimezone(UTC)
    memo = (str(session.get_bind().engine.url), org_id)
    with session.begin():
        lock_ledger(session, org_id)
        seen = _fingerprint(session, org_id)
        if _BALANCED.get(memo) == seen:
            return 0
        written = _post_stock_costs(session, org_id, now)
    _BALANCED[memo] = seen
    return written


def _post_stock_costs(session: Session, org_id: uuid.UUID, now: datetime) -> int:
    """The run itself, in the caller's transaction (under the journal's lock)."""
    stock = value_org(session, org_id)
    posted = _posted(session, org_id)
    fresh = stock_drafts(stock, posted)
    written = 0
    for start in range(0, len(fresh), POST_CHUNK):
        chunk = fresh[start : start + POST_CHUNK]
        written += len(post(session, org_id, chunk, at=now, roll_forward=True).entry_ids)
    difference = booked_inventory(session, org_id) - stock.total_value
    revaluation = post_cost_settlement(
        new_id(),
        fiscal.business_date(now),
        difference,
        source_type="revaluation",
        narration=f"Stock revalued ({stock.method.value}): late moves, counts or a new method",
    )
    if revaluation is not None:
        written += len(post(session, org_id, [revaluation], at=now, roll_forward=True).entry_ids)
    return written
