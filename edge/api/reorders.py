"""Urgent reorders from the counter: ask head office for more of a product, offline.

``POST /api/v1/reorders`` records the request at the box and queues it for
the hub (it works with no network: the replicator delivers it later). A
retry with the same ``reorder_id`` answers the same request with
``replayed: true``; the same id with other content is a 409
``REORDER_ID_REUSED``. ``GET /api/v1/reorders`` lists this box's requests,
newest first, each saying whether the hub has it yet (``delivered``) and
what head office did with it (``status``, ``po_reference``, ``status_note``,
``status_at``: null until the hub's ``reorder.status`` names it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, StrictInt

from appkit.context import current
from edge.api.deps import Box, Cashier
from edge.api.schemas import Body
from edge.services import reorder as service
from edge.services.sessions import Who
from setledger.money import format_quantity

router = APIRouter(prefix="/api/v1/reorders", tags=["reorders"])


class ReorderIn(Body):
    reorder_id: UUID = Field(description="Made by the client (UUIDv7); a retry reuses it")
    product_id: UUID
    qty: StrictInt = Field(description="Milli-units wanted (1 unit = 1000), more than 0")
    note: str | None = Field(default=None, max_length=500)


class ReorderOut(BaseModel):
    reorder_id: UUID
    product_id: UUID
    sku: str
    name: str
    qty: int
    on_hand_seen: int | None
    """What this box's stock view showed when it was raised (milli-units)."""
    note: str | None
    raised_by: UUID | None
    raised_by_name: str | None
    raised_at: datetime
    delivered: bool
    """True once the hub has committed it (its ack reached the request)."""
    status: Literal["open", "acknowledged", "ordered", "dismissed"] | None
    """What head office last said: null until the box has heard."""
    po_reference: str | None
    """The purchase order it was ordered on (when ``ordered``)."""
    status_note: str | None
    """The note of the hub's last step (a reason for dismissing, say)."""
    status_at: datetime | None
    """When the hub took that step (or received the request, while open)."""
    display: dict[str, str]


class RaisedOut(BaseModel):
    reorder: ReorderOut
    replayed: bool


def _out(r: service.Reorder) -> ReorderOut:
    d, heard = r.document, r.hub_status
    display = {"qty": format_quantity(d.qty)}
    if d.on_hand_seen is not None:
        display["on_hand_seen"] = format_quantity(d.on_hand_seen)
    return ReorderOut(
        reorder_id=d.reorder_id,
        product_id=d.product_id,
        sku=d.sku,
        name=r.name,
        qty=d.qty,
        on_hand_seen=d.on_hand_seen,
        note=d.note,
        raised_by=d.raised_by,
        raised_by_name=r.raised_by_name,
        raised_at=d.raised_at,
        delivered=r.delivered,
        status=None if heard is None else heard.status,
        po_reference=None if heard is None else heard.po_reference,
        status_note=None if heard is None else heard.note,
        status_at=None if heard is None else heard.changed_at,
        display=display,
    )


@router.post("", response_model=RaisedOut, status_code=201)
def post_reorder(box: Box, cashier: Cashier, body: ReorderIn, response: Response) -> RaisedOut:
    """Raise an urgent reorder. 201 when recorded now; 200 with ``replayed: true`` on a
    retry; 404 PRODUCT_NOT_FOUND, 422 REORDER_QTY_INVALID (nothing recorded)."""
    request = service.ReorderRequest(
        body.reorder_id, body.product_id, body.qty, body.note, Who.of(cashier)
    )
    raised = service.raise_reorder(box, request, current())
    if not raised.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return RaisedOut(reorder=_out(raised.reorder), replayed=not raised.created)


@router.get("", response_model=list[ReorderOut])
def list_reorders(
    box: Box,
    cashier: Cashier,
    delivered: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = service.RECENT,
) -> list[ReorderOut]:
    """This box's urgent reorders, newest first; ``delivered=false`` those still on their way."""
    with box.db.reader.connect() as conn:
        return [_out(r) for r in service.recent(conn, limit, delivered=delivered)]
