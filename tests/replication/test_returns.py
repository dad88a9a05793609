"""A return at the box reaches the hub exactly once, in real processes, and is posted."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hub.db.models import DeviceCursor, SaleReturn
from hub.ledger.sales import post_every_org
from tests.replication.harness import Deployment, ring, wait_for


def test_a_return_at_the_box_reaches_the_hub_once_and_is_posted(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    (sale,) = ring(d.box_url, 1, d.auth, sku="ATTA-5KG").values()
    manager, pin = d.staff["store_manager"]
    lines = [{"line_no": 1, "qty": "1"}]
    with httpx.Client(base_url=d.box_url, headers=d.auth, timeout=10) as box:
        quoted = box.post(
            "/api/v1/returns/quote", json={"invoice_no": sale["invoice_no"], "lines": lines}
        )
        assert quoted.status_code == 200, quoted.text
        body = {
            "return_id": str(uuid.uuid4()),
            "invoice_no": sale["invoice_no"],
            "lines": lines,
            "refunds": [{"kind": "cash", "amount": quoted.json()["totals"]["payable"]}],
            "reason": "torn pack",
            "approval": {"user_id": str(manager), "pin": pin},
        }
        made = box.post("/api/v1/returns", json=body)
        assert made.status_code == 201, made.text
        assert box.post("/api/v1/returns", json=body).json()["replayed"] is True
    note = made.json()["note"]
    assert note["totals"]["payable"] == sale["totals"]["payable"]  # the whole sale came back

    assert d.engine is not None

    def at_hub() -> list[tuple[str, str, int]]:
        assert d.engine is not None
        with d.engine.connect() as conn:
            rows = conn.execute(
                select(SaleReturn.return_id, SaleReturn.note_no, SaleReturn.payable)
            ).all()
        return [(str(r.return_id), r.note_no, int(r.payable)) for r in rows]

    wait_for(lambda: at_hub() and d.drained(), what="the return at the hub")
    assert at_hub() == [(body["return_id"], note["note_no"], note["totals"]["payable"])]
    with d.engine.connect() as conn:
        cursor = conn.execute(
            select(DeviceCursor.contiguous_seq).where(DeviceCursor.stream == "returns")
        ).scalar_one()
    assert cursor == 1
    posted = post_every_org(sessionmaker(d.engine), d.org["org_id"])
    assert posted == {d.org["org_id"]: 2}  # the sale and its credit note
