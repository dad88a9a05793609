from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from edge.api.deps import Box, Cashier, actor_of
from edge.api.schemas import ApprovalOnlyIn, approval_of
from edge.services import drawer

router = APIRouter(prefix="/api/v1/drawer", tags=["drawer"])


class DrawerOpened(BaseModel):
    approval_id: str
    approved_by: str
    approved_at: datetime


@router.post("/open", response_model=DrawerOpened, status_code=201)
def open_drawer(box: Box, cashier: Cashier, body: ApprovalOnlyIn) -> DrawerOpened:
    """Open the drawer without a sale: needs a manager's ``approval`` (with a
    reason, e.g. "change for a 2000 note"), which is recorded and replicated."""
    approval = drawer.open_without_sale(box, actor_of(cashier), approval_of(body.approval))
    return DrawerOpened(
        approval_id=str(approval.approval_id),
        approved_by=str(approval.approved_by),
        approved_at=approval.approved_at,
    )
