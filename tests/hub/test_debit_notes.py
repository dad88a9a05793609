"""Debit notes issued at the hub, on SQLite and PostgreSQL.

An accountant charges more on lines of a stored sale: the note is numbered
in the org's DN series, taxed at the original line's rate and supply kind,
posted once (Dr receivables, Cr sales and output tax per head and rate),
filed in GSTR-1 (cdnr with ntty D, b2cs, Table 13) and GSTR-3B, and
printed naming the original invoice. Bad input changes nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.debit_notes import DebitNote, DebitNoteLine
from hub.db.ledger import JournalEntry
from hub.gst.debit_notes import debit_note_number
from hub.ledger import reports
from hub.ledger.sales import post_all_pending_sales
from setledger import chart, fiscal
from setledger.contracts.sales import Buyer, SaleRecorded
from setledger.errors import SetLedgerError
from setledger.money import format_rupees
from tests.documents.test_invoice_pdf import read_back
from tests.hub.harness import API, Hub, error_code, make_gstin, ok
from tests.hub.sales_factory import Item, Till

BUYER = Buyer(name="Patel Traders", gstin=make_gstin("29", "AABCP1234C"), state="29")


@dataclass
class Shop:
    org: dict[str, Any]
    org_id: uuid.UUID
    b2b: SaleRecorded
    """Shirts (12%) and salt (5%) to a registered buyer in Karnataka: IGST."""
    b2c: SaleRecorded
    """Salt to a walk-in buyer in Maharashtra: CGST and SGST."""


def open_shop(hub: Hub) -> Shop:
    org = hub.org(gstin=make_gstin("27"))
    till = Till(org, hub.device(org, hub.store(org)))
    salt = hub.product(org)  # 5%
    shirt = hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)
    b2b = till.sale([Item(shirt, qty=3000), Item(salt)], place_of_supply="29")
    b2b = b2b.model_copy(update={"buyer": BUYER})
    b2c = till.sale([Item(salt, qty=2000)])
    for sale in (b2b, b2c):
        assert hub.apply(till.seal(sale)).outcome == "applied"
    org_id = uuid.UUID(org["uuid"])
    with hub.runtime.sessions() as session:
        post_all_pending_sales(session, org_id)
    return Shop(org, org_id, b2b, b2c)


def url(shop: Shop, path: str) -> str:
    return f"{API}/orgs/{shop.org['org_id']}{path}"


def issue(
    hub: Hub, shop: Shop, sale: SaleRecorded, lines: list[tuple[int, int]]
) -> tuple[Any, dict[str, Any]]:
    payload = {
        "debit_note_id": str(uuid.uuid4()),
        "reason": "Price revised upward after delivery",
        "lines": [{"line_no": n, "taxable": t} for n, t in lines],
    }
    return hub.client.post(url(shop, f"/sales/{sale.sale_id}/debit-notes"), json=payload), payload


def balances(hub: Hub, org_id: uuid.UUID) -> dict[str, int]:
    with hub.runtime.sessions() as session:
        return {row.code: row.balance for row in reports.trial_balance(session, org_id)}


def change(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    codes = before.keys() | after.keys()
    moved = {code: after.get(code, 0) - before.get(code, 0) for code in codes}
    return {code: amount for code, amount in moved.items() if amount}


def debit_note_entries(hub: Hub, org_id: uuid.UUID) -> int:
    with hub.runtime.sessions() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    JournalEntry.org_id == org_id,
                    JournalEntry.source_type == "debit_note",
                )
            )
            or 0
        )


def decimal_json(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


def rupees(paise: int) -> Decimal:
    return Decimal(paise) / 100


def test_debit_notes_are_issued_once_posted_and_filed(hub: Hub) -> None:
    shop = open_shop(hub)
    before = balances(hub, shop.org_id)
    today = datetime.now(UTC).astimezone(fiscal.IST).date()
    period = f"{today:%Y-%m}"
    gstr3b_before = decimal_json(hub.get(f"/orgs/{shop.org['org_id']}/gst/gstr3b", period=period))

    # ₹150 more on the shirts (12%) and ₹3.33 more on the salt (5%), inter-state: IGST.
    response, body = issue(hub, shop, shop.b2b, [(1, 15_000), (2, 333)])
    assert response.status_code == 201, response.text
    b2b = response.json()
    year = fiscal.financial_year(today).short
    assert b2b["note_no"] == f"DN/{year}/000001"
    assert fiscal.is_valid_invoice_number(b2b["note_no"])
    assert b2b["business_date"] == today.isoformat()
    assert (b2b["original_invoice_no"], b2b["original_date"]) == (
        shop.b2b.invoice_no,
        shop.b2b.business_date.isoformat(),
    )
    # 12% of ₹150 is ₹18; 5% of ₹3.33 is 16.65 paise, rounded half up to 17.
    assert [(x["line_no"], x["taxable"], x["igst"], x["cgst"]) for x in b2b["lines"]] == [
        (1, 15_000, 1_800, 0),
        (2, 333, 17, 0),
    ]
    assert (b2b["taxable"], b2b["igst"], b2b["payable"]) == (15_333, 1_817, 17_150)
    # A retry answers the same note; the same id with another body is refused.
    again = hub.client.post(url(shop, f"/sales/{shop.b2b.sale_id}/debit-notes"), json=body)
    assert again.status_code == 200, again.text
    assert again.json() == b2b
    other = {**body, "lines": [{"line_no": 1, "taxable": 15_001}]}
    reused = hub.client.post(url(shop, f"/sales/{shop.b2b.sale_id}/debit-notes"), json=other)
    assert error_code(reused, 409) == "DEBIT_NOTE_ID_REUSED"

    # ₹10.01 more on the walk-in's salt, intra-state: 25.025 paise each of CGST and SGST.
    response, _ = issue(hub, shop, shop.b2c, [(1, 1_001)])
    assert response.status_code == 201, response.text
    b2c = response.json()
    assert b2c["note_no"] == f"DN/{year}/000002"
    assert (b2c["taxable"], b2c["cgst"], b2c["sgst"], b2c["igst"], b2c["payable"]) == (
        1_001,
        25,
        25,
        0,
        1_051,
    )

    # Posted once each, with the note: the buyer owes more, sales and tax per rate go up.
    assert debit_note_entries(hub, shop.org_id) == 2
    after = balances(hub, shop.org_id)
    assert sum(after.values()) == 0
    assert change(before, after) == {
        chart.RECEIVABLES: 17_150 + 1_051,
        "4000-1200": -15_000,
        "2213-1200": -1_800,
        "4000-0500": -(333 + 1_001),
        "2213-0500": -17,
        "2210-0500": -25,
        "2211-0500": -25,
    }

    listed = ok(hub.client.get(url(shop, "/debit-notes"), params={"period": period}))
    assert listed == [b2b, b2c]  # type: ignore[comparison-overlap]
    assert ok(hub.client.get(url(shop, f"/debit-notes/{b2b['debit_note_id']}"))) == b2b

    gstr1 = decimal_json(hub.get(f"/orgs/{shop.org['org_id']}/gst/gstr1", period=period))
    [group] = gstr1["cdnr"]
    assert group["ctin"] == BUYER.gstin
    [note] = group["nt"]
    assert (note["ntty"], note["nt_num"], note["val"]) == (
        "D",
        b2b["note_no"],
        rupees(17_150),
    )
    assert note["nt_dt"] == f"{today:%d-%m-%Y}"
    assert sorted(
        (i["itm_det"]["rt"], i["itm_det"]["txval"], i["itm_det"]["iamt"]) for i in note["itms"]
    ) == [
        (Decimal(5), rupees(333), rupees(17)),
        (Decimal(12), rupees(15_000), rupees(1_800)),
    ]
    # The walk-in's note is added to b2cs (its sale too, when it was this month).
    same_month = shop.b2c.business_date.replace(day=1) == today.replace(day=1)
    sold = shop.b2c.totals if same_month else None
    [row] = [r for r in gstr1["b2cs"] if (r["pos"], r["rt"]) == ("27", Decimal(5))]
    assert row["txval"] == rupees(1_001 + (sold.taxable if sold else 0))
    assert row["camt"] == rupees(25 + (sold.cgst if sold else 0))
    natures = {row["doc_num"]: row["docs"] for row in gstr1["doc_issue"]["doc_det"]}
    assert [(d["from"], d["to"], d["totnum"]) for d in natures[4]] == [
        (b2b["note_no"], b2c["note_no"], 2)
    ]
    gstr3b = decimal_json(hub.get(f"/orgs/{shop.org['org_id']}/gst/gstr3b", period=period))
    added = {
        head: gstr3b["sup_details"]["osup_det"][head]
        - gstr3b_before["sup_details"]["osup_det"][head]
        for head in ("txval", "iamt", "camt", "samt")
    }
    assert added == {
        "txval": rupees(15_333 + 1_001),
        "iamt": rupees(1_817),
        "camt": rupees(25),
        "samt": rupees(25),
    }

    pdf = hub.client.get(url(shop, f"/debit-notes/{b2b['debit_note_id']}/note.pdf"))
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = read_back(pdf.content).text
    assert "Debit Note" in text
    assert b2b["note_no"] in text
    assert shop.b2b.invoice_no in text
    assert format_rupees(17_150, symbol=False) in text
    assert format_rupees(1_800, symbol=False) in text

    # Debit notes are append-only: the database refuses to rewrite or remove them.
    for table in (DebitNote, DebitNoteLine):
        for statement in (
            update(table).where(table.org_id == shop.org_id).values(org_id=table.org_id),
            delete(table).where(table.org_id == shop.org_id),
        ):
            with hub.runtime.engine.connect() as conn:
                with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
                    conn.execute(statement)
                conn.rollback()


def test_bad_debit_notes_are_refused_and_change_nothing(hub: Hub) -> None:
    shop = open_shop(hub)
    before = balances(hub, shop.org_id)
    cases: list[tuple[SaleRecorded | uuid.UUID, list[tuple[int, int]], int, str]] = [
        (shop.b2b, [], 422, "DEBIT_NOTE_EMPTY"),
        (shop.b2b, [(3, 100)], 422, "DEBIT_NOTE_LINE_UNKNOWN"),
        (shop.b2b, [(1, 100), (1, 200)], 422, "DEBIT_NOTE_LINE_UNKNOWN"),
        (shop.b2b, [(1, 0)], 422, "DEBIT_NOTE_AMOUNT_INVALID"),
        (shop.b2b, [(2, 100), (1, -500)], 422, "DEBIT_NOTE_AMOUNT_INVALID"),
        (uuid.uuid4(), [(1, 100)], 404, "SALE_NOT_FOUND"),
    ]
    for sale, lines, status, code in cases:
        sale_id = sale.sale_id if isinstance(sale, SaleRecorded) else sale
        body = {
            "debit_note_id": str(uuid.uuid4()),
            "reason": "Short-billed",
            "lines": [{"line_no": n, "taxable": t} for n, t in lines],
        }
        response = hub.client.post(url(shop, f"/sales/{sale_id}/debit-notes"), json=body)
        assert error_code(response, status) == code, (lines, response.text)
        assert response.json()["error"]["remediation"]
    missing = hub.client.get(url(shop, f"/debit-notes/{uuid.uuid4()}"))
    assert error_code(missing, 404) == "DEBIT_NOTE_NOT_FOUND"
    assert ok(hub.client.get(url(shop, "/debit-notes"))) == []  # type: ignore[comparison-overlap]
    assert debit_note_entries(hub, shop.org_id) == 0
    assert balances(hub, shop.org_id) == before

    # A sale that is not a valid invoice (the org has no GSTIN) gets no note.
    bare = hub.org()
    till = Till(bare, hub.device(bare, hub.store(bare)))
    sale = till.sale([Item(hub.product(bare))])
    assert hub.apply(till.seal(sale)).outcome == "applied"
    body = {
        "debit_note_id": str(uuid.uuid4()),
        "reason": "x",
        "lines": [{"line_no": 1, "taxable": 1}],
    }
    refused = hub.client.post(
        f"{API}/orgs/{bare['org_id']}/sales/{sale.sale_id}/debit-notes", json=body
    )
    assert error_code(refused, 422) == "INVOICE_INCONSISTENT"
    assert refused.json()["error"]["details"]["field"] == "seller.gstin"
    with hub.runtime.sessions() as session:
        notes = select(func.count()).where(DebitNote.org_id == uuid.UUID(bare["uuid"]))
        assert session.scalar(notes) == 0

    # "DN" starts the hub's debit-note numbers: no box may take it as its prefix.
    store = hub.store(shop.org)
    box = {"store_id": store["store_id"], "name": "Counter 2", "invoice_prefix": "DN"}
    taken = hub.client.post(url(shop, "/devices"), json=box)
    assert error_code(taken, 422) == "INVOICE_PREFIX_RESERVED"


def test_debit_note_numbers_fit_the_irp_rule() -> None:
    year = fiscal.financial_year(date(2027, 3, 31))
    assert debit_note_number(year, 1) == "DN/2627/000001"
    last = debit_note_number(year, 99_999_999)
    assert len(last) == 16
    assert fiscal.is_valid_invoice_number(last)
    with pytest.raises(SetLedgerError) as raised:
        debit_note_number(year, 10**8)
    assert raised.value.code == "INVOICE_SERIES_EXHAUSTED"
