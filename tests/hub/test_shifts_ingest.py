"""Shift closes (Z reports) from a box at the hub, on SQLite and PostgreSQL.

A close is applied once, refused when it does not add up or reuses a Z
number of its box, kept append-only, and its cash over/short is posted
once through the shared poster (``post_every_org``); an exact count posts
nothing and is never pending.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import ShiftClose
from hub.ledger import reports
from hub.ledger.sales import post_every_org
from setledger import chart, fiscal, shifts
from setledger.contracts import ShiftClosed
from setledger.contracts.shifts import as_counts, report_of
from tests.hub.harness import Hub
from tests.hub.sales_factory import Till

CLOSED = datetime(2026, 11, 20, 22, 0, tzinfo=fiscal.IST)
FLOAT = {10000: 10, 1000: 20}  # ₹1,200


def z_report(till: Till, serial: int, counted: dict[int, int], **changes: Any) -> ShiftClosed:
    """A box's close: one cash sale of ₹118 (₹200 given, ₹82 change) on a ₹1,200 float."""
    sale = shifts.ShiftSale(11800, 0, 10000, 1800, 0, (("cash", 20000),), 8200)
    reading = shifts.read_shift(FLOAT, [sale], [], counted)
    over_short = reading.over_short or 0
    document = ShiftClosed(
        shift_id=uuid.uuid4(),
        z_no=shifts.z_number(serial),
        store_id=uuid.UUID(str(till.device["store_id"])),
        device_id=uuid.UUID(str(till.device["device_id"])),
        business_date=fiscal.business_date(CLOSED),
        opened_at=datetime(2026, 11, 20, 9, 0, tzinfo=fiscal.IST),
        opened_by="ORG-00000000-U-000001",
        closed_at=CLOSED,
        approved_by=uuid.uuid4() if over_short else None,
        float_count=as_counts(FLOAT),
        float_total=reading.float_total,
        counted=as_counts(counted),
        counted_total=reading.counted or 0,
        expected_cash=reading.expected,
        over_short=over_short,
        report=report_of(reading.totals),
    )
    return document.model_copy(update=changes)


def seal(till: Till, close: ShiftClosed) -> Any:
    return till.seal(close, key=str(close.shift_id))


def balances(hub: Hub, org_id: uuid.UUID) -> dict[str, int]:
    with hub.runtime.sessions() as session:
        return {b.code: b.balance for b in reports.trial_balance(session, org_id)}


def test_a_close_is_applied_once_and_its_shortage_posted_once(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    till = Till(org, hub.device(org, store), stream="shifts")
    org_id = uuid.UUID(org["uuid"])
    # Expected ₹1,200 + ₹200 - ₹82 = ₹1,318; counted ₹1,316: ₹2 short.
    short = z_report(till, 1, {50000: 2, 10000: 3, 100: 16})
    assert short.over_short == -200
    envelope = seal(till, short)
    assert hub.apply(envelope).outcome == "applied"
    assert hub.apply(envelope).outcome == "duplicate"
    changed = seal(till, short.model_copy(update={"note": "recounted"}))
    again = hub.apply(changed)
    assert (again.outcome, again.reason_code) == ("quarantined", "key_reused")
    # A close that does not add up is refused; so is another shift under the same Z number.
    wrong = hub.apply(seal(till, z_report(till, 2, {50000: 2}, over_short=0)))
    assert (wrong.outcome, wrong.reason_code) == ("quarantined", "sale_invalid")
    assert "over_short" in (wrong.reason or "")
    reused = hub.apply(
        seal(till, z_report(till, 1, {50000: 2, 10000: 3, 1000: 1, 500: 1, 200: 1, 100: 1}))
    )
    assert (reused.outcome, reused.reason_code) == ("quarantined", "invoice_reused")
    exact = z_report(till, 2, {50000: 2, 10000: 3, 1000: 1, 500: 1, 200: 1, 100: 1})
    assert exact.over_short == 0
    assert hub.apply(seal(till, exact)).outcome == "applied"

    with hub.runtime.sessions() as session:
        rows = session.execute(
            select(
                ShiftClose.z_no, ShiftClose.over_short, ShiftClose.counted, ShiftClose.cash_taken
            )
            .where(ShiftClose.org_id == org_id)
            .order_by(ShiftClose.z_no)
        ).all()
    assert [(z, over, json.loads(count), cash) for z, over, count, cash in rows] == [
        ("Z00001", -200, {"50000": 2, "10000": 3, "100": 16}, 11800),
        ("Z00002", 0, {"50000": 2, "10000": 3, "1000": 1, "500": 1, "200": 1, "100": 1}, 11800),
    ]

    # The owner reads the store's Z reports, newest first.
    listed = hub.get(f"/orgs/{org['org_id']}/stores/{store['store_id']}/shifts")
    assert listed.status_code == 200, listed.text
    assert [(z["z_no"], z["over_short"]) for z in listed.json()] == [
        ("Z00002", 0),
        ("Z00001", -200),
    ]
    assert listed.json()[1]["counted"] == {"50000": 2, "10000": 3, "100": 16}

    # The shortage posts once (the exact close posts nothing, and is never pending).
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 1}
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 0}
    books = balances(hub, org_id)
    assert books[chart.cash_account(store["code"])] == -200
    assert books[chart.CASH_SHORT] == 200
    assert sum(books.values()) == 0

    # Z reports are append-only: the database refuses to rewrite or remove them.
    for statement in (
        update(ShiftClose).where(ShiftClose.org_id == org_id).values(note="edited"),
        delete(ShiftClose).where(ShiftClose.org_id == org_id),
    ):
        with hub.runtime.engine.connect() as conn:
            with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
                conn.execute(statement)
            conn.rollback()


def test_a_surplus_is_cash_over_on_the_day_of_the_close(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    till = Till(org, hub.device(org, store), stream="shifts")
    over = z_report(till, 1, {50000: 3})  # ₹1,500 counted, ₹1,318 expected
    assert hub.apply(seal(till, over)).outcome == "applied"
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 1}
    books = balances(hub, uuid.UUID(org["uuid"]))
    assert (books[chart.cash_account(store["code"])], books[chart.CASH_OVER]) == (18200, -18200)
    assert over.business_date == date(2026, 11, 20)
