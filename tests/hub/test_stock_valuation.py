"""Stock at cost at the hub, on SQLite and PostgreSQL: the books hold the valuation.

Receipts at two costs, a box's sales and a return are valued per product
by the org's method and posted by the shared poster (``post_every_org``):
the trial balance's inventory equals the valuation and COGS the issue
costs less the return, to the paisa. A change of method, and a sale that
reaches the hub after its costs were posted, are booked as revaluations.
The expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from hub.db.models import StockMove
from hub.ledger import reports
from hub.ledger.sales import post_every_org
from setledger import chart, fiscal
from setledger.ids import new_id
from tests.hub.harness import Hub, ok
from tests.hub.sales_factory import Item, ReturnsDesk, Till

API = "/api/v1"
SOLD = datetime(2026, 11, 20, 11, 0, tzinfo=fiscal.IST)
RETURNED = datetime(2026, 11, 21, 16, 0, tzinfo=fiscal.IST)


def add_move(hub: Hub, org_id: uuid.UUID, product: dict[str, Any], **fields: Any) -> None:
    """A move as the hub's stock ledger records one (receipts, adjustments, transfers)."""
    at = fields.pop("moved_at")
    with hub.runtime.sessions() as session, session.begin():
        session.add(
            StockMove(
                org_id=org_id,
                move_id=new_id(),
                device_id=None,
                product_id=uuid.UUID(product["product_id"]),
                sale_id=None,
                moved_at=at,
                business_date=fiscal.business_date(at),
                received_at=at,
                **{"store_id": None, "location_id": None, "unit_cost": None, **fields},
            )
        )


def receive(
    hub: Hub, store: dict[str, Any], product: dict[str, Any], units: int, cost: int, day: int
) -> None:
    """A receipt at the store: ``units`` at ``cost`` paise each, at 9:00 on ``day`` of November."""
    add_move(
        hub,
        uuid.UUID(store["org_uuid"]),
        product,
        store_id=uuid.UUID(store["store_id"]),
        qty=units * 1000,
        reason="receipt",
        unit_cost=cost,
        moved_at=datetime(2026, 11, day, 9, 0, tzinfo=fiscal.IST),
    )


def books(hub: Hub, org_id: uuid.UUID) -> dict[str, int]:
    with hub.runtime.sessions() as session:
        return {b.code: b.balance for b in reports.trial_balance(session, org_id)}


def test_the_books_hold_the_valuation_to_the_paisa(hub: Hub) -> None:
    org = hub.org()
    org_id = uuid.UUID(org["uuid"])
    store = {**hub.store(org), "org_uuid": org["uuid"]}
    device = hub.device(org, store)
    rice = hub.product(org, name="Rice 1kg", price=150_00)
    soap = hub.product(org, name="Soap", price=12_00)
    receive(hub, store, rice, 10, 100_00, 17)  # 10 @ ₹100.00 = ₹1,000.00
    receive(hub, store, rice, 6, 120_00, 18)  # a PO received in two parts:
    receive(hub, store, rice, 4, 120_00, 19)  # 10 @ ₹120.00 = ₹1,200.00
    receive(hub, store, soap, 5, 7_77, 19)  # 5 @ ₹7.77 = ₹38.85
    till, desk = Till(org, device), ReturnsDesk(org, device)
    first = till.sale([Item(rice, 12_000)], SOLD)
    second = till.sale([Item(rice, 3_000), Item(soap, 1_000)], SOLD)
    for sale in (first, second):
        assert hub.apply(till.seal(sale)).outcome == "applied"
    back = desk.give_back(first, {1: 2_000}, RETURNED)
    assert hub.apply(desk.seal(back)).outcome == "applied"

    # Weighted average (the default), by hand:
    #  rice: 20 for 2,200.00 (110.00 each); first sale 12 = 1,320.00, 8 left = 880.00;
    #        second 3 = 880 x 3/8 = 330.00, 5 left = 550.00; 2 back at the first
    #        sale's cost 1,320 x 2/12 = 220.00, 7 left = 770.00
    #  soap: 5 for 38.85; 1 sold = 7.77, 4 left = 31.08
    posted = post_every_org(hub.runtime.sessions, org["org_id"])
    # 2 sales + 1 return + 4 receipts + 2 costs of sale + 1 return to stock
    assert posted == {org["org_id"]: 10}
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 0}
    trial = books(hub, org_id)
    assert trial[chart.INVENTORY] == 770_00 + 31_08
    assert trial[chart.COGS] == 1_320_00 + 330_00 + 7_77 - 220_00
    assert trial[chart.GOODS_RECEIVED_NOT_INVOICED] == -(2_200_00 + 38_85)
    assert sum(trial.values()) == 0

    valuation = ok(hub.get(f"/orgs/{org['org_id']}/stock/valuation"))
    assert valuation["method"] == "average"
    assert valuation["total_value"] == trial[chart.INVENTORY]
    by_product = {p["product_id"]: (p["qty"], p["value"]) for p in valuation["products"]}
    assert by_product == {rice["product_id"]: (7_000, 770_00), soap["product_id"]: (4_000, 31_08)}

    # FIFO for the whole history: rice's first sale = 10 @ 100 + 2 @ 120 = 1,240.00,
    # the second 3 @ 120 = 360.00, the return 1,240 x 2/12 = 206.67: 7 left worth
    # 5 @ 120 + 206.67 = 806.67. The books move by a revaluation of 36.67.
    chosen = hub.client.put(
        f"{API}/orgs/{org['org_id']}/stock/valuation/method", json={"method": "fifo"}
    )
    assert ok(chosen) == {"method": "fifo"}
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 1}
    trial = books(hub, org_id)
    assert trial[chart.INVENTORY] == 806_67 + 31_08
    assert trial[chart.COGS] == 1_240_00 + 360_00 + 7_77 - 206_67
    assert ok(hub.get(f"/orgs/{org['org_id']}/stock/valuation"))["total_value"] == 837_75

    # A sale made offline earlier reaches the hub after the costs were posted:
    # its own cost is posted, and what it changes for the later ones is revalued.
    late = till.sale([Item(rice, 8_000)], datetime(2026, 11, 19, 18, 0, tzinfo=fiscal.IST))
    assert hub.apply(till.seal(late)).outcome == "applied"
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 3}
    # FIFO again: the late 8 = 8 @ 100 = 800.00; then the first sale 2 @ 100 +
    # 10 @ 120 = 1,400.00 and all 20 are gone: the second sale's 3 are oversold,
    # charged at the last unit's 120.00 = 360.00 (a negative layer); the return,
    # 1,400 x 2/12 = 233.33, covers 2 of them, settling 233.33 against the 240.00
    # charged (-6.67 COGS); 1 unit is still short, -120.00.
    trial = books(hub, org_id)
    assert trial[chart.INVENTORY] == -120_00 + 31_08
    assert trial[chart.COGS] == 800_00 + 1_400_00 + 360_00 + 7_77 - 233_33 - 6_67
    assert sum(trial.values()) == 0
    valuation = ok(hub.get(f"/orgs/{org['org_id']}/stock/valuation"))
    by_product = {p["product_id"]: (p["qty"], p["value"]) for p in valuation["products"]}
    assert by_product[rice["product_id"]] == (-1_000, -120_00)


def test_counts_adjust_at_cost_and_transfers_move_no_value(hub: Hub) -> None:
    """Through the stock API: a warehouse, a receipt, counts and a transfer via transit."""
    org = hub.org()
    org_id = uuid.UUID(org["uuid"])
    store = hub.store(org)
    oil = hub.product(org, name="Oil 1L", price=180_00)["product_id"]
    stock = f"{API}/orgs/{org['org_id']}/stock"

    def post(path: str, body: dict[str, Any], status: int = 201) -> Any:
        response = hub.client.post(f"{stock}{path}", json=body)
        assert response.status_code == status, response.text
        return response.json()

    def count(units: int) -> None:
        post("/counts", {"location_id": wh, "product_id": oil, "counted_qty": units * 1000})

    wh = post("/locations", {"code": "WH-1", "name": "Bhiwandi"})["location_id"]
    post("/receipts", {"location_id": wh, "lines": [{"product_id": oil, "qty": 10_000,
                                                     "unit_cost": 50_00}]})  # fmt: skip
    count(8)  # 2 missing: -2 x 50.00 = -100.00 to stock adjustments
    # 3 shipped to the store through transit and received: four moves, no value.
    line = {"product_id": oil, "qty": 3_000}
    body = {"from_location_id": wh, "to_location_id": store["store_id"], "lines": [line]}
    shipped = post("/transfers", body)
    post(f"/transfers/{shipped['transfer_id']}/receive", {}, 200)
    count(5)  # 8 - 3 = 5: exact, nothing to adjust
    count(6)  # 1 found, at the current cost 50.00
    assert post_every_org(hub.runtime.sessions, org["org_id"]) == {org["org_id"]: 3}
    trial = books(hub, org_id)
    # 10 received for 500.00, 2 lost (100.00), 1 found (50.00): 9 on hand (6 at the
    # warehouse, 3 at the store) worth 450.00.
    assert trial[chart.INVENTORY] == 450_00
    assert trial[chart.STOCK_ADJUSTMENTS] == 100_00 - 50_00
    assert trial[chart.GOODS_RECEIVED_NOT_INVOICED] == -500_00
    valuation = ok(hub.get(f"/orgs/{org['org_id']}/stock/valuation"))
    assert [(p["qty"], p["value"]) for p in valuation["products"]] == [(9_000, 450_00)]
