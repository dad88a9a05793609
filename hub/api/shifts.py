"""Z reports of a store's boxes, as they arrived (read-only, for the books)."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.db.shifts import ShiftClose
from hub.registry.lookup import get_org, get_store
from setledger.money import format_rupees

router = APIRouter(tags=["shifts"])
MAX_PAGE = 200


class ZReportOut(BaseModel):
    shift_id: uuid.UUID
    device_id: uuid.UUID
    z_no: str
    business_date: date
    opened_at: datetime | None
    closed_at: datetime
    closed_by: str | None
    approved_by: uuid.UUID | None
    float_total: int
    counted: dict[str, int]
    counted_total: int
    expected_cash: int
    over_short: int
    sales_count: int
    net: int
    tax: int
    taken: dict[str, int]
    returns_count: int
    refunded: dict[str, int]
    note: str | None
    display: dict[str, str]


def _out(row: ShiftClose) -> ZReportOut:
    kinds = ("cash", "upi", "card")
    return ZReportOut(
        shift_id=row.shift_id,
        device_id=row.device_id,
        z_no=row.z_no,
        business_date=row.business_date,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        approved_by=row.approved_by,
        float_total=row.float_total,
        counted={str(d): int(n) for d, n in json.loads(row.counted).items()},
        counted_total=row.counted_total,
        expected_cash=row.expected_cash,
        over_short=row.over_short,
        sales_count=row.sales_count,
        net=row.net,
        tax=row.tax,
        taken={kind: getattr(row, f"{kind}_taken") for kind in kinds},
        returns_count=row.returns_count,
        refunded={kind: getattr(row, f"{kind}_refunded") for kind in kinds},
        note=row.note,
        display={
            name: format_rupees(getattr(row, name))
            for name in ("float_total", "counted_total", "expected_cash", "over_short", "net")
        },
    )


@router.get("/orgs/{org}/stores/{store_id}/shifts")
def list_shifts(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    store_id: uuid.UUID,
    day: Annotated[date | None, Query(description="The Indian business date, YYYY-MM-DD")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> list[ZReportOut]:
    """The store's Z reports, newest first (every box of the store)."""
    with session.begin():
        org = get_org(session, principal.org_code)
        get_store(session, org, store_id)
        query = select(ShiftClose).where(
            ShiftClose.org_id == org.org_id, ShiftClose.store_id == store_id
        )
        if day is not None:
            query = query.where(ShiftClose.business_date == day)
        rows = session.scalars(
            query.order_by(ShiftClose.closed_at.desc(), ShiftClose.z_no.desc()).limit(limit)
        ).all()
        return [_out(row) for row in rows]
