"""Apply envelopes of one stream in one transaction: inbox, effects, cursor; or quarantine.

Order of the checks, and why:

1. The sender: the org, the device in it, not revoked, of the store the
   envelopes name. Failing this, they are quarantined and nothing is
   recorded for their stream: the stream is not this sender's to move.
2. The transport: a schema this hub applies, and a payload matching its
   sha256. Failing this, an envelope is quarantined but not recorded in
   the inbox, so its seq stays open: a corrupted copy must not shadow the
   true one when the box resends it, and a message this hub is too old
   for waits in the box's outbox until the hub is upgraded.
3. The stream position: the cursor row is locked (so this transaction is
   the only one on the stream), the batch's seqs already in the inbox are
   read, and the others inserted in bulk. Already there with the same
   payload hash: a duplicate, nothing else written. With another hash:
   quarantined.
4. The content: the handler's own checks. A refusal here is quarantined,
   and the inbox row stays: the content is what the box meant to send and
   will send again, so the hub keeps it for a person and lets the cursor
   pass. A poison message must not block a box's outbox forever.
5. The effects, then the cursor moves over every contiguous seq.

Every refusal is decided before anything of that envelope is written, so
a quarantined envelope never needs rolling back and the others of its
batch commit. A unique-key race with another transaction (the same sale
arriving from two epochs at once) rolls the batch back and retries it;
the retry sees the winner's commit and reports a duplicate.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hub.db.bulk import insert_rows
from hub.db.models import UNKNOWN_ORG, Base, Device, InboxEntry, Org
from hub.ingest.approvals import apply_approvals_recorded
from hub.ingest.clock import ClockReading, note_arrival, read_clock
from hub.ingest.context import Arrival
from hub.ingest.cursor import StreamKey, advance_cursor, lock_cursor
from hub.ingest.metrics import IngestMetrics
from hub.ingest.outcome import DUPLICATE, ApplyOutcome, Outcome, QuarantineReason, Verdict
from hub.ingest.quarantine import quarantine_envelope
from hub.ingest.returns import apply_returns_recorded
from hub.ingest.sales import apply_sales_recorded
from hub.ingest.shifts import apply_shifts_closed
from hub.stock.urgent import apply_urgent_reorders
from setledger.canonical import digest
from setledger.contracts import (
    ApprovalRecorded,
    Envelope,
    ReturnRecorded,
    SaleRecorded,
    ShiftClosed,
    UrgentReorder,
)

log = logging.getLogger("hub.ingest")

Handler = Callable[[Session, Arrival, Sequence[Envelope]], list[Verdict]]
"""Checks and applies envelopes of one schema: one verdict per envelope, in order."""

HANDLERS: dict[tuple[str, int], Handler] = {
    (SaleRecorded.SCHEMA, SaleRecorded.VERSION): apply_sales_recorded,
    (ApprovalRecorded.SCHEMA, ApprovalRecorded.VERSION): apply_approvals_recorded,
    (ReturnRecorded.SCHEMA, ReturnRecorded.VERSION): apply_returns_recorded,
    (ShiftClosed.SCHEMA, ShiftClosed.VERSION): apply_shifts_closed,
    (UrgentReorder.SCHEMA, UrgentReorder.VERSION): apply_urgent_reorders,
}
"""Every message the hub applies, by (schema, version): an explicit table."""

MAX_ATTEMPTS = 3
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock

SessionSource = Engine | sessionmaker[Session]


@dataclass(frozen=True)
class BatchOutcome:
    outcomes: list[ApplyOutcome]
    """One per envelope, in order."""
    cursor: int | None
    """The stream's contiguous cursor after the commit: what to ack (None: do not)."""
    gap_from: int | None
    """The first missing seq when later ones are held."""
    clock: ClockReading | None
    """What the envelopes proved about the sender's clock."""


def apply_envelope(
    source: SessionSource,
    envelope: Envelope,
    received_at: datetime,
    *,
    metrics: IngestMetrics | None = None,
) -> ApplyOutcome:
    """Apply ``envelope`` exactly once; safe to call again with the same one."""
    return apply_batch(source, [envelope], received_at, metrics=metrics).outcomes[0]


def apply_batch(
    source: SessionSource,
    envelopes: Sequence[Envelope],
    received_at: datetime,
    *,
    metrics: IngestMetrics | None = None,
) -> BatchOutcome:
    """Apply envelopes of one (org, store, device, epoch, stream) in one transaction."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    _check_one_stream(envelopes)
    sessions = source if isinstance(source, sessionmaker) else sessionmaker(source)
    result: BatchOutcome | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                result = _apply(session, envelopes, received_at)
            break
        except (IntegrityError, OperationalError) as err:
            if attempt == MAX_ATTEMPTS or not _retryable(err):
                raise
            log.info(
                "ingest retry after a concurrent commit",
                extra={
                    "key": envelopes[0].key,
                    "attempt": attempt,
                    "error": type(err.orig).__name__,
                },
            )
    assert result is not None
    _report(result, metrics)
    return result


def _check_one_stream(envelopes: Sequence[Envelope]) -> None:
    if not envelopes:
        raise ValueError("apply_batch needs at least one envelope")
    first = envelopes[0]
    where = (first.org_id, first.store_id, first.device_id, first.epoch, first.stream)
    for envelope in envelopes:
        if (
            envelope.org_id,
            envelope.store_id,
            envelope.device_id,
            envelope.epoch,
            envelope.stream,
        ) != where:
            raise ValueError("a batch holds envelopes of one org, store, device, epoch and stream")


def _retryable(err: IntegrityError | OperationalError) -> bool:
    if isinstance(err, IntegrityError):
        return True
    return getattr(err.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _apply(session: Session, envelopes: Sequence[Envelope], received_at: datetime) -> BatchOutcome:
    first = envelopes[0]
    # The org and the sender in one round trip (an outer join: the device may be unknown).
    found = session.execute(
        select(Org, Device)
        .outerjoin(Device, (Device.org_id == Org.org_id) & (Device.device_id == first.device_id))
        .where(Org.org_code == first.org_id)
    ).one_or_none()
    if found is None:
        verdict = Verdict.quarantine(
            QuarantineReason.UNKNOWN_ORG, f"no organisation {first.org_id} on this hub"
        )
        return _refuse_all(session, UNKNOWN_ORG, envelopes, verdict, received_at)
    org, device = found
    refusal = _check_sender(org, device, first)
    if refusal is not None or device is None:
        assert refusal is not None
        return _refuse_all(session, org.org_id, envelopes, refusal, received_at)

    cursor = lock_cursor(
        session, StreamKey(org.org_id, device.device_id, first.epoch, first.stream), received_at
    )
    verdicts: list[Verdict | None] = [None] * len(envelopes)
    handlers: dict[int, Handler] = {}
    for index, envelope in enumerate(envelopes):
        handler, refusal = _check_transport(envelope)
        if refusal is not None or handler is None:
            verdicts[index] = refusal
        else:
            handlers[index] = handler
    fresh = _record_in_inbox(session, org, device, envelopes, handlers, received_at, verdicts)
    arrival = Arrival(org, device, received_at)
    by_handler: dict[Handler, list[int]] = defaultdict(list)
    for index in fresh:
        by_handler[handlers[index]].append(index)
    for handler, indexes in by_handler.items():
        results = handler(session, arrival, [envelopes[i] for i in indexes])
        for index, verdict in zip(indexes, results, strict=True):
            verdicts[index] = verdict
    contiguous, gap_from = advance_cursor(session, cursor, received_at)
    outcomes = []
    for envelope, judged in zip(envelopes, verdicts, strict=True):
        assert judged is not None
        outcomes.append(
            _outcome(session, org.org_id, envelope, judged, received_at, contiguous, gap_from)
        )
    reading = read_clock(envelopes, received_at, device.created_at)
    note_arrival(session, device, reading, received_at)
    return BatchOutcome(outcomes, contiguous, gap_from, reading)


def _record_in_inbox(
    session: Session,
    org: Org,
    device: Device,
    envelopes: Sequence[Envelope],
    accepted: dict[int, Handler],
    received_at: datetime,
    verdicts: list[Verdict | None],
) -> list[int]:
    """Judge the accepted envelopes the inbox already holds; insert the others; return those.

    Read, then insert, is safe here: every transaction on a stream takes its
    cursor row lock first (``lock_cursor``), so no other one can add inbox
    rows to it meanwhile. Should one ever do, the primary key refuses the
    second row and the batch is retried, seeing the first.
    """
    if not accepted:
        return []
    first = envelopes[0]
    seqs = [envelopes[i].seq for i in accepted]
    # A comprehension, not dict(result): a Result has keys() and would be
    # taken for a mapping of column names.
    held = {
        seq: sha
        for seq, sha in session.execute(
            select(InboxEntry.seq, InboxEntry.payload_sha256).where(
                InboxEntry.org_id == org.org_id,
                InboxEntry.device_id == device.device_id,
                InboxEntry.epoch == first.epoch,
                InboxEntry.stream == first.stream,
                InboxEntry.seq.between(min(seqs), max(seqs)),
            )
        )
    }
    fresh = []
    for index in accepted:
        sha = held.get(envelopes[index].seq)
        if sha is None:
            fresh.append(index)
        else:
            verdicts[index] = _against_inbox(envelopes[index], sha)
    insert_rows(
        session,
        Base.metadata.tables[InboxEntry.__tablename__],
        [
            {
                "org_id": org.org_id,
                "device_id": device.device_id,
                "epoch": envelopes[i].epoch,
                "stream": envelopes[i].stream,
                "seq": envelopes[i].seq,
                "key": envelopes[i].key,
                "payload_sha256": envelopes[i].payload_sha256,
                "schema_name": envelopes[i].schema_name,
                "schema_version": envelopes[i].schema_version,
                "received_at": received_at,
            }
            for i in fresh
        ],
    )
    return fresh


def _refuse_all(
    session: Session,
    org_id: uuid.UUID,
    envelopes: Sequence[Envelope],
    verdict: Verdict,
    received_at: datetime,
) -> BatchOutcome:
    outcomes = [
        _outcome(session, org_id, envelope, verdict, received_at, None, None)
        for envelope in envelopes
    ]
    return BatchOutcome(outcomes, None, None, None)


def _check_sender(org: Org, device: Device | None, envelope: Envelope) -> Verdict | None:
    if device is None:
        return Verdict.quarantine(
            QuarantineReason.UNKNOWN_DEVICE, f"no device {envelope.device_id} in {org.org_code}"
        )
    if device.revoked_at is not None:
        return Verdict.quarantine(
            QuarantineReason.DEVICE_REVOKED,
            f"device {device.device_id} was revoked at {device.revoked_at.isoformat()}",
        )
    if device.store_id != envelope.store_id:
        return Verdict.quarantine(
            QuarantineReason.WRONG_STORE,
            f"device {device.device_id} belongs to store {device.store_id}, "
            f"not {envelope.store_id}",
        )
    return None


def _against_inbox(envelope: Envelope, held_sha256: str) -> Verdict:
    if held_sha256 == envelope.payload_sha256:
        return DUPLICATE
    return Verdict.quarantine(
        QuarantineReason.SEQ_REUSED,
        f"seq {envelope.seq} of epoch {envelope.epoch} stream {envelope.stream} was received "
        "before with another payload",
    )


def _check_transport(envelope: Envelope) -> tuple[Handler | None, Verdict | None]:
    handler = HANDLERS.get((envelope.schema_name, envelope.schema_version))
    if handler is None:
        return None, Verdict.quarantine(
            QuarantineReason.UNKNOWN_SCHEMA,
            f"this hub does not apply {envelope.schema_name} v{envelope.schema_version}",
        )
    try:
        matches = digest(envelope.payload) == envelope.payload_sha256
    except (TypeError, ValueError) as err:
        # Canonical JSON refuses floats (money never travels as one) and NaN.
        return None, Verdict.quarantine(QuarantineReason.PAYLOAD_INVALID, f"payload: {err}")
    if not matches:
        return None, Verdict.quarantine(
            QuarantineReason.HASH_MISMATCH, "the payload does not match its sha256"
        )
    return handler, None


def _outcome(
    session: Session,
    org_id: uuid.UUID,
    envelope: Envelope,
    verdict: Verdict,
    received_at: datetime,
    cursor: int | None,
    gap_from: int | None,
) -> ApplyOutcome:
    quarantine_id = None
    if verdict.outcome is Outcome.QUARANTINED:
        assert verdict.reason_code is not None
        assert verdict.reason is not None
        quarantine_id = quarantine_envelope(
            session, org_id, envelope, verdict.reason_code, verdict.reason, received_at
        )
    return ApplyOutcome(
        outcome=verdict.outcome,
        org_id=envelope.org_id,
        device_id=envelope.device_id,
        epoch=envelope.epoch,
        stream=envelope.stream,
        seq=envelope.seq,
        key=envelope.key,
        cursor=cursor,
        gap_from=gap_from,
        reason_code=verdict.reason_code,
        reason=verdict.reason,
        quarantine_id=quarantine_id,
    )


def _report(result: BatchOutcome, metrics: IngestMetrics | None) -> None:
    counts: dict[str, int] = defaultdict(int)
    debug = log.isEnabledFor(logging.DEBUG)
    for outcome in result.outcomes:
        counts[outcome.outcome.value] += 1
        if metrics is not None:
            metrics.observe(outcome)
        if outcome.outcome is Outcome.QUARANTINED:
            log.warning(
                "envelope quarantined: %s",
                outcome.reason,
                extra={**_fields(outcome), "reason_code": str(outcome.reason_code)},
            )
        elif debug:
            log.debug("envelope %s", outcome.outcome.value, extra=_fields(outcome))
    if metrics is not None and result.clock is not None and result.clock.off:
        metrics.clock_skewed.inc()
    first = result.outcomes[0]
    log.info(
        "batch applied",
        extra={
            "org_id": first.org_id,
            "device_id": str(first.device_id),
            "epoch": first.epoch,
            "stream": first.stream,
            "first_seq": first.seq,
            "last_seq": result.outcomes[-1].seq,
            "cursor": result.cursor,
            "gap_from": result.gap_from,
            **counts,
        },
    )


def _fields(outcome: ApplyOutcome) -> dict[str, object]:
    return {
        "outcome": outcome.outcome.value,
        "org_id": outcome.org_id,
        "device_id": str(outcome.device_id),
        "epoch": outcome.epoch,
        "stream": outcome.stream,
        "seq": outcome.seq,
        "key": outcome.key,
        "cursor": outcome.cursor,
        "gap_from": outcome.gap_from,
    }
