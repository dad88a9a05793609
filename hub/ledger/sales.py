"""Post every ingested sale not yet in the journal (a service: one unit of work per call).

Run by ``python -m hub.cli post-ledger`` (once, or every few seconds with
``--every``), not inside ingest: the journal has one writer per org, and
ingest workers of one org must not queue behind each other for it. A sale
is posted at most once (the journal's unique source), so two runs at once
only wait for each other. Sales of a locked period are posted on the
first open day, saying so.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from hub.db.bulk import is_pg, one_of
from hub.db.ledger import JournalEntry
from hub.db.models import UNKNOWN_ORG, Org, Sale, SaleLine, SaleTender, Store
from hub.ledger.journal import Posted, post
from hub.ledger.returns import post_all_pending_returns
from setledger.postings import SaleDocument, TaxedAmounts, post_sale
from setledger.states import state_tax_head

BATCH = 5000


def unposted_sale_ids(session: Session, org_id: uuid.UUID, limit: int) -> list[uuid.UUID]:
    posted = (
        select(JournalEntry.source_id)
        .where(
            JournalEntry.org_id == org_id,
            JournalEntry.source_type == "sale",
            JournalEntry.source_id == Sale.sale_id,
        )
        .exists()
    )
    return list(
        session.scalars(
            select(Sale.sale_id)
            .where(Sale.org_id == org_id, ~posted)
            .order_by(Sale.business_date, Sale.sold_at, Sale.sale_id)
            .limit(limit)
        )
    )


def sale_documents(
    session: Session, org_id: uuid.UUID, sale_ids: list[uuid.UUID]
) -> list[SaleDocument]:
    stores: dict[uuid.UUID, str] = {
        row.store_id: row.code
        for row in session.execute(select(Store.store_id, Store.code).where(Store.org_id == org_id))
    }
    lines: dict[uuid.UUID, list[TaxedAmounts]] = defaultdict(list)
    for line in session.execute(
        select(
            SaleLine.sale_id,
            SaleLine.rate_bp,
            SaleLine.taxable,
            SaleLine.cgst,
            SaleLine.sgst,
            SaleLine.igst,
            SaleLine.cess,
        )
        .where(SaleLine.org_id == org_id, one_of(session, SaleLine.sale_id, sale_ids))
        .order_by(SaleLine.sale_id, SaleLine.line_no)
    ):
        lines[line.sale_id].append(TaxedAmounts(*line[1:]))
    tenders: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for tender in session.execute(
        select(SaleTender.sale_id, SaleTender.kind, SaleTender.amount)
        .where(SaleTender.org_id == org_id, one_of(session, SaleTender.sale_id, sale_ids))
        .order_by(SaleTender.sale_id, SaleTender.tender_no)
    ):
        tenders[tender.sale_id].append((tender.kind, tender.amount))
    sales = session.execute(
        select(
            Sale.sale_id,
            Sale.business_date,
            Sale.invoice_no,
            Sale.store_id,
            Sale.seller_state,
            Sale.round_off,
            Sale.change,
        ).where(Sale.org_id == org_id, one_of(session, Sale.sale_id, sale_ids))
    ).all()
    order = {sale_id: index for index, sale_id in enumerate(sale_ids)}
    return [
        SaleDocument(
            sale_id=sale.sale_id,
            business_date=sale.business_date,
            invoice_no=sale.invoice_no,
            store_id=sale.store_id,
            store_code=stores[sale.store_id],
            lines=tuple(lines[sale.sale_id]),
            round_off=sale.round_off,
            tenders=tuple(tenders[sale.sale_id]),
            change=sale.change,
            union_territory=state_tax_head(sale.seller_state) == "UTGST",
        )
        for sale in sorted(sales, key=lambda s: order[s.sale_id])
    ]


def post_pending_sales(
    session: Session, org_id: uuid.UUID, *, at: datetime | None = None, batch: int = BATCH
) -> Posted:
    """Post up to ``batch`` unposted sales of the org, in one transaction."""
    with session.begin():
        ids = unposted_sale_ids(session, org_id, batch)
        if not ids:
            return Posted([], 0)
        drafts = [post_sale(document) for document in sale_documents(session, org_id, ids)]
        return post(session, org_id, drafts, at=at, roll_forward=True)


def post_all_pending_sales(session: Session, org_id: uuid.UUID, *, batch: int = BATCH) -> int:
    """Post until none is left; the number of entries written."""
    total = 0
    while True:
        posted = post_pending_sales(session, org_id, batch=batch)
        total += len(posted.entry_ids)
        if not posted.entry_ids:
            return total
        if len(posted.entry_ids) == batch:
            refresh_statistics(session)


def refresh_statistics(session: Session) -> None:
    """Fresh planner statistics for the "unposted sales" anti-join, during a backlog.

    Measured: after a catch-up of 10,000 sales, with ``journal_entry`` last
    analysed empty, PostgreSQL planned the anti-join as a nested loop over a
    materialised scan of the posted entries (37 million comparisons, 2.2 s
    for the second batch of 5,000). Autovacuum analyses on its own schedule,
    a minute or more later; an ANALYZE of the two tables takes milliseconds
    and the next plan is a hash anti-join. Only after a full batch, so a
    poster that keeps up never runs it.
    """
    if not is_pg(session):
        return
    with session.begin():
        session.execute(text("ANALYZE sale, journal_entry"))


def post_every_org(sessions: sessionmaker[Session], org_code: str | None = None) -> dict[str, int]:
    """Post the pending sales, then returns, of every org (or one, by code): entries
    written per org code."""
    with sessions() as session:
        query = select(Org.org_id, Org.org_code).where(Org.org_id != UNKNOWN_ORG)
        if org_code is not None:
            query = query.where(Org.org_code == org_code)
        orgs = session.execute(query).all()
    written: dict[str, int] = {}
    for org in orgs:
        with sessions() as session:
            sales = post_all_pending_sales(session, org.org_id)
            written[org.org_code] = sales + post_all_pending_returns(session, org.org_id)
    return written
