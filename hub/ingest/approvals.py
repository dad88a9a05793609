"""Applying ``approval.recorded``: a manager's PIN approval at a box's counter.

The box wrote the approval in the same transaction as what it approved;
here it is kept append-only, once per approval id. The same id with other
content is quarantined (a box bug or a forgery), never overwritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import Approval
from hub.ingest.context import Arrival
from hub.ingest.outcome import APPLIED, DUPLICATE, QuarantineReason, Verdict
from setledger.contracts import ApprovalRecorded, Envelope


def apply_approvals_recorded(
    session: Session, arrival: Arrival, envelopes: Sequence[Envelope]
) -> list[Verdict]:
    """One verdict per envelope, in order; the accepted approvals are written."""
    org_id = arrival.org.org_id
    parsed: list[ApprovalRecorded | Verdict] = []
    for envelope in envelopes:
        try:
            approval = ApprovalRecorded.model_validate(envelope.payload)
        except ValidationError as err:
            parsed.append(Verdict.quarantine(QuarantineReason.PAYLOAD_INVALID, str(err)[:900]))
            continue
        if envelope.key != str(approval.approval_id):
            parsed.append(
                Verdict.quarantine(
                    QuarantineReason.KEY_MISMATCH,
                    f"envelope key {envelope.key!r} is not the approval id {approval.approval_id}",
                )
            )
            continue
        parsed.append(approval)
    ids = [p.approval_id for p in parsed if isinstance(p, ApprovalRecorded)]
    held: dict[uuid.UUID, str] = {
        row.approval_id: row.payload_sha256
        for row in session.execute(
            select(Approval.approval_id, Approval.payload_sha256).where(
                Approval.org_id == org_id, Approval.approval_id.in_(ids)
            )
        )
    }
    verdicts: list[Verdict] = []
    for envelope, item in zip(envelopes, parsed, strict=True):
        if isinstance(item, Verdict):
            verdicts.append(item)
            continue
        known = held.get(item.approval_id)
        if known is not None:
            verdicts.append(
                DUPLICATE
                if known == envelope.payload_sha256
                else Verdict.quarantine(
                    QuarantineReason.KEY_REUSED,
                    f"approval {item.approval_id} was applied before with other content",
                )
            )
            continue
        session.add(
            Approval(
                org_id=org_id,
                approval_id=item.approval_id,
                device_id=arrival.device.device_id,
                store_id=arrival.device.store_id,
                action=item.action,
                approved_by=item.approved_by,
                requested_by=item.requested_by,
                sale_id=item.sale_id,
                cart_id=item.cart_id,
                amount=item.amount,
                reason=item.reason,
                approved_at=item.approved_at,
                received_at=arrival.received_at,
                payload_sha256=envelope.payload_sha256,
            )
        )
        held[item.approval_id] = envelope.payload_sha256
        verdicts.append(APPLIED)
    session.flush()
    return verdicts
