"""Send due e-invoices through a connector: claim, send, then record and release.

A claim is a lease: in a short transaction the worker takes the org's
next due row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never
take the same row and never wait for each other; SQLite transactions
begin IMMEDIATE, one writer at a time) and moves its ``next_attempt_at``
``LEASE`` ahead, so no other worker finds it due. The connector is called
with no transaction open: a slow IRP never holds a lock that sales ingest
or another worker waits on. Then one transaction records the outcome,
appends the attempt and ends the claim (the row's new state and due time).

If the process dies after the IRP accepted but before that transaction,
the lease runs out and the row is due again: the resend gets "duplicate
IRN" (2150) from the IRP with the IRN and acknowledgement it issued the
first time, and that is recorded as the document's IRN. The IRP keys IRNs
by document, so a resend can never produce a second IRN. A late answer to
a document already accepted is logged and changes nothing.

Back-off after "unavailable": 30 s, 1, 2, 4 ... minutes, at most an hour,
for as long as it takes (the queue never drops a document).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import utcnow
from hub.db.einvoice import EInvoice, EInvoiceAttempt
from hub.db.models import UNKNOWN_ORG, Org
from hub.einvoice.connector import (
    DUPLICATE_IRN,
    Accepted,
    Connector,
    Duplicate,
    IrpError,
    Outcome,
    Rejected,
    Unavailable,
)
from hub.einvoice.queue import DONE, DUE, State

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
"""How long a claimed document is left to its worker (far above a connector's time-out)."""
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
BATCH = 500


def backoff(failures: int) -> timedelta:
    """The wait after the ``failures``-th consecutive "unavailable" (1, 2, ...)."""
    return min(FIRST_BACKOFF * (1 << min(failures - 1, 16)), MAX_BACKOFF)


@dataclass
class Submitted:
    """What one pass did, by outcome."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _consecutive_unavailable(session: Session, row: EInvoice) -> int:
    """Unavailable answers since the last other outcome (for the back-off)."""
    last_other = (
        select(func.max(EInvoiceAttempt.attempt_no))
        .where(
            EInvoiceAttempt.org_id == row.org_id,
            EInvoiceAttempt.irn == row.irn,
            EInvoiceAttempt.outcome != "unavailable",
        )
        .scalar_subquery()
    )
    count = session.scalar(
        select(func.count()).where(
            EInvoiceAttempt.org_id == row.org_id,
            EInvoiceAttempt.irn == row.irn,
            EInvoiceAttempt.outcome == "unavailable",
            EInvoiceAttempt.attempt_no > func.coalesce(last_other, 0),
        )
    )
    return int(count or 0)


def _name(outcome: Outcome) -> str:
    return {
        Accepted: "accepted",
        Duplicate: "duplicate",
        Rejected: "rejected",
        Unavailable: "unavailable",
    }[type(outcome)]


def _late(outcome: Outcome) -> tuple[str, str]:
    """Codes and message of an answer that came after the document was settled."""
    if isinstance(outcome, Rejected):
        return _codes(outcome.errors), "after it was settled: " + "; ".join(
            f"{e.code} {e.message}" for e in outcome.errors
        )
    if isinstance(outcome, Duplicate):
        return DUPLICATE_IRN, f"after it was settled: duplicate IRN {outcome.irn}"
    if isinstance(outcome, Accepted):
        return "", f"after it was settled: IRN {outcome.irn}, AckNo {outcome.ack_no}"
    return "", f"after it was settled: {outcome.reason}"


def _codes(errors: tuple[IrpError, ...]) -> str:
    return ",".join(dict.fromkeys(e.code for e in errors))[:200]


def record(
    session: Session, row: EInvoice, outcome: Outcome, *, connector: str, now: datetime
) -> str:
    """Write the outcome on the row and append the attempt; the outcome's name.

    A row already accepted (or resolved) keeps its IRN and state: the attempt
    is logged, nothing else changes.
    """
    row.attempts += 1
    row.updated_at = now
    codes, message = "", ""
    settled = row.state in DONE
    match outcome:
        case _ if settled:
            name = _name(outcome)
            codes, message = _late(outcome)
        case Accepted():
            name = "accepted"
            row.state = State.ACCEPTED.value
            row.issued_irn, row.ack_no, row.ack_dt = outcome.irn, outcome.ack_no, outcome.ack_dt
            row.signed_invoice, row.signed_qr = outcome.signed_invoice, outcome.signed_qr
            row.next_attempt_at, row.last_error = None, None
            message = f"IRN {outcome.irn}, AckNo {outcome.ack_no}"
        case Duplicate():
            name = "duplicate"
            row.state = State.DUPLICATE_RESOLVED.value
            row.issued_irn, row.ack_no, row.ack_dt = outcome.irn, outcome.ack_no, outcome.ack_dt
            row.next_attempt_at, row.last_error = None, None
            codes = DUPLICATE_IRN
            message = f"Duplicate IRN: already issued {outcome.irn}, AckNo {outcome.ack_no}"
        case Rejected():
            name = "rejected"
            row.state = State.REJECTED.value
            row.next_attempt_at = None
            problems = [{"code": e.code, "message": e.message} for e in outcome.errors]
            row.last_error = json.dumps(problems)
            codes = _codes(outcome.errors)
            message = "; ".join(f"{e.code} {e.message}" for e in outcome.errors)
        case Unavailable():
            name = "unavailable"
            failures = _consecutive_unavailable(session, row) + 1
            row.state = State.RETRYING.value
            row.next_attempt_at = now + backoff(failures)
            row.last_error = json.dumps([{"code": "unavailable", "message": outcome.reason}])
            message = outcome.reason
    session.add(
        EInvoiceAttempt(
            org_id=row.org_id,
            irn=row.irn,
            attempt_no=row.attempts,
            attempted_at=now,
            connector=connector[:32],
            outcome=name,
            codes=codes,
            message=message,
        )
    )
    session.flush()
    return name


def claim(session: Session, org_id: uuid.UUID, *, now: datetime) -> tuple[str, str] | None:
    """Lease the org's next due document: its IRN and JSON text; None when none is due."""
    with session.begin():
        row = session.scalars(
            select(EInvoice)
            .where(
                EInvoice.org_id == org_id,
                EInvoice.state.in_(DUE),
                EInvoice.next_attempt_at <= now,
            )
            .order_by(EInvoice.next_attempt_at, EInvoice.irn)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.next_attempt_at = now + LEASE
        return row.irn, row.document


def submit_one(
    session: Session, org_id: uuid.UUID, connector: Connector, *, now: datetime
) -> str | None:
    """Claim the org's next due document, send it, record the outcome; None when none is due."""
    claimed = claim(session, org_id, now=now)
    if claimed is None:
        return None
    irn, text = claimed
    outcome = connector.submit(json.loads(text, parse_float=Decimal))
    with session.begin():
        row = session.get_one(EInvoice, (org_id, irn), with_for_update=True, populate_existing=True)
        return record(session, row, outcome, connector=connector.name, now=now)


def submit_due(
    session: Session,
    org_id: uuid.UUID,
    connector: Connector,
    *,
    clock: Callable[[], datetime] = utcnow,
    limit: int = BATCH,
) -> Submitted:
    """Send the org's due documents, up to ``limit``; each in its own transaction."""
    done = Submitted()
    while done.total < limit:
        outcome = submit_one(session, org_id, connector, now=clock())
        if outcome is None:
            break
        done.add(outcome)
    return done


def submit_every_org(
    sessions: sessionmaker[Session],
    connector: Connector,
    org_code: str | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> dict[str, dict[str, int]]:
    """One pass over every org (or one, by code): outcomes per org code (orgs with work only)."""
    with sessions() as session:
        query = select(Org.org_id, Org.org_code).where(Org.org_id != UNKNOWN_ORG)
        if org_code is not None:
            query = query.where(Org.org_code == org_code)
        orgs = session.execute(query).all()
    report: dict[str, dict[str, int]] = {}
    for org in orgs:
        with sessions() as session:
            done = submit_due(session, org.org_id, connector, clock=clock)
        if done.total:
            log.info("einvoice submitted", extra={"org": org.org_code, **done.counts})
            report[org.org_code] = done.counts
    return report
