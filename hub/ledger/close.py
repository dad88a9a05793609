"""Closing a financial year: its profit to retained earnings, and the books locked.

One transaction: the closing entry (every income and expense balance of
the year moved to retained earnings, store by store, by the pure rule
``setledger.postings.post_year_close``) and a lock through 31 March. The
entry's source id is derived from the org and the year, so closing twice
posts once. Sales of a closed year that arrive later roll forward into the
open year, as after any lock (``hub.ledger.sales``).

The statements leave close entries out of the P&L (a closed year still
shows its profit); the balance sheet is unchanged by a close except that
the profit moves from "earnings not yet closed" to retained earnings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.ledger import JournalEntry, JournalLine, LedgerAccount
from hub.ledger import journal
from setledger import chart, errors
from setledger.fiscal import FinancialYear, business_date
from setledger.postings import post_year_close

CLOSE = "close"
_YEAR_NAMESPACE = uuid.UUID("5e7a1ed6-c105-4e00-8000-000000000000")


@dataclass(frozen=True)
class ClosedYear:
    financial_year: str
    entry_id: uuid.UUID | None
    """The closing entry; None when the year had no income or expense."""
    profit: int
    """Net profit moved to retained earnings, paise (negative for a loss)."""
    locked_through: date


def close_id(org_id: uuid.UUID, year: FinancialYear) -> uuid.UUID:
    return uuid.uuid5(_YEAR_NAMESPACE, f"{org_id} {year.label}")


def parse_year(label: str) -> FinancialYear:
    """``2025-26`` → the year starting 1 April 2025."""
    head, _, tail = label.partition("-")
    if not (head.isdigit() and tail.isdigit() and len(head) == 4 and len(tail) == 2):
        raise errors.LEDGER_YEAR_INVALID.error(label=label)
    year = FinancialYear(int(head))
    if year.label != label:
        raise errors.LEDGER_YEAR_INVALID.error(label=label)
    return year


def close_year(
    session: Session, org_id: uuid.UUID, year: FinancialYear, *, by: str, at: datetime | None = None
) -> ClosedYear:
    """Close ``year`` (a helper: the caller commits)."""
    now = at or utcnow()
    if business_date(now) <= year.last_day:
        raise errors.LEDGER_YEAR_OPEN.error(label=year.label, last_day=year.last_day.isoformat())
    journal.lock_ledger(session, org_id)
    source = close_id(org_id, year)
    kinds = (chart.AccountKind.INCOME.value, chart.AccountKind.EXPENSE.value)
    closes = select(JournalEntry.entry_id).where(
        JournalEntry.org_id == org_id, JournalEntry.source_type == CLOSE
    )
    rows = session.execute(
        select(
            JournalLine.account_code,
            JournalLine.store_id,
            cast(func.sum(JournalLine.amount), BigInteger),
        )
        .join(
            LedgerAccount,
            (LedgerAccount.org_id == JournalLine.org_id)
            & (LedgerAccount.code == JournalLine.account_code),
        )
        .where(
            JournalLine.org_id == org_id,
            JournalLine.entry_date.between(year.first_day, year.last_day),
            LedgerAccount.kind.in_(kinds),
            JournalLine.entry_id.not_in(closes),
        )
        .group_by(JournalLine.account_code, JournalLine.store_id)
        .order_by(JournalLine.account_code, JournalLine.store_id)
    ).all()
    balances = [(code, store_id, int(amount)) for code, store_id, amount in rows]
    draft = post_year_close(source, year.last_day, year.label, balances)
    entry_id = None
    if draft is not None:
        posted = journal.post(session, org_id, [draft], at=now)
        entry_id = posted.entry_ids[0] if posted.entry_ids else _existing(session, org_id, source)
    through = journal.locked_through(session, org_id)
    if through is None or through < year.last_day:
        through = journal.lock_period(session, org_id, year.last_day, by=by, at=now)
    return ClosedYear(year.label, entry_id, -sum(b for _, _, b in balances), through)


def _existing(session: Session, org_id: uuid.UUID, source: uuid.UUID) -> uuid.UUID | None:
    found: uuid.UUID | None = session.scalar(
        select(JournalEntry.entry_id).where(
            JournalEntry.org_id == org_id,
            JournalEntry.source_type == CLOSE,
            JournalEntry.source_id == source,
        )
    )
    return found
