"""A customer payment received into the bank (a service: one transaction).

Posted by the kernel's :func:`setledger.postings.post_payment` (Dr bank,
Cr receivables or a clearing account). Idempotent by the client's payment
id: sending the same payment again answers the entry already posted; the
same id with a different amount or account is refused, not silently kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.ledger import JournalEntry, JournalLine
from hub.ledger import journal
from setledger import bank
from setledger.postings import PaymentDocument, post_payment


@dataclass(frozen=True)
class Recorded:
    entry_id: uuid.UUID
    created: bool


def record_payment(session: Session, org_id: uuid.UUID, payment: PaymentDocument) -> Recorded:
    draft = post_payment(payment)  # refuses an account that is not settled by payments
    with session.begin():
        posted = journal.post(session, org_id, [draft])
        if posted.entry_ids:
            return Recorded(posted.entry_ids[0], created=True)
        entry = session.scalar(
            select(JournalEntry).where(
                JournalEntry.org_id == org_id,
                JournalEntry.source_type == draft.source_type,
                JournalEntry.source_id == draft.source_id,
            )
        )
        assert entry is not None  # the journal skipped it because it is there
        lines = {
            (row.account_code, row.amount)
            for row in session.scalars(
                select(JournalLine).where(
                    JournalLine.org_id == org_id, JournalLine.entry_id == entry.entry_id
                )
            )
        }
        if lines != {(p.account, p.amount) for p in draft.postings}:
            raise bank.PAYMENT_ID_REUSED.error(payment_id=str(payment.payment_id))
        return Recorded(entry.entry_id, created=False)
