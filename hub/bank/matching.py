"""The open journal lines a statement line may clear, and its ranked suggestions (read only).

A journal line is a candidate when it is on an account money in the bank
clears (UPI and card clearing, receivables, a store's cash: sales, returns,
shift counts), or on the bank account itself from a payment recorded by
hand (the money is already booked; matching only ties the two), and it is
not cleared by a live reconciliation nor part of an entry that was
reversed. Its reference tokens are its entry's narration (the invoice
number, a payment's reference) and, for a sale's UPI or card line, the
tender's reference (the UTR or RRN the box recorded).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Exists

from hub.db.bank import BankLine, BankMatch, BankReconciliation
from hub.db.bulk import one_of
from hub.db.ledger import JournalEntry, JournalLine
from hub.db.sales import SaleTender
from setledger import bank, chart

CLEARED_BY_SOURCES = ("sale", "return", "shift")
"""Entries whose lines on a clearing account wait for money in the bank."""
TENDER_ACCOUNT = {"upi": chart.UPI_CLEARING, "card": chart.CARD_CLEARING}


def statement_line(line: BankLine) -> bank.StatementLine:
    return bank.StatementLine(
        row_no=line.row_no,
        txn_date=line.txn_date,
        description=line.description,
        reference=line.reference,
        amount=line.amount,
        balance=line.balance,
        value_date=line.value_date,
    )


def live_matches(org_id: uuid.UUID) -> Exists:
    """``EXISTS`` a live reconciliation's match of the journal line in the query."""
    return exists().where(
        BankMatch.org_id == org_id,
        BankMatch.entry_id == JournalLine.entry_id,
        BankMatch.line_no == JournalLine.line_no,
        BankReconciliation.org_id == org_id,
        BankReconciliation.recon_id == BankMatch.recon_id,
        BankReconciliation.undone_at.is_(None),
    )


def open_candidates(
    session: Session, org_id: uuid.UUID, bank_code: str, since: date, until: date
) -> list[bank.Candidate]:
    """Every open journal line dated ``since``..``until`` that money in the bank may clear."""
    reversal = JournalEntry.__table__.alias("reversal")
    reversed_ = exists().where(
        reversal.c.org_id == org_id, reversal.c.reverses == JournalEntry.entry_id
    )
    clearing = and_(
        JournalEntry.source_type.in_(CLEARED_BY_SOURCES),
        or_(
            JournalLine.account_code.in_(sorted(bank.CLEARING)),
            JournalLine.account_code.like(chart.CASH_PREFIX + "-%"),
        ),
    )
    booked = and_(JournalEntry.source_type == "payment", JournalLine.account_code == bank_code)
    rows = session.execute(
        select(
            JournalLine.entry_id,
            JournalLine.line_no,
            JournalLine.account_code,
            JournalLine.entry_date,
            JournalLine.amount,
            JournalEntry.narration,
            JournalEntry.source_type,
            JournalEntry.source_id,
        )
        .join(
            JournalEntry,
            and_(
                JournalEntry.org_id == JournalLine.org_id,
                JournalEntry.entry_id == JournalLine.entry_id,
            ),
        )
        .where(
            JournalLine.org_id == org_id,
            JournalLine.entry_date >= since,
            JournalLine.entry_date <= until,
            or_(clearing, booked),
            ~reversed_,
            ~live_matches(org_id),
        )
        .order_by(JournalLine.entry_date, JournalLine.entry_id, JournalLine.line_no)
    ).all()
    sale_refs = _tender_references(
        session, org_id, [r.source_id for r in rows if r.source_type == "sale"]
    )
    return [
        bank.Candidate(
            entry_id=r.entry_id,
            line_no=r.line_no,
            account=r.account_code,
            entry_date=r.entry_date,
            amount=r.amount,
            references=bank.tokens(r.narration)
            | sale_refs.get((r.source_id, r.account_code), frozenset()),
        )
        for r in rows
    ]


def _tender_references(
    session: Session, org_id: uuid.UUID, sale_ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], frozenset[str]]:
    if not sale_ids:
        return {}
    found: dict[tuple[uuid.UUID, str], set[str]] = defaultdict(set)
    for sale_id, kind, reference in session.execute(
        select(SaleTender.sale_id, SaleTender.kind, SaleTender.reference).where(
            SaleTender.org_id == org_id,
            one_of(session, SaleTender.sale_id, sale_ids),
            SaleTender.reference.is_not(None),
        )
    ):
        account = TENDER_ACCOUNT.get(kind)
        if account is not None and reference:
            found[(sale_id, account)] |= bank.tokens(reference)
    return {key: frozenset(value) for key, value in found.items()}


def suggestions_for(
    session: Session,
    org_id: uuid.UUID,
    bank_code: str,
    lines: Sequence[BankLine],
    window: tuple[int, int] = bank.DEFAULT_WINDOW,
) -> dict[uuid.UUID, list[bank.Suggestion]]:
    """Ranked suggestions for each of ``lines`` (one query for all their candidates)."""
    if not lines:
        return {}
    low, high = window
    since = min(line.txn_date for line in lines) - timedelta(days=high)
    until = max(line.txn_date for line in lines) - timedelta(days=low)
    by_day: dict[date, list[bank.Candidate]] = defaultdict(list)
    for candidate in open_candidates(session, org_id, bank_code, since, until):
        by_day[candidate.entry_date].append(candidate)

    def near(day: date) -> list[bank.Candidate]:
        # Only the window's days, so a long statement costs lines x a few days' lines.
        return [c for n in range(low, high + 1) for c in by_day.get(day - timedelta(days=n), [])]

    return {
        line.line_id: bank.suggest(statement_line(line), near(line.txn_date), window)
        for line in lines
    }
