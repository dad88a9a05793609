"""Opening the cash drawer without a sale: a manager's approval, recorded.

Only the record for now (the approval, replicated on stream ``approvals``);
driving the drawer's hardware comes with the peripherals work.
"""

from __future__ import annotations

from edge.runtime import BoxRuntime
from edge.services import approvals
from edge.services.approvals import Actor, ApprovalRequest
from setledger.contracts import ApprovalRecorded


def open_without_sale(
    box: BoxRuntime, actor: Actor, approval: ApprovalRequest | None
) -> ApprovalRecorded:
    grant = approvals.require(approvals.check(box, approval), "no_sale_drawer")
    with box.db.writer.begin() as conn:
        recorded = approvals.record(
            conn,
            box,
            grant,
            "no_sale_drawer",
            requested_by=actor.user_id,
            correlation_id=actor.correlation_id,
        )
    box.outbox_committed(recorded.epoch, [recorded.position])
    return recorded.approval
