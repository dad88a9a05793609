"""What applying an envelope did: applied, a duplicate, or quarantined (and why)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    """Already held (same seq or same key, same content): nothing written, re-ack."""
    QUARANTINED = "quarantined"


class QuarantineReason(StrEnum):
    """Stable codes for why an envelope was refused (alerts and metrics use them)."""

    UNKNOWN_ORG = "unknown_org"
    UNKNOWN_DEVICE = "unknown_device"
    DEVICE_REVOKED = "device_revoked"
    WRONG_STORE = "wrong_store"
    SEQ_REUSED = "seq_reused"
    """The same (device, epoch, stream, seq) arrived before with other content."""
    KEY_REUSED = "key_reused"
    """The same business key was applied before with other content."""
    UNKNOWN_SCHEMA = "unknown_schema"
    HASH_MISMATCH = "hash_mismatch"
    PAYLOAD_INVALID = "payload_invalid"
    KEY_MISMATCH = "key_mismatch"
    SALE_INVALID = "sale_invalid"
    """validate_sale() found amounts that do not recompute, or a rule broken."""
    INVOICE_REUSED = "invoice_reused"
    MOVE_REUSED = "move_reused"
    # Refusals of a whole MQTT message, before it became envelopes (raw rows):
    OVERSIZED = "oversized"
    """Larger than MAX_MESSAGE_BYTES."""
    MALFORMED = "malformed"
    """Not JSON, or not a valid Batch."""
    TOPIC_MISMATCH = "topic_mismatch"
    """The Batch names another org, store, device or stream than its topic."""
    INGEST_ERROR = "ingest_error"
    """The hub failed on it (a bug): kept so the failure can be replayed."""


@dataclass(frozen=True)
class Verdict:
    """A handler's decision about a message's effects."""

    outcome: Outcome
    reason_code: QuarantineReason | None = None
    reason: str | None = None

    @classmethod
    def quarantine(cls, code: QuarantineReason, reason: str) -> Verdict:
        return cls(Outcome.QUARANTINED, code, reason)


APPLIED = Verdict(Outcome.APPLIED)
DUPLICATE = Verdict(Outcome.DUPLICATE)


@dataclass(frozen=True)
class ApplyOutcome:
    outcome: Outcome
    org_id: str
    """The org code the envelope names."""
    device_id: uuid.UUID
    epoch: str
    stream: str
    seq: int
    key: str
    cursor: int | None
    """Every seq of (device, epoch, stream) up to here is committed: what
    the hub may ack. None when the sender is not a known, active device of
    the org and store it names (nothing was recorded for that stream)."""
    gap_from: int | None = None
    """Set when seqs beyond ``cursor + 1`` are held but ``cursor + 1`` is
    missing: ask the box to resend from here."""
    reason_code: QuarantineReason | None = None
    reason: str | None = None
    quarantine_id: uuid.UUID | None = None
