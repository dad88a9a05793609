"""Routes of the sales reports."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.reporting import sales
from hub.reporting.schemas import SaleDetail, SalesPage

router = APIRouter(tags=["sales"])


@router.get("/orgs/{org}/sales")
def list_sales(
    session: DbSession,
    principal: Annotated[Principal, allow(P.SALES_READ)],
    store_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
    day: Annotated[date | None, Query(description="The Indian business date, YYYY-MM-DD")] = None,
    limit: Annotated[int, Query(ge=1, le=sales.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SalesPage:
    return sales.list_sales(
        session,
        principal.org_code,
        store_id=store_id,
        device_id=device_id,
        day=day,
        limit=limit,
        offset=offset,
    )


@router.get("/orgs/{org}/sales/{sale_id}")
def read_sale(
    session: DbSession, principal: Annotated[Principal, allow(P.SALES_READ)], sale_id: uuid.UUID
) -> SaleDetail:
    return sales.read_sale(session, principal.org_code, sale_id)
