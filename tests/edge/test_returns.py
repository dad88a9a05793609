"""Returns at the box, with no hub: credit notes that add up exactly to the sale.

A sale of tax-inclusive lines at 18% and 5%, one of them loose sugar by
weight (an odd 1.237 kg, so proration has remainders), is returned in
parts; every refusal leaves the database as it was.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import pytest

from setledger.contracts import ReturnRecorded, validate_return
from setledger.contracts.returns import PRORATED
from setledger.words import amount_in_words
from tests.documents.test_invoice_pdf import read_back
from tests.edge.conftest import Box
from tests.edge.staff import approval

RETURN_TABLES = ["sale_return", "sale_return_line", "sale_return_refund", "approval"]


def sell_mixed(box: Box) -> dict[str, Any]:
    r = box.sell(
        [
            {"code": "PEN-BALL", "qty": 3},
            {"code": "SUGAR-LOOSE", "qty": "1.237"},
            {"code": box.barcode("ATTA-5KG")},
        ],
        [{"kind": "cash", "amount": 100000}],
    )
    assert r.status_code == 201, r.text
    sale: dict[str, Any] = r.json()["sale"]
    return sale


def quote(box: Box, invoice_no: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    r = box.client.post("/api/v1/returns/quote", json={"invoice_no": invoice_no, "lines": lines})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def return_body(
    invoice_no: str, lines: list[dict[str, Any]], refund: int, **extra: Any
) -> dict[str, Any]:
    return {
        "return_id": str(uuid.uuid4()),
        "invoice_no": invoice_no,
        "lines": lines,
        "refunds": [{"kind": "cash", "amount": refund}],
        "reason": "customer changed their mind",
        "approval": approval(),
        **extra,
    }


def give_back(box: Box, invoice_no: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    payable = quote(box, invoice_no, lines)["totals"]["payable"]
    r = box.client.post("/api/v1/returns", json=return_body(invoice_no, lines, payable))
    assert r.status_code == 201, r.text
    note: dict[str, Any] = r.json()["note"]
    return note


def fingerprint(box: Box) -> dict[str, Any]:
    state = box.fingerprint()
    for table in [*RETURN_TABLES, "credit_note_series"]:
        state[table] = box.rows(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608
    return state


def sent_returns(box: Box) -> list[ReturnRecorded]:
    rows = box.rows("SELECT payload FROM outbox WHERE stream = 'returns' ORDER BY seq")
    return [ReturnRecorded.model_validate(json.loads(payload)) for (payload,) in rows]


def test_a_sale_returned_in_parts_adds_up_exactly_to_the_sale(box: Box) -> None:
    sale = sell_mixed(box)
    invoice = sale["invoice_no"]
    notes = [
        give_back(box, invoice, [{"line_no": 1, "qty": 1}, {"line_no": 2, "qty": "0.4"}]),
        give_back(box, invoice, [{"line_no": 2, "qty": "0.411"}]),
        give_back(
            box,
            invoice,
            [{"line_no": 1, "qty": 2}, {"line_no": 2, "qty": "0.426"}, {"line_no": 3, "qty": 1}],
        ),
    ]
    assert [n["note_no"] for n in notes] == ["C1/2627/C00001", "C1/2627/C00002", "C1/2627/C00003"]
    for line in sale["lines"]:
        parts = [x for n in notes for x in n["lines"] if x["line_no"] == line["line_no"]]
        assert sum(x["qty"] for x in parts) == line["qty"]
        for amount in PRORATED:
            assert sum(x[amount] for x in parts) == line[amount], (line["line_no"], amount)
    # Every note is rounded as the sale was, but together they refund exactly the sale.
    assert sum(n["totals"]["payable"] for n in notes) == sale["totals"]["payable"]
    for head in ("taxable", "cgst", "sgst", "igst", "cess", "round_off"):
        assert sum(n["totals"][head] for n in notes) == sale["totals"][head], head
    assert all(n["original"]["invoice_no"] == invoice for n in notes)
    # Restocked: the sale's moves and the returns' cancel out per product.
    net = box.rows("SELECT product_id, SUM(qty) FROM stock_move GROUP BY product_id")
    assert {qty for _, qty in net} == {0}
    # One outbox row each, in the same transaction, valid on arrival at the hub.
    sent = sent_returns(box)
    assert [str(s.return_id) for s in sent] == [n["return_id"] for n in notes]
    assert all(validate_return(s) == [] for s in sent)
    assert box.rows("SELECT action, amount FROM approval ORDER BY rowid") == [
        ("return", n["totals"]["payable"]) for n in notes
    ]
    # Nothing is left to return.
    found = box.client.get(f"/api/v1/sales/by-invoice/{invoice}").json()
    assert [x["returnable"] for x in found["lines"]] == [0, 0, 0]
    assert found["refunded"] == sale["totals"]["payable"]


def test_the_invoice_lookup_and_the_note_read_back(box: Box) -> None:
    sale = sell_mixed(box)
    invoice = sale["invoice_no"]
    note = give_back(box, invoice, [{"line_no": 2, "qty": "1"}])
    found = box.client.get(f"/api/v1/sales/by-invoice/{invoice}")
    assert found.status_code == 200, found.text
    assert [(x["sold"], x["returned"], x["returnable"]) for x in found.json()["lines"]] == [
        (3000, 0, 3000),
        (1237, 1000, 237),
        (1000, 0, 1000),
    ]
    again = box.client.get(f"/api/v1/returns/{note['return_id']}")
    assert again.status_code == 200, again.text
    assert again.json()["note"] == note
    missing = box.client.get("/api/v1/sales/by-invoice/C1/2627/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "RETURN_ORIGINAL_NOT_FOUND"


def test_refusals_change_nothing(box: Box) -> None:
    sale = sell_mixed(box)
    invoice = sale["invoice_no"]
    give_back(box, invoice, [{"line_no": 1, "qty": 2}])
    before = fingerprint(box)
    payable = quote(box, invoice, [{"line_no": 1, "qty": 1}])["totals"]["payable"]
    cases = {
        "RETURN_QTY_OVER": return_body(invoice, [{"line_no": 1, "qty": 2}], payable),
        "RETURN_LINE_UNKNOWN": return_body(invoice, [{"line_no": 9, "qty": 1}], payable),
        "RETURN_REFUND_MISMATCH": return_body(invoice, [{"line_no": 1, "qty": 1}], payable - 1),
        "APPROVAL_REQUIRED": return_body(
            invoice, [{"line_no": 1, "qty": 1}], payable, approval=None
        ),
        "APPROVAL_REFUSED": return_body(
            invoice, [{"line_no": 1, "qty": 1}], payable, approval=approval(pin="0000")
        ),
        "RETURN_ORIGINAL_NOT_FOUND": return_body("C1/2627/000099", [{"line_no": 1, "qty": 1}], 1),
        "RETURN_EMPTY": return_body(invoice, [], payable),
        "QTY_NOT_WHOLE": return_body(invoice, [{"line_no": 1, "qty": "0.5"}], payable),
        "QTY_NOT_POSITIVE": return_body(invoice, [{"line_no": 2, "qty": 0}], payable),
    }
    for code, body in cases.items():
        r = box.client.post("/api/v1/returns", json=body)
        assert r.status_code in {403, 404, 409, 422}, (code, r.text)
        error = r.json()["error"]
        assert error["code"] == code, r.text
        assert error["remediation"]
    over = box.client.post("/api/v1/returns", json=cases["RETURN_QTY_OVER"]).json()["error"]
    assert over["details"]["returnable"] == 1000
    assert fingerprint(box) == before


def test_a_retry_answers_the_same_note_and_replicates_once(box: Box) -> None:
    sale = sell_mixed(box)
    invoice = sale["invoice_no"]
    lines = [{"line_no": 3, "qty": 1}]
    body = return_body(invoice, lines, quote(box, invoice, lines)["totals"]["payable"])
    first = box.client.post("/api/v1/returns", json=body)
    assert first.status_code == 201, first.text
    retry = box.client.post("/api/v1/returns", json={**body, "approval": None})
    assert retry.status_code == 200, retry.text
    assert retry.json()["replayed"] is True
    assert retry.json()["note"] == first.json()["note"]
    other = box.client.post("/api/v1/returns", json={**body, "reason": "damaged"})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "RETURN_ID_REUSED"
    assert len(sent_returns(box)) == 1
    assert box.rows("SELECT COUNT(*) FROM sale_return") == [(1,)]
    # Issued notes are append-only on the box too.
    for table in ("sale_return", "sale_return_line", "sale_return_refund"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            box.rows(f"DELETE FROM {table}")  # noqa: S608


def test_the_credit_note_prints_against_its_invoice(box: Box) -> None:
    sale = sell_mixed(box)
    note = give_back(box, sale["invoice_no"], [{"line_no": 1, "qty": 1}])
    response = box.client.get(f"/api/v1/returns/{note['return_id']}/note.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    got = read_back(response.content)
    assert "Credit Note" in got.text
    assert note["note_no"] in got.text
    assert f"Against invoice {sale['invoice_no']}" in got.text
    assert amount_in_words(note["totals"]["payable"]) in got.text
    assert got.qr_texts == [], "no payment QR on a refund"
    missing = box.client.get(f"/api/v1/returns/{uuid.uuid4()}/note.pdf")
    assert missing.json()["error"]["code"] == "RETURN_NOT_FOUND"
