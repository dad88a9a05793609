"""Sales reports: filters by store, box and Indian business date; totals in paise."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from setledger.fiscal import IST
from tests.hub.harness import Hub, error_code, ok
from tests.hub.sales_factory import Item, Till

MORNING = datetime(2026, 11, 20, 9, 0, tzinfo=IST)
# 00:30 IST on the 21st is still the 20th in UTC: the report must use the Indian date.
JUST_AFTER_MIDNIGHT = datetime(2026, 11, 21, 0, 30, tzinfo=IST)


def test_sales_are_filtered_and_totalled(hub: Hub) -> None:
    org = hub.org()
    andheri, thane = hub.store(org), hub.store(org)
    box_a1 = Till(org, hub.device(org, andheri))
    box_a2 = Till(org, hub.device(org, andheri))
    box_t = Till(org, hub.device(org, thane))
    salt = hub.product(org, price=2800)
    ghee = hub.product(org, sku="GHEE-1L", gst_rate_bp=1200, price=64_900, hsn="0405")
    made = {
        "a1_day1": box_a1.sale([Item(salt, qty=3000)], MORNING),
        "a1_day2": box_a1.sale([Item(ghee)], JUST_AFTER_MIDNIGHT),
        "a2_day1": box_a2.sale([Item(ghee), Item(salt)], MORNING),
        "t_day1": box_t.sale([Item(salt)], MORNING),
    }
    tills = {"a1": box_a1, "a2": box_a2, "t": box_t}
    for name, sale in made.items():
        assert hub.apply(tills[name.split("_")[0]].seal(sale)).outcome == "applied"

    def report(**params: Any) -> dict[str, Any]:
        return ok(hub.get(f"/orgs/{org['org_id']}/sales", **params))

    def expect(names: list[str], **params: Any) -> None:
        body = report(**params)
        sales = [made[n] for n in names]
        assert sorted(s["sale_id"] for s in body["sales"]) == sorted(str(s.sale_id) for s in sales)
        totals = body["totals"]
        assert totals["count"] == len(sales)
        for field in ("payable", "taxable", "cgst", "sgst", "igst", "cess"):
            assert totals[field] == sum(getattr(s.totals, field) for s in sales), field
            assert isinstance(totals[field], int)

    expect(list(made))
    expect(["a1_day1", "a1_day2", "a2_day1"], store_id=andheri["store_id"])
    expect(["t_day1"], store_id=thane["store_id"])
    expect(["a1_day1", "a1_day2"], device_id=box_a1.device["device_id"])
    expect(["a1_day1", "a2_day1", "t_day1"], day="2026-11-20")
    expect(["a1_day2"], day="2026-11-21")
    expect(
        ["a2_day1"],
        day="2026-11-20",
        store_id=andheri["store_id"],
        device_id=box_a2.device["device_id"],
    )
    expect([], day="2026-11-22")
    expect([], store_id=str(uuid.uuid4()))

    body = report(limit=2)
    assert len(body["sales"]) == 2
    assert body["totals"]["count"] == 4  # totals cover every match, not the page
    assert body["sales"][0]["sale_id"] == str(made["a1_day2"].sale_id)  # newest first
    summary = next(s for s in report()["sales"] if s["sale_id"] == str(made["a2_day1"].sale_id))
    sale = made["a2_day1"]
    assert summary["invoice_no"] == sale.invoice_no
    assert summary["business_date"] == "2026-11-20"
    assert summary["round_off"] == sale.totals.round_off
    assert summary["tenders"] == [
        {"kind": "cash", "amount": sale.totals.payable, "reference": None}
    ]
    assert (summary["store_id"], summary["device_id"]) == (
        andheri["store_id"],
        box_a2.device["device_id"],
    )


def test_bad_filters_and_unknown_sales(hub: Hub) -> None:
    org = hub.org()
    base = f"/orgs/{org['org_id']}/sales"
    assert error_code(hub.get(base, day="20-11-2026"), 422) == "REQUEST_INVALID"
    assert error_code(hub.get(base, limit=501), 422) == "REQUEST_INVALID"
    assert error_code(hub.get(f"{base}/{uuid.uuid4()}"), 404) == "SALE_NOT_FOUND"
    # A sale of another org is not found from this one.
    other = hub.org()
    box = Till(other, hub.device(other, hub.store(other)))
    envelope = box.sell([Item(hub.product(other))])
    assert hub.apply(envelope).outcome == "applied"
    assert error_code(hub.get(f"{base}/{envelope.key}"), 404) == "SALE_NOT_FOUND"
    assert ok(hub.get(base))["totals"]["count"] == 0
    assert ok(hub.get(f"/orgs/{other['org_id']}/sales/{envelope.key}"))["sale_id"] == envelope.key


def test_an_inter_state_sale_reports_igst(hub: Hub) -> None:
    org = hub.org()
    box = Till(org, hub.device(org, hub.store(org)))
    tv = hub.product(org, sku="TV-43", gst_rate_bp=1800, price=2_899_900, hsn="8528")
    sale = box.sale([Item(tv)], place_of_supply="29")  # delivered to Karnataka
    assert hub.apply(box.seal(sale)).outcome == "applied"
    detail = ok(hub.get(f"/orgs/{org['org_id']}/sales/{sale.sale_id}"))
    assert (detail["supply_kind"], detail["place_of_supply"]) == ("inter", "29")
    assert detail["igst"] == sale.totals.igst > 0
    assert detail["cgst"] == detail["sgst"] == 0
