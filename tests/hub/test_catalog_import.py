"""Catalog import and export: CSV and XLSX, every bad row reported, all or nothing.

Runs on SQLite and PostgreSQL (the ``hub`` fixture). Files are written here
the way shops write them: a header, a BOM from Excel, quoted commas, a
float that a spreadsheet stored for 28.50.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from hub.catalog.codes import check_barcode
from hub.catalog.import_check import check_file
from hub.catalog.sheets import SheetFormat
from hub.catalog.template import HEADER
from setledger.errors import SetLedgerError
from tests.hub.harness import API, Hub, ok

VALID_GS1 = [
    ("4006381333931", "EAN-13"),
    ("5901234123457", "EAN-13"),
    ("8901030865022", "EAN-13"),
    ("9780306406157", "EAN-13"),  # an ISBN-13 is an EAN-13
    ("96385074", "EAN-8"),
    ("73513537", "EAN-8"),
    ("036000291452", "UPC-A"),
    ("042100005264", "UPC-A"),
]
INVALID_GS1 = [
    ("4006381333932", "EAN-13"),
    ("8901030865023", "EAN-13"),
    ("9780306406158", "EAN-13"),
    ("96385075", "EAN-8"),
    ("73513536", "EAN-8"),
    ("036000291453", "UPC-A"),
    ("042100005260", "UPC-A"),
]


@pytest.mark.parametrize(("code", "kind"), VALID_GS1)
def test_a_real_gs1_code_passes_its_check_digit(code: str, kind: str) -> None:
    check_barcode(code)


@pytest.mark.parametrize(("code", "kind"), INVALID_GS1)
def test_a_mistyped_gs1_code_fails_its_check_digit(code: str, kind: str) -> None:
    with pytest.raises(SetLedgerError) as caught:
        check_barcode(code)
    assert caught.value.code == "BARCODE_INVALID"
    assert f"wrong {kind} check digit" in caught.value.message


# Helpers -----------------------------------------------------------------------


def csv_file(*lines: str, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def upload(hub: Hub, code: str, data: bytes, name: str = "catalog.csv", wait: bool = True) -> Any:
    return hub.client.post(
        f"{API}/orgs/{code}/catalog/imports",
        params={"wait": "true"} if wait else {},
        files={"file": (name, data, "application/octet-stream")},
    )


def products_of(hub: Hub, code: str) -> list[dict[str, Any]]:
    page = ok(hub.get(f"/orgs/{code}/products", limit=500))
    listed: list[dict[str, Any]] = page["products"]
    return listed


def version_of(hub: Hub, code: str) -> int:
    version: int = ok(hub.get(f"/orgs/{code}"))["catalog_version"]
    return version


def wait_done(hub: Hub, code: str, import_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    seen: list[str] = []
    while time.monotonic() < deadline:
        job = ok(hub.get(f"/orgs/{code}/catalog/imports/{import_id}"))
        seen.append(job["state"])
        if job["state"] in {"done", "rejected", "failed"}:
            job["seen"] = seen
            return job
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} still {seen[-1]}")


GOOD = csv_file(
    "sku,name,hsn,unit,fractional_qty,gst_rate,cess_rate,price_includes_tax,price,mrp,barcodes,category,active",
    "RICE-1,Basmati Rice 1 kg,1006,PCS,no,5,0,yes,128.50,135,8901030865022,Grocery,yes",
    'DAL-1,"Toor Dal, 500 g",0713,PCS,no,5,,yes,82,90,4006381333931|96385074,Grocery,yes',
    "SUGAR-L,Sugar (loose),1701,KGS,yes,5,,yes,44.00,,,Grocery,yes",
    "GOLD-1,Gold coin 1 g,7118,PCS,no,3,,no,7100.25,,036000291452,,yes",
    "TEA-1,Assam Tea 250 g,0902,PCS,no,5,,yes,140,150,INT-TEA-250,Beverages,no",
)


# The must-show: bad rows are reported by line and nothing is imported -----------


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(hub: Hub) -> None:
    owner = hub.sign_up()
    code = owner.org_code
    hub.product(ok(hub.get(f"/orgs/{code}")), sku="OLD-1", barcodes=["5901234123457"])
    before, version = products_of(hub, code), version_of(hub, code)
    data = csv_file(
        "sku,name,hsn,gst_rate,price,mrp,barcodes",
        "OK-1,Good row,1006,5,10,12,4006381333931",  # line 2: fine, still not imported
        "BAD-1,Wrong EAN-13,1006,5,10,,4006381333932",  # 3: check digit
        "BAD-2,Wrong EAN-8,1006,5,10,,96385075",  # 4
        "BAD-3,Wrong UPC-A,1006,5,10,,036000291453",  # 5
        "BAD-4,,10,7,12.345,,",  # 6: name, HSN, GST slab, 3 decimals
        "OK-1,Same SKU again,1006,5,10,,",  # 7: SKU repeated in the file
        "BAD-5,Price above MRP,1006,18,20,15,",  # 8
        "BAD-6,Barcode of OLD-1,1006,5,10,,5901234123457",  # 9: another product's
        "BAD-7,Barcode twice,1006,5,10,,73513537",  # 10
        "BAD-8,Barcode twice,1006,5,10,,73513537",  # 11
    )
    response = upload(hub, code, data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "CATALOG_IMPORT_INVALID"
    found = {(p["line"], p["column"], p["code"]) for p in error["details"]["problems"]}
    assert found == {
        (3, "barcodes", "BARCODE_INVALID"),
        (4, "barcodes", "BARCODE_INVALID"),
        (5, "barcodes", "BARCODE_INVALID"),
        (6, "name", "REQUIRED"),
        (6, "hsn", "HSN_INVALID"),
        (6, "gst_rate", "GST_RATE_UNKNOWN"),
        (6, "price", "TOO_MANY_DECIMALS"),
        (7, "sku", "DUPLICATE_IN_FILE"),
        (8, "price", "PRICE_ABOVE_MRP"),
        (11, "barcodes", "DUPLICATE_IN_FILE"),
    }
    assert error["details"]["problem_total"] == len(found)
    messages = {p["line"]: p["message"] for p in error["details"]["problems"]}
    assert "EAN-13 check digit" in messages[3]
    assert "EAN-8 check digit" in messages[4]
    assert "UPC-A check digit" in messages[5]
    assert "line 2" in messages[7]
    assert products_of(hub, code) == before
    assert version_of(hub, code) == version
    # Fixed everywhere but line 9: the database check names it, still nothing written.
    fixed = csv_file(
        "sku,name,hsn,gst_rate,price,barcodes",
        "OK-1,Good,1006,5,10,",
        "BAD-6,B,1006,5,10,5901234123457",
    )
    response = upload(hub, code, fixed)
    problems = response.json()["error"]["details"]["problems"]
    assert [(p["line"], p["column"], p["code"]) for p in problems] == [
        (3, "barcodes", "BARCODE_TAKEN")
    ]
    assert "OLD-1" in problems[0]["message"]
    assert products_of(hub, code) == before


def test_header_problems_are_reported_on_line_1(hub: Hub) -> None:
    code = hub.sign_up().org_code
    response = upload(hub, code, csv_file("sku,title,price,price", "A,B,1,1"))
    problems = response.json()["error"]["details"]["problems"]
    assert {(p["line"], p["column"], p["code"]) for p in problems} == {
        (1, "title", "COLUMN_UNKNOWN"),
        (1, "price", "COLUMN_REPEATED"),
        (1, "name", "COLUMN_MISSING"),
        (1, "gst_rate", "COLUMN_MISSING"),
    }
    response = upload(hub, code, b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert response.json()["error"]["details"]["problems"][0]["code"] == "FILE_UNREADABLE"


# Good files -------------------------------------------------------------------------


def test_a_good_file_imports_as_one_catalog_version(hub: Hub) -> None:
    code = hub.sign_up().org_code
    version = version_of(hub, code)
    response = upload(hub, code, GOOD, wait=False)
    assert response.status_code == 202, response.text
    job = wait_done(hub, code, response.json()["import_id"])
    assert job["state"] == "done", job
    assert (job["rows_total"], job["rows_written"], job["products_created"]) == (5, 5, 5)
    assert job["catalog_version"] == version + 1 == version_of(hub, code)
    products = {p["sku"]: p for p in products_of(hub, code)}
    assert set(products) == {"RICE-1", "DAL-1", "SUGAR-L", "GOLD-1", "TEA-1"}
    rice, dal, sugar, gold, tea = (
        products[s] for s in ("RICE-1", "DAL-1", "SUGAR-L", "GOLD-1", "TEA-1")
    )
    assert (rice["price"], rice["mrp"], rice["gst_rate_bp"], rice["hsn"]) == (
        12850,
        13500,
        500,
        "1006",
    )
    assert dal["name"] == "Toor Dal, 500 g"
    assert sorted(dal["barcodes"]) == ["4006381333931", "96385074"]
    assert (sugar["unit"], sugar["fractional_qty"], sugar["mrp"]) == ("KGS", True, None)
    assert (gold["gst_rate_bp"], gold["price"], gold["price_includes_tax"]) == (300, 710025, False)
    assert tea["active"] is False
    assert tea["barcodes"] == ["INT-TEA-250"]
    assert {p["version"] for p in products.values()} == {version + 1}
    assert all(p["slug"] for p in products.values())
    # The same file again changes nothing: no new version for the boxes.
    again = ok(upload(hub, code, GOOD))
    assert (again["products_created"], again["products_updated"]) == (0, 0)
    assert again["catalog_version"] is None
    assert version_of(hub, code) == version + 1


def test_rows_update_products_by_sku(hub: Hub) -> None:
    code = hub.sign_up().org_code
    ok(upload(hub, code, GOOD))
    version = version_of(hub, code)
    # Only some columns: the others keep their values. DAL-1 hands a barcode to RICE-1.
    data = csv_file(
        "sku,name,price,barcodes",
        "RICE-1,Basmati Rice 1 kg,120,8901030865022|96385074",
        "DAL-1,Toor Dal 500 g,82,4006381333931",
        "NEW-1,New product,10,",
        bom=False,
    )
    response = upload(hub, code, data)
    assert response.status_code == 422
    assert {p["column"] for p in response.json()["error"]["details"]["problems"]} == {"gst_rate"}
    data = csv_file(
        "sku,name,gst_rate,price,barcodes",
        "RICE-1,Basmati Rice 1 kg,5,120,8901030865022|96385074",
        "DAL-1,Toor Dal 500 g,5,82,4006381333931",
        "NEW-1,New product,12,10,",
        bom=False,
    )
    job = ok(upload(hub, code, data))
    assert (job["products_created"], job["products_updated"]) == (1, 2)
    products = {p["sku"]: p for p in products_of(hub, code)}
    rice, dal = products["RICE-1"], products["DAL-1"]
    assert sorted(rice["barcodes"]) == ["8901030865022", "96385074"]
    assert dal["barcodes"] == ["4006381333931"]
    # The price changed: a new price point; the MRP (no column) is kept.
    assert [(p["price"], p["mrp"]) for p in rice["prices"]] == [(12850, 13500), (12000, 13500)]
    assert (rice["hsn"], rice["category"]) == ("1006", "Grocery")
    assert dal["name"] == "Toor Dal 500 g"
    assert len(dal["prices"]) == 1
    assert products["NEW-1"]["unit"] == "PCS"
    assert products["NEW-1"]["active"] is True
    assert version_of(hub, code) == version + 1
    assert {rice["version"], dal["version"], products["NEW-1"]["version"]} == {version + 1}
    assert products["SUGAR-L"]["version"] == version


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(hub: Hub, kind: str) -> None:
    code = hub.sign_up().org_code
    ok(upload(hub, code, GOOD))
    before, version = products_of(hub, code), version_of(hub, code)
    exported = hub.get(f"/orgs/{code}/catalog/export", format=kind)
    assert exported.status_code == 200, exported.text
    assert f".{kind}" in exported.headers["content-disposition"]
    if kind == "csv":
        text = exported.content.decode("utf-8-sig")
        assert text.splitlines()[0] == ",".join(HEADER)
        assert 'DAL-1,"Toor Dal, 500 g",0713' in text
    else:
        sheet = load_workbook(io.BytesIO(exported.content), read_only=True).worksheets[0]
        assert tuple(next(sheet.iter_rows(values_only=True))) == HEADER
    job = ok(upload(hub, code, exported.content, f"export.{kind}"))
    assert (job["rows_total"], job["products_updated"], job["catalog_version"]) == (5, 0, None)
    assert products_of(hub, code) == before
    assert version_of(hub, code) == version


def test_an_xlsx_file_as_a_spreadsheet_saves_it(hub: Hub) -> None:
    code = hub.sign_up().org_code
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["SKU", "Name", "GST rate", "Price", "MRP", "Barcodes", "Shelf life days"])
    sheet.append(["OIL-1", "Sunflower Oil 1 L", 5, 28.5, 30, 8901030865022, 180])
    sheet.append(["OIL-2", "Mustard Oil 1 L", 5.0, 199.99, None, "73513537", None])
    sheet.append([None, None, None, None, None, None, None])  # a blank row keeps its number
    sheet.append(["OIL-3", "Bad oil", 5, 10.005, None, 4006381333932, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(hub, code, buffer.getvalue(), "oils.xlsx")
    problems = response.json()["error"]["details"]["problems"]
    assert {(p["line"], p["column"], p["code"]) for p in problems} == {
        (5, "price", "TOO_MANY_DECIMALS"),
        (5, "barcodes", "BARCODE_INVALID"),
        (5, "shelf_life_days", "NUMBER_INVALID"),
    }
    sheet.delete_rows(5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = ok(upload(hub, code, buffer.getvalue(), "oils.xlsx"))
    assert job["file_format"] == "xlsx"
    assert job["products_created"] == 2
    products = {p["sku"]: p for p in products_of(hub, code)}
    assert (products["OIL-1"]["price"], products["OIL-1"]["mrp"]) == (2850, 3000)
    assert products["OIL-1"]["barcodes"] == ["8901030865022"]
    assert products["OIL-1"]["shelf_life_days"] == 180
    assert products["OIL-2"]["price"] == 19999


def test_a_large_file_reports_progress_until_done(hub: Hub) -> None:
    code = hub.sign_up().org_code
    rows = [f"BULK-{i:05d},Item {i},3004,12,{i}.50,,,Bulk" for i in range(1, 601)]
    data = csv_file("sku,name,hsn,gst_rate,price,mrp,barcodes,category", *rows)
    refused = upload(
        hub, code, csv_file("sku,name,gst_rate,price", *[f"W{i},W,5,1" for i in range(2001)])
    )
    assert refused.json()["error"]["details"]["problems"][0]["code"] == "TOO_MANY_ROWS"
    response = upload(hub, code, data, wait=False)
    assert response.status_code == 202
    assert response.json()["state"] in {"checking", "writing", "done"}
    job = wait_done(hub, code, response.json()["import_id"])
    assert job["state"] == "done"
    assert job["rows_total"] == job["rows_checked"] == job["rows_written"] == 600
    assert ok(hub.get(f"/orgs/{code}/products", limit=1))["total"] == 600


def test_another_orgs_import_is_not_found(hub: Hub) -> None:
    a, b = hub.sign_up().org_code, hub.sign_up().org_code
    job = ok(upload(hub, b, GOOD))
    response = hub.get(f"/orgs/{a}/catalog/imports/{job['import_id']}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CATALOG_IMPORT_NOT_FOUND"


def test_an_upload_may_be_larger_than_other_requests(hub: Hub) -> None:
    code = hub.sign_up().org_code
    limit = hub.runtime.settings.max_body_bytes
    # Blank rows are skipped: a file over the 1 MiB body limit with one product.
    padded = b"sku,name,gst_rate,price\r\n" + b"\r\n" * limit + b"BIG-1,Big file,5,1\r\n"
    job = ok(upload(hub, code, padded))
    assert (job["rows_total"], job["products_created"]) == (1, 1)
    response = hub.client.post(
        f"{API}/orgs/{code}/products",
        content=b"{" + b" " * limit + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_the_documented_template_imports_as_it_is(hub: Hub) -> None:
    code = hub.sign_up().org_code
    sample = (Path(__file__).resolve().parents[2] / "docs" / "catalog-template.csv").read_bytes()
    assert sample.decode().splitlines()[0] == ",".join(HEADER)
    job = ok(upload(hub, code, sample, "catalog-template.csv"))
    assert job["products_created"] == 6
    products = {p["sku"]: p for p in products_of(hub, code)}
    assert (products["RICE-5KG"]["variant_group"], products["RICE-5KG"]["variant"]) == (
        "RICE",
        "5 kg",
    )
    assert products["DAL-500"]["batch_tracked"] is True
    assert products["DAL-500"]["shelf_life_days"] == 180


def test_lines_are_the_files_own_lines() -> None:
    # A quoted cell with a line break spans two lines; blank lines keep their numbers.
    data = csv_file(
        "sku,name,gst_rate,price",
        'A-1,"Two-line\nname",5,1',  # lines 2-3
        "",  # line 4
        "A-2,Bad rate,7,1",  # line 5
    )
    checked = check_file(data, SheetFormat.CSV)
    assert [(p.line, p.column) for p in checked.report.problems] == [(5, "gst_rate")]
    assert checked.rows[0].values["name"] == "Two-line\nname"
    broken = check_file(b'sku,name,gst_rate,price\r\nA,"open quote,5,1\r\n', SheetFormat.CSV)
    assert [p.code for p in broken.report.problems] == ["FILE_UNREADABLE"]
    latin1 = check_file(
        "sku,name,gst_rate,price\r\nA,Café,5,1\r\n".encode("latin-1"), SheetFormat.CSV
    )
    assert "UTF-8" in latin1.report.problems[0].message
