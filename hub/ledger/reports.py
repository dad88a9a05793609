"""Trial balance and general ledger, from the journal lines (one aggregate each)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import Session

from hub.accounts.unit import unit_of_work
from hub.db.ledger import JournalEntry, JournalLine, LedgerAccount
from hub.db.session import consistent_read
from setledger import errors


@dataclass(frozen=True)
class Balance:
    code: str
    name: str
    kind: str
    balance: int
    """Paise, debit positive."""


@dataclass(frozen=True)
class LedgerRow:
    entry_id: uuid.UUID
    seq: int
    entry_date: date
    narration: str
    source_type: str
    source_id: uuid.UUID
    amount: int
    store_id: uuid.UUID | None


def trial_balance(
    session: Session,
    org_id: uuid.UUID,
    *,
    as_of: date | None = None,
    store_id: uuid.UUID | None = None,
) -> list[Balance]:
    """Every account with a non-zero balance, by code; the balances sum to zero."""
    filters: list[ColumnElement[bool]] = [JournalLine.org_id == org_id]
    if as_of is not None:
        filters.append(JournalLine.entry_date <= as_of)
    if store_id is not None:
        filters.append(JournalLine.store_id == store_id)
    # SUM(bigint) is NUMERIC on PostgreSQL: cast back so paise stay ints.
    total = cast(func.sum(JournalLine.amount), BigInteger)
    with unit_of_work(session):
        consistent_read(session)
        sums = session.execute(
            select(JournalLine.account_code, total)
            .where(*filters)
            .group_by(JournalLine.account_code)
        ).all()
        accounts = {
            row.code: row
            for row in session.execute(
                select(LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind).where(
                    LedgerAccount.org_id == org_id
                )
            )
        }
    return [
        Balance(code, accounts[code].name, accounts[code].kind, int(amount))
        for code, amount in sorted(sums)
        if amount
    ]


def account_entries(
    session: Session,
    org_id: uuid.UUID,
    code: str,
    *,
    since: date | None = None,
    until: date | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[LedgerRow]:
    """The general ledger of one account: its lines with their entries, oldest first."""
    filters: list[ColumnElement[bool]] = [
        JournalLine.org_id == org_id,
        JournalLine.account_code == code,
    ]
    if since is not None:
        filters.append(JournalLine.entry_date >= since)
    if until is not None:
        filters.append(JournalLine.entry_date <= until)
    with unit_of_work(session):
        known = session.get(LedgerAccount, (org_id, code))
        if known is None:
            raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=code)
        rows = session.execute(
            select(
                JournalEntry.entry_id,
                JournalEntry.seq,
                JournalEntry.entry_date,
                JournalEntry.narration,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalLine.amount,
                JournalLine.store_id,
            )
            .join(
                JournalEntry,
                (JournalEntry.org_id == JournalLine.org_id)
                & (JournalEntry.entry_id == JournalLine.entry_id),
            )
            .where(*filters)
            .order_by(JournalEntry.seq, JournalLine.line_no)
            .limit(limit)
            .offset(offset)
        ).all()
    return [LedgerRow(*row) for row in rows]
