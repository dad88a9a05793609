"""Post every ingested return (credit note) not yet in the journal.

The posting rule is the kernel's ``post_return``: Dr sales returns at each
rate (taxable value) and output tax per head and rate (the reversal of the
tax), the round-off, Cr what was refunded (the store's cash, UPI or card
clearing). One entry per return (source type ``return``, unique in the
journal), so two runs at once only wait for each other. A return is
posted from its own amounts, whether or not its sale has arrived.

Run with the sales by ``python -m hub.cli post-ledger``
(:func:`hub.ledger.sales.post_every_org`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.bulk import one_of
from hub.db.returns import SaleReturn, SaleReturnLine, SaleReturnRefund
from hub.ledger.journal import Posted
from hub.ledger.pending import BATCH, Source, post_all_pending, post_pending, store_codes
from setledger.postings import EntryDraft, ReturnDocument, TaxedAmounts, post_return
from setledger.states import state_tax_head


def return_documents(
    session: Session, org_id: uuid.UUID, return_ids: list[uuid.UUID]
) -> list[ReturnDocument]:
    stores = store_codes(session, org_id)
    lines: dict[uuid.UUID, list[TaxedAmounts]] = defaultdict(list)
    for line in session.execute(
        select(
            SaleReturnLine.return_id,
            SaleReturnLine.rate_bp,
            SaleReturnLine.taxable,
            SaleReturnLine.cgst,
            SaleReturnLine.sgst,
            SaleReturnLine.igst,
            SaleReturnLine.cess,
        )
        .where(
            SaleReturnLine.org_id == org_id,
            one_of(session, SaleReturnLine.return_id, return_ids),
        )
        .order_by(SaleReturnLine.return_id, SaleReturnLine.line_no)
    ):
        lines[line.return_id].append(TaxedAmounts(*line[1:]))
    refunds: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for refund in session.execute(
        select(SaleReturnRefund.return_id, SaleReturnRefund.kind, SaleReturnRefund.amount)
        .where(
            SaleReturnRefund.org_id == org_id,
            one_of(session, SaleReturnRefund.return_id, return_ids),
        )
        .order_by(SaleReturnRefund.return_id, SaleReturnRefund.refund_no)
    ):
        refunds[refund.return_id].append((refund.kind, refund.amount))
    notes = session.execute(
        select(
            SaleReturn.return_id,
            SaleReturn.business_date,
            SaleReturn.note_no,
            SaleReturn.store_id,
            SaleReturn.seller_state,
            SaleReturn.round_off,
        ).where(SaleReturn.org_id == org_id, one_of(session, SaleReturn.return_id, return_ids))
    ).all()
    order = {return_id: index for index, return_id in enumerate(return_ids)}
    return [
        ReturnDocument(
            return_id=note.return_id,
            business_date=note.business_date,
            note_no=note.note_no,
            store_id=note.store_id,
            store_code=stores[note.store_id],
            lines=tuple(lines[note.return_id]),
            round_off=note.round_off,
            refunds=tuple(refunds[note.return_id]),
            union_territory=state_tax_head(note.seller_state) == "UTGST",
        )
        for note in sorted(notes, key=lambda n: order[n.return_id])
    ]


def _return_drafts(session: Session, org_id: uuid.UUID, ids: list[uuid.UUID]) -> list[EntryDraft]:
    return [post_return(document) for document in return_documents(session, org_id, ids)]


RETURNS = Source(
    "return",
    SaleReturn.org_id,
    SaleReturn.return_id,
    (SaleReturn.business_date, SaleReturn.returned_at, SaleReturn.return_id),
    _return_drafts,
)


def post_pending_returns(
    session: Session, org_id: uuid.UUID, *, at: datetime | None = None, batch: int = BATCH
) -> Posted:
    """Post up to ``batch`` unposted returns of the org, in one transaction."""
    return post_pending(session, org_id, RETURNS, at=at, batch=batch)


def post_all_pending_returns(session: Session, org_id: uuid.UUID, *, batch: int = BATCH) -> int:
    """Post until none is left; the number of entries written."""
    return post_all_pending(session, org_id, RETURNS, batch=batch)
