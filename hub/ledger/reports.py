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
    store_id: uuid.UUID | None = None,
    limit: int | None = 500,
    offset: int = 0,
) -> list[LedgerRow]:
    """The general ledger of one account: its lines with their entries, oldest first."""
    with unit_of_work(session):
        _known_account(session, org_id, code)
        return _lines(session, org_id, code, since, until, store_id, limit, offset)


@dataclass(frozen=True)
class GeneralLedger:
    """One account over a period: opening balance, every line, closing balance (paise)."""

    code: str
    name: str
    kind: str
    date_from: date | None
    date_to: date | None
    store_id: uuid.UUID | None
    opening: int
    rows: list[LedgerRow]
    closing: int


def general_ledger(
    session: Session,
    org_id: uuid.UUID,
    code: str,
    *,
    since: date | None = None,
    until: date | None = None,
    store_id: uuid.UUID | None = None,
) -> GeneralLedger:
    """The whole ledger of an account for a period, as an accountant prints it."""
    with unit_of_work(session):
        consistent_read(session)
        account = _known_account(session, org_id, code)
        opening = 0
        if since is not None:
            before = [*_filters(org_id, code, None, None, store_id), JournalLine.entry_date < since]
            total = cast(func.coalesce(func.sum(JournalLine.amount), 0), BigInteger)
            opening = int(session.scalar(select(total).where(*before)) or 0)
        rows = _lines(session, org_id, code, since, until, store_id, None, 0)
    closing = opening + sum(row.amount for row in rows)
    return GeneralLedger(
        code, account.name, account.kind, since, until, store_id, opening, rows, closing
    )


def _known_account(session: Session, org_id: uuid.UUID, code: str) -> LedgerAccount:
    known = session.get(LedgerAccount, (org_id, code))
    if known is None:
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=code)
    return known


def _filters(
    org_id: uuid.UUID,
    code: str,
    since: date | None,
    until: date | None,
    store_id: uuid.UUID | None,
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [
        JournalLine.org_id == org_id,
        JournalLine.account_code == code,
    ]
    if since is not None:
        filters.append(JournalLine.entry_date >= since)
    if until is not None:
        filters.append(JournalLine.entry_date <= until)
    if store_id is not None:
        filters.append(JournalLine.store_id == store_id)
    return filters


def _lines(
    session: Session,
    org_id: uuid.UUID,
    code: str,
    since: date | None,
    until: date | None,
    store_id: uuid.UUID | None,
    limit: int | None,
    offset: int,
) -> list[LedgerRow]:
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
        .where(*_filters(org_id, code, since, until, store_id))
        .order_by(JournalEntry.seq, JournalLine.line_no)
        .limit(limit)
        .offset(offset)
    ).all()
    return [LedgerRow(*row) for row in rows]
