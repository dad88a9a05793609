"""Posting a debit note to the journal (a helper: it never commits).

The rule is the kernel's ``post_debit_note``: Dr trade receivables (the
buyer owes the difference), Cr sales and output tax per head at each GST
rate, on the original sale's store. One entry per note (source type
``debit_note``, unique in the journal).

Debit notes are posted in the transaction that issues them
(:func:`hub.gst.debit_notes.issue_debit_note`), not by ``post-ledger``:
the hub issues them itself, so the note and its entry are written
together under the journal's advisory lock (one writer per org), and no
note is ever left unposted for a sweep to find. A note dated in a locked
period cannot happen (it is dated today), but is rolled forward like any
late document if it did.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from hub.db.debit_notes import DebitNote, DebitNoteLine
from hub.ledger.journal import Posted, post
from setledger.postings import DebitNoteDocument, TaxedAmounts, post_debit_note
from setledger.states import state_tax_head


def debit_note_document(note: DebitNote, lines: Sequence[DebitNoteLine]) -> DebitNoteDocument:
    return DebitNoteDocument(
        debit_note_id=note.debit_note_id,
        business_date=note.business_date,
        note_no=note.note_no,
        original_invoice_no=note.original_invoice_no,
        store_id=note.store_id,
        lines=tuple(
            TaxedAmounts(line.rate_bp, line.taxable, line.cgst, line.sgst, line.igst, line.cess)
            for line in lines
        ),
        round_off=note.round_off,
        union_territory=state_tax_head(note.seller_state) == "UTGST",
    )


def post_debit_note_rows(
    session: Session,
    org_id: uuid.UUID,
    note: DebitNote,
    lines: Sequence[DebitNoteLine],
    *,
    at: datetime | None = None,
) -> Posted:
    """Post the note (once: a note already in the journal is skipped)."""
    draft = post_debit_note(debit_note_document(note, lines))
    return post(session, org_id, [draft], at=at, roll_forward=True)
