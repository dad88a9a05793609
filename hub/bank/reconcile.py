"""Reconciling a statement line against the books (services: one transaction each).

- :func:`accept`: the line clears the journal lines chosen (a suggestion
  of :mod:`hub.bank.matching`): one entry Dr bank / Cr the clearing
  account (for money out, the other way round), or nothing when the lines
  are the bank's own, booked by a payment recorded by hand.
- :func:`post_direct`: the line is posted to an account of the chart
  (bank charges, interest) with a narration.
- :func:`undo`: a reversing entry; the line and the journal lines it
  cleared are open again.

The entry's source is ``bank_line`` and the statement line's id (the
first time; after an undo, an id derived from the line and the attempt),
so the journal refuses to post one reconciliation twice. Every service
takes the org's journal lock first: two people accepting the same line
at once are served one after the other, and the second is told it is
already reconciled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.bank.accounts import get_account
from hub.clock import utcnow
from hub.db.bank import BankAccount, BankLine, BankMatch, BankReconciliation
from hub.db.ledger import JournalEntry, JournalLine
from hub.ledger import journal
from setledger import bank, chart, errors
from setledger.ids import new_id
from setledger.postings import EntryDraft, Posting, check_balanced, reverse

SOURCE_TYPE = "bank_line"


@dataclass(frozen=True)
class LineRef:
    entry_id: uuid.UUID
    line_no: int


def get_line(session: Session, org_id: uuid.UUID, line_id: uuid.UUID) -> BankLine:
    found = session.get(BankLine, (org_id, line_id))
    if found is None:
        raise bank.BANK_LINE_NOT_FOUND.error(line_id=str(line_id))
    return found


def live_reconciliation(
    session: Session, org_id: uuid.UUID, line_id: uuid.UUID
) -> BankReconciliation | None:
    return session.scalar(
        select(BankReconciliation).where(
            BankReconciliation.org_id == org_id,
            BankReconciliation.line_id == line_id,
            BankReconciliation.undone_at.is_(None),
        )
    )


def source_id_of(line_id: uuid.UUID, attempt: int) -> uuid.UUID:
    """The journal source of a line's ``attempt``-th reconciliation (the line's id first)."""
    return line_id if attempt == 1 else uuid.uuid5(line_id, f"reconciliation {attempt}")


def _open_line(
    session: Session, org_id: uuid.UUID, line_id: uuid.UUID
) -> tuple[BankLine, BankAccount, int]:
    journal.lock_ledger(session, org_id)
    line = get_line(session, org_id, line_id)
    if live_reconciliation(session, org_id, line_id) is not None:
        raise bank.BANK_LINE_RECONCILED.error(line_id=str(line_id))
    account = get_account(session, org_id, line.account_id)
    attempts = session.scalar(
        select(func.count())
        .select_from(BankReconciliation)
        .where(BankReconciliation.org_id == org_id, BankReconciliation.line_id == line_id)
    )
    return line, account, (attempts or 0) + 1


def _record(
    session: Session,
    org_id: uuid.UUID,
    line: BankLine,
    attempt: int,
    kind: str,
    account_code: str,
    entry_id: uuid.UUID | None,
    narration: str,
    by: str,
) -> BankReconciliation:
    recon = BankReconciliation(
        org_id=org_id,
        recon_id=new_id(),
        line_id=line.line_id,
        attempt=attempt,
        kind=kind,
        account_code=account_code,
        entry_id=entry_id,
        narration=narration[:200],
        created_by=by[:64],
        created_at=utcnow(),
        undone_at=None,
        undo_entry_id=None,
    )
    session.add(recon)
    session.flush()
    return recon


def _post(session: Session, org_id: uuid.UUID, draft: EntryDraft, line: BankLine) -> uuid.UUID:
    posted = journal.post(session, org_id, [check_balanced(draft)])
    if not posted.entry_ids:  # the journal already has this reconciliation
        raise bank.BANK_LINE_RECONCILED.error(line_id=str(line.line_id))
    return posted.entry_ids[0]


def _draft(
    line: BankLine,
    attempt: int,
    bank_code: str,
    other: str,
    narration: str,
    store_id: uuid.UUID | None = None,
) -> EntryDraft:
    return EntryDraft(
        source_type=SOURCE_TYPE,
        source_id=source_id_of(line.line_id, attempt),
        entry_date=line.txn_date,
        narration=narration[:200],
        postings=(
            Posting(bank_code, line.amount, store_id),
            Posting(other, -line.amount, store_id),
        ),
        store_id=store_id,
    )


def accept(
    session: Session, org_id: uuid.UUID, line_id: uuid.UUID, chosen: list[LineRef], *, by: str
) -> BankReconciliation:
    with session.begin():
        line, account, attempt = _open_line(session, org_id, line_id)
        found = _chosen_lines(session, org_id, line, account, chosen)
        codes = {row.account_code for row in found}
        code = codes.pop()
        stores = {row.store_id for row in found}
        store_id = stores.pop() if len(stores) == 1 else None
        entry_id: uuid.UUID | None = None
        narration = f"Bank: {line.description}"
        if code != account.ledger_code:
            draft = _draft(line, attempt, account.ledger_code, code, narration, store_id)
            entry_id = _post(session, org_id, draft, line)
        recon = _record(session, org_id, line, attempt, "match", code, entry_id, narration, by)
        session.add_all(
            BankMatch(
                org_id=org_id,
                recon_id=recon.recon_id,
                entry_id=row.entry_id,
                line_no=row.line_no,
                amount=row.amount,
            )
            for row in found
        )
        session.flush()
        return recon


def _chosen_lines(
    session: Session, org_id: uuid.UUID, line: BankLine, account: BankAccount, chosen: list[LineRef]
) -> list[JournalLine]:
    def refuse(reason: str) -> errors.SetLedgerError:
        return bank.BANK_MATCH_INVALID.error(line_id=str(line.line_id), reason=reason)

    wanted = {(ref.entry_id, ref.line_no) for ref in chosen}
    if not wanted or len(wanted) != len(chosen):
        raise refuse("name each journal line once")
    rows = [
        row
        for row in session.scalars(
            select(JournalLine).where(
                JournalLine.org_id == org_id,
                JournalLine.entry_id.in_(sorted({ref.entry_id for ref in chosen})),
            )
        )
        if (row.entry_id, row.line_no) in wanted
    ]
    if len(rows) != len(wanted):
        raise refuse("a journal line named is not in this organisation's books")
    codes = {row.account_code for row in rows}
    if len(codes) != 1:
        raise refuse("the lines must all be on one account")
    code = next(iter(codes))
    if not (bank.clears(code) or code == account.ledger_code):
        raise refuse(f"account {code} is not cleared through the bank")
    if sum(row.amount for row in rows) != line.amount:
        raise refuse(f"they sum to {sum(row.amount for row in rows)} paise, not {line.amount}")
    if _any_cleared(session, org_id, rows):
        raise refuse("a journal line named is already cleared by another statement line")
    return rows


def _any_cleared(session: Session, org_id: uuid.UUID, rows: list[JournalLine]) -> bool:
    for row in rows:
        hit = session.scalar(
            select(func.count())
            .select_from(BankMatch)
            .join(
                BankReconciliation,
                (BankReconciliation.org_id == BankMatch.org_id)
                & (BankReconciliation.recon_id == BankMatch.recon_id),
            )
            .where(
                BankMatch.org_id == org_id,
                BankMatch.entry_id == row.entry_id,
                BankMatch.line_no == row.line_no,
                BankReconciliation.undone_at.is_(None),
            )
        )
        if hit:
            return True
    return False


def post_direct(
    session: Session,
    org_id: uuid.UUID,
    line_id: uuid.UUID,
    account_code: str,
    narration: str,
    *,
    by: str,
) -> BankReconciliation:
    with session.begin():
        line, account, attempt = _open_line(session, org_id, line_id)
        chart.account(account_code)  # refuses a code outside the chart
        if account_code == account.ledger_code:
            raise bank.BANK_MATCH_INVALID.error(
                line_id=str(line_id), reason="a bank line cannot be posted to the bank itself"
            )
        text = narration.strip() or line.description
        draft = _draft(line, attempt, account.ledger_code, account_code, text)
        entry_id = _post(session, org_id, draft, line)
        return _record(session, org_id, line, attempt, "direct", account_code, entry_id, text, by)


def undo(
    session: Session, org_id: uuid.UUID, line_id: uuid.UUID, *, at: datetime | None = None
) -> BankReconciliation:
    with session.begin():
        journal.lock_ledger(session, org_id)
        get_line(session, org_id, line_id)
        recon = live_reconciliation(session, org_id, line_id)
        if recon is None:
            raise bank.BANK_LINE_NOT_RECONCILED.error(line_id=str(line_id))
        undo_entry: uuid.UUID | None = None
        if recon.entry_id is not None:
            entry = session.get(JournalEntry, (org_id, recon.entry_id))
            assert entry is not None  # the foreign key of the journal line it matched
            postings = [
                Posting(row.account_code, row.amount, row.store_id)
                for row in session.scalars(
                    select(JournalLine)
                    .where(JournalLine.org_id == org_id, JournalLine.entry_id == entry.entry_id)
                    .order_by(JournalLine.line_no)
                )
            ]
            draft = reverse(entry.entry_id, postings, entry.entry_date, f"Undo: {entry.narration}")
            posted = journal.post(session, org_id, [draft], roll_forward=True)
            undo_entry = posted.entry_ids[0] if posted.entry_ids else None
        recon.undone_at = at or utcnow()
        recon.undo_entry_id = undo_entry
        session.flush()
        return recon
