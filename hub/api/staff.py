"""Counter staff routes: PIN-only members, each store's roster, approvals.

The roster route is what an installer puts in a new box's provisioning
bundle (it carries PIN hashes, so it needs ``devices.manage``); the same
versions reach running boxes over MQTT from the staff publisher.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.accounts.schemas import MemberPublic
from hub.api.deps import Accounts, DbSession, allow
from hub.db.models import Approval
from hub.staff.counter import CounterMemberCreate, add_counter_member
from hub.staff.roster import current_roster
from setledger.contracts import StaffRoster

router = APIRouter(tags=["staff"])


class ApprovalPublic(BaseModel):
    approval_id: uuid.UUID
    store_id: uuid.UUID
    device_id: uuid.UUID
    action: str
    approved_by: uuid.UUID
    requested_by: uuid.UUID | None
    sale_id: uuid.UUID | None
    amount: int | None
    reason: str | None
    approved_at: datetime
    received_at: datetime


class ApprovalList(BaseModel):
    approvals: list[ApprovalPublic]


@router.post("/orgs/{org}/staff", status_code=status.HTTP_201_CREATED)
def add_counter_staff(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.PINS_SET_OTHERS)],
    body: CounterMemberCreate,
) -> MemberPublic:
    """Add a cashier (or store manager) who works the counter with a PIN only."""
    return add_counter_member(session, ctx, principal, body)


@router.get("/orgs/{org}/stores/{store_id}/staff")
def store_roster(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.DEVICES_MANAGE)],
    store_id: uuid.UUID,
) -> StaffRoster:
    """The store's current staff roster (a new version if the members changed)."""
    with session.begin():
        return current_roster(session, principal.org_id, store_id, ctx.now())


@router.get("/orgs/{org}/approvals")
def list_approvals(
    session: DbSession,
    principal: Annotated[Principal, allow(P.SALES_READ)],
    store_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ApprovalList:
    """Manager PIN approvals reported by the boxes, newest first."""
    query = select(Approval).where(Approval.org_id == principal.org_id)
    if store_id is not None:
        query = query.where(Approval.store_id == store_id)
    rows = session.scalars(query.order_by(Approval.approved_at.desc()).limit(limit)).all()
    return ApprovalList(
        approvals=[ApprovalPublic.model_validate(row, from_attributes=True) for row in rows]
    )
