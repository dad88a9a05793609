"""Opening the cash drawer without a sale: a manager's approval, recorded.

The approval is recorded (and replicated on stream ``approvals``) first;
then, when the box has a receipt printer, the drawer is kicked through it
(ESC p, a job on the print queue). A printer that is away does not undo
the approval: the drawer opens when it is back, or with its key.
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
    if box.receipts is not None:
        box.receipts.drawer_opened()  # never raises: the approval stands
    return recorded.approval
