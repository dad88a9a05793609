"""Post the cash over or short of every ingested shift close not yet in the journal.

The posting rule is the kernel's ``post_shift_count``: counted less
expected, Dr the store's cash and Cr cash over (income) when over, Dr cash
short (expense) and Cr the store's cash when short, dated the close's
business day. One entry per close with a difference (source type
``shift``, unique in the journal); a close counted exactly posts nothing
and is never pending.

Run with the sales and returns by ``setledger hub post-ledger``
(:func:`hub.ledger.sales.post_every_org`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.bulk import one_of
from hub.db.shifts import ShiftClose
from hub.ledger.journal import Posted
from hub.ledger.pending import BATCH, Source, post_all_pending, post_pending, store_codes
from setledger.postings import EntryDraft, ShiftCount, post_shift_count


def shift_counts(
    session: Session, org_id: uuid.UUID, shift_ids: list[uuid.UUID]
) -> list[ShiftCount]:
    stores = store_codes(session, org_id)
    rows = session.execute(
        select(
            ShiftClose.shift_id,
            ShiftClose.business_date,
            ShiftClose.store_id,
            ShiftClose.expected_cash,
            ShiftClose.counted_total,
        ).where(ShiftClose.org_id == org_id, one_of(session, ShiftClose.shift_id, shift_ids))
    ).all()
    order = {shift_id: index for index, shift_id in enumerate(shift_ids)}
    return [
        ShiftCount(
            shift_id=row.shift_id,
            business_date=row.business_date,
            store_id=row.store_id,
            store_code=stores[row.store_id],
            expected_cash=row.expected_cash,
            counted_cash=row.counted_total,
        )
        for row in sorted(rows, key=lambda r: order[r.shift_id])
    ]


def _shift_drafts(session: Session, org_id: uuid.UUID, ids: list[uuid.UUID]) -> list[EntryDraft]:
    drafts = (post_shift_count(count) for count in shift_counts(session, org_id, ids))
    return [draft for draft in drafts if draft is not None]


SHIFTS = Source(
    "shift",
    ShiftClose.org_id,
    ShiftClose.shift_id,
    (ShiftClose.business_date, ShiftClose.closed_at, ShiftClose.shift_id),
    _shift_drafts,
    postable=ShiftClose.over_short != 0,
)


def post_pending_shifts(
    session: Session, org_id: uuid.UUID, *, at: datetime | None = None, batch: int = BATCH
) -> Posted:
    """Post up to ``batch`` unposted over/shorts of the org, in one transaction."""
    return post_pending(session, org_id, SHIFTS, at=at, batch=batch)


def post_all_pending_shifts(session: Session, org_id: uuid.UUID, *, batch: int = BATCH) -> int:
    """Post until none is left; the number of entries written."""
    return post_all_pending(session, org_id, SHIFTS, batch=batch)
