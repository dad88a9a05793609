"""The org's stock at cost (per product) and its valuation method."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter

from hub.accounts import audit
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.registry.lookup import get_org
from hub.schemas import Request, Response
from hub.stock.valuation import choose_method, current_method, value_org
from setledger.money import format_rupees
from setledger.valuation import Method

router = APIRouter(tags=["stock"])


class ProductValuation(Response):
    product_id: uuid.UUID
    qty: int
    """Milli-units on hand across the org (in transit included); negative when oversold."""
    value: int
    """Paise at cost."""
    method: Method
    display: str


class StockValuation(Response):
    method: Method
    total_value: int
    display: str
    products: list[ProductValuation]
    """By product id."""


class MethodChoice(Request):
    method: Method


class MethodChosen(Response):
    method: Method


@router.get("/orgs/{org}/stock/valuation")
def stock_valuation(
    session: DbSession, principal: Annotated[Principal, allow(P.BOOKS_READ)]
) -> StockValuation:
    """Every product's stock at cost by the org's method: what the books' inventory holds."""
    with session.begin():
        org = get_org(session, principal.org_code)
        stock = value_org(session, org.org_id)
    products = [
        ProductValuation(
            product_id=product_id,
            qty=valuation.closing_qty,
            value=valuation.closing_value,
            method=stock.method,
            display=format_rupees(valuation.closing_value),
        )
        for product_id, valuation in sorted(stock.valuations.items())
    ]
    return StockValuation(
        method=stock.method,
        total_value=stock.total_value,
        display=format_rupees(stock.total_value),
        products=products,
    )


@router.put("/orgs/{org}/stock/valuation/method")
def set_valuation_method(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_MANAGE)],
    choice: MethodChoice,
) -> MethodChosen:
    """FIFO or weighted average for the whole history: the next posting run books
    the difference to COGS as a revaluation."""
    now = datetime.now(UTC)
    with session.begin():
        org = get_org(session, principal.org_code)
        before = current_method(session, org.org_id)
        if choice.method is not before:
            choose_method(session, org.org_id, choice.method, by=principal.user_code, at=now)
            audit.record(
                session,
                org.org_id,
                "stock.valuation_method_changed",
                at=now,
                actor=audit.actor_of(principal),
                target=principal.org_code,
                details={"from": before.value, "to": choice.method.value},
            )
    return MethodChosen(method=choice.method)
