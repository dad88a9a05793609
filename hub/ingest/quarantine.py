"""Keep what ingest refused, whole, for a person (helpers: never commit).

Two kinds: an envelope the hub refused (kept as the envelope it was), and
an MQTT message that never became envelopes (too big, not JSON, not a
Batch, or a topic that names another device): kept as its raw bytes with
what its topic claims. A box resends what it is not acked for, so a row
is written once per distinct refusal, not once per delivery.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import UNKNOWN_ORG, Org, QuarantinedEnvelope
from hub.ingest.outcome import QuarantineReason
from setledger.contracts import Envelope
from setledger.contracts.topics import UpTopic
from setledger.ids import new_id

MAX_REASON_LENGTH = 1000
MAX_TOPIC_LENGTH = 255


def quarantine_envelope(
    session: Session,
    org_id: uuid.UUID,
    envelope: Envelope,
    reason_code: QuarantineReason,
    reason: str,
    received_at: datetime,
) -> uuid.UUID:
    """The quarantine row for ``envelope`` and this reason (an existing one if held)."""
    held: uuid.UUID | None = session.scalars(
        select(QuarantinedEnvelope.quarantine_id).where(
            QuarantinedEnvelope.org_id == org_id,
            QuarantinedEnvelope.device_id == envelope.device_id,
            QuarantinedEnvelope.epoch == envelope.epoch,
            QuarantinedEnvelope.stream == envelope.stream,
            QuarantinedEnvelope.seq == envelope.seq,
            QuarantinedEnvelope.payload_sha256 == envelope.payload_sha256,
            QuarantinedEnvelope.reason_code == reason_code.value,
        )
    ).first()
    if held is not None:
        return held
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
        reason_code=reason_code.value,
        reason=reason[:MAX_REASON_LENGTH],
        envelope=envelope.model_dump(mode="json"),
        received_at=received_at,
    )
    session.add(entry)
    session.flush()
    return entry.quarantine_id


@dataclass(frozen=True)
class RawRefusal:
    topic: str
    claimed: UpTopic
    """What the topic says (the broker's ACL vouches for it)."""
    payload: bytes
    reason_code: QuarantineReason
    reason: str


def quarantine_raw(session: Session, refusal: RawRefusal, received_at: datetime) -> uuid.UUID:
    """The quarantine row for a message that did not parse into envelopes."""
    claimed = refusal.claimed
    org_id = session.scalar(select(Org.org_id).where(Org.org_code == claimed.org_id))
    owner = org_id if org_id is not None else UNKNOWN_ORG
    sha = hashlib.sha256(refusal.payload).hexdigest()
    held: uuid.UUID | None = session.scalars(
        select(QuarantinedEnvelope.quarantine_id).where(
            QuarantinedEnvelope.org_id == owner,
            QuarantinedEnvelope.device_id == claimed.device_id,
            QuarantinedEnvelope.raw_sha256 == sha,
            QuarantinedEnvelope.reason_code == refusal.reason_code.value,
        )
    ).first()
    if held is not None:
        return held
    entry = QuarantinedEnvelope(
        org_id=owner,
        quarantine_id=new_id(),
        org_code=claimed.org_id,
        store_id=claimed.store_id,
        device_id=claimed.device_id,
        stream=claimed.stream,
        reason_code=refusal.reason_code.value,
        reason=refusal.reason[:MAX_REASON_LENGTH],
        topic=refusal.topic[:MAX_TOPIC_LENGTH],
        raw_payload=refusal.payload,
        raw_size=len(refusal.payload),
        raw_sha256=sha,
        received_at=received_at,
    )
    session.add(entry)
    session.flush()
    return entry.quarantine_id
