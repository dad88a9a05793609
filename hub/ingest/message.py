"""One uplink MQTT message, from raw bytes to committed effects (no MQTT in here).

The worker hands over the topic and the bytes; this module decides what
they are, in this order: a topic of the uplink shape (the broker's ACL
vouches for the org, store and device in it), at most MAX_MESSAGE_BYTES,
a valid ``Batch`` v1, naming the topic's own device, org, store and
stream. A message failing any of these is quarantined as raw bytes and
never acked at the application level (there is nothing to ack: its seqs
are unknown). Otherwise its envelopes are applied in one transaction.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from hub.ingest.apply import BatchOutcome, apply_batch
from hub.ingest.documents import describe_validation_error
from hub.ingest.metrics import IngestMetrics
from hub.ingest.outcome import QuarantineReason
from hub.ingest.quarantine import RawRefusal, quarantine_raw
from setledger.contracts import MAX_MESSAGE_BYTES, Batch
from setledger.contracts.topics import UpTopic, parse_up

log = logging.getLogger("hub.ingest")


@dataclass(frozen=True)
class MessageResult:
    topic: UpTopic | None
    """None: not an uplink topic at all (dropped, nothing recorded)."""
    batch: Batch | None = None
    applied: BatchOutcome | None = None
    """Set when the batch's envelopes went through ``apply_batch``."""
    refused: QuarantineReason | None = None
    """Set when the whole message was quarantined before it became envelopes."""


def ingest_message(
    sessions: sessionmaker[Session],
    topic: str,
    payload: bytes,
    received_at: datetime,
    *,
    metrics: IngestMetrics | None = None,
) -> MessageResult:
    claimed = parse_up(topic)
    if claimed is None:
        # Only the hub's own user could publish here (the ACL lets a box write
        # under its own device topic only): a misconfiguration, not a box.
        log.error("message on a topic that is not an uplink", extra={"topic": topic[:255]})
        return MessageResult(topic=None)
    batch, refusal = _parse(topic, claimed, payload)
    if refusal is not None or batch is None:
        assert refusal is not None
        with sessions.begin() as session:
            quarantine_id = quarantine_raw(session, refusal, received_at)
        log.warning(
            "message quarantined: %s",
            refusal.reason,
            extra={
                "topic": topic,
                "reason_code": refusal.reason_code.value,
                "size": len(payload),
                "quarantine_id": str(quarantine_id),
            },
        )
        if metrics is not None:
            metrics.observe_refused_message(refusal.reason_code)
        return MessageResult(topic=claimed, refused=refusal.reason_code)
    applied = apply_batch(sessions, batch.envelopes, received_at, metrics=metrics)
    return MessageResult(topic=claimed, batch=batch, applied=applied)


def _parse(topic: str, claimed: UpTopic, payload: bytes) -> tuple[Batch | None, RawRefusal | None]:
    def refuse(code: QuarantineReason, reason: str) -> tuple[None, RawRefusal]:
        return None, RawRefusal(topic, claimed, payload, code, reason)

    if len(payload) > MAX_MESSAGE_BYTES:
        return refuse(
            QuarantineReason.OVERSIZED,
            f"{len(payload)} bytes is over the {MAX_MESSAGE_BYTES}-byte limit of a message",
        )
    try:
        batch = Batch.model_validate_json(payload)
    except ValidationError as err:
        return refuse(*_why_not_a_batch(payload, err))
    mismatch = _topic_mismatch(claimed, batch)
    if mismatch is not None:
        return refuse(QuarantineReason.TOPIC_MISMATCH, mismatch)
    return batch, None


def _why_not_a_batch(payload: bytes, err: ValidationError) -> tuple[QuarantineReason, str]:
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as bad:
        return QuarantineReason.MALFORMED, f"not JSON: {bad}"
    if isinstance(document, dict):
        name, version = document.get("schema_name"), document.get("schema_version")
        if (name, version) != (Batch.SCHEMA, Batch.VERSION) and name is not None:
            # Kept apart from "malformed": a newer box needs a newer hub, not a fix.
            return (
                QuarantineReason.UNKNOWN_SCHEMA,
                f"this hub reads batch v{Batch.VERSION}, not {name} v{version}",
            )
    return QuarantineReason.MALFORMED, f"not a batch v1: {describe_validation_error(err)}"


def _topic_mismatch(claimed: UpTopic, batch: Batch) -> str | None:
    if batch.device_id != claimed.device_id:
        return f"the batch is of device {batch.device_id}, the topic of {claimed.device_id}"
    if batch.stream != claimed.stream:
        return f"the batch is of stream {batch.stream}, the topic of {claimed.stream}"
    for envelope in batch.envelopes:
        if (envelope.org_id, envelope.store_id) != (claimed.org_id, claimed.store_id):
            return (
                f"envelope {envelope.seq} names {envelope.org_id}/{envelope.store_id}, "
                f"the topic {claimed.org_id}/{claimed.store_id}"
            )
    return None
