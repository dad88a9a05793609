"""The e-invoice submission queue: one row per document, and every attempt to send it.

``einvoice`` holds the current state of each INV-01 document the org asked
to send to the IRP, keyed by the IRN the document will get (org + IRN is
the primary key, so enqueueing the same document twice is a no-op).
``einvoice_attempt`` is append-only (triggers of migration 0010): every
submission through a connector, with its outcome and the IRP's codes.

The document is stored as the JSON text that is sent (amounts as
two-place numbers, never floats), so what was submitted can be shown
exactly, and a retry sends the same bytes.

``einvoice_buyer`` is the org's directory of registered buyers: the
counter records only a buyer's GSTIN and name, but the IRP requires the
buyer's address (``BuyerDtls.Addr1``, ``Loc``), so it is looked up here by
GSTIN when the document is built.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class EInvoice(Base):
    __tablename__ = "einvoice"
    __table_args__ = (
        ForeignKeyConstraint(["org_id"], ["org.org_id"]),
        # What the worker asks for: the due rows of an org, oldest first.
        Index(None, "org_id", "next_attempt_at"),
        Index(None, "org_id", "doc_date"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    irn: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of seller GSTIN + FY + type + number (R3), computed before sending."""
    doc_type: Mapped[str] = mapped_column(String(3))
    doc_no: Mapped[str] = mapped_column(String(16))
    doc_date: Mapped[date]
    sale_id: Mapped[uuid.UUID | None]
    """The hub sale the document was built from, when it came from one."""
    document: Mapped[str] = mapped_column(Text)
    """The INV-01 v1.1 JSON exactly as it is submitted."""
    state: Mapped[str] = mapped_column(String(20))
    """queued, retrying, accepted, duplicate_resolved or rejected."""
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    """When the worker may send it (next); empty once it is accepted or rejected."""
    issued_irn: Mapped[str | None] = mapped_column(String(64))
    """The IRN the IRP issued (or reported as already issued, for a duplicate)."""
    ack_no: Mapped[str | None] = mapped_column(String(20))
    ack_dt: Mapped[str | None] = mapped_column(String(19))
    """As the IRP writes it: ``YYYY-MM-DD HH:MM:SS`` in IST."""
    signed_invoice: Mapped[str | None] = mapped_column(Text)
    signed_qr: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    """The last failure's codes and messages, as JSON text."""
    enqueued_at: Mapped[datetime]
    enqueued_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class EInvoiceAttempt(Base):
    """One submission of a document through a connector (append-only)."""

    __tablename__ = "einvoice_attempt"
    __table_args__ = (ForeignKeyConstraint(["org_id", "irn"], ["einvoice.org_id", "einvoice.irn"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    irn: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempt_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempted_at: Mapped[datetime]
    connector: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    """accepted, duplicate, rejected or unavailable."""
    codes: Mapped[str] = mapped_column(String(200))
    """The IRP's error codes, comma separated (empty when accepted)."""
    message: Mapped[str] = mapped_column(Text)


class EInvoiceBuyer(Base):
    """A registered buyer's details as the IRP wants them, by GSTIN."""

    __tablename__ = "einvoice_buyer"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    gstin: Mapped[str] = mapped_column(String(15), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(100))
    trade_name: Mapped[str | None] = mapped_column(String(100))
    address1: Mapped[str] = mapped_column(String(100))
    address2: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(100))
    pin: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(12))
    email: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
