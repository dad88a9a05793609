"""Invoice PDFs printed at the box from its own sales: no hub and no broker exist here."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from documents.invoice_pdf import PaperSize
from edge.app import create_app
from edge.services.identity import SellerProfile
from edge.settings import BoxSettings
from ops import demo_data
from setledger.money import format_rupees
from setledger.words import amount_in_words
from tests.documents.test_invoice_pdf import WIDTHS_MM, read_back
from tests.edge.conftest import Box, SettableClock, make_bundle
from tests.edge.staff import sign_in
from tests.hub.harness import make_gstin


def sell(box: Box, **extra: object) -> dict[str, object]:
    response = box.sell(
        [{"code": box.barcode("ATTA-5KG"), "qty": 2}, {"code": "PARLEG-250"}],
        [{"kind": "cash", "amount": 1_000_00}],
        **extra,
    )
    assert response.status_code == 201, response.text
    sale: dict[str, object] = response.json()["sale"]
    return sale


def money(paise: object) -> str:
    assert isinstance(paise, int)
    return format_rupees(paise, symbol=False)


@pytest.mark.parametrize("paper", list(PaperSize))
def test_the_box_prints_the_invoice_of_its_own_sale_offline(box: Box, paper: PaperSize) -> None:
    assert box.bundle.hub_url is None
    assert box.bundle.broker_url is None
    buyer_gstin = make_gstin("29", "AABCP1234C")
    sale = sell(box, buyer={"name": "Patel Traders", "gstin": buyer_gstin})
    totals = sale["totals"]
    assert isinstance(totals, dict)
    url = f"/api/v1/sales/{sale['sale_id']}/invoice.pdf"
    response = box.client.get(url, params={"paper": paper.value})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    got = read_back(response.content)
    assert abs(got.width_mm - WIDTHS_MM[paper]) <= 0.5
    assert str(sale["invoice_no"]) in got.text
    assert demo_data.ORG_GSTIN in got.text
    assert buyer_gstin in got.text
    assert "Place of supply: Karnataka (29)" in got.text
    assert f"IGST total {money(totals['igst'])}" in got.text
    assert amount_in_words(totals["payable"]) in got.text
    assert got.qr_texts == [], "the box has no UPI address to print"


def test_the_roll_is_the_default_and_a_b2c_sale_prints_cgst_and_sgst(box: Box) -> None:
    sale = sell(box)
    totals = sale["totals"]
    assert isinstance(totals, dict)
    response = box.client.get(f"/api/v1/sales/{sale['sale_id']}/invoice.pdf")
    got = read_back(response.content)
    assert abs(got.width_mm - WIDTHS_MM[PaperSize.ROLL_80]) <= 0.5
    assert f"CGST total {money(totals['cgst'])}" in got.text
    assert "Bill to" not in got.text


def test_unknown_sale_and_no_sign_in_are_refused(box: Box) -> None:
    missing = box.client.get(f"/api/v1/sales/{uuid.uuid4()}/invoice.pdf")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "SALE_NOT_FOUND"
    sale = sell(box)
    anonymous = TestClient(box.client.app).get(f"/api/v1/sales/{sale['sale_id']}/invoice.pdf")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "SIGN_IN_REQUIRED"


def test_a_box_without_the_sellers_gstin_names_the_invoice(
    tmp_path: Path, clock: SettableClock
) -> None:
    bundle = make_bundle().model_copy(update={"seller_gstin": None})
    provision = tmp_path / "bundle.json"
    provision.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=provision)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        box = Box(client, settings.db_path, bundle, clock)
        sale = sell(box)
        response = client.get(f"/api/v1/sales/{sale['sale_id']}/invoice.pdf")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "INVOICE_INCONSISTENT"
    assert error["details"]["invoice_no"] == sale["invoice_no"]
    assert error["details"]["field"] == "seller.gstin"


def test_a_box_provisioned_with_the_tax_profile_prints_the_address_and_upi_qr(
    tmp_path: Path, clock: SettableClock
) -> None:
    seller = SellerProfile(
        legal_name="Sharma General Stores Pvt Ltd",
        trade_name=demo_data.ORG_NAME,
        address1="Ranade Road, Dadar West",
        location="Mumbai",
        pin=400028,
        aato=3_00_00_000_00,
        upi_vpa="sharmastore@okaxis",
        upi_payee=demo_data.ORG_NAME,
    )
    bundle = make_bundle().model_copy(update={"seller": seller})
    provision = tmp_path / "bundle.json"
    provision.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=provision)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        box = Box(client, settings.db_path, bundle, clock)
        sale = sell(box)
        response = client.get(f"/api/v1/sales/{sale['sale_id']}/invoice.pdf?paper=a4")
    assert response.status_code == 200, response.text
    got = read_back(response.content)
    for printed in ("Sharma General Stores Pvt Ltd", "Ranade Road, Dadar West", "400028"):
        assert printed in got.text, printed
    assert len(got.qr_texts) == 1
    upi = got.qr_texts[0]
    assert upi.startswith("upi://pay?")
    assert "pa=sharmastore@okaxis" in upi
