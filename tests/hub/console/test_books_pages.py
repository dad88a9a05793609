"""The books in Chromium: an owner opens the trial balance, an account's
general ledger, the day book, P&L, balance sheet and GST liability of two
stores' sales, per store and for the org; every figure shown is the JSON
API's (read from the API, not written here), the CSV and XLSX downloads hold
the same table, a bad filter is shown as a problem with no figures, and a
cashier cannot open the books (page or API). The returns page shows GSTR-1's
section totals as the API counts them and downloads GSTR-1/GSTR-3B.

Runs on SQLite and PostgreSQL (a few seconds each).
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from hub.console import books
from hub.ingest import apply_envelope
from hub.ledger.sales import post_all_pending_sales
from setledger import chart
from setledger.money import format_rupees, parse_rupees
from setledger.tenders import Tender, TenderKind
from tests.hub.console.conftest import NewContext
from tests.hub.console.support import (
    CSP_ERROR,
    ConsoleServer,
    Seeded,
    api_json,
    shot,
    watch,
)
from tests.hub.console.test_products_pages import _cashier_token
from tests.hub.harness import make_gstin
from tests.hub.sales_factory import SOLD_AT, Item, Till, day_after

API = "/api/v1"
DAY_1, DAY_2 = date(2026, 11, 20), date(2026, 11, 21)


def _api(console: ConsoleServer, token: str) -> httpx.Client:
    """The JSON API with the console's own session cookie (the API accepts it)."""
    return httpx.Client(base_url=console.base_url, cookies={"setledger_session": token})


def _two_stores_selling(console: ConsoleServer, owner: Seeded) -> dict[str, Any]:
    """Store A sells twice on day 1 (a gold chain of over a lakh in the first);
    store B once on day 1 (by UPI) and once on day 2."""
    org_path = f"{API}/orgs/{owner.org_code}"
    with _api(console, owner.token) as api:
        org = api_json(api.get(org_path))
        product = {"hsn": "2501", "gst_rate_bp": 500, "price": 2800}
        salt = api_json(
            api.post(f"{org_path}/products", json={"sku": "SALT", "name": "Salt", **product}), 201
        )
        shirt_fields = {
            "sku": "SHIRT",
            "name": "Shirt",
            "hsn": "6205",
            "gst_rate_bp": 1200,
            "price": 79_900,
        }
        shirt = api_json(api.post(f"{org_path}/products", json=shirt_fields), 201)
        gold_fields = {**shirt_fields, "sku": "GOLD", "name": "Gold chain", "hsn": "7113"}
        gold_fields |= {"gst_rate_bp": 300, "price": 12_345_678}
        gold = api_json(api.post(f"{org_path}/products", json=gold_fields), 201)
        found: dict[str, Any] = {"org_uuid": uuid.UUID(org["uuid"])}
        plan = {"A": [SOLD_AT, SOLD_AT], "B": [SOLD_AT, day_after(SOLD_AT)]}
        for name, days in plan.items():
            body = {"name": f"Store {name}", "code": name, "state_code": "27"}
            store = api_json(api.post(f"{org_path}/stores", json=body), 201)
            device_body = {
                "store_id": store["store_id"],
                "name": "Counter 1",
                "invoice_prefix": f"C{name}",
            }
            till = Till(org, api_json(api.post(f"{org_path}/devices", json=device_body), 201))
            for n, sold_at in enumerate(days):
                items = [Item(salt, qty=1000 + 500 * n), Item(shirt)]
                if name == "A" and n == 0:
                    items.append(Item(gold))
                tenders = None
                if name == "B" and n == 0:
                    payable = till.sale(items, sold_at).totals.payable
                    till.next_serial -= 1
                    tenders = [Tender(TenderKind.UPI, payable, "UPI-1")]
                envelope = till.sell(items, sold_at, tenders=tenders)
                outcome = apply_envelope(
                    console.runtime.sessions,
                    envelope,
                    datetime.now(UTC),
                    metrics=console.runtime.ingest_metrics,
                )
                assert outcome.outcome == "applied"
            found[name] = store["store_id"]
    with console.runtime.sessions() as session:
        assert post_all_pending_sales(session, found["org_uuid"]) == 4
    return found


def _cells(page: Any, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def _money(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).strip()


def _download(page: Any, link: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.click(link)
    target = tmp_path / str(info.value.suggested_filename)
    info.value.save_as(target)
    return target


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_owner_reads_the_books_and_downloads_them_and_a_cashier_cannot(
    console: ConsoleServer,
    new_context: NewContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = console.seed_owner()
    stores = _two_stores_selling(console, owner)
    ledger = f"{API}/orgs/{owner.org_code}/ledger"
    api = _api(console, owner.token)
    context = new_context(owner.token)
    page = context.new_page()
    errors = watch(page)

    # From the navigation to the trial balance as of day 2, for the whole org.
    page.goto(console.url("/console/"))
    page.click("nav a[href='/console/books']")
    expect(page.locator("h1")).to_have_text("Books")
    page.click("#report-trial-balance")
    page.fill("#as_of", DAY_2.isoformat())
    page.click("#show")
    tb = api_json(api.get(f"{ledger}/trial-balance", params={"as_of": DAY_2.isoformat()}))
    assert tb["total"] == 0
    assert len(tb["accounts"]) >= 5
    rows = page.locator("#trial-balance tbody tr")
    expect(rows).to_have_count(len(tb["accounts"]))
    for n, account in enumerate(tb["accounts"]):
        row = rows.nth(n)
        assert row.get_attribute("data-code") == account["code"]
        side = ".debit" if account["balance"] > 0 else ".credit"
        assert row.locator(side).inner_text() == format_rupees(abs(account["balance"]))
    debit = sum(a["balance"] for a in tb["accounts"] if a["balance"] > 0)
    assert debit > 0
    assert _money(page, "#total-debit") == _money(page, "#total-credit") == format_rupees(debit)
    assert _money(page, "#total") == "₹0.00"
    # Store A's cash is over a lakh: grouped the Indian way (lakh, thousand).
    cash_a = next(a for a in tb["accounts"] if a["code"] == "1100-A")
    shown_cash = page.locator("#trial-balance tr[data-code='1100-A'] .debit").inner_text()
    assert re.fullmatch(r"₹\d{1,2},\d{2},\d{3}\.\d{2}", shown_cash), shown_cash
    assert parse_rupees(shown_cash) == cash_a["balance"]
    shot(page, "books-trial-balance")

    # The CSV download is the same table, in rupees.
    table = _csv_rows(_download(page, "#download-csv", tmp_path))
    assert [(r["code"], parse_rupees(r["balance"])) for r in table] == [
        (a["code"], a["balance"]) for a in tb["accounts"]
    ]
    workbook = load_workbook(_download(page, "#download-xlsx", tmp_path))
    sheet = workbook.active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["code", "name", "kind", "balance"]
    assert sheet.max_row == len(tb["accounts"]) + 1

    # Store A only: its own figures, and the org's total is the stores' sum.
    page.select_option("#store", stores["A"])
    page.click("#show")
    of_a = api_json(
        api.get(
            f"{ledger}/trial-balance",
            params={"as_of": DAY_2.isoformat(), "store_id": stores["A"]},
        )
    )
    expect(page.locator("#trial-balance tbody tr")).to_have_count(len(of_a["accounts"]))
    assert _money(page, "#total") == "₹0.00"
    shown = {
        str(row.get_attribute("data-code")): int(str(row.get_attribute("data-balance")))
        for row in page.locator("#trial-balance tbody tr").all()
    }
    assert shown == {a["code"]: a["balance"] for a in of_a["accounts"]}

    # The salt's sales account (in every sale) opens its general ledger (store A, to day 2).
    sales = next(a for a in of_a["accounts"] if a["code"] == chart.sales_account(500))
    page.click(f"#trial-balance tr[data-code='{sales['code']}'] a.account")
    expect(page).to_have_url(
        f"{console.base_url}/console/books/ledger/{sales['code']}?date_to={DAY_2.isoformat()}&store={stores['A']}"
    )
    entries = api_json(
        api.get(
            f"{ledger}/accounts/{sales['code']}/entries",
            params={"until": DAY_2.isoformat(), "store_id": stores["A"]},
        )
    )
    lines = page.locator("#ledger tr.line")
    expect(lines).to_have_count(len(entries))
    assert [int(str(r.get_attribute("data-seq"))) for r in lines.all()] == [
        e["seq"] for e in entries
    ]
    for n, entry in enumerate(entries):
        assert lines.nth(n).locator(".credit").inner_text() == format_rupees(-entry["amount"])
    assert _money(page, "#opening") == "₹0.00"
    assert _money(page, "#closing") == format_rupees(sales["balance"])
    shot(page, "books-ledger")

    # The org's ledger of that account, two lines a page: the running balance
    # carries across pages and ends at the org's balance.
    monkeypatch.setattr(books, "PAGE_SIZE", 2)
    page.goto(console.url(f"/console/books/ledger/{sales['code']}?date_to={DAY_2.isoformat()}"))
    org_entries = api_json(
        api.get(f"{ledger}/accounts/{sales['code']}/entries", params={"until": DAY_2.isoformat()})
    )
    assert len(org_entries) == 4
    expect(page.locator("#ledger tr.line")).to_have_count(2)
    page.click("#next")
    expect(page.locator("#page")).to_have_text("Page 2 of 2")
    expect(page.locator("#ledger tr.line")).to_have_count(2)
    expect(page.locator("#next")).to_have_count(0)
    org_balance = next(a["balance"] for a in tb["accounts"] if a["code"] == sales["code"])
    assert sum(e["amount"] for e in org_entries) == org_balance
    last_balance = page.locator("#ledger tr.line").nth(1).locator("td.money").last
    assert last_balance.inner_text() == format_rupees(org_balance)
    ledger_csv = _csv_rows(_download(page, "#download-csv", tmp_path))
    assert parse_rupees(ledger_csv[-1]["balance"]) == org_balance
    assert len(ledger_csv) == len(org_entries) + 2  # opening and closing rows

    # The day book of day 1: three sales, debits equal credits.
    page.click("nav.books-nav >> text=Day book")
    page.fill("#day", DAY_1.isoformat())
    page.click("#show")
    day_book = api_json(api.get(f"{ledger}/day-book", params={"day": DAY_1.isoformat()}))
    assert len(day_book) == 3
    expect(page.locator("#day-book tbody.entry")).to_have_count(3)
    day_debit = sum(line["amount"] for e in day_book for line in e["lines"] if line["amount"] > 0)
    assert _money(page, "#total-debit") == _money(page, "#total-credit") == format_rupees(day_debit)
    day_csv = _csv_rows(_download(page, "#download-csv", tmp_path))
    assert sum(parse_rupees(r["debit"] or "0") for r in day_csv) == day_debit
    shot(page, "books-day-book")

    # P&L over both days, for the org and for store B.
    period = {"date_from": DAY_1.isoformat(), "date_to": DAY_2.isoformat()}
    for store in ("", stores["B"]):
        query = "&".join(f"{k}={v}" for k, v in {**period, "store": store}.items())
        page.goto(console.url(f"/console/books/profit-and-loss?{query}"))
        params = {**period, **({"store_id": store} if store else {})}
        pl = api_json(api.get(f"{ledger}/profit-and-loss", params=params))
        assert pl["total_income"] > 0
        assert _money(page, "#income-total") == format_rupees(pl["total_income"])
        assert _money(page, "#expenses-total") == format_rupees(pl["total_expenses"])
        assert _money(page, "#net-profit") == format_rupees(pl["net_profit"])
        assert _cells(page, "#income tr[data-code] td.money") == [
            format_rupees(line["amount"]) for line in pl["income"]
        ]
    shot(page, "books-profit-and-loss")

    # The balance sheet on day 2 balances.
    page.goto(console.url(f"/console/books/balance-sheet?as_of={DAY_2.isoformat()}"))
    bs = api_json(api.get(f"{ledger}/balance-sheet", params={"as_of": DAY_2.isoformat()}))
    assert bs["total_assets"] == bs["total_liabilities"] + bs["total_equity"] > 0
    assert _money(page, "#assets-total") == format_rupees(bs["total_assets"])
    assert _money(page, "#liabilities-and-equity") == format_rupees(bs["total_assets"])
    assert _cells(page, "#equity tr[data-code] td:nth-child(2)")[-1] == bs["equity"][-1]["name"]
    shot(page, "books-balance-sheet")

    # GST liability by head and by rate.
    page.goto(console.url(f"/console/books/gst-liability?date_from={DAY_1}&date_to={DAY_2}"))
    gst = api_json(api.get(f"{ledger}/gst-liability", params=period))
    assert {h["head"] for h in gst["by_head"]} == {"CGST", "SGST"}
    for head in gst["by_head"]:
        cells = _cells(page, f"#by-head tr[data-head='{head['head']}'] td.money")
        assert cells == [format_rupees(head[k]) for k in ("output", "reduced", "payable")]
    assert _money(page, "#total-payable") == format_rupees(gst["total_payable"])
    assert [r.get_attribute("data-rate-bp") for r in page.locator("#by-rate tbody tr").all()] == [
        str(r["rate_bp"]) for r in gst["by_rate"]
    ]
    assert {r["rate_bp"] for r in gst["by_rate"]} == {300, 500, 1200}
    for rate in gst["by_rate"]:
        cells = _cells(page, f"#by-rate tr[data-rate-bp='{rate['rate_bp']}'] td.money")
        keys = ("taxable", "cgst", "sgst", "igst", "cess")
        expected = [rate[k] for k in keys]
        assert cells == [format_rupees(v) for v in [*expected, sum(expected[1:])]]
    gst_csv = _csv_rows(_download(page, "#download-csv", tmp_path))
    assert parse_rupees(gst_csv[-1]["amount"]) == gst["total_payable"]
    shot(page, "books-gst-liability")

    # A bad filter: the problem beside the field, no figures, nothing downloadable.
    response = page.goto(console.url("/console/books/day-book?day=2026-13-40&store=nope"))
    assert response is not None
    assert response.status == 422
    expect(page.locator("#day-error")).to_contain_text("YYYY-MM-DD")
    expect(page.locator("#store-error")).to_contain_text("stores")
    expect(page.locator("#day-book")).to_have_count(0)
    expect(page.locator("#download-csv")).to_have_count(0)
    response = page.goto(console.url("/console/books/ledger/NOPE-1"))
    assert response is not None
    assert response.status == 404
    assert not [e for e in errors if CSP_ERROR.search(e)], errors

    # A cashier has no books.read: the console's 403 page, and the API refuses too.
    cashier_token = _cashier_token(console, owner.token)
    cashier = new_context(cashier_token).new_page()
    for path in ("/console/books", "/console/books/trial-balance", "/console/books/ledger/1000"):
        response = cashier.goto(console.url(path))
        assert response is not None, path
        assert response.status == 403, path
    expect(cashier.locator(".problem")).to_contain_text("cashier")
    expect(cashier.locator("#trial-balance")).to_have_count(0)
    expect(cashier.locator("nav a[href='/console/books']")).to_have_count(0)  # no link either
    shot(cashier, "books-cashier-refused")
    with _api(console, cashier_token) as as_cashier:
        assert as_cashier.get(f"{ledger}/trial-balance").status_code == 403
    api.close()


def test_returns_page_shows_gstr1_totals_and_downloads_the_returns(
    console: ConsoleServer, new_context: NewContext, tmp_path: Path
) -> None:
    owner = console.seed_owner()
    stores = _two_stores_selling(console, owner)
    org_path = f"{API}/orgs/{owner.org_code}"
    api = _api(console, owner.token)
    page = new_context(owner.token).new_page()
    errors = watch(page)

    # No GSTIN yet: the page says what to do, and shows no return.
    page.goto(console.url("/console/books"))
    page.click("#report-returns")
    expect(page.locator(".problem")).to_contain_text("no GSTIN")
    expect(page.locator("#gstr1-totals")).to_have_count(0)

    gstin = make_gstin("27")
    profile = {"gstin": gstin, "legal_name": "Sharma General Stores"}
    api_json(api.put(f"{org_path}/tax-profile", json=profile))
    page.fill("#period", "2026-11")
    page.click("#show")
    expect(page.locator("#gstin")).to_have_text(gstin)
    totals = api_json(
        api.get(f"{org_path}/gst/gstr1", params={"period": "2026-11", "format": "totals"})
    )
    assert totals["b2cs"]["count"] > 0
    rows = page.locator("#gstr1-totals tbody tr")
    assert [r.get_attribute("data-section") for r in rows.all()] == list(totals)
    for name, total in totals.items():
        row = page.locator(f"#gstr1-totals tr[data-section='{name}']")
        assert row.locator(".count").inner_text() == str(total["count"])
        assert _cells(page, f"#gstr1-totals tr[data-section='{name}'] td[data-paise]") == [
            format_rupees(total[k]) for k in ("txval", "iamt", "camt", "samt", "csamt")
        ]
    shot(page, "books-returns")

    # The downloads are the API's: GSTR-1 JSON, a section's CSV, GSTR-3B JSON.
    filed = json.loads(_download(page, "#gstr1-json", tmp_path).read_text(encoding="utf-8"))
    assert (filed["gstin"], filed["fp"]) == (gstin, "112026")
    b2cs = _csv_rows(_download(page, "#section-csvs a[data-section='b2cs']", tmp_path))
    assert len(b2cs) == totals["b2cs"]["count"]
    gstr3b = json.loads(_download(page, "#gstr3b-json", tmp_path).read_text(encoding="utf-8"))
    assert gstr3b["ret_period"] == "112026"

    # One store's return, and a month that is not one.
    page.select_option("#store", stores["B"])
    page.click("#show")
    of_b = api_json(
        api.get(
            f"{org_path}/gst/gstr1",
            params={"period": "2026-11", "format": "totals", "store_id": stores["B"]},
        )
    )
    assert 0 < of_b["b2cs"]["txval"] < totals["b2cs"]["txval"]
    cell = page.locator("#gstr1-totals tr[data-section='b2cs'] td[data-paise]").first
    assert cell.inner_text() == format_rupees(of_b["b2cs"]["txval"])
    response = page.goto(console.url("/console/books/returns?period=2026-13"))
    assert response is not None
    assert response.status == 422
    expect(page.locator("#period-error")).to_contain_text("YYYY-MM")
    assert not [e for e in errors if CSP_ERROR.search(e)], errors
    api.close()
