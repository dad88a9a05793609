"""PNG, SVG and the job model: what callers rely on besides the PDF."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
import zxingcpp
from PIL import Image

from labels import LabelFormat, LabelItem, LabelJob, get_template, media_type, render, templates
from labels.content import label_text
from labels.model import LabelOptions
from labels.thermal import _raster
from setledger.product_qr import parse_product_qr
from tests.labels.catalog import item, items_totalling


def test_templates_have_the_published_geometry_and_fit_their_page() -> None:
    ids = {t.template_id for t in templates()}
    assert {"a4-3x8", "a4-4x10", "a4-5x13", "thermal-58", "thermal-80", "zpl-50x25"} <= ids
    assert (get_template("a4-3x8").cell_w, get_template("a4-3x8").cell_h) == (70.0, 37.0)
    assert get_template("a4-4x10").per_page == 40
    assert get_template("a4-5x13").per_page == 65
    for t in templates():
        right, bottom = t.cell_origin(t.per_page - 1)
        assert right + t.cell_w <= t.page_w + 1e-9
        assert bottom + t.cell_h <= t.page_h + 1e-9


def test_a_one_page_png_decodes_and_a_longer_job_is_a_zip_of_pages() -> None:
    one = LabelJob("a4-5x13", items_totalling(10))
    assert media_type(one, LabelFormat.PNG) == "image/png"
    image = Image.open(io.BytesIO(render(one, LabelFormat.PNG)))
    assert image.size == (2480, 3508)  # A4 at 300 dpi
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert {parse_product_qr(f.text) for f in found} == {
        parse_product_qr(i.qr_payload) for i in one.items
    }
    two = LabelJob("a4-3x8", items_totalling(30))
    assert media_type(two, LabelFormat.SVG) == "application/zip"
    with zipfile.ZipFile(io.BytesIO(render(two, LabelFormat.SVG))) as archive:
        assert archive.namelist() == ["page-001.svg", "page-002.svg"]
        svg = archive.read("page-001.svg").decode()
    assert svg.startswith("<svg")
    assert 'width="210.0mm"' in svg
    assert "₹" in svg
    assert render(two, LabelFormat.SVG) == render(two, LabelFormat.SVG)  # deterministic


def test_text_uses_indian_grouping_and_optional_batch_expiry() -> None:
    big = LabelItem(name="Television", sku="TV-1", price=12_345_678, mrp=15_000_000, qr_payload="x")
    text = label_text(big, LabelOptions())
    assert (text.price, text.mrp, text.extra) == ("₹1,23,456.78", "MRP ₹1,50,000.00", None)
    assert label_text(item(0), LabelOptions()).extra == "Batch B00  Exp 28/01/2027"
    assert label_text(big, LabelOptions(show_mrp=False)).mrp is None


def test_raster_qr_for_printers_without_the_native_command_decodes() -> None:
    image = _raster(item(3).qr_payload, 6).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [parse_product_qr(f.text) for f in found] == [parse_product_qr(item(3).qr_payload)]


def test_bad_jobs_are_refused() -> None:
    with pytest.raises(ValueError, match="copies"):
        item(0, copies=0)
    with pytest.raises(TypeError):
        LabelItem(name="x", sku="x", price=1.5, mrp=None, qr_payload="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="prints"):
        render(LabelJob("a4-3x8", (item(0),)), LabelFormat.ZPL)
    with pytest.raises(ValueError, match="unknown label template"):
        render(LabelJob("a5-2x2", (item(0),)), LabelFormat.PDF)


def test_escpos_leaves_the_root_logger_alone() -> None:
    before = list(logging.getLogger().handlers)
    render(LabelJob("thermal-58", (item(0),)), LabelFormat.ESCPOS)
    assert logging.getLogger().handlers == before
