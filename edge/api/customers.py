"""Customers at the counter: find the details given at an earlier sale by phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from edge.api.deps import Box, Cashier
from edge.api.schemas import CustomerOut, GstinOut
from edge.services import customers
from setledger import errors

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.get("", response_model=CustomerOut)
def customer_by_phone(
    box: Box, cashier: Cashier, phone: Annotated[str, Query(pattern=r"^[6-9][0-9]{9}$")]
) -> CustomerOut:
    """The buyer of this box's latest sale with this phone (an Indian mobile,
    10 digits); CUSTOMER_NOT_FOUND when no sale here carried it."""
    buyer = customers.by_phone(box, phone)
    if buyer is None:
        raise errors.CUSTOMER_NOT_FOUND.error(phone=phone)
    return CustomerOut(buyer=buyer)


@router.get("/gstin/{gstin}", response_model=GstinOut)
def check_gstin(box: Box, cashier: Cashier, gstin: str) -> GstinOut:
    """Is this a GSTIN the box will take at checkout? Its state (the place of
    supply of a B2B sale), or GSTIN_INVALID in the box's words."""
    value, state, name = customers.check_gstin(gstin)
    return GstinOut(gstin=value, state=state, state_name=name)
