"""Closing a financial year, on SQLite and PostgreSQL.

Two stores sell in FY 2025-26 (and one sale falls in 2026-27). Closing
2025-26 moves each store's profit to retained earnings in one entry and
locks the year: income and expense accounts of the year net to zero, the
P&L of the year still shows its profit, the balance sheet still balances
with the profit now retained, closing again posts nothing, a late sale of
the closed year rolls into the open one, and bad or unfinished years are
refused without changing anything.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from hub.ledger import reports, statements
from hub.ledger.sales import post_all_pending_sales
from setledger import chart, fiscal
from tests.hub.harness import API, Hub, ok
from tests.hub.sales_factory import Item, Till

OLD_YEAR_DAY = datetime(2025, 11, 20, 10, 30, tzinfo=fiscal.IST)
NEW_YEAR_DAY = datetime(2026, 4, 10, 10, 30, tzinfo=fiscal.IST)
YEAR_START, YEAR_END = date(2025, 4, 1), date(2026, 3, 31)
KINDS = {chart.AccountKind.INCOME.value, chart.AccountKind.EXPENSE.value}


def shop(hub: Hub) -> dict[str, Any]:
    org = hub.org()
    salt = hub.product(org)
    shirt = hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)
    books: dict[str, Any] = {"org": org, "org_id": uuid.UUID(org["uuid"]), "tills": {}}
    for name, count in (("A", 2), ("B", 1)):
        store = hub.store(org)
        till = Till(org, hub.device(org, store))
        for n in range(count):
            items = [Item(salt, qty=1000 + 500 * n), Item(shirt)]
            assert hub.apply(till.seal(till.sale(items, OLD_YEAR_DAY))).outcome == "applied"
        books[name] = uuid.UUID(str(store["store_id"]))
        books["tills"][name] = (till, salt)
    till, salt = books["tills"]["A"]
    assert hub.apply(till.seal(till.sale([Item(salt)], NEW_YEAR_DAY))).outcome == "applied"
    with hub.runtime.sessions() as session:
        assert post_all_pending_sales(session, books["org_id"]) == 4
    return books


def entry_count(hub: Hub, org_id: uuid.UUID) -> int:
    with hub.runtime.sessions() as session:
        return len(statements.day_book(session, org_id, YEAR_END))


def test_closing_a_year_moves_each_stores_profit_to_retained_earnings(hub: Hub) -> None:
    books = shop(hub)
    org_id, code = books["org_id"], books["org"]["org_id"]
    with hub.runtime.sessions() as session:
        pl_before = statements.profit_and_loss(session, org_id, YEAR_START, YEAR_END)
        store_profit = {
            s: statements.profit_and_loss(
                session, org_id, YEAR_START, YEAR_END, books[s]
            ).net_profit
            for s in "AB"
        }
        sheet_before = statements.balance_sheet(session, org_id, YEAR_END)
    assert pl_before.net_profit > 0

    closed = ok(
        hub.client.post(f"{API}/orgs/{code}/ledger/close-year", json={"financial_year": "2025-26"})
    )
    assert closed["profit"] == pl_before.net_profit
    assert closed["locked_through"] == "2026-03-31"

    with hub.runtime.sessions() as session:
        year_end_tb = reports.trial_balance(session, org_id, as_of=YEAR_END)
        pl_after = statements.profit_and_loss(session, org_id, YEAR_START, YEAR_END)
        sheet_after = statements.balance_sheet(session, org_id, YEAR_END)
        per_store = {s: statements.balance_sheet(session, org_id, YEAR_END, books[s]) for s in "AB"}
        next_year = statements.profit_and_loss(session, org_id, date(2026, 4, 1), date(2027, 3, 31))
    assert sum(b.balance for b in year_end_tb) == 0
    assert [b.code for b in year_end_tb if b.kind in KINDS] == []  # all closed
    retained = {b.code: b.balance for b in year_end_tb}[chart.RETAINED_EARNINGS]
    assert -retained == pl_before.net_profit
    assert pl_after == pl_before  # the year still shows its profit
    assert next_year.net_profit > 0  # the 2026-27 sale is not closed
    assert sheet_after.total_assets == sheet_before.total_assets
    assert sheet_after.total_equity == sheet_before.total_equity
    assert sheet_after.total_assets == sheet_after.total_liabilities + sheet_after.total_equity
    for store, sheet in per_store.items():
        equity = {line.code: line.amount for line in sheet.equity}
        assert equity == {chart.RETAINED_EARNINGS: store_profit[store]}

    entries = entry_count(hub, org_id)
    again = ok(
        hub.client.post(f"{API}/orgs/{code}/ledger/close-year", json={"financial_year": "2025-26"})
    )
    assert again["entry_id"] == closed["entry_id"]
    assert entry_count(hub, org_id) == entries

    # A sale of the closed year that reaches the hub late rolls into the open year.
    till, salt = books["tills"]["B"]
    assert hub.apply(till.seal(till.sale([Item(salt)], OLD_YEAR_DAY))).outcome == "applied"
    with hub.runtime.sessions() as session:
        assert post_all_pending_sales(session, org_id) == 1
        late = statements.day_book(session, org_id, date(2026, 4, 1))
    assert [e.source_type for e in late] == ["sale"]
    assert "posted after the lock" in late[0].narration


def test_a_bad_or_unfinished_year_is_refused_and_changes_nothing(hub: Hub) -> None:
    books = shop(hub)
    org_id, code = books["org_id"], books["org"]["org_id"]
    url = f"{API}/orgs/{code}/ledger/close-year"
    with hub.runtime.sessions() as session:
        before = reports.trial_balance(session, org_id)
    for label, status, error in (
        ("2025-27", 422, "LEDGER_YEAR_INVALID"),
        ("2025", 422, None),
        ("2024-26", 422, "LEDGER_YEAR_INVALID"),
        (f"{fiscal.financial_year(date.today()).label}", 409, "LEDGER_YEAR_OPEN"),
    ):
        response = hub.client.post(url, json={"financial_year": label})
        assert response.status_code == status, (label, response.text)
        if error is not None:
            assert response.json()["error"]["code"] == error
    with hub.runtime.sessions() as session:
        assert reports.trial_balance(session, org_id) == before
        assert statements.day_book(session, org_id, YEAR_END) == []
