"""Statements per store and consolidated per org, on SQLite and PostgreSQL.

Two stores sell on two days and one sale is reversed: the P&L nets to
income - expense, the balance sheet balances to the paisa, the day book
lists each day's entries, GST per head is the sales' tax less the
reversal, the stores add up to the org, and the CSV reads back the same.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from openpyxl import load_workbook

from hub.ledger import journal, reports, statements
from hub.ledger.sales import post_all_pending_sales
from setledger import chart
from setledger.money import parse_rupees
from setledger.postings import Posting, reverse
from setledger.tenders import Tender, TenderKind
from tests.hub.harness import Hub, ok
from tests.hub.sales_factory import SOLD_AT, Item, Till, day_after

HEAD_OF = {"cgst": "CGST", "sgst": "SGST", "igst": "IGST", "cess": "cess"}
RATE_FIGURES = ("taxable", "cgst", "sgst", "igst", "cess")
FIGURE_OF = {
    chart.SALES_PREFIX: "taxable",
    chart.OUTPUT_CGST: "cgst",
    chart.OUTPUT_SGST: "sgst",
    chart.OUTPUT_IGST: "igst",
    chart.OUTPUT_CESS: "cess",
}
DAY_1, DAY_2, DAY_3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)


def two_stores(hub: Hub) -> dict[str, Any]:
    """Store A sells three times on day 1; store B twice on day 1 and once on day 2.

    Returns the org, the stores' ids and each store's tax per head (paise).
    """
    org = hub.org()
    salt = hub.product(org)
    shirt = hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)
    books: dict[str, Any] = {"org": org, "org_id": uuid.UUID(org["uuid"]), "tax": {}, "rates": {}}
    plan = {"A": [SOLD_AT] * 3, "B": [SOLD_AT, SOLD_AT, day_after(SOLD_AT)]}
    for name, days in plan.items():
        store = hub.store(org)
        till = Till(org, hub.device(org, store))
        tax = dict.fromkeys(HEAD_OF, 0)
        for n, sold_at in enumerate(days):
            items = [Item(salt, qty=1000 + 500 * n), Item(shirt)]
            payable = till.sale(items, sold_at).totals.payable
            till.next_serial -= 1  # the same invoice number, now with its tender
            tenders = [Tender(TenderKind.UPI, payable, f"R{n}")] if n == 1 else None
            sale = till.sale(items, sold_at, tenders=tenders)
            for head in HEAD_OF:
                tax[head] += getattr(sale.totals, head)
            for line in sale.lines:
                per = books["rates"].setdefault(line.rate_bp, dict.fromkeys(RATE_FIGURES, 0))
                for figure in RATE_FIGURES:
                    per[figure] += getattr(line, figure)
            assert hub.apply(till.seal(sale)).outcome == "applied"
        books[name] = uuid.UUID(str(store["store_id"]))
        books["tax"][name] = tax
    with hub.runtime.sessions() as session:
        assert post_all_pending_sales(session, books["org_id"]) == 6
    return books


def reverse_first_sale_of(hub: Hub, books: dict[str, Any], store: str) -> dict[str, int]:
    """Reverse the store's first sale on day 3; returns the tax per head it took back.

    What it took back per rate and figure is left in ``books["taken_back"]``.
    """
    with hub.runtime.sessions() as session:
        first = statements.day_book(session, books["org_id"], DAY_1, books[store])[0]
        postings = [Posting(line.code, line.amount, books[store]) for line in first.lines]
        with session.begin():
            journal.post(
                session, books["org_id"], [reverse(first.entry_id, postings, DAY_3, "wrong till")]
            )
    taken_back: dict[int, dict[str, int]] = {}
    heads = {"CGST": 0, "SGST": 0}
    for line in first.lines:
        rate, figure = chart.rate_of(line.code), FIGURE_OF.get(chart.parent_of(line.code))
        if rate is None or figure is None:
            continue
        per = taken_back.setdefault(rate, dict.fromkeys(RATE_FIGURES, 0))
        per[figure] -= line.amount  # the sale's credits: negative amounts
        if figure in ("cgst", "sgst"):
            heads[figure.upper()] -= line.amount
    books["taken_back"] = taken_back
    return heads


def test_profit_and_loss_nets_income_less_expense_and_stores_sum_to_the_org(hub: Hub) -> None:
    books = two_stores(hub)
    org_id = books["org_id"]
    with hub.runtime.sessions() as session:
        org = statements.profit_and_loss(session, org_id, DAY_1, DAY_2)
        parts = [statements.profit_and_loss(session, org_id, DAY_1, DAY_2, books[s]) for s in "AB"]
        day_2 = statements.profit_and_loss(session, org_id, DAY_2, DAY_2)
    assert org.total_income > 0
    assert org.net_profit == org.total_income - org.total_expenses
    assert sum(line.amount for line in org.income) == org.total_income
    assert {line.code for line in org.income} >= {"4000-0500", "4000-1200"}
    assert sum(p.net_profit for p in parts) == org.net_profit
    assert sum(p.total_income for p in parts) == org.total_income
    assert 0 < day_2.total_income < org.total_income


def test_the_balance_sheet_balances_exactly_per_store_and_for_the_org(hub: Hub) -> None:
    books = two_stores(hub)
    reverse_first_sale_of(hub, books, "A")
    org_id = books["org_id"]
    with hub.runtime.sessions() as session:
        sheets = [
            statements.balance_sheet(session, org_id, DAY_3, store)
            for store in (None, books["A"], books["B"])
        ]
        pl = statements.profit_and_loss(session, org_id, date(2026, 4, 1), DAY_3)
    org, a, b = sheets
    for sheet in sheets:
        assert sheet.total_assets == sheet.total_liabilities + sheet.total_equity
    earnings = {line.name: line.amount for line in org.equity}
    assert earnings[statements.CURRENT_EARNINGS] == pl.net_profit
    assert a.total_assets + b.total_assets == org.total_assets
    assert a.total_liabilities + b.total_liabilities == org.total_liabilities
    assert {line.code for line in org.liabilities} == {
        chart.rated_account(head, rate)
        for head in (chart.OUTPUT_CGST, chart.OUTPUT_SGST)
        for rate in (500, 1200)
    }


def test_the_day_book_lists_the_days_entries_with_their_lines(hub: Hub) -> None:
    books = two_stores(hub)
    org_id = books["org_id"]
    with hub.runtime.sessions() as session:
        day_1 = statements.day_book(session, org_id, DAY_1)
        day_2 = statements.day_book(session, org_id, DAY_2)
        of_b = statements.day_book(session, org_id, DAY_1, books["B"])
        assert statements.day_book(session, org_id, DAY_3) == []
    assert (len(day_1), len(day_2), len(of_b)) == (5, 1, 2)
    assert [e.seq for e in day_1] == sorted(e.seq for e in day_1)
    for entry in [*day_1, *day_2]:
        assert entry.source_type == "sale"
        assert entry.lines
        assert sum(line.amount for line in entry.lines) == 0
    assert {e.entry_id for e in of_b} <= {e.entry_id for e in day_1}


def test_gst_liability_is_the_sales_tax_per_head_less_the_reversal(hub: Hub) -> None:
    books = two_stores(hub)
    taken_back = reverse_first_sale_of(hub, books, "A")
    org_id = books["org_id"]
    with hub.runtime.sessions() as session:
        org = statements.gst_liability(session, org_id, DAY_1, DAY_3)
        parts = {s: statements.gst_liability(session, org_id, DAY_1, DAY_3, books[s]) for s in "AB"}
    sold = {HEAD_OF[h]: books["tax"]["A"][h] + books["tax"]["B"][h] for h in HEAD_OF}
    heads = {h.head: h for h in org.by_head}
    assert set(heads) == {"CGST", "SGST"}  # intra-state sales only
    for head, row in heads.items():
        assert row.output == sold[head]
        assert row.reduced == taken_back[head] > 0
        assert row.payable == sold[head] - taken_back[head]
    assert org.total_payable == sum(sold.values()) - sum(taken_back.values())
    assert sum(p.total_payable for p in parts.values()) == org.total_payable
    for head in ("CGST", "SGST"):
        b = {h.head: h.payable for h in parts["B"].by_head}[head]
        assert b == books["tax"]["B"][head.lower()]
    rates = {r.rate_bp: r for r in org.by_rate}
    assert set(rates) == set(books["rates"]) == {500, 1200}
    for rate, row in rates.items():
        back = books["taken_back"].get(rate, dict.fromkeys(RATE_FIGURES, 0))
        for figure in RATE_FIGURES:
            assert getattr(row, figure) == books["rates"][rate][figure] - back[figure], figure
    assert sum(r.tax for r in org.by_rate) == org.total_payable


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_routes_answer_json_and_csv_with_the_same_paise(hub: Hub) -> None:
    books = two_stores(hub)
    reverse_first_sale_of(hub, books, "A")
    code = books["org"]["org_id"]
    base = f"/orgs/{code}/ledger"
    period = {"date_from": "2026-11-01", "date_to": "2026-11-30"}

    tb = ok(hub.get(f"{base}/trial-balance"))
    tb_csv = rows_of(hub.get(f"{base}/trial-balance", format="csv"))
    assert {r["code"]: parse_rupees(r["balance"]) for r in tb_csv} == {
        a["code"]: a["balance"] for a in tb["accounts"]
    }

    pl = ok(hub.get(f"{base}/profit-and-loss", **period))
    assert pl["net_profit"] == pl["total_income"] - pl["total_expenses"]
    pl_csv = rows_of(hub.get(f"{base}/profit-and-loss", **period, format="csv"))
    totals = {r["name"]: parse_rupees(r["amount"]) for r in pl_csv if r["section"] == "total"}
    assert totals["net profit"] == pl["net_profit"]
    assert totals["total income"] == pl["total_income"]
    income = {r["code"]: parse_rupees(r["amount"]) for r in pl_csv if r["section"] == "income"}
    assert income == {line["code"]: line["amount"] for line in pl["income"]}

    bs = ok(hub.get(f"{base}/balance-sheet", as_of="2026-11-30", store_id=str(books["B"])))
    assert bs["total_assets"] == bs["total_liabilities"] + bs["total_equity"] > 0
    bs_csv = rows_of(hub.get(f"{base}/balance-sheet", as_of="2026-11-30", format="csv"))
    named = {r["name"]: parse_rupees(r["amount"]) for r in bs_csv if r["section"] == "total"}
    assert named["total assets"] == named["total liabilities"] + named["total equity"]

    book = ok(hub.get(f"{base}/day-book", day="2026-11-22"))
    assert [e["source_type"] for e in book] == ["reversal"]
    book_csv = rows_of(hub.get(f"{base}/day-book", day="2026-11-20", format="csv"))
    debits = sum(parse_rupees(r["debit"]) for r in book_csv if r["debit"])
    credits = sum(parse_rupees(r["credit"]) for r in book_csv if r["credit"])
    assert debits == credits > 0
    assert len({r["seq"] for r in book_csv}) == 5

    gst = ok(hub.get(f"{base}/gst-liability", **period))
    gst_csv = rows_of(hub.get(f"{base}/gst-liability", **period, format="csv"))
    by_head = {r["head_or_rate"]: parse_rupees(r["amount"]) for r in gst_csv if r["kind"] == "head"}
    assert by_head == {h["head"]: h["payable"] for h in gst["by_head"]}
    total = next(r for r in gst_csv if r["kind"] == "total")
    assert parse_rupees(total["amount"]) == gst["total_payable"]
    by_rate = {r["head_or_rate"] for r in gst_csv if r["kind"] == "rate"}
    assert by_rate == {"5%", "12%"}


def test_xlsx_holds_the_csv_table_with_exact_two_place_amounts(hub: Hub) -> None:
    books = two_stores(hub)
    base = f"/orgs/{books['org']['org_id']}/ledger"
    pl = ok(hub.get(f"{base}/profit-and-loss"))
    response = hub.get(f"{base}/profit-and-loss", format="xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("section", "code", "name", "amount")
    # openpyxl reads numbers back as float: compare through two-place text only.
    amounts = {row[2]: parse_rupees(f"{row[3]:.2f}") for row in rows[1:]}
    assert amounts["net profit"] == pl["net_profit"]
    assert amounts["total income"] == pl["total_income"]


def test_the_general_ledger_downloads_with_opening_running_and_closing_balances(
    hub: Hub,
) -> None:
    books = two_stores(hub)
    base = f"/orgs/{books['org']['org_id']}/ledger"
    code = "4000-0500"
    with hub.runtime.sessions() as session:
        before = {
            b.code: b.balance for b in reports.trial_balance(session, books["org_id"], as_of=DAY_1)
        }
        after = {
            b.code: b.balance for b in reports.trial_balance(session, books["org_id"], as_of=DAY_2)
        }
    rows = rows_of(hub.get(f"{base}/accounts/{code}/entries", since="2026-11-21", format="csv"))
    opening, *lines, closing = rows
    assert opening["narration"] == "opening balance"
    assert parse_rupees(opening["balance"]) == before[code] != 0
    assert closing["narration"] == "closing balance"
    assert parse_rupees(closing["balance"]) == after[code]
    assert len(lines) == 1  # store B's one sale on day 2
    running = before[code]
    for line in lines:
        running += parse_rupees(line["debit"] or "0") - parse_rupees(line["credit"] or "0")
        assert parse_rupees(line["balance"]) == running
    assert running == after[code]
    xlsx = hub.get(f"{base}/accounts/{code}/entries", since="2026-11-21", format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["date", "seq", "narration"]
    assert sheet.max_row == len(rows) + 1
    unknown = hub.get(f"{base}/accounts/9999/entries", format="csv")
    assert unknown.status_code == 404, unknown.text
