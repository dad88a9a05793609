from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from edge.api.deps import Box
from edge.services.catalog import catalog_version
from edge.services.identity import current_epoch, require_identity
from edge.services.staff import roster_version
from edge.store import outbox

router = APIRouter(prefix="/api/v1/box", tags=["box"])


class BoxStatus(BaseModel):
    org_id: str
    org_name: str
    store_id: str
    store_name: str
    device_id: str
    device_name: str
    invoice_prefix: str
    seller_state: str
    seller_gstin: str | None
    epoch: str | None
    catalog_version: int
    staff_version: int
    """The staff roster version applied (0: none yet; nobody can sign in)."""
    outbox_depth: int
    outbox_head_seq: int
    outbox_tail_seq: int
    hlc: str
    wall_time: str


@router.get("", response_model=BoxStatus)
def box_status(box: Box) -> BoxStatus:
    """Who this box is, its catalog and staff versions and how much waits to go to the hub."""
    with box.db.reader.connect() as conn:
        identity = require_identity(conn)
        queued = outbox.state(conn)
        return BoxStatus(
            **identity.__dict__,
            epoch=current_epoch(conn),
            catalog_version=catalog_version(conn),
            staff_version=roster_version(conn),
            outbox_depth=queued.depth,
            outbox_head_seq=queued.head_seq,
            outbox_tail_seq=queued.tail_seq,
            hlc=box.clock.peek().encode(),
            wall_time=box.wall_clock().isoformat(),
        )
