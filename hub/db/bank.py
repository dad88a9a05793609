"""Bank accounts, saved statement mappings, statement lines and their reconciliation.

A statement line is written once and never changed. Whether it is
reconciled is derived: it is when it has a ``bank_reconciliation`` row not
undone. A reconciliation names the journal entry it posted (none when the
money was already booked to the bank, a payment recorded by hand) and, in
``bank_match``, every journal line it cleared, so the clearing lines still
open are those without a match of a live reconciliation. Undoing posts a
reversing entry and stamps ``undone_at``/``undo_entry_id``; a later
reconciliation of the same line is a new row with the next ``attempt``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class BankAccount(Base):
    __tablename__ = "bank_account"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    number_masked: Mapped[str] = mapped_column(String(32))
    """Only the last four digits are kept: ``XXXXXX1234``."""
    ifsc: Mapped[str] = mapped_column(String(11))
    ledger_code: Mapped[str] = mapped_column(String(32))
    """The ledger account its money is booked to (the chart's BANK)."""
    created_at: Mapped[datetime]


class BankMapping(Base):
    """A statement column mapping saved by the org, reused by name."""

    __tablename__ = "bank_mapping"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Header names per field (date, description, reference, debit, credit, amount, ...)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BankStatement(Base):
    """One uploaded file; the same file (sha256) for the same account is imported once."""

    __tablename__ = "bank_statement"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "account_id"], ["bank_account.org_id", "bank_account.account_id"]
        ),
        UniqueConstraint("org_id", "account_id", "sha256"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID]
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    mapping: Mapped[str] = mapped_column(String(64))
    lines_read: Mapped[int]
    lines_new: Mapped[int]
    """Lines not already imported from an overlapping statement."""
    imported_at: Mapped[datetime]


class BankLine(Base):
    __tablename__ = "bank_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "statement_id"], ["bank_statement.org_id", "bank_statement.statement_id"]
        ),
        # An overlapping statement does not bring a line in twice.
        UniqueConstraint("org_id", "account_id", "dedupe_key"),
        Index(None, "org_id", "account_id", "txn_date"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID]
    statement_id: Mapped[uuid.UUID]
    row_no: Mapped[int] = mapped_column(Integer)
    txn_date: Mapped[date]
    value_date: Mapped[date | None]
    description: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int]
    """Signed paise: money in positive, money out negative."""
    balance: Mapped[int | None]
    dedupe_key: Mapped[str] = mapped_column(String(64))


class BankReconciliation(Base):
    __tablename__ = "bank_reconciliation"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "line_id"], ["bank_line.org_id", "bank_line.line_id"]),
        UniqueConstraint("org_id", "line_id", "attempt"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    recon_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_id: Mapped[uuid.UUID]
    attempt: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    """``match`` (cleared journal lines) or ``direct`` (posted to an account)."""
    account_code: Mapped[str] = mapped_column(String(32))
    """The account credited (or debited, for money out) against the bank."""
    entry_id: Mapped[uuid.UUID | None]
    """The journal entry posted; None when the money was already booked to the bank."""
    narration: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]
    undo_entry_id: Mapped[uuid.UUID | None]


class BankMatch(Base):
    """A journal line a live (or undone) reconciliation cleared."""

    __tablename__ = "bank_match"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "recon_id"],
            ["bank_reconciliation.org_id", "bank_reconciliation.recon_id"],
        ),
        ForeignKeyConstraint(
            ["org_id", "entry_id", "line_no"],
            ["journal_line.org_id", "journal_line.entry_id", "journal_line.line_no"],
        ),
        Index(None, "org_id", "entry_id", "line_no"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    recon_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int]
