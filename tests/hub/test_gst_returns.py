"""GST returns from ingested sales, through the routes, on SQLite and PostgreSQL.

Two boxes of one org sell a month through the Till factory: small B2C
sales, B2C inter-state sales above and below the B2CL limit, B2B sales to
registered buyers in and out of the state, three rates and HSN codes, and
one sale just past midnight on the 1st of the next month. Expected
figures are summed from the sales the boxes made, never typed in.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from hub.db.models import Org, Store
from hub.gst.invoices import invoice_for_sale, invoices_for_period, seller_of
from setledger import fiscal
from setledger.contracts import SaleRecorded
from setledger.contracts.sales import Buyer
from setledger.invoice import invoice_from_sale
from tests.hub.harness import API, Hub, make_gstin, ok
from tests.hub.sales_factory import Item, Till

B2CL_LIMIT = 1_00_000_00
"""RULES.md R16: B2C inter-state invoices above ₹1 lakh (from 1 Aug 2024) are B2CL."""
HEADS = {"txval": "taxable", "iamt": "igst", "camt": "cgst", "samt": "sgst", "csamt": "cess"}


def at(day: int, hour: int = 11, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=fiscal.IST)


@dataclass
class Month:
    org: dict[str, Any]
    org_id: uuid.UUID
    stores: dict[str, str]
    sales: dict[str, list[SaleRecorded]] = field(default_factory=dict)
    """November's sales by box."""

    @property
    def all(self) -> list[SaleRecorded]:
        return [sale for sales in self.sales.values() for sale in sales]


def buyer(state: str, pan: str) -> Buyer:
    return Buyer(name=f"Traders of {state}", gstin=make_gstin(state, pan), state=state)


def sell_a_month(hub: Hub) -> Month:
    org = hub.org(gstin=make_gstin("27"))
    salt = hub.product(org)  # 2501, 5%
    shirt = hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)
    tv = hub.product(org, name="LED TV", hsn="8528", gst_rate_bp=1800, price=45_000_00)
    b2b_27, b2b_29 = buyer("27", "AABCP1234C"), buyer("29", "AABCK5678D")
    plan: dict[str, list[tuple[datetime, list[Item], dict[str, Any]]]] = {
        "A": [
            (at(3), [Item(salt, qty=2000)], {}),
            (at(10), [Item(shirt), Item(salt)], {}),
            (at(15), [Item(tv, qty=3000)], {"place_of_supply": "29"}),  # B2CL
            (at(20), [Item(shirt, qty=5000), Item(tv)], {"buyer": b2b_27}),
            (at(1, 0, 30, month=12), [Item(salt)], {}),  # December in India
        ],
        "B": [
            (at(5), [Item(tv)], {"place_of_supply": "29"}),  # B2CS inter-state
            (at(25), [Item(tv, qty=2000), Item(salt)], {"place_of_supply": "29", "buyer": b2b_29}),
            (at(30, 23, 50), [Item(salt), Item(shirt)], {}),  # still November in India
        ],
    }
    month = Month(org, uuid.UUID(org["uuid"]), {})
    for box, sales in plan.items():
        store = hub.store(org)
        till = Till(org, hub.device(org, store))
        month.stores[box] = store["store_id"]
        month.sales[box] = []
        for sold_at, items, extra in sales:
            who = extra.pop("buyer", None)
            sale = till.sale(items, sold_at, **extra).model_copy(update={"buyer": who})
            assert hub.apply(till.seal(sale)).outcome == "applied"
            if sale.business_date.month == 11:
                month.sales[box].append(sale)
    return month


def money(value: Any) -> int:
    """Rupees as the return writes them (exact two places) to paise."""
    assert isinstance(value, Decimal), value
    assert value == value.quantize(Decimal("0.01"))
    return int(value * 100)


def sums(sales: list[SaleRecorded]) -> dict[str, int]:
    return {head: sum(getattr(s.totals, name) for s in sales) for head, name in HEADS.items()}


def fetch(hub: Hub, month: Month, report: str, **params: Any) -> Any:
    response = hub.get(f"/orgs/{month.org['org_id']}/gst/{report}", period="2026-11", **params)
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


@pytest.fixture
def month(hub: Hub) -> Month:
    return sell_a_month(hub)


def is_b2b(sale: SaleRecorded) -> bool:
    return sale.buyer is not None and sale.buyer.gstin is not None


def is_b2cl(sale: SaleRecorded) -> bool:
    inter = sale.place_of_supply != sale.seller_state
    return not is_b2b(sale) and inter and sale.totals.payable > B2CL_LIMIT


def test_gstr1_sections_add_up_to_the_sales_made(hub: Hub, month: Month) -> None:
    gstr1 = fetch(hub, month, "gstr1")
    assert gstr1["gstin"] == month.org["gstin"]
    assert gstr1["fp"] == "112026"
    b2b = [s for s in month.all if is_b2b(s)]
    b2cl = [s for s in month.all if is_b2cl(s)]
    b2cs = [s for s in month.all if not is_b2b(s) and not is_b2cl(s)]
    assert (len(b2b), len(b2cl), len(b2cs)) == (2, 1, 4), "the plan covers every section"

    totals = fetch(hub, month, "gstr1", format="totals")
    for name, sales in (("b2b", b2b), ("b2cl", b2cl), ("b2cs", b2cs)):
        assert {head: totals[name][head] for head in HEADS} == sums(sales), name
    assert totals["b2b"]["count"] == len(b2b)
    assert totals["b2cl"]["count"] == len(b2cl)
    b2cs_rows = {
        (s.supply_kind.value, s.place_of_supply, line.rate_bp) for s in b2cs for line in s.lines
    }
    assert totals["b2cs"]["count"] == len(b2cs_rows)
    for table, sales in (("hsn_b2b", b2b), ("hsn_b2c", b2cl + b2cs)):
        assert {head: totals[table][head] for head in HEADS} == sums(sales), table
        rows = {(line.hsn, line.rate_bp) for s in sales for line in s.lines}
        assert totals[table]["count"] == len(rows)
    # The totals are the JSON's own amounts: b2b invoice by invoice.
    filed = {inv["inum"]: inv for group in gstr1["b2b"] for inv in group["inv"]}
    assert set(filed) == {s.invoice_no for s in b2b}
    for sale in b2b:
        items = [item["itm_det"] for item in filed[sale.invoice_no]["itms"]]
        assert sum(money(item["txval"]) for item in items) == sale.totals.taxable
        assert money(filed[sale.invoice_no]["val"]) == sale.totals.payable
    ctins = {group["ctin"] for group in gstr1["b2b"]}
    assert ctins == {s.buyer.gstin for s in b2b if s.buyer}


def test_doc_issue_lists_one_series_per_box(hub: Hub, month: Month) -> None:
    gstr1 = fetch(hub, month, "gstr1")
    (invoices,) = gstr1["doc_issue"]["doc_det"]
    assert invoices["doc_num"] == 1
    got = {(row["from"], row["to"], row["totnum"], row["cancel"]) for row in invoices["docs"]}
    expected = {
        (sales[0].invoice_no, sales[-1].invoice_no, len(sales), 0) for sales in month.sales.values()
    }
    assert got == expected
    assert len(got) == 2

    one_store = fetch(hub, month, "gstr1", store_id=month.stores["B"])
    (only,) = one_store["doc_issue"]["doc_det"][0]["docs"]
    assert only["totnum"] == len(month.sales["B"])


def test_section_csv_parses_and_matches_the_json(hub: Hub, month: Month) -> None:
    base = f"/orgs/{month.org['org_id']}/gst/gstr1"
    b2b = [s for s in month.all if is_b2b(s)]
    response = hub.get(base, period="2026-11", format="csv", section="b2b")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["inum"] for row in rows} == {s.invoice_no for s in b2b}
    assert sum(money(Decimal(row["txval"])) for row in rows) == sums(b2b)["txval"]
    hsn = list(
        csv.DictReader(
            io.StringIO(hub.get(base, format="csv", section="hsn", period="2026-11").text)
        )
    )
    assert sum(money(Decimal(row["txval"])) for row in hsn) == sums(month.all)["txval"]
    assert {row["table"] for row in hsn} == {"hsn_b2b", "hsn_b2c"}
    refused = hub.get(base, period="2026-11", format="csv", section="gstr9")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "REQUEST_INVALID"


def test_gstr3b_outward_supplies_equal_the_months_sales(hub: Hub, month: Month) -> None:
    gstr3b = fetch(hub, month, "gstr3b")
    assert gstr3b["ret_period"] == "112026"
    taxable = gstr3b["sup_details"]["osup_det"]
    assert {head: money(taxable[head]) for head in HEADS} == sums(month.all)
    unregistered = [s for s in month.all if not is_b2b(s) and s.place_of_supply == "29"]
    (row,) = gstr3b["inter_sup"]["unreg_details"]
    assert row["pos"] == "29"
    assert money(row["txval"]) == sums(unregistered)["txval"]
    assert money(row["iamt"]) == sums(unregistered)["iamt"]
    december = hub.get(f"/orgs/{month.org['org_id']}/gst/gstr3b", period="2026-12")
    assert json.loads(december.text, parse_float=Decimal)["sup_details"]["osup_det"]["txval"] > 0


def test_stored_sales_rebuild_the_kernels_invoice(hub: Hub, month: Month) -> None:
    with hub.runtime.sessions() as session:
        org = session.get(Org, month.org_id)
        assert org is not None
        expected = []
        for box, sales in month.sales.items():
            store = session.get(Store, (month.org_id, uuid.UUID(month.stores[box])))
            assert store is not None
            expected += [invoice_from_sale(sale, seller_of(org, store)) for sale in sales]
        got = invoices_for_period(session, month.org_id, date(2026, 11, 1), date(2026, 11, 30))
        assert sorted(got, key=lambda i: i.number) == sorted(expected, key=lambda i: i.number)
        first = month.sales["A"][0]
        assert invoice_for_sale(session, month.org_id, first.sale_id).number == first.invoice_no


def test_a_bad_buyer_gstin_refuses_the_return_naming_invoice_and_field(hub: Hub) -> None:
    org = hub.org(gstin=make_gstin("27"))
    till = Till(org, hub.device(org, hub.store(org)))
    good = make_gstin("27", "AABCP1234C")
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    sale = till.sale([Item(hub.product(org))]).model_copy(
        update={"buyer": Buyer(name="Typo Traders", gstin=bad, state="27")}
    )
    assert hub.apply(till.seal(sale)).outcome == "applied"
    for report in ("gstr1", "gstr3b"):
        response = hub.get(f"/orgs/{org['org_id']}/gst/{report}", period="2026-11")
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "INVOICE_INCONSISTENT"
        assert error["details"]["invoice_no"] == sale.invoice_no
        assert error["details"]["field"] == "buyer.gstin"
        assert sale.invoice_no in error["message"]


def test_period_must_be_a_month(hub: Hub) -> None:
    org = hub.org(gstin=make_gstin("27"))
    for period in ("2026-13", "11-2026", "2026-1"):
        response = hub.get(f"/orgs/{org['org_id']}/gst/gstr1", period=period)
        assert response.status_code == 422, period
    empty = ok(hub.client.get(f"{API}/orgs/{org['org_id']}/gst/gstr1", params={"format": "totals"}))
    assert all(total["count"] == 0 for total in empty.values())


def test_a_store_registered_in_another_state_files_under_its_own_gstin(hub: Hub) -> None:
    org = hub.org(gstin=make_gstin("27"))
    salt = hub.product(org)
    home = Till(org, hub.device(org, hub.store(org)))
    bengaluru_gstin = make_gstin("29", "AABCS9876E")
    away = Till(org, hub.device(org, hub.store(org, state_code="29", gstin=bengaluru_gstin)))
    sales = {"home": home.sale([Item(salt)]), "away": away.sale([Item(salt)], seller_state="29")}
    assert hub.apply(home.seal(sales["home"])).outcome == "applied"
    assert hub.apply(away.seal(sales["away"])).outcome == "applied"

    for gstin, who in ((None, "home"), (bengaluru_gstin, "away")):
        params = {} if gstin is None else {"gstin": gstin}
        gstr1 = fetch(hub, Month(org, uuid.UUID(org["uuid"]), {}), "gstr1", **params)
        assert gstr1["gstin"] == (gstin or org["gstin"])
        (row,) = gstr1["doc_issue"]["doc_det"][0]["docs"]
        assert row["from"] == row["to"] == sales[who].invoice_no
        (b2cs,) = gstr1["b2cs"]
        assert money(b2cs["txval"]) == sales[who].totals.taxable


def test_a_store_in_another_state_without_its_own_gstin_is_refused(hub: Hub) -> None:
    org = hub.org(gstin=make_gstin("27"))
    away = Till(org, hub.device(org, hub.store(org, state_code="29")))
    sale = away.sale([Item(hub.product(org))], seller_state="29")
    assert hub.apply(away.seal(sale)).outcome == "applied"
    response = hub.get(f"/orgs/{org['org_id']}/gst/gstr1", period="2026-11")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "INVOICE_INCONSISTENT"
    assert error["details"]["invoice_no"] == sale.invoice_no
    assert error["details"]["sale_id"] == str(sale.sale_id)
    assert "another state" in error["message"]
