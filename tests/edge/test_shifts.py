"""Shifts at the box, with no hub: float, X report, cash count, Z report.

A close covers everything since the previous close (opened or not);
expected cash is the float plus cash taken net of change less cash
refunded; an over/short needs a manager's PIN; a retry answers the same
Z; Z numbers survive a restore from an older copy. Expected figures are
summed from the sales and notes made, never typed.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import BoxSettings
from edge.store.db import backup_copy
from setledger.contracts import ShiftClosed, validate_shift
from tests.edge.conftest import Box, SettableClock, make_bundle
from tests.edge.staff import CASHIER_ID, MANAGER_ID, approval, sign_in

FLOAT = {"50000": 2, "10000": 5, "2000": 10, "100": 50}  # ₹1,000 + 500 + 200 + 50 = ₹1,750
FLOAT_TOTAL = 175000


def sell(client: TestClient, tenders: list[dict[str, Any]], code: str = "ATTA-5KG") -> Any:
    body = {"sale_id": str(uuid.uuid4()), "lines": [{"code": code}], "tenders": tenders}
    r = client.post("/api/v1/sales", json=body)
    assert r.status_code == 201, r.text
    return r.json()["sale"]


def open_shift(client: TestClient, count: dict[str, int] = FLOAT) -> Any:
    r = client.post("/api/v1/shifts/open", json={"shift_id": str(uuid.uuid4()), "float": count})
    assert r.status_code == 201, r.text
    return r.json()["shift"]


def current(client: TestClient) -> Any:
    r = client.get("/api/v1/shifts/current")
    assert r.status_code == 200, r.text
    return r.json()


def counted_as(paise: int) -> dict[str, int]:
    """A count worth ``paise`` (whole rupees): ₹500s, then ₹1 coins."""
    rupees = paise // 100
    assert rupees * 100 == paise
    return {"50000": rupees // 500, "100": rupees % 500}


def close(client: TestClient, shift_id: str, counted: dict[str, int], **extra: Any) -> Any:
    body = {"shift_id": shift_id, "counted": counted, **extra}
    return client.post("/api/v1/shifts/close", json=body)


def refund_cash(client: TestClient, invoice_no: str) -> Any:
    lines = [{"line_no": 1, "qty": 1}]
    quoted = client.post("/api/v1/returns/quote", json={"invoice_no": invoice_no, "lines": lines})
    payable = quoted.json()["totals"]["payable"]
    body = {
        "return_id": str(uuid.uuid4()),
        "invoice_no": invoice_no,
        "lines": lines,
        "refunds": [{"kind": "cash", "amount": payable}],
        "reason": "torn pack",
        "approval": approval(),
    }
    r = client.post("/api/v1/returns", json=body)
    assert r.status_code == 201, r.text
    return r.json()["note"]


def test_a_shift_from_float_to_z_report(box: Box) -> None:
    # A sale before anyone opened the shift still belongs to it.
    early = sell(box.client, [{"kind": "cash", "amount": 50000}])
    opened = open_shift(box.client)
    assert opened["float_total"] == FLOAT_TOTAL
    me = box.client.get("/api/v1/auth/me").json()["member"]
    assert (opened["opened_by"], opened["opened_by_name"]) == (me["user_code"], me["display_name"])
    split = sell(
        box.client,
        [
            {"kind": "upi", "amount": 10000, "reference": "UPI123"},
            {"kind": "cash", "amount": 100000},
        ],
    )
    card = sell(box.client, [{"kind": "card", "amount": 1000, "reference": "CARD9"}], "PEN-BALL")
    note = refund_cash(box.client, early["invoice_no"])
    sales = [early, split, card]

    now = current(box.client)
    assert now["open"]["shift_id"] == opened["shift_id"]
    x = now["x"]["report"]
    cash_taken = sum(t["amount"] for s in sales for t in s["tenders"] if t["kind"] == "cash") - sum(
        s["totals"]["change"] for s in sales
    )
    assert x["tenders"] == {"cash": cash_taken, "upi": 10000, "card": 1000}
    assert x["sales_count"] == 3
    assert x["net"] == sum(s["totals"]["payable"] for s in sales)
    assert x["tax"] == sum(s["totals"][h] for s in sales for h in ("cgst", "sgst", "igst", "cess"))
    assert (x["returns_count"], x["refunds"]["cash"]) == (1, note["totals"]["payable"])
    expected = FLOAT_TOTAL + cash_taken - note["totals"]["payable"]
    assert now["x"]["expected_cash"] == expected
    assert now["last_z"] is None
    assert [d["paise"] for d in now["denominations"] if not d["shown"]] == [200000]

    # ₹1 short: the box asks for a manager, and writes nothing until one approves.
    short = counted_as(expected - 100)
    asked = close(box.client, opened["shift_id"], short, note="end of day")
    assert asked.status_code == 403, asked.text
    assert asked.json()["error"]["code"] == "APPROVAL_REQUIRED"
    assert box.rows("SELECT COUNT(*) FROM shift_close") == [(0,)]
    wrong = close(box.client, opened["shift_id"], short, approval=approval(pin="0000"))
    assert wrong.json()["error"]["code"] == "APPROVAL_REFUSED"
    made = close(box.client, opened["shift_id"], short, note="end of day", approval=approval())
    assert made.status_code == 201, made.text
    z = ShiftClosed.model_validate(made.json()["z"])
    assert (z.z_no, z.over_short, z.expected_cash) == ("Z00001", -100, expected)
    assert z.counted_total == expected - 100
    assert z.float_total == FLOAT_TOTAL
    assert z.approved_by == MANAGER_ID
    assert z.opened_at is not None
    assert validate_shift(z) == []
    assert made.json()["display"]["over_short"] == "-₹1.00"

    # A retry answers the same Z; the same id with another count is refused.
    again = close(box.client, opened["shift_id"], short, note="end of day", approval=approval())
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    assert again.json()["z"] == made.json()["z"]
    other = close(box.client, opened["shift_id"], counted_as(expected), note="end of day")
    assert other.json()["error"]["code"] == "SHIFT_ID_REUSED"

    # Sent up once, on its own stream, in the close's transaction; the approval with it.
    sent = box.rows("SELECT key, payload FROM outbox WHERE stream = 'shifts'")
    assert [key for key, _ in sent] == [opened["shift_id"]]
    assert ShiftClosed.model_validate(json.loads(sent[0][1])) == z
    assert box.rows(
        "SELECT action, amount, requested_by FROM approval WHERE action = 'shift_close'"
    ) == [("shift_close", 100, str(CASHIER_ID))]
    assert box.client.get(f"/api/v1/shifts/{opened['shift_id']}").json()["z"] == made.json()["z"]

    # The next shift starts empty, with no float (nobody opened it), after Z00001.
    after = current(box.client)
    assert after["open"] is None
    assert after["last_z"] == "Z00001"
    assert (after["x"]["report"]["sales_count"], after["x"]["expected_cash"]) == (0, 0)
    later = sell(box.client, [{"kind": "cash", "amount": 50000}])
    exact = later["totals"]["payable"]
    second = close(box.client, str(uuid.uuid4()), counted_as(exact))
    assert second.status_code == 201, second.text  # exact: no manager needed
    z2 = second.json()["z"]
    assert (z2["z_no"], z2["over_short"], z2["approved_by"], z2["opened_at"]) == (
        "Z00002",
        0,
        None,
        None,
    )
    assert z2["report"]["sales_count"] == 1
    listed = box.client.get("/api/v1/shifts").json()
    assert [item["z"]["z_no"] for item in listed] == ["Z00002", "Z00001"]


def test_one_shift_open_at_a_time_and_closed_by_its_own_id(box: Box) -> None:
    opened = open_shift(box.client)
    body = {"shift_id": opened["shift_id"], "float": FLOAT}
    retry = box.client.post("/api/v1/shifts/open", json=body)
    assert (retry.status_code, retry.json()["replayed"]) == (200, True)
    changed = box.client.post("/api/v1/shifts/open", json={**body, "float": {"50000": 1}})
    assert changed.json()["error"]["code"] == "SHIFT_ID_REUSED"
    second = box.client.post(
        "/api/v1/shifts/open", json={"shift_id": str(uuid.uuid4()), "float": {}}
    )
    assert second.json()["error"]["code"] == "SHIFT_ALREADY_OPEN"
    stray = close(box.client, str(uuid.uuid4()), counted_as(FLOAT_TOTAL))
    assert stray.json()["error"]["code"] == "SHIFT_NOT_CURRENT"
    for bad in ({"30000": 1}, {"10000": -1}, {"10000": 1.5}, {"nope": 1}):
        refused = box.client.post(
            "/api/v1/shifts/open", json={"shift_id": str(uuid.uuid4()), "float": bad}
        )
        assert refused.status_code in (409, 422), refused.text
    unknown = box.client.post(
        "/api/v1/shifts/close", json={"shift_id": opened["shift_id"], "counted": {"30000": 1}}
    )
    assert unknown.json()["error"]["code"] == "SHIFT_COUNT_INVALID"
    assert box.rows("SELECT COUNT(*) FROM shift_open") == [(1,)]
    assert box.rows("SELECT COUNT(*) FROM outbox WHERE stream = 'shifts'") == [(0,)]
    closed = close(box.client, opened["shift_id"], {"50000": 3, "2000": 10, "100": 50})
    assert closed.status_code == 201, closed.text
    assert closed.json()["z"]["over_short"] == 0


def box_settings(tmp_path: Path) -> BoxSettings:
    """A box of its own, to restart (the ``box`` fixture's lives as long as the test)."""
    bundle = tmp_path / "bundle.json"
    bundle.write_text(make_bundle().model_dump_json())
    return BoxSettings(data_dir=tmp_path / "box", provision_file=bundle)


def test_a_restored_database_never_reissues_a_z_number(
    tmp_path: Path, clock: SettableClock
) -> None:
    settings = box_settings(tmp_path)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        assert close(client, str(uuid.uuid4()), {}).status_code == 201
        copy = backup_copy(settings.db_path, tmp_path / "copies", "after-z1")
        assert close(client, str(uuid.uuid4()), {}).json()["z"]["z_no"] == "Z00002"
    assert json.loads(settings.watermark_path.read_text())["z"] == 2
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(copy, settings.db_path)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        again = close(client, str(uuid.uuid4()), {})
    assert again.json()["z"]["z_no"] == "Z00003", "the restored box must not reissue Z00002"


def test_a_sale_after_a_reboot_into_the_past_falls_in_the_next_shift(
    tmp_path: Path, clock: SettableClock
) -> None:
    settings = box_settings(tmp_path)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        sold = sell(client, [{"kind": "cash", "amount": 50000}])
        clock.advance(hours=2)  # the close is stamped well after the sale
        paid = counted_as(sold["totals"]["payable"])
        assert close(client, str(uuid.uuid4()), paid).status_code == 201
    clock.advance(hours=-3)  # no RTC: the box comes back with its clock behind
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        after = sell(client, [{"kind": "cash", "amount": 50000}])
        x = current(client)["x"]["report"]
    assert (x["sales_count"], x["net"]) == (1, after["totals"]["payable"])
