"""A shift closed short at the box reaches the hub exactly once, in real processes,
and its cash short is posted."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hub.db.models import DeviceCursor, ShiftClose
from hub.ledger import reports
from hub.ledger.sales import post_every_org
from setledger import chart
from tests.replication.harness import Deployment, ring, wait_for


def test_a_shift_closed_short_reaches_the_hub_once_and_is_posted(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    manager, pin = d.staff["store_manager"]
    shift_id = str(uuid.uuid4())
    with httpx.Client(base_url=d.box_url, headers=d.auth, timeout=10) as box:
        opened = box.post("/api/v1/shifts/open", json={"shift_id": shift_id, "float": {"10000": 5}})
        assert opened.status_code == 201, opened.text
        (sale,) = ring(d.box_url, 1, d.auth).values()
        expected = box.get("/api/v1/shifts/current").json()["x"]["expected_cash"]
        assert expected == 50000 + sale["totals"]["payable"]
        short = expected - 100  # a rupee short
        counted = {"50000": short // 50000, "100": short % 50000 // 100}
        assert short % 100 == 0
        body = {
            "shift_id": shift_id,
            "counted": counted,
            "approval": {"user_id": str(manager), "pin": pin},
        }
        made = box.post("/api/v1/shifts/close", json=body)
        assert made.status_code == 201, made.text
        assert box.post("/api/v1/shifts/close", json=body).json()["replayed"] is True
    z = made.json()["z"]
    assert (z["z_no"], z["over_short"]) == ("Z00001", -100)

    assert d.engine is not None

    def at_hub() -> list[tuple[str, str, int]]:
        assert d.engine is not None
        with d.engine.connect() as conn:
            rows = conn.execute(
                select(ShiftClose.shift_id, ShiftClose.z_no, ShiftClose.over_short)
            ).all()
        return [(str(r.shift_id), r.z_no, int(r.over_short)) for r in rows]

    wait_for(lambda: at_hub() and d.drained(), what="the Z report at the hub")
    assert at_hub() == [(shift_id, "Z00001", -100)]
    with d.engine.connect() as conn:
        cursor = conn.execute(
            select(DeviceCursor.contiguous_seq).where(DeviceCursor.stream == "shifts")
        ).scalar_one()
    assert cursor == 1
    sessions = sessionmaker(d.engine)
    assert post_every_org(sessions, d.org["org_id"]) == {d.org["org_id"]: 2}  # sale, short
    with sessions() as session:
        books = {
            b.code: b.balance for b in reports.trial_balance(session, uuid.UUID(d.org["uuid"]))
        }
    assert books[chart.CASH_SHORT] == 100
