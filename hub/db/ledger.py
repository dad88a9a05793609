"""The books: accounts per org, the journal (entries and lines), period locks.

``journal_entry``, ``journal_line`` and ``period_lock`` are append-only
(triggers of migration 0008 refuse UPDATE and DELETE, on PostgreSQL
TRUNCATE too): a posted entry is corrected only by a reversing entry, a
lock only moves forward by a new row. Entries are hash-chained per org
(``seq``, ``prev_hash``, ``hash``; see :mod:`hub.ledger.chain`).

A line's amount is signed paise (debit positive, credit negative); its
entry's date and the store are copied onto it so a trial balance is one
aggregate over one table.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class LedgerAccount(Base):
    __tablename__ = "ledger_account"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class JournalEntry(Base):
    __tablename__ = "journal_entry"
    __table_args__ = (
        ForeignKeyConstraint(["org_id"], ["org.org_id"]),
        UniqueConstraint("org_id", "seq"),
        # One entry per business document: posting a sale twice is a no-op.
        UniqueConstraint("org_id", "source_type", "source_id"),
        Index(None, "org_id", "entry_date"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int]
    entry_date: Mapped[date]
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[uuid.UUID]
    narration: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[uuid.UUID | None]
    reverses: Mapped[uuid.UUID | None]
    posted_at: Mapped[datetime]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class JournalLine(Base):
    __tablename__ = "journal_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "entry_id"], ["journal_entry.org_id", "journal_entry.entry_id"]
        ),
        ForeignKeyConstraint(
            ["org_id", "account_code"], ["ledger_account.org_id", "ledger_account.code"]
        ),
        Index(None, "org_id", "account_code", "entry_date"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int]
    """Signed paise: debit positive, credit negative."""
    entry_date: Mapped[date]
    store_id: Mapped[uuid.UUID | None]


class PeriodLock(Base):
    """The books are closed through ``locked_through``; the latest row wins."""

    __tablename__ = "period_lock"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lock_seq: Mapped[int] = mapped_column(primary_key=True)
    locked_through: Mapped[date]
    locked_at: Mapped[datetime]
    locked_by: Mapped[str] = mapped_column(String(64))
