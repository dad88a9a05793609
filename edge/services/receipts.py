"""The receipt printer's durable queue (table ``print_job``) and what goes in it.

A sale's receipt is queued by :meth:`ReceiptQueue.sale_committed`, which the
runtime calls after the sale's commit: a queue that cannot be written is
logged and the sale stands (a print failure never undoes or delays a sale).
A return's credit note is queued the same way, after the return's commit
(:meth:`ReceiptQueue.return_committed`). Kinds: ``receipt`` and
``credit_note`` (the first print, with the drawer kick for cash), ``reprint``
(a copy marked DUPLICATE: of the sale, or of the credit note when the job
has a ``return_id``), ``drawer`` (a kick alone), ``z_report`` (a closed
shift's Z, queued after the close's commit; its bytes are rendered when it
is queued, since a Z never changes).
The print worker (``edge.devices.printer.worker``) claims due jobs, renders
the slip on the first attempt (the sale and the kernel invoice rebuilt from
the box's rows, as the PDF is), stores the bytes so every retry prints the
same slip, and records the outcome here.

States: ``queued`` (due at ``next_attempt_ms``), ``printing`` (claimed; put
back to queued at start-up, so a crash mid-job prints it again rather than
never), ``printed``, ``failed`` (after ``max_attempts``; reprint by hand).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update

from documents.invoice_pdf import PaperSize, payment_qr_text
from edge.devices.printer.config import PrinterConfig
from edge.devices.printer.credit_note import cash_refunded, credit_note_bytes, note_qr_text
from edge.devices.printer.layout import ReceiptOptions, drawer_kick_bytes, receipt_bytes
from edge.devices.printer.z_report import z_report_bytes
from edge.services.checkout import load_sale
from edge.services.identity import require_identity
from edge.services.invoice_document import pdf_options, sale_invoice
from edge.services.returns import credit_note, load_return
from edge.store import tables as t
from edge.store.db import BoxDatabase
from setledger import errors
from setledger.contracts.shifts import ShiftClosed
from setledger.errors import ErrorKind, ErrorSpec
from setledger.hlc import unix_ms
from setledger.tenders import TenderKind

if TYPE_CHECKING:
    from edge.runtime import BoxRuntime
    from edge.services.checkout import RecordedSale
    from edge.services.returns import RecordedReturn

log = logging.getLogger("edge.receipts")

PRINTER_NOT_CONFIGURED = ErrorSpec(
    "PRINTER_NOT_CONFIGURED",
    ErrorKind.CONFLICT,
    "This box has no receipt printer.",
    "Set the printer in the box's settings (SETLEDGER_BOX_PRINTER, see docs/DEVICES.md) "
    "and restart the box.",
)
PRINT_JOB_UNPRINTABLE = ErrorSpec(
    "PRINT_JOB_UNPRINTABLE",
    ErrorKind.INVALID,
    "Print job {job_id} cannot be rendered ({reason}).",
    "Reprint the sale (POST /api/v1/sales/{{sale_id}}/receipt) once the cause is fixed.",
)


@dataclass(frozen=True)
class PrintJob:
    job_id: str
    kind: str
    sale_id: str | None
    return_id: str | None
    state: str
    attempts: int
    next_attempt_ms: int
    created_at: str
    printed_at: str | None
    last_error: str | None
    payload: bytes | None = None

    def public(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "payload"}
        out["bytes"] = None if self.payload is None else len(self.payload)
        return out


def _job(row: Any) -> PrintJob:
    m = row._mapping
    return PrintJob(**{name: m[name] for name in PrintJob.__dataclass_fields__})


def retry_delay_s(config: PrinterConfig, attempts: int) -> float:
    """After the ``attempts``-th failure: base * 2**(attempts - 1), at most the cap."""
    return float(min(config.retry_cap_s, config.retry_base_s * 2 ** min(attempts - 1, 32)))


class ReceiptQueue:
    """The box's print queue; ``wake`` (set by the worker) nudges it when a job is added."""

    def __init__(self, db: BoxDatabase, config: PrinterConfig, now: Callable[[], datetime]) -> None:
        self.db = db
        self.config = config
        self.now = now
        self.wake: Callable[[], None] | None = None

    # -- adding jobs (request threads, after their commit) ---------------------------------

    def enqueue(
        self,
        kind: str,
        *,
        sale_id: str | None = None,
        return_id: str | None = None,
        payload: bytes | None = None,
    ) -> PrintJob:
        now = self.now()
        job_id = str(uuid.uuid4())
        with self.db.writer.begin() as conn:
            conn.execute(
                t.print_job.insert().values(
                    job_id=job_id,
                    kind=kind,
                    sale_id=sale_id,
                    return_id=return_id,
                    payload=payload,
                    state="queued",
                    attempts=0,
                    next_attempt_ms=unix_ms(now),
                    created_at=now.isoformat(),
                )
            )
            row = conn.execute(select(t.print_job).where(t.print_job.c.job_id == job_id)).one()
        if self.wake is not None:
            self.wake()
        return _job(row)

    def sale_committed(self, recorded: RecordedSale) -> None:
        """Queue the receipt of a sale just committed; never raises (the sale stands)."""
        if not recorded.created:
            return
        try:
            self.enqueue("receipt", sale_id=str(recorded.sale.sale_id))
        except Exception:
            log.exception("receipt not queued", extra={"sale_id": str(recorded.sale.sale_id)})

    def return_committed(self, recorded: RecordedReturn) -> None:
        """Queue the credit note of a return just committed; never raises (the return stands)."""
        if not recorded.created:
            return
        return_id = str(recorded.note.return_id)
        try:
            self.enqueue("credit_note", return_id=return_id)
        except Exception:
            log.exception("credit note not queued", extra={"return_id": return_id})

    def z_report_bytes(self, z: ShiftClosed, *, duplicate: bool = False) -> bytes:
        with self.db.reader.connect() as conn:
            identity = require_identity(conn)
        options = ReceiptOptions(
            paper_mm=self.config.paper_mm, footer=self.config.footer, duplicate=duplicate
        )
        return z_report_bytes(z, identity.store_name, identity.device_name, options)

    def shift_closed(self, z: ShiftClosed) -> None:
        """Queue the Z report of a shift just closed; never raises (the close stands)."""
        try:
            self.enqueue("z_report", payload=self.z_report_bytes(z))
        except Exception:
            log.exception("Z report not queued", extra={"z_no": z.z_no})

    def drawer_opened(self) -> None:
        """An approved no-sale open: kick the drawer through the printer; never raises."""
        if not self.config.kick_drawer:
            return
        try:
            self.enqueue("drawer", payload=drawer_kick_bytes(self.config.drawer_pin))
        except Exception:
            log.exception("drawer kick not queued")

    # -- the worker's side (its thread) ----------------------------------------------------

    def recover(self) -> int:
        """Jobs left ``printing`` by a stop mid-job go back to the queue."""
        with self.db.writer.begin() as conn:
            done = conn.execute(
                update(t.print_job).where(t.print_job.c.state == "printing").values(state="queued")
            )
        return int(done.rowcount or 0)

    def claim_due(self) -> PrintJob | None:
        now_ms = unix_ms(self.now())
        with self.db.writer.begin() as conn:
            row = conn.execute(
                select(t.print_job)
                .where(t.print_job.c.state == "queued", t.print_job.c.next_attempt_ms <= now_ms)
                .order_by(t.print_job.c.next_attempt_ms, t.print_job.c.created_at)
                .limit(1)
            ).first()
            if row is None:
                return None
            conn.execute(
                update(t.print_job)
                .where(t.print_job.c.job_id == row.job_id)
                .values(state="printing")
            )
        return _job(row)

    def next_due_ms(self) -> int | None:
        with self.db.reader.connect() as conn:
            due: int | None = conn.execute(
                select(func.min(t.print_job.c.next_attempt_ms)).where(
                    t.print_job.c.state == "queued"
                )
            ).scalar()
        return due

    def payload_of(self, job: PrintJob) -> bytes:
        """The job's bytes: stored, or rendered now and stored (retries print the same slip)."""
        if job.payload is not None:
            return job.payload
        with self.db.reader.connect() as conn:
            payload = self.render(conn, job)
        with self.db.writer.begin() as conn:
            conn.execute(
                update(t.print_job)
                .where(t.print_job.c.job_id == job.job_id)
                .values(payload=payload)
            )
        return payload

    def render(self, conn: Connection, job: PrintJob) -> bytes:
        if job.kind in ("credit_note", "reprint") and job.return_id is not None:
            return self._render_note(conn, job, job.return_id)
        if job.kind not in ("receipt", "reprint") or job.sale_id is None:
            raise PRINT_JOB_UNPRINTABLE.error(job_id=job.job_id, reason=f"kind {job.kind}")
        sale = load_sale(conn, job.sale_id)
        invoice = sale_invoice(conn, job.sale_id)
        identity = require_identity(conn)
        qr = payment_qr_text(invoice, pdf_options(identity, invoice, PaperSize.ROLL_80))
        cash = any(tender.kind is TenderKind.CASH for tender in sale.tenders)
        options = ReceiptOptions(
            paper_mm=self.config.paper_mm,
            qr_text=qr,
            logo=self.config.logo,
            footer=self.config.footer,
            duplicate=job.kind == "reprint",
            kick_drawer=self.config.kick_drawer and cash and job.kind == "receipt",
            drawer_pin=self.config.drawer_pin,
        )
        return receipt_bytes(sale, invoice, options)

    def _render_note(self, conn: Connection, job: PrintJob, return_id: str) -> bytes:
        note = load_return(conn, return_id)
        options = ReceiptOptions(
            paper_mm=self.config.paper_mm,
            qr_text=note_qr_text(note),
            logo=self.config.logo,
            footer=self.config.footer,
            duplicate=job.kind == "reprint",
            kick_drawer=self.config.kick_drawer and cash_refunded(note) and job.kind != "reprint",
            drawer_pin=self.config.drawer_pin,
        )
        return credit_note_bytes(note, credit_note(conn, return_id), options)

    def printed(self, job: PrintJob) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(
                update(t.print_job)
                .where(t.print_job.c.job_id == job.job_id)
                .values(state="printed", printed_at=self.now().isoformat(), last_error=None)
            )

    def failed(self, job: PrintJob, error: str, *, final: bool = False) -> PrintJob:
        """Record a failed attempt: back to the queue after a back-off, or failed for good."""
        attempts = job.attempts + 1
        final = final or attempts >= self.config.max_attempts
        delay_ms = int(retry_delay_s(self.config, attempts) * 1000)
        with self.db.writer.begin() as conn:
            conn.execute(
                update(t.print_job)
                .where(t.print_job.c.job_id == job.job_id)
                .values(
                    state="failed" if final else "queued",
                    attempts=attempts,
                    next_attempt_ms=unix_ms(self.now()) + delay_ms,
                    last_error=error[:500],
                )
            )
            row = conn.execute(select(t.print_job).where(t.print_job.c.job_id == job.job_id)).one()
        return _job(row)

    def counts(self) -> dict[str, int]:
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(t.print_job.c.state, func.count()).group_by(t.print_job.c.state)
            ).all()
        return {state: int(n) for state, n in rows}


def require_queue(box: BoxRuntime) -> ReceiptQueue:
    if box.receipts is None:
        raise PRINTER_NOT_CONFIGURED.error()
    return box.receipts


def reprint(box: BoxRuntime, sale_id: str) -> PrintJob:
    """Queue a copy of a sale's receipt, marked DUPLICATE; SALE_NOT_FOUND for another's sale."""
    queue = require_queue(box)
    with box.db.reader.connect() as conn:
        load_sale(conn, sale_id)
    return queue.enqueue("reprint", sale_id=sale_id)


def reprint_note(box: BoxRuntime, return_id: str) -> PrintJob:
    """Queue a copy of a return's credit note, marked DUPLICATE; RETURN_NOT_FOUND for
    a return this box never recorded."""
    queue = require_queue(box)
    with box.db.reader.connect() as conn:
        load_return(conn, return_id)
    return queue.enqueue("reprint", return_id=return_id)


def recent_jobs(box: BoxRuntime, limit: int) -> list[PrintJob]:
    with box.db.reader.connect() as conn:
        rows = conn.execute(
            select(t.print_job).order_by(t.print_job.c.created_at.desc()).limit(limit)
        ).all()
    return [_job(row) for row in rows]


__all__ = ["PrintJob", "ReceiptQueue", "errors", "recent_jobs", "reprint", "reprint_note"]


def reprint_z(box: BoxRuntime, z: ShiftClosed) -> PrintJob:
    """Queue a copy of a Z report, marked DUPLICATE."""
    queue = require_queue(box)
    return queue.enqueue("z_report", payload=queue.z_report_bytes(z, duplicate=True))
