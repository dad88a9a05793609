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

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.db.bulk import one_of
from hub.db.models import UNKNOWN_ORG, Org, Sale, SaleLine, SaleTender
from hub.ledger.journal import Posted
from hub.ledger.pending import BATCH, Source, post_all_pending, post_pending, store_codes
from hub.ledger.returns import post_all_pending_returns
from hub.ledger.shifts import post_all_pending_shifts
from hub.stock.valuation import post_stock_costs
from setledger.postings import EntryDraft, SaleDocument, TaxedAmounts, post_sale
from setledger.states import state_tax_head


def sale_documents(
    session: Session, org_id: uuid.UUID, sale_ids: list[uuid.UUID]
) -> list[SaleDocument]:
    stores = store_codes(session, org_id)
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


def _sale_drafts(session: Session, org_id: uuid.UUID, ids: list[uuid.UUID]) -> list[EntryDraft]:
    return [post_sale(document) for document in sale_documents(session, org_id, ids)]


SALES = Source(
    "sale",
    Sale.org_id,
    Sale.sale_id,
    (Sale.business_date, Sale.sold_at, Sale.sale_id),
    _sale_drafts,
)


def post_pending_sales(
    session: Session, org_id: uuid.UUID, *, at: datetime | None = None, batch: int = BATCH
) -> Posted:
    """Post up to ``batch`` unposted sales of the org, in one transaction."""
    return post_pending(session, org_id, SALES, at=at, batch=batch)


def post_all_pending_sales(session: Session, org_id: uuid.UUID, *, batch: int = BATCH) -> int:
    """Post until none is left; the number of entries written."""
    return post_all_pending(session, org_id, SALES, batch=batch)


def post_every_org(sessions: sessionmaker[Session], org_code: str | None = None) -> dict[str, int]:
    """Post the pending sales, then returns, then shift over/shorts, then stock at
    cost (``hub.stock.valuation``), of every org (or one, by code): entries written
    per org code."""
    with sessions() as session:
        query = select(Org.org_id, Org.org_code).where(Org.org_id != UNKNOWN_ORG)
        if org_code is not None:
            query = query.where(Org.org_code == org_code)
        orgs = session.execute(query).all()
    written: dict[str, int] = {}
    for org in orgs:
        with sessions() as session:
            sales = post_all_pending_sales(session, org.org_id)
            returns = post_all_pending_returns(session, org.org_id)
            written[org.org_code] = sales + returns + post_all_pending_shifts(session, org.org_id)
            written[org.org_code] += post_stock_costs(session, org.org_id)
    return written
