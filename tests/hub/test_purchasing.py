"""Purchasing at the hub, through the API, on SQLite and PostgreSQL: a PO sent as a PDF,
received in two parts (a retry received once), billed (2150 cleared, the trial balance
zero); short-close and cancel; reorder suggestions that count what is on order."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pypdfium2
from sqlalchemy import func, select

from hub.accounts.audit import Actor
from hub.db.models import AuditRecord, PurchaseOrderEvent, StockMove
from hub.ledger.reports import trial_balance
from hub.stock.services import StockLine, receive_stock, ship_transfer
from hub.stock.valuation import post_stock_costs, value_org
from tests.hub.harness import API, Hub, error_code, make_gstin, ok

SYSTEM = Actor(None, "system")


class Shop:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.org = hub.org(gstin=make_gstin("27"))
        self.code = self.org["org_id"]
        self.org_id = uuid.UUID(self.org["uuid"])
        self.store = hub.store(self.org)
        self.store_id = self.store["store_id"]
        self.salt = hub.product(self.org, sku="SALT", name="Tata Salt 1kg", gst_rate_bp=500)
        self.salt_id = self.salt["product_id"]
        body = {"name": "Konkan Traders", "state_code": "27", "gstin": make_gstin("27", "AAACK1234K"),
                "phone": "+91 98200 12345", "email": "orders@konkan.example.in"}  # fmt: skip
        self.supplier = ok(self.post("/suppliers", body), 201)

    def url(self, path: str) -> str:
        return f"{API}/orgs/{self.code}{path}"

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.hub.client.post(self.url(path), json=body)

    def get(self, path: str, **params: Any) -> Any:
        return self.hub.client.get(self.url(path), params=params)

    def po(self, qty: int, unit_cost: int = 2000, **extra: Any) -> dict[str, Any]:
        body = {"supplier_id": self.supplier["supplier_id"], "location_id": self.store_id,
                "lines": [{"product_id": self.salt_id, "qty": qty, "unit_cost": unit_cost}],
                **extra}  # fmt: skip
        return ok(self.post("/purchase-orders", body), 201)

    def receive(self, po: dict[str, Any], receipt_id: uuid.UUID, qty: int) -> Any:
        body = {"receipt_id": str(receipt_id), "lines": [{"line_no": 1, "qty": qty}]}
        return self.post(f"/purchase-orders/{po['po_id']}/receipts", body)

    def on_hand(self) -> int:
        levels = rows(self.get(f"/stock/products/{self.salt_id}"))
        return sum(x["qty"] for x in levels if x["location_id"] == self.store_id)

    def balances(self) -> dict[str, int]:
        with self.hub.runtime.sessions() as session:
            return {b.code: b.balance for b in trial_balance(session, self.org_id)}


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def pdf_text(body: bytes) -> str:
    document = pypdfium2.PdfDocument(body)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_a_po_sent_received_in_two_parts_and_billed(hub: Hub) -> None:
    shop = Shop(hub)
    po = shop.po(5000)
    assert (po["number"], po["status"]) == ("PO-00001", "draft")
    r1, r2 = uuid.uuid4(), uuid.uuid4()
    assert error_code(shop.receive(po, r1, 2000), 409) == "PURCHASE_ORDER_STATE"

    sent = shop.post(f"/purchase-orders/{po['po_id']}/send")
    assert sent.status_code == 200
    assert sent.headers["content-type"] == "application/pdf"
    text = pdf_text(sent.content)
    for expected in ("Purchase Order", "PO-00001", "Konkan Traders", "Tata Salt 1kg", "SALT",
                     "5 PCS", "20.00", "100.00", "Andheri West"):  # fmt: skip
        assert expected in text, (expected, text)
    assert ok(shop.get(f"/purchase-orders/{po['po_id']}"))["status"] == "sent"

    first = ok(shop.receive(po, r1, 2000))
    assert first["status"] == "partially_received"
    assert (first["lines"][0]["received"], first["lines"][0]["outstanding"]) == (2000, 3000)
    assert ok(shop.receive(po, r1, 2000)) == first  # a retry: received once
    assert shop.on_hand() == 2000
    assert error_code(shop.receive(po, r1, 1000), 409) == "PURCHASE_RECEIPT_ID_REUSED"
    assert error_code(shop.receive(po, uuid.uuid4(), 3001), 409) == "PURCHASE_OVER_RECEIVED"
    assert ok(shop.get(f"/purchase-orders/{po['po_id']}")) == first  # refusals changed nothing

    done = ok(shop.receive(po, r2, 3000))
    assert done["status"] == "received"
    assert done["lines"][0]["outstanding"] == 0
    assert shop.on_hand() == 5000
    assert [e["kind"] for e in done["events"]] == ["created", "sent", "received", "received"]
    assert error_code(shop.post(f"/purchase-orders/{po['po_id']}/cancel", {}), 409) == (
        "PURCHASE_ORDER_STATE"
    )
    with hub.runtime.sessions() as session:
        moves = session.scalars(
            select(StockMove).where(StockMove.org_id == shop.org_id, StockMove.reason == "receipt")
        ).all()
        assert sorted((m.qty, m.unit_cost, str(m.location_id)) for m in moves) == [
            (2000, 2000, shop.store_id), (3000, 2000, shop.store_id)]  # fmt: skip
        valued = value_org(session, shop.org_id).valuations[uuid.UUID(shop.salt_id)]
        assert (valued.closing_qty, valued.closing_value) == (5000, 10000)
        audited = session.scalar(
            select(func.count()).where(AuditRecord.org_id == shop.org_id,
                                       AuditRecord.action == "purchasing.po_received")
        )  # fmt: skip
        assert audited == 2
    with hub.runtime.sessions() as session:
        post_stock_costs(session, shop.org_id)
    assert shop.balances()["2150"] == -10000  # received, not yet invoiced

    # The supplier bills Rs 21 a unit against the PO's Rs 20: Rs 5 more COGS.
    bill = {"bill_id": str(uuid.uuid4()), "bill_no": "KT/118", "bill_date": "2026-11-24",
            "unit_costs": [{"line_no": 1, "unit_cost": 2100}]}  # fmt: skip
    made = ok(shop.post(f"/purchase-orders/{po['po_id']}/bills", bill), 201)
    assert (made["received_value"], made["taxable"], made["difference"]) == (10000, 10500, 500)
    assert (made["tax"], made["payable"]) == (526, 11026)  # 2.5% + 2.5% of Rs 105, each rounded
    assert ok(shop.post(f"/purchase-orders/{po['po_id']}/bills", bill), 201) == made
    again = {**bill, "bill_id": str(uuid.uuid4()), "bill_no": "KT/119"}
    assert error_code(shop.post(f"/purchase-orders/{po['po_id']}/bills", again), 422) == (
        "SUPPLIER_BILL_INVALID"
    )
    balances = shop.balances()
    assert "2150" not in balances  # cleared to zero
    assert sum(balances.values()) == 0
    assert balances["1400"] == 10000
    assert balances["5000"] == 500
    assert (balances["1510"], balances["1511"], balances["2100"]) == (263, 263, -11026)
    assert [b["bill_no"] for b in ok(shop.get(f"/purchase-orders/{po['po_id']}"))["bills"]] == [
        "KT/118"
    ]


def test_short_close_cancel_and_reorder_suggestions(hub: Hub) -> None:
    shop = Shop(hub)
    closing = shop.po(10_000)
    shop.post(f"/purchase-orders/{closing['po_id']}/send")
    ok(shop.receive(closing, uuid.uuid4(), 4000))
    closed = ok(shop.post(f"/purchase-orders/{closing['po_id']}/close", {"reason": "discontinued"}))
    assert closed["status"] == "closed"
    assert closed["lines"][0]["outstanding"] == 0
    assert error_code(shop.receive(closed, uuid.uuid4(), 1000), 409) == "PURCHASE_ORDER_STATE"
    draft = shop.po(1000)
    cancelled = ok(shop.post(f"/purchase-orders/{draft['po_id']}/cancel", {"reason": "typo"}))
    assert cancelled["status"] == "cancelled"

    rule = {"min_qty": 8000, "max_qty": 20_000}
    path = f"/reorder-rules/{shop.store_id}/{shop.salt_id}"
    assert ok(shop.hub.client.put(shop.url(path), json=rule))["max_qty"] == 20_000
    bad = shop.hub.client.put(shop.url(path), json={"min_qty": 30_000, "max_qty": 20_000})
    assert error_code(bad, 422) == "REORDER_RULE_INVALID"
    where = {"location_id": shop.store_id}
    due = rows(shop.get("/reorder-suggestions", **where))
    assert [(s["on_hand"], s["on_order"], s["suggested_qty"]) for s in due] == [(4000, 0, 16_000)]

    open_po = shop.po(3000)
    shop.post(f"/purchase-orders/{open_po['po_id']}/send")
    due = rows(shop.get("/reorder-suggestions", **where))
    assert [(s["on_order"], s["suggested_qty"]) for s in due] == [(3000, 13_000)]

    body = {"supplier_id": shop.supplier["supplier_id"], "location_id": shop.store_id}
    drafted = ok(shop.post("/purchase-orders/from-suggestions", body), 201)
    assert drafted["status"] == "draft"
    assert [(x["qty"], x["unit_cost"], x["rate_bp"]) for x in drafted["lines"]] == [
        (13_000, 2000, 500)
    ]  # the last receipt's cost, the product's GST rate
    assert rows(shop.get("/reorder-suggestions", **where)) == []  # the draft is on order
    assert error_code(shop.post("/purchase-orders/from-suggestions", body), 422) == (
        "PURCHASE_ORDER_INVALID"
    )
    ok(shop.post(f"/purchase-orders/{drafted['po_id']}/cancel", {}))

    # Goods shipped from a warehouse towards the store count as in transit.
    warehouse = ok(shop.post("/stock/locations", {"code": "WH", "name": "Bhiwandi"}), 201)
    with hub.runtime.sessions() as session:
        salt, wh = uuid.UUID(shop.salt_id), uuid.UUID(warehouse["location_id"])
        receive_stock(
            session, shop.org_id, wh, [StockLine(salt, 5000, unit_cost=2000)], actor=SYSTEM
        )
        ship_transfer(session, shop.org_id, wh, uuid.UUID(shop.store_id), [StockLine(salt, 2000)],
                      actor=SYSTEM)  # fmt: skip
    shown = rows(shop.get("/reorder-suggestions", all_rules=True, **where))
    assert [(s["on_hand"], s["on_order"], s["in_transit"], s["suggested_qty"]) for s in shown] == [
        (4000, 3000, 2000, 0)
    ]
    with hub.runtime.sessions() as session:
        kinds = session.scalars(
            select(PurchaseOrderEvent.kind)
            .where(
                PurchaseOrderEvent.org_id == shop.org_id,
                PurchaseOrderEvent.po_id == uuid.UUID(closing["po_id"]),
            )
            .order_by(PurchaseOrderEvent.serial)
        ).all()
        assert kinds == ["created", "sent", "received", "closed"]
    listed = rows(shop.get("/purchase-orders", status=["sent", "partially_received"]))
    assert [p["number"] for p in listed] == [open_po["number"]]
    assert date.fromisoformat(listed[0]["created_at"][:10])


def test_urgent_reorders_from_the_counter_are_suggested_and_ordered_on_the_draft(hub: Hub) -> None:
    """A cashier asked for 24 atta (no min/max rule) and, twice, for salt (ruled):
    the store's suggestions carry them; the draft made from them orders 24 atta and
    the larger of the rule's and the counters' salt, and marks the three requests
    ordered on that PO; then nothing is due."""
    from tests.hub.sales_factory import Till
    from tests.hub.test_urgent_reorder import request, seal

    shop = Shop(hub)
    atta = hub.product(shop.org, sku="ATTA", name="Aashirvaad Atta 5kg", gst_rate_bp=500)
    till = Till(shop.org, hub.device(shop.org, shop.store), stream="reorders")
    asked = [request(till, atta, qty=24_000), request(till, shop.salt, qty=5000),
             request(till, shop.salt, qty=4000)]  # fmt: skip
    for document in asked:
        assert hub.apply(seal(till, document)).outcome == "applied"
    rule = {"min_qty": 2000, "max_qty": 6000}  # salt on hand 0: the rule wants 6
    ok(hub.client.put(shop.url(f"/reorder-rules/{shop.store_id}/{shop.salt_id}"), json=rule))

    due = {s["sku"]: s for s in rows(shop.get("/reorder-suggestions"))}
    assert sorted(due) == ["ATTA", "SALT"]
    assert (due["ATTA"]["min_qty"], due["ATTA"]["urgent_qty"], due["ATTA"]["suggested_qty"]) == (
        None, 24_000, 24_000,
    )  # fmt: skip
    assert (due["SALT"]["urgent_qty"], due["SALT"]["suggested_qty"]) == (9000, 9000)
    assert sorted(due["SALT"]["urgent_reorder_ids"]) == sorted(str(a.reorder_id) for a in asked[1:])

    body = {"supplier_id": shop.supplier["supplier_id"], "location_id": shop.store_id}
    drafted = ok(shop.post("/purchase-orders/from-suggestions", body), 201)
    lines = {x["product_id"]: x["qty"] for x in drafted["lines"]}
    assert lines == {atta["product_id"]: 24_000, shop.salt_id: 9000}
    store = f"{API}/orgs/{shop.code}/stores/{shop.store_id}/urgent-reorders"
    answered = ok(hub.client.get(store))
    assert {(r["status"], r["po_reference"]) for r in answered} == {("ordered", drafted["number"])}
    assert len(answered) == 3
    assert rows(shop.get("/reorder-suggestions", location_id=shop.store_id)) == []


def test_phones_on_a_po_are_received_by_serial_number(hub: Hub) -> None:
    """A PO for 2 phones (serial-tracked): one receipt names each unit on its own line
    of the PO's line 1; each becomes its serial lot at the PO's cost. A unit needs one
    unit per line, and a serial already in stock is refused, changing nothing."""
    shop = Shop(hub)
    phone = hub.product(shop.org, sku="PH-1", name="Redmi 13C", gst_rate_bp=1800,
                        price=1_500_000, serial_tracked=True)  # fmt: skip
    body = {"supplier_id": shop.supplier["supplier_id"], "location_id": shop.store_id,
            "lines": [{"product_id": phone["product_id"], "qty": 2000, "unit_cost": 1_200_000}]}  # fmt: skip
    po = ok(shop.post("/purchase-orders", body), 201)
    shop.post(f"/purchase-orders/{po['po_id']}/send")

    def receive(*units: tuple[str, int]) -> Any:
        lines = [{"line_no": 1, "qty": qty, "serial_no": s} for s, qty in units]
        return shop.post(f"/purchase-orders/{po['po_id']}/receipts",
                         {"receipt_id": str(uuid.uuid4()), "lines": lines})  # fmt: skip

    assert error_code(receive(("IMEI-7", 2000)), 422) == "STOCK_QTY_INVALID"
    received = ok(receive(("IMEI-7", 1000), ("IMEI-8", 1000)))
    assert received["status"] == "received"
    assert received["lines"][0]["outstanding"] == 0
    for serial_no in ("IMEI-7", "IMEI-8"):
        [unit] = ok(shop.get(f"/stock/serials/{serial_no}"))
        assert [(x["location_id"], x["qty"]) for x in unit["at"]] == [(shop.store_id, 1000)]
        assert [m["reason"] for m in unit["moves"]] == ["receipt"]
    again = ok(shop.post("/purchase-orders", body), 201)
    shop.post(f"/purchase-orders/{again['po_id']}/send")
    twice = shop.post(f"/purchase-orders/{again['po_id']}/receipts",
                      {"receipt_id": str(uuid.uuid4()),
                       "lines": [{"line_no": 1, "qty": 1000, "serial_no": "IMEI-7"}]})  # fmt: skip
    assert error_code(twice, 422) == "STOCK_QTY_INVALID"
    assert ok(shop.get(f"/purchase-orders/{again['po_id']}"))["status"] == "sent"


def test_a_bill_rounded_to_the_rupee_posts_its_round_off(hub: Hub) -> None:
    """Rs 20.13 x 5 = Rs 100.65 plus 5% GST (Rs 2.52 and Rs 2.52 after rounding each head)
    is Rs 105.69, billed as Rs 106.00: the round-off of 31 paise is posted to 4950 and the
    supplier is owed the rounded total. A round-off of a rupee or more, or another under
    the same bill id, is refused and changes nothing."""
    shop = Shop(hub)
    po = shop.po(5000, unit_cost=2013)
    shop.post(f"/purchase-orders/{po['po_id']}/send")
    ok(shop.receive(po, uuid.uuid4(), 5000))
    with hub.runtime.sessions() as session:
        post_stock_costs(session, shop.org_id)
    bill = {"bill_id": str(uuid.uuid4()), "bill_no": "KT/500", "bill_date": "2026-11-24"}
    url = f"/purchase-orders/{po['po_id']}/bills"
    for wrong in (100, -100):
        refused = shop.post(url, {**bill, "round_off": wrong})
        assert error_code(refused, 422) == "SUPPLIER_BILL_INVALID"
    assert ok(shop.get(f"/purchase-orders/{po['po_id']}"))["bills"] == []
    made = ok(shop.post(url, {**bill, "round_off": 31}), 201)
    assert (made["taxable"], made["tax"], made["round_off"], made["payable"]) == (
        10065,
        504,
        31,
        10600,
    )
    assert ok(shop.post(url, {**bill, "round_off": 31}), 201) == made  # a retry
    assert error_code(shop.post(url, {**bill, "round_off": 30}), 422) == "SUPPLIER_BILL_INVALID"
    balances = shop.balances()
    assert sum(balances.values()) == 0
    assert "2150" not in balances
    assert (balances["2100"], balances["4950"], balances["1400"]) == (-10600, 31, 10065)
