"""Customers the box has sold to, found by phone to fill in the tender screen.

The box keeps no customer master: a customer's phone, name and (B2B)
GSTIN travel with each sale as its ``buyer``. Looking a phone up answers
with the buyer of the latest sale at this box that carried that phone.
The lookup reads the expression index ``sale_buyer_phone`` (migration 0009).
"""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from edge.runtime import BoxRuntime
from edge.store import tables as t
from setledger import errors
from setledger.contracts import Buyer
from setledger.gstin import is_valid_gstin, normalise, state_of
from setledger.states import STATES

INDIAN_MOBILE = re.compile(r"^[6-9][0-9]{9}$")
"""What the counter accepts as a customer's phone: an Indian mobile, 10 digits."""


def by_phone(box: BoxRuntime, phone: str) -> Buyer | None:
    """The buyer of the latest sale with this phone, or None."""
    phone_of = func.json_extract(t.sale.c.buyer, "$.phone")
    query = (
        select(t.sale.c.buyer)
        .where(phone_of == phone)
        .order_by(t.sale.c.sold_at_ms.desc())
        .limit(1)
    )
    with box.db.reader.connect() as conn:
        found = conn.execute(query).scalar()
    return None if found is None else Buyer.model_validate(json.loads(found))


def check_gstin(gstin: str) -> tuple[str, str, str]:
    """The GSTIN as checkout takes it, its state code and the state's name;
    GSTIN_INVALID (checkout's own check) for a wrong length, form, state or
    check character."""
    value = normalise(gstin)
    state = state_of(value)
    if not is_valid_gstin(value) or state not in STATES:
        raise errors.GSTIN_INVALID.error(gstin=value)
    return value, state, STATES[state][0]
