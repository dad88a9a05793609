"""Goods returned to the supplier against a purchase order, through the API, on SQLite and
PostgreSQL: a part sent back before the bill (the bill is for the rest, 2150 cleared), a
part sent back after it (a debit note with exact paise, input IGST taken back), a retry
recorded once, an over-return refused with nothing written, a serial-numbered unit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from hub.accounts.audit import Actor
from hub.db.models import AuditRecord, StockMove, SupplierReturn
from hub.ledger.reports import trial_balance
from hub.stock.services import StockLine, adjust_stock
from hub.stock.valuation import post_stock_costs, value_org
from setledger.valuation import Method, MoveKind, ValuationMove, value_moves
from tests.hub.harness import API, Hub, error_code, make_gstin, ok

U = 1000


class Buyer:
    """An org in Maharashtra with a store, a product and a supplier (in ``state``)."""

    def __init__(self, hub: Hub, *, state: str = "27", rate_bp: int = 500, **product: Any) -> None:
        self.hub = hub
        org = hub.org(gstin=make_gstin("27"))
        self.code, self.org_id = org["org_id"], uuid.UUID(org["uuid"])
        self.store_id = hub.store(org)["store_id"]
        self.product = hub.product(org, gst_rate_bp=rate_bp, **product)
        body = {"name": "Konkan Traders", "state_code": state,
                "gstin": make_gstin(state, "AAACK1234K")}  # fmt: skip
        self.supplier = ok(self.post("/suppliers", body), 201)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.hub.client.post(f"{API}/orgs/{self.code}{path}", json=body)

    def get(self, path: str) -> dict[str, Any]:
        return ok(self.hub.client.get(f"{API}/orgs/{self.code}{path}"))

    def received_po(self, qty: int, unit_cost: int, *lines: dict[str, Any]) -> dict[str, Any]:
        """A PO of ``qty`` sent and received (in the given receipt lines, or all at once)."""
        body = {"supplier_id": self.supplier["supplier_id"], "location_id": self.store_id,
                "lines": [{"product_id": self.product["product_id"], "qty": qty,
                           "unit_cost": unit_cost}]}  # fmt: skip
        po = ok(self.post("/purchase-orders", body), 201)
        assert self.post(f"/purchase-orders/{po['po_id']}/send").status_code == 200
        receipt = {"receipt_id": str(uuid.uuid4()),
                   "lines": list(lines) or [{"line_no": 1, "qty": qty}]}  # fmt: skip
        return ok(self.post(f"/purchase-orders/{po['po_id']}/receipts", receipt))

    def send_back(self, po: dict[str, Any], body: dict[str, Any]) -> Any:
        return self.post(f"/purchase-orders/{po['po_id']}/returns", body)

    def bill(self, po: dict[str, Any], bill_no: str, **extra: Any) -> Any:
        body = {"bill_id": str(uuid.uuid4()), "bill_no": bill_no, "bill_date": "2026-11-24",
                **extra}  # fmt: skip
        return self.post(f"/purchase-orders/{po['po_id']}/bills", body)

    def on_hand(self) -> int:
        levels = ok(self.hub.client.get(
            f"{API}/orgs/{self.code}/stock/products/{self.product['product_id']}"))  # fmt: skip
        return sum(x["qty"] for x in levels if x["location_id"] == self.store_id)  # type: ignore[union-attr]

    def post_costs(self) -> dict[str, int]:
        """Run the stock posting; the trial balance, checked balanced and equal to the stock."""
        with self.hub.runtime.sessions() as session:
            post_stock_costs(session, self.org_id)
        with self.hub.runtime.sessions() as session:
            balances = {b.code: b.balance for b in trial_balance(session, self.org_id)}
            stock = value_org(session, self.org_id)
        assert sum(balances.values()) == 0
        assert balances.get("1400", 0) == stock.total_value
        return balances

    def written(self) -> tuple[int, int, int]:
        """Supplier returns, their moves and their audit records."""
        with self.hub.runtime.sessions() as session:
            returns = session.scalar(select(func.count()).where(
                SupplierReturn.org_id == self.org_id))  # fmt: skip
            moves = session.scalar(select(func.count()).where(
                StockMove.org_id == self.org_id, StockMove.reason == "supplier_return"))  # fmt: skip
            audited = session.scalar(select(func.count()).where(
                AuditRecord.org_id == self.org_id,
                AuditRecord.action.in_(["purchasing.po_returned",
                                        "stock.returned_to_supplier"])))  # fmt: skip
        return int(returns or 0), int(moves or 0), int(audited or 0)


def test_a_part_returned_before_the_bill_is_not_billed(hub: Hub) -> None:
    shop = Buyer(hub)
    po = shop.received_po(10 * U, 2000)
    assert shop.post_costs()["2150"] == -20_000
    return_id = str(uuid.uuid4())
    body = {"return_id": return_id, "reason": "3 packets torn",
            "lines": [{"line_no": 1, "qty": 3 * U}]}  # fmt: skip

    made = ok(shop.send_back(po, body), 201)
    assert (made["number"], made["returned_value"], made["billed_value"]) == ("PO-00001", 6000, 0)
    assert (made["taxable"], made["tax"], made["payable"]) == (0, 0, 0)  # no debit note
    [line] = made["po"]["lines"]
    assert (line["received"], line["returned"], line["outstanding"]) == (10 * U, 3 * U, 0)
    assert made["po"]["status"] == "received"  # a return is not a re-order
    assert [e["kind"] for e in made["po"]["events"]][-1] == "returned"
    assert shop.on_hand() == 7 * U
    assert shop.written() == (1, 1, 2)

    assert ok(shop.send_back(po, body), 201) == made  # a retry: returned once
    assert shop.on_hand() == 7 * U
    other = {**body, "lines": [{"line_no": 1, "qty": 2 * U}]}
    assert error_code(shop.send_back(po, other), 409) == "PURCHASE_RETURN_ID_REUSED"
    receipt = {"receipt_id": return_id, "lines": [{"line_no": 1, "qty": 3 * U}]}
    assert error_code(shop.post(f"/purchase-orders/{po['po_id']}/receipts", receipt), 409) == (
        "PURCHASE_RECEIPT_ID_REUSED"  # a return's id is not a receipt's
    )

    # The stock run: Dr 2150, Cr 1400 at the PO's cost, so 2150 holds the 7 kept.
    balances = shop.post_costs()
    assert (balances["2150"], balances["1400"]) == (-14_000, 14_000)
    # The supplier bills the 7 kept: the bill nets the return.
    bill = ok(shop.bill(po, "KT/7"), 201)
    assert (bill["received_value"], bill["taxable"], bill["tax"], bill["payable"]) == (
        14_000, 14_000, 700, 14_700)  # fmt: skip
    balances = shop.post_costs()
    assert "2150" not in balances
    assert (balances["1400"], balances["1510"], balances["1511"], balances["2100"]) == (
        14_000, 350, 350, -14_700)  # fmt: skip
    assert [r["return_id"] for r in shop.get(f"/purchase-orders/{po['po_id']}")["returns"]] == [
        return_id
    ]


def test_a_return_after_the_bill_is_a_debit_note(hub: Hub) -> None:
    """Supplier in Karnataka (IGST 18%), billed at Rs 21 against the PO's Rs 20."""
    shop = Buyer(hub, state="29", rate_bp=1800)
    po = shop.received_po(10 * U, 2000)
    bill = ok(shop.bill(po, "KA/55", unit_costs=[{"line_no": 1, "unit_cost": 2100}]), 201)
    assert (bill["taxable"], bill["tax"], bill["payable"]) == (21_000, 3780, 24_780)

    body = {"return_id": str(uuid.uuid4()), "reason": "wrong grade",
            "lines": [{"line_no": 1, "qty": 4 * U}]}  # fmt: skip
    made = ok(shop.send_back(po, body), 201)
    # At the PO's cost out of 2150; at the bill's cost (Rs 21) and its IGST to the supplier.
    assert (made["returned_value"], made["billed_value"]) == (8000, 8000)
    assert (made["taxable"], made["tax"], made["payable"]) == (8400, 1512, 9912)
    assert [(x["qty"], x["billed_qty"], x["billed_cost"]) for x in made["lines"]] == [
        (4 * U, 4 * U, 2100)
    ]
    with hub.runtime.sessions() as session:
        note = {b.code: b.balance for b in trial_balance(session, shop.org_id)}
    # Before the stock run: the debit note alone on top of the bill.
    assert (note["2100"], note["1513"], note["2150"], note["5000"]) == (
        -24_780 + 9912, 3780 - 1512, 20_000 - 8000, 1000 - 400)  # fmt: skip

    balances = shop.post_costs()
    assert "2150" not in balances  # fully billed, part returned: nothing left in 2150
    assert balances == {"1400": 12_000, "1513": 2268, "2100": -14_868, "5000": 600}
    assert shop.on_hand() == 6 * U
    # The 6 left may go back too, not one more.
    more = {"return_id": str(uuid.uuid4()), "reason": "x", "lines": [{"line_no": 1, "qty": 6001}]}
    assert error_code(shop.send_back(po, more), 409) == "PURCHASE_OVER_RETURNED"


def test_an_over_return_is_refused_and_nothing_is_written(hub: Hub) -> None:
    shop = Buyer(hub)
    po = shop.received_po(5 * U, 1999)
    before = shop.get(f"/purchase-orders/{po['po_id']}")
    over = {"return_id": str(uuid.uuid4()), "reason": "all of it and more",
            "lines": [{"line_no": 1, "qty": 3 * U}, {"line_no": 1, "qty": 2001}]}  # fmt: skip
    refused = shop.send_back(po, over)
    assert error_code(refused, 409) == "PURCHASE_OVER_RETURNED"
    assert refused.json()["error"]["details"]["line_no"] == 1
    bad_line = {**over, "lines": [{"line_no": 2, "qty": U}]}
    assert error_code(shop.send_back(po, bad_line), 422) == "PURCHASE_ORDER_INVALID"
    assert shop.get(f"/purchase-orders/{po['po_id']}") == before
    assert shop.written() == (0, 0, 0)
    assert shop.on_hand() == 5 * U

    # Goods already gone (sold, say) cannot go back: nothing written either.
    with hub.runtime.sessions() as session:
        adjust_stock(session, shop.org_id, uuid.UUID(shop.store_id),
                     [StockLine(uuid.UUID(shop.product["product_id"]), -4 * U)],
                     reason="damaged", actor=Actor(None, "system"))  # fmt: skip
    gone = {"return_id": str(uuid.uuid4()), "reason": "r", "lines": [{"line_no": 1, "qty": 2 * U}]}
    assert error_code(shop.send_back(po, gone), 422) == "PURCHASE_RETURN_INVALID"
    assert shop.written() == (0, 0, 0)
    # A third of a unit at Rs 19.99: 6.663 paise a milli-unit rounds per move, and
    # the stock run and the bill still leave 2150 and the books exact.
    third = {"return_id": str(uuid.uuid4()), "reason": "r", "lines": [{"line_no": 1, "qty": 333}]}
    assert ok(shop.send_back(po, third), 201)["returned_value"] == 666
    bill = ok(shop.bill(po, "KT/9"), 201)
    assert bill["received_value"] == 9995 - 666
    assert "2150" not in shop.post_costs()


def test_a_serial_numbered_unit_goes_back(hub: Hub) -> None:
    shop = Buyer(hub, rate_bp=1800, name="Redmi 13C", serial_tracked=True)
    unit = {"line_no": 1, "qty": U}
    po = shop.received_po(2 * U, 1_200_000, {**unit, "serial_no": "IMEI-A"},
                          {**unit, "serial_no": "IMEI-B"})  # fmt: skip
    back = {"return_id": str(uuid.uuid4()), "reason": "dead on arrival",
            "lines": [{**unit, "serial_no": "IMEI-A"}]}  # fmt: skip
    made = ok(shop.send_back(po, back), 201)
    assert made["returned_value"] == 1_200_000
    [line] = made["lines"]
    [view] = hub.client.get(f"{API}/orgs/{shop.code}/stock/serials/IMEI-A").json()
    assert line["lot_id"] == view["lot_id"]
    assert view["at"] == []  # no longer anywhere
    assert [m["reason"] for m in view["moves"]] == ["receipt", "supplier_return"]
    assert shop.on_hand() == U

    again = {**back, "return_id": str(uuid.uuid4())}
    assert error_code(shop.send_back(po, again), 422) == "PURCHASE_RETURN_INVALID"  # gone
    stranger = {**back, "return_id": str(uuid.uuid4()),
                "lines": [{**unit, "serial_no": "IMEI-Z"}]}  # fmt: skip
    assert error_code(shop.send_back(po, stranger), 422) == "PURCHASE_RETURN_INVALID"
    two = {**back, "return_id": str(uuid.uuid4()),
           "lines": [{**unit, "qty": 2 * U, "serial_no": "IMEI-B"}]}  # fmt: skip
    assert error_code(shop.send_back(po, two), 409) == "PURCHASE_OVER_RETURNED"
    balances = shop.post_costs()
    assert (balances["1400"], balances["2150"]) == (1_200_000, -1_200_000)


def test_the_stock_cost_and_the_po_cost_differ_by_cogs() -> None:
    """Average of Rs 10 and Rs 14 is Rs 12; a unit of the Rs 14 order goes back: 1400
    loses Rs 12, 2150 is cleared of Rs 14, COGS takes Rs 2 less."""
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    ids = [uuid.UUID(int=n) for n in range(1, 4)]
    moves = [
        ValuationMove(ids[0], t0, MoveKind.RECEIPT, U, 1000),
        ValuationMove(ids[1], t0 + timedelta(hours=1), MoveKind.RECEIPT, U, 1400),
        ValuationMove(ids[2], t0 + timedelta(hours=2), MoveKind.SUPPLIER_RETURN, -U, 1400),
    ]
    average = value_moves(Method.AVERAGE, moves)
    back = average.moves[-1]
    assert (back.value, back.cleared, back.cogs) == (-1200, 1400, -200)
    assert (average.closing_qty, average.closing_value) == (U, 1200)
    fifo = value_moves(Method.FIFO, moves)
    assert (fifo.moves[-1].value, fifo.moves[-1].cogs, fifo.closing_value) == (-1000, -400, 1400)
    for valued in (average, fifo):
        receipts = valued.of_kind(MoveKind.RECEIPT)
        assert receipts - valued.cleared == valued.cogs + valued.closing_value
