"""Apply one envelope in one transaction: inbox, effects, cursor; or quarantine.

Order of the checks, and why:

1. The sender: the org, the device in it, not revoked, of the store the
   envelope names. Failing this, the envelope is quarantined and nothing
   is recorded for its stream: the stream is not this sender's to move.
2. The transport: a schema this hub applies, and a payload matching its
   sha256. Failing this, it is quarantined but not recorded in the inbox,
   so the seq stays open: a corrupted copy must not shadow the true one
   when the box resends it, and a message this hub is too old for waits in
   the box's outbox until the hub is upgraded (the box holds the copy).
3. The stream position: the cursor row is locked, then
   (device, epoch, stream, seq) is inserted into the inbox with ON CONFLICT
   DO NOTHING. Already there with the same payload hash: a duplicate,
   nothing else written. With another hash: quarantined (seq reused).
4. The content: the handler's own checks. A refusal here is quarantined,
   and the inbox row stays: the content is what the box meant to send and
   will send again, so the hub keeps it for a person and lets the cursor
   pass. A poison message must not block a box's outbox forever.
5. The effects, then the cursor moves over every contiguous seq.

A unique-key race with another transaction (the same sale arriving from two
epochs at once) rolls back and retries; the retry sees the winner's commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hub.db.models import UNKNOWN_ORG, Device, InboxEntry, Org, QuarantinedEnvelope
from hub.db.upsert import insert_ignore
from hub.ingest.context import Arrival
from hub.ingest.cursor import StreamKey, advance_cursor, lock_cursor
from hub.ingest.metrics import IngestMetrics
from hub.ingest.outcome import DUPLICATE, ApplyOutcome, Outcome, QuarantineReason, Verdict
from hub.ingest.sales import apply_sale_recorded
from setledger.contracts import Envelope, SaleRecorded
from setledger.ids import new_id

log = logging.getLogger("hub.ingest")

Handler = Callable[[Session, Arrival, Envelope], Verdict]

HANDLERS: dict[tuple[str, int], Handler] = {
    (SaleRecorded.SCHEMA, SaleRecorded.VERSION): apply_sale_recorded,
}
"""Every message the hub applies, by (schema, version): an explicit table."""

MAX_ATTEMPTS = 3
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock
MAX_REASON_LENGTH = 1000

SessionSource = Engine | sessionmaker[Session]


def apply_envelope(
    source: SessionSource,
    envelope: Envelope,
    received_at: datetime,
    *,
    metrics: IngestMetrics | None = None,
) -> ApplyOutcome:
    """Apply ``envelope`` exactly once; safe to call again with the same one."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    sessions = source if isinstance(source, sessionmaker) else sessionmaker(source)
    result: ApplyOutcome | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                result = _apply(session, envelope, received_at)
            break
        except (IntegrityError, OperationalError) as err:
            if attempt == MAX_ATTEMPTS or not _retryable(err):
                raise
            log.info(
                "ingest retry after a concurrent commit",
                extra={"key": envelope.key, "attempt": attempt, "error": type(err.orig).__name__},
            )
    assert result is not None
    _report(result, metrics)
    return result


def _retryable(err: IntegrityError | OperationalError) -> bool:
    if isinstance(err, IntegrityError):
        return True
    return getattr(err.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _report(result: ApplyOutcome, metrics: IngestMetrics | None) -> None:
    if metrics is not None:
        metrics.observe(result)
    fields = {
        "outcome": result.outcome.value,
        "org_id": result.org_id,
        "device_id": str(result.device_id),
        "epoch": result.epoch,
        "stream": result.stream,
        "seq": result.seq,
        "key": result.key,
        "cursor": result.cursor,
        "gap_from": result.gap_from,
    }
    if result.outcome is Outcome.QUARANTINED:
        log.warning(
            "envelope quarantined: %s",
            result.reason,
            extra={**fields, "reason_code": str(result.reason_code)},
        )
    else:
        log.info("envelope %s", result.outcome.value, extra=fields)


def _apply(session: Session, envelope: Envelope, received_at: datetime) -> ApplyOutcome:
    org = session.scalars(select(Org).where(Org.org_code == envelope.org_id)).one_or_none()
    if org is None:
        verdict = Verdict.quarantine(
            QuarantineReason.UNKNOWN_ORG, f"no organisation {envelope.org_id} on this hub"
        )
        return _quarantine(session, UNKNOWN_ORG, envelope, verdict, received_at, None, None)
    device = session.get(Device, (org.org_id, envelope.device_id))
    refusal = _check_sender(org, device, envelope)
    if refusal is not None or device is None:
        assert refusal is not None
        return _quarantine(session, org.org_id, envelope, refusal, received_at, None, None)

    cursor = lock_cursor(
        session,
        StreamKey(org.org_id, device.device_id, envelope.epoch, envelope.stream),
        received_at,
    )
    handler, refusal = _check_transport(envelope)
    if refusal is not None or handler is None:
        assert refusal is not None
        contiguous, gap_from = advance_cursor(session, cursor, received_at)
        return _quarantine(
            session, org.org_id, envelope, refusal, received_at, contiguous, gap_from
        )
    inserted = insert_ignore(
        session,
        InboxEntry,
        {
            "org_id": org.org_id,
            "device_id": device.device_id,
            "epoch": envelope.epoch,
            "stream": envelope.stream,
            "seq": envelope.seq,
            "key": envelope.key,
            "payload_sha256": envelope.payload_sha256,
            "schema_name": envelope.schema_name,
            "schema_version": envelope.schema_version,
            "received_at": received_at,
        },
    )
    if inserted:
        verdict = handler(session, Arrival(org, device, received_at), envelope)
    else:
        verdict = _against_inbox(session, org, envelope)
    contiguous, gap_from = advance_cursor(session, cursor, received_at)
    if verdict.outcome is Outcome.QUARANTINED:
        return _quarantine(
            session, org.org_id, envelope, verdict, received_at, contiguous, gap_from
        )
    return _outcome(envelope, verdict, contiguous, gap_from)


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


def _against_inbox(session: Session, org: Org, envelope: Envelope) -> Verdict:
    held = session.get(
        InboxEntry,
        (org.org_id, envelope.device_id, envelope.epoch, envelope.stream, envelope.seq),
    )
    assert held is not None  # the insert just found it, and inbox rows are never deleted
    if held.payload_sha256 == envelope.payload_sha256:
        return DUPLICATE
    return Verdict.quarantine(
        QuarantineReason.SEQ_REUSED,
        f"seq {envelope.seq} of epoch {envelope.epoch} stream {envelope.stream} was received "
        f"before with another payload (key {held.key!r})",
    )


def _check_transport(envelope: Envelope) -> tuple[Handler | None, Verdict | None]:
    handler = HANDLERS.get((envelope.schema_name, envelope.schema_version))
    if handler is None:
        return None, Verdict.quarantine(
            QuarantineReason.UNKNOWN_SCHEMA,
            f"this hub does not apply {envelope.schema_name} v{envelope.schema_version}",
        )
    try:
        matches = envelope.payload_matches()
    except (TypeError, ValueError) as err:
        # Canonical JSON refuses floats (money never travels as one) and NaN.
        return None, Verdict.quarantine(QuarantineReason.PAYLOAD_INVALID, f"payload: {err}")
    if not matches:
        return None, Verdict.quarantine(
            QuarantineReason.HASH_MISMATCH, "the payload does not match its sha256"
        )
    return handler, None


def _quarantine(
    session: Session,
    org_id: uuid.UUID,
    envelope: Envelope,
    verdict: Verdict,
    received_at: datetime,
    cursor: int | None,
    gap_from: int | None,
) -> ApplyOutcome:
    assert verdict.reason_code is not None
    assert verdict.reason is not None
    held = _held_in_quarantine(session, org_id, envelope, verdict.reason_code)
    if held is not None:
        # A sender nobody acks (unknown device, reused seq) resends until it is
        # fixed; one row per distinct envelope and reason is enough to act on.
        return _outcome(envelope, verdict, cursor, gap_from, held)
    entry = QuarantinedEnvelope(
        org_id=org_id,
        quarantine_id=new_id(),
        org_code=envelope.org_id,
        store_id=envelope.store_id,
        device_id=envelope.device_id,
        epoch=envelope.epoch,
        stream=envelope.stream,
        seq=envelope.seq,
        key=envelope.key,
        schema_name=envelope.schema_name,
        schema_version=envelope.schema_version,
        payload_sha256=envelope.payload_sha256,
        reason_code=verdict.reason_code.value,
        reason=verdict.reason[:MAX_REASON_LENGTH],
        envelope=envelope.model_dump(mode="json"),
        received_at=received_at,
    )
    session.add(entry)
    session.flush()
    return _outcome(envelope, verdict, cursor, gap_from, entry.quarantine_id)


def _held_in_quarantine(
    session: Session, org_id: uuid.UUID, envelope: Envelope, reason: QuarantineReason
) -> uuid.UUID | None:
    held: uuid.UUID | None = session.scalars(
        select(QuarantinedEnvelope.quarantine_id).where(
            QuarantinedEnvelope.org_id == org_id,
            QuarantinedEnvelope.device_id == envelope.device_id,
            QuarantinedEnvelope.epoch == envelope.epoch,
            QuarantinedEnvelope.stream == envelope.stream,
            QuarantinedEnvelope.seq == envelope.seq,
            QuarantinedEnvelope.payload_sha256 == envelope.payload_sha256,
            QuarantinedEnvelope.reason_code == reason.value,
        )
    ).first()
    return held


def _outcome(
    envelope: Envelope,
    verdict: Verdict,
    cursor: int | None,
    gap_from: int | None,
    quarantine_id: uuid.UUID | None = None,
) -> ApplyOutcome:
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
