"""Urgent reorders raised at the stores' boxes (``hub.stock.urgent``): list a store's,
open first; acknowledge, mark ordered (naming the purchase order) or dismiss one.
Quantities are milli-units (1 unit = 1000). Each step is a new event, audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from hub.accounts.audit import actor_of
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.clock import utcnow
from hub.registry.lookup import get_org, get_store
from hub.stock import urgent

router = APIRouter(tags=["stock"])
READ = P.STOCK_READ
WRITE = P.STOCK_WRITE


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=500)


class OrderedIn(StepIn):
    po_reference: str = Field(
        min_length=1, max_length=64, description="The purchase order placed for it"
    )


class StepOut(BaseModel):
    kind: str
    po_reference: str | None
    note: str | None
    actor: str
    at: datetime


class UrgentReorderOut(BaseModel):
    reorder_id: uuid.UUID
    store_id: uuid.UUID
    device_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    qty: int
    on_hand_seen: int | None
    """What the box's stock view showed when it was raised (milli-units)."""
    note: str | None
    raised_by: uuid.UUID | None
    raised_by_code: str | None
    raised_at: datetime
    received_at: datetime
    status: str
    """open, acknowledged, ordered or dismissed."""
    po_reference: str | None
    steps: list[StepOut]


def _out(v: urgent.ReorderView) -> UrgentReorderOut:
    fields = {name: getattr(v, name) for name in UrgentReorderOut.model_fields if name != "steps"}
    return UrgentReorderOut(**fields, steps=[StepOut(**vars(s)) for s in v.steps])


@router.get("/orgs/{org}/stores/{store_id}/urgent-reorders")
def list_urgent_reorders(
    session: DbSession,
    principal: Annotated[Principal, allow(READ)],
    store_id: uuid.UUID,
    status: Annotated[str | None, Query(pattern="^(open|acknowledged|ordered|dismissed)$")] = None,
) -> list[UrgentReorderOut]:
    """The store's urgent reorders: open first, then acknowledged, then the closed ones."""
    with session.begin():
        org = get_org(session, principal.org_code)
        store = get_store(session, org, store_id)
        found = urgent.list_for_store(session, org.org_id, store.store_id, status=status)
        return [_out(v) for v in found]


@router.get("/orgs/{org}/urgent-reorders/{reorder_id}")
def get_urgent_reorder(
    session: DbSession, principal: Annotated[Principal, allow(READ)], reorder_id: uuid.UUID
) -> UrgentReorderOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        return _out(urgent.get_reorder(session, org.org_id, reorder_id))


def _step(
    session: DbSession,
    principal: Principal,
    reorder_id: uuid.UUID,
    step: urgent.Step,
    note: str | None,
    po_reference: str | None = None,
) -> UrgentReorderOut:
    with session.begin():
        org = get_org(session, principal.org_code)
        view = urgent.take_step(
            session,
            org.org_id,
            reorder_id,
            step,
            actor=actor_of(principal),
            at=utcnow(),
            po_reference=po_reference,
            note=note,
        )
        return _out(view)


@router.post("/orgs/{org}/urgent-reorders/{reorder_id}/acknowledge")
def acknowledge(
    session: DbSession,
    principal: Annotated[Principal, allow(WRITE)],
    reorder_id: uuid.UUID,
    body: StepIn | None = None,
) -> UrgentReorderOut:
    """Seen and being looked at (only an open request); 409 URGENT_REORDER_STATE otherwise."""
    return _step(session, principal, reorder_id, "acknowledged", body.note if body else None)


@router.post("/orgs/{org}/urgent-reorders/{reorder_id}/ordered")
def mark_ordered(
    session: DbSession,
    principal: Annotated[Principal, allow(WRITE)],
    reorder_id: uuid.UUID,
    body: OrderedIn,
) -> UrgentReorderOut:
    """Ordered on the named purchase order (open or acknowledged requests); final."""
    return _step(session, principal, reorder_id, "ordered", body.note, body.po_reference)


@router.post("/orgs/{org}/urgent-reorders/{reorder_id}/dismiss")
def dismiss(
    session: DbSession,
    principal: Annotated[Principal, allow(WRITE)],
    reorder_id: uuid.UUID,
    body: StepIn | None = None,
) -> UrgentReorderOut:
    """Not ordered (open or acknowledged requests); final. Say why in ``note``."""
    return _step(session, principal, reorder_id, "dismissed", body.note if body else None)
