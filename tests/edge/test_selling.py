"""The box sells on its own: no hub and no broker exist in these tests."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.services.checkout import LineRequest, SaleRequest, record_sale
from edge.settings import BoxSettings
from setledger.canonical import sha256_hex
from setledger.contracts import PricePoint, SaleRecorded, validate_sale
from setledger.product_qr import product_qr_payload
from setledger.tenders import Tender, TenderKind
from tests.edge.conftest import ORG, START, Box, SettableClock, make_bundle
from tests.edge.staff import approval, sign_in

CASH = "cash"


def test_a_cash_sale_gives_change_and_an_invoice_number(box: Box) -> None:
    r = box.sell(
        [{"code": box.barcode("ATTA-5KG"), "qty": 2}, {"code": "PARLEG-250"}],
        [{"kind": CASH, "amount": 70000}],
    )
    assert r.status_code == 201, r.text
    body = r.json()
    sale = body["sale"]
    assert sale["invoice_no"] == "C1/2627/000001"
    assert sale["financial_year"] == "2026-27"
    # 2 x 285.00 + 25.00, prices include 5% GST, intra-state (27 -> 27).
    assert sale["totals"]["payable"] == 59500
    assert sale["totals"]["change"] == 70000 - 59500
    assert body["display"]["change"] == "₹105.00"
    assert sale["supply_kind"] == "intra"
    assert sale["totals"]["cgst"] == sale["totals"]["sgst"] > 0
    assert sale["totals"]["igst"] == 0
    assert not body["replayed"]


def test_invoice_numbers_run_in_sequence(box: Box) -> None:
    numbers = [
        box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}]).json()["sale"][
            "invoice_no"
        ]
        for _ in range(3)
    ]
    assert numbers == ["C1/2627/000001", "C1/2627/000002", "C1/2627/000003"]


def test_upi_card_and_split_tenders(box: Box) -> None:
    upi = box.sell([{"code": "TEA-250"}], [{"kind": "upi", "amount": 14500, "reference": "UPI123"}])
    assert upi.status_code == 201, upi.text
    assert upi.json()["sale"]["totals"]["change"] == 0
    card = box.sell(
        [{"code": "TEA-250"}], [{"kind": "card", "amount": 14500, "reference": "AUTH9"}]
    )
    assert card.status_code == 201, card.text
    split = box.sell(
        [{"code": "DOVE-SH-180"}],
        [
            {"kind": "upi", "amount": 10000, "reference": "UPI77"},
            {"kind": CASH, "amount": 10000},
        ],
    )
    assert split.status_code == 201, split.text
    totals = split.json()["sale"]["totals"]
    assert (totals["payable"], totals["tendered"], totals["change"]) == (18500, 20000, 1500)
    rows = box.rows(
        "SELECT kind, amount, reference FROM sale_tender WHERE sale_id = ? ORDER BY tender_no",
        split.json()["sale"]["sale_id"],
    )
    assert rows == [("upi", 10000, "UPI77"), ("cash", 10000, None)]


def test_every_sale_has_its_outbox_row_and_stock_moves(box: Box) -> None:
    for _ in range(3):
        r = box.sell(
            [{"code": "MAGGI-70", "qty": 3}, {"code": "TOOR-LOOSE", "qty": "0.750"}],
            [{"kind": CASH, "amount": 20000}],
        )
        assert r.status_code == 201, r.text
    outbox = box.rows("SELECT seq, stream, key, payload, payload_sha256, schema_name FROM outbox")
    assert [row[0] for row in outbox] == [1, 2, 3]
    for _seq, stream, key, payload, digest, schema in outbox:
        assert (stream, schema) == ("sales", "sale.recorded")
        assert sha256_hex(payload.encode()) == digest
        sale = SaleRecorded.model_validate(json.loads(payload))
        assert str(sale.sale_id) == key
        assert validate_sale(sale) == []
        assert [m.qty for m in sale.stock_moves] == [-3000, -750]
        stored = box.client.get(f"/api/v1/sales/{key}").json()["sale"]
        assert SaleRecorded.model_validate(stored) == sale
    moves = box.rows("SELECT sum(qty) FROM stock_move WHERE reason = 'sale'")
    assert moves == [(-3 * 3750,)]


def test_the_same_sale_id_twice_is_one_sale(box: Box) -> None:
    body = {
        "sale_id": str(uuid.uuid4()),
        "lines": [{"code": "COKE-750", "qty": 2}],
        "tenders": [{"kind": CASH, "amount": 10000}],
    }
    first = box.client.post("/api/v1/sales", json=body)
    before = box.fingerprint()
    second = box.client.post("/api/v1/sales", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["replayed"] is True
    assert second.json()["sale"] == first.json()["sale"]
    assert box.fingerprint() == before
    assert box.rows("SELECT count(*) FROM sale") == [(1,)]


def test_the_same_sale_id_with_other_contents_is_refused(box: Box) -> None:
    sale_id = str(uuid.uuid4())
    tenders = [{"kind": CASH, "amount": 10000}]
    first = box.client.post(
        "/api/v1/sales",
        json={"sale_id": sale_id, "lines": [{"code": "COKE-750"}], "tenders": tenders},
    )
    assert first.status_code == 201
    before = box.fingerprint()
    second = box.client.post(
        "/api/v1/sales",
        json={"sale_id": sale_id, "lines": [{"code": "COKE-750", "qty": 2}], "tenders": tenders},
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "SALE_ID_REUSED"
    assert box.fingerprint() == before


def test_concurrent_retries_of_one_sale_record_it_once(box: Box) -> None:
    runtime = box.client.app.state.box  # type: ignore[attr-defined]
    request = SaleRequest(
        sale_id=uuid.uuid4(),
        lines=[LineRequest(code="LUX-100", qty=2)],
        tenders=[Tender(TenderKind.CASH, 10000)],
    )
    results: list[bool] = []
    lock = threading.Lock()

    def post() -> None:
        outcome = record_sale(runtime, request, None)
        with lock:
            results.append(outcome.created)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [False] * 7 + [True]
    assert box.rows("SELECT count(*) FROM sale") == [(1,)]
    assert box.rows("SELECT count(*) FROM outbox") == [(1,)]


def test_scan_resolves_product_qr_barcode_and_sku(box: Box) -> None:
    atta = box.product("ATTA-5KG")
    codes = [
        product_qr_payload(ORG, atta.product_id),
        product_qr_payload(ORG, atta.product_id).upper(),  # labels print upper-case
        atta.barcodes[0],
        "ATTA-5KG",
        " atta-5kg\r\n",  # typed in lower case, with a scanner's line ending
    ]
    for code in codes:
        r = box.client.get("/api/v1/catalog/lookup", params={"code": code})
        assert r.status_code == 200, (code, r.text)
        assert r.json()["product_id"] == str(atta.product_id)
        assert r.json()["price"] == 28500


def test_a_product_qr_of_another_org_is_not_found(box: Box) -> None:
    atta = box.product("ATTA-5KG")
    r = box.client.get(
        "/api/v1/catalog/lookup",
        params={"code": product_qr_payload("ORG-99999999", atta.product_id)},
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "PRODUCT_NOT_FOUND"


def test_search_by_name_and_sku_prefix(box: Box) -> None:
    names = [
        p["sku"] for p in box.client.get("/api/v1/catalog/search", params={"q": "amul"}).json()
    ]
    assert names == ["BUTTER-100", "MILK-1L"]
    skus = [p["sku"] for p in box.client.get("/api/v1/catalog/search", params={"q": "coke"}).json()]
    assert skus == ["COKE-750"]


def test_loose_goods_sell_by_weight(box: Box) -> None:
    r = box.sell([{"code": "TOOR-LOOSE", "qty": "1.25"}], [{"kind": CASH, "amount": 20000}])
    assert r.status_code == 201, r.text
    line = r.json()["sale"]["lines"][0]
    assert (line["qty"], line["charged"]) == (1250, 20000)


def test_a_buyer_from_another_state_is_charged_igst(box: Box) -> None:
    r = box.sell(
        [{"code": "SURF-1KG"}],
        [{"kind": CASH, "amount": 14000}],
        buyer={"name": "Rao Traders", "gstin": "29AABCR1718E1ZL"},
    )
    assert r.status_code == 201, r.text
    sale = r.json()["sale"]
    assert (sale["place_of_supply"], sale["supply_kind"]) == ("29", "inter")
    assert sale["totals"]["igst"] > 0
    assert sale["totals"]["cgst"] == sale["totals"]["sgst"] == 0


def test_a_new_financial_year_starts_a_new_series(box: Box) -> None:
    box.clock.now = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
    sign_in(box.client)  # months later: yesterday's session has expired
    last = box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}]).json()["sale"]
    box.clock.now = datetime(2027, 3, 31, 19, 0, tzinfo=UTC)  # 00:30 on 1 April in India
    first = box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}]).json()["sale"]
    assert last["invoice_no"] == "C1/2627/000001"
    assert first["invoice_no"] == "C1/2728/000001"
    assert first["business_date"] == "2027-04-01"


def test_sale_time_never_goes_back_when_the_clock_does(box: Box) -> None:
    first = box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}]).json()["sale"]
    box.clock.now = datetime(1970, 1, 1, tzinfo=UTC)  # a Pi without an RTC, rebooted offline
    second = box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}]).json()["sale"]
    assert datetime.fromisoformat(second["sold_at"]) >= datetime.fromisoformat(first["sold_at"])
    assert second["financial_year"] == "2026-27"


def test_cart_scan_merge_remove_and_checkout(box: Box) -> None:
    cart = box.client.post("/api/v1/carts", json={}).json()
    url = f"/api/v1/carts/{cart['cart_id']}"
    assert box.client.post(f"{url}/lines", json={"code": "MAGGI-70"}).json()["added_line"] == 1
    merged = box.client.post(f"{url}/lines", json={"code": box.barcode("MAGGI-70")}).json()
    assert merged["added_line"] == 1
    assert merged["lines"][0]["qty"] == 2000
    box.client.post(f"{url}/lines", json={"code": "EGGS-6"})
    void = {"approval": approval()}
    after_remove = box.client.request("DELETE", f"{url}/lines/2", json=void).json()
    assert [line["sku"] for line in after_remove["lines"]] == ["MAGGI-70"]
    patched = box.client.patch(f"{url}/lines/1", json={"qty": 5}).json()
    assert patched["totals"]["payable"] == 7000
    sale_id = str(uuid.uuid4())
    pay = {"sale_id": sale_id, "tenders": [{"kind": CASH, "amount": 7000}]}
    done = box.client.post(f"{url}/checkout", json=pay)
    assert done.status_code == 201, done.text
    assert done.json()["sale"]["totals"]["payable"] == 7000
    again = box.client.post(f"{url}/checkout", json=pay)
    assert again.status_code == 200
    assert again.json()["sale"]["invoice_no"] == done.json()["sale"]["invoice_no"]
    other = box.client.post(f"{url}/checkout", json={**pay, "sale_id": str(uuid.uuid4())})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "CART_CLOSED"
    assert box.client.post(f"{url}/lines", json={"code": "EGGS-6"}).status_code == 409
    assert box.rows("SELECT count(*) FROM sale") == [(1,)]


def test_the_correlation_id_travels_with_the_sale(box: Box) -> None:
    r = box.client.post(
        "/api/v1/sales",
        json={
            "sale_id": str(uuid.uuid4()),
            "lines": [{"code": "SALT-1KG"}],
            "tenders": [{"kind": CASH, "amount": 2800}],
        },
        headers={"X-Correlation-ID": "counter-1-abc"},
    )
    assert r.headers["X-Correlation-ID"] == "counter-1-abc"
    assert box.rows("SELECT correlation_id FROM sale") == [("counter-1-abc",)]
    assert box.rows("SELECT correlation_id FROM outbox") == [("counter-1-abc",)]


def test_sales_of_a_day_and_by_invoice_number(box: Box) -> None:
    for _ in range(2):
        box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}])
    today = START.date()  # noon in India: the same date there
    day = box.client.get("/api/v1/sales", params={"day": today.isoformat()}).json()
    assert (day["count"], day["payable"]) == (2, 5600)
    yesterday = (today - timedelta(days=1)).isoformat()
    other_day = box.client.get("/api/v1/sales", params={"day": yesterday}).json()
    assert other_day["count"] == 0
    one = box.client.get("/api/v1/sales", params={"invoice_no": "C1/2627/000002"}).json()
    assert [s["invoice_no"] for s in one["sales"]] == ["C1/2627/000002"]


def test_status_metrics_and_health(box: Box) -> None:
    box.sell([{"code": "SALT-1KG"}], [{"kind": CASH, "amount": 2800}])
    status = box.client.get("/api/v1/box").json()
    assert (status["outbox_depth"], status["outbox_tail_seq"], status["catalog_version"]) == (
        1,
        1,
        1,
    )
    assert len(status["epoch"]) == 32
    metrics = box.client.get("/metrics").text
    assert "setledger_box_outbox_depth 1.0" in metrics
    assert "setledger_box_sales_total 1.0" in metrics
    assert 'route="/api/v1/sales"' in metrics
    assert box.client.get("/healthz").json()["status"] == "ok"


def test_prices_take_effect_from_their_valid_from(tmp_path: Path, clock: SettableClock) -> None:
    bundle = make_bundle()
    coke = next(p for p in bundle.catalog.products if p.sku == "COKE-750")
    change_at = clock.now + timedelta(hours=1)
    repriced = coke.model_copy(
        update={"prices": [*coke.prices, PricePoint(valid_from=change_at, price=4500, mrp=4500)]}
    )
    catalog = bundle.catalog.model_copy(
        update={
            "products": [repriced if p.sku == "COKE-750" else p for p in bundle.catalog.products]
        }
    )
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_copy(update={"catalog": catalog}).model_dump_json())
    app = create_app(BoxSettings(data_dir=tmp_path / "box", provision_file=path), wall_clock=clock)
    with TestClient(app) as client:
        sign_in(client)

        def price_now() -> int:
            body = {
                "sale_id": str(uuid.uuid4()),
                "lines": [{"code": "COKE-750"}],
                "tenders": [{"kind": CASH, "amount": 5000}],
            }
            return int(client.post("/api/v1/sales", json=body).json()["sale"]["totals"]["payable"])

        assert price_now() == 4000
        clock.now = change_at + timedelta(seconds=1)
        assert price_now() == 4500
