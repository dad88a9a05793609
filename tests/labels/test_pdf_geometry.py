"""Cells, QR codes and pages on the PDF are where the template says (within 0.5 mm)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from labels import LabelFormat, LabelJob, LabelOptions, Template, get_template, render
from labels.content import label_text
from labels.layout import layout_label
from labels.qr import QUIET_MODULES, qr_matrix
from tests.labels.catalog import items_totalling

TOLERANCE_MM = 0.5
MM = 72 / 25.4
STROKE_MM = 0.1 / MM
SHEETS = ["a4-3x8", "a4-4x10", "a4-5x13", "thermal-58", "thermal-80"]


def _boxes(
    page: pdfium.PdfPage, kind: int, page_h: float
) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) in mm from the page's top-left, of top-level objects."""
    boxes = []
    for obj in page.get_objects(max_depth=1):
        if obj.type == kind:
            left, bottom, right, top = (v / MM for v in obj.get_bounds())
            boxes.append((left, page_h - top, right, page_h - bottom))
    return boxes


def _near(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) <= TOLERANCE_MM for x, y in zip(a, b, strict=True))


def _cell(template: Template, index: int) -> tuple[float, float, float, float]:
    left, top = template.cell_origin(index)
    return (left, top, left + template.cell_w, top + template.cell_h)


@pytest.mark.parametrize("template_id", SHEETS)
def test_page_and_cell_outlines_match_the_template(template_id: str) -> None:
    template = get_template(template_id)
    count = template.per_page + max(1, template.per_page // 2)  # a full page and a part
    job = LabelJob(template_id, items_totalling(count), LabelOptions(outlines=True))
    document = pdfium.PdfDocument(io.BytesIO(render(job, LabelFormat.PDF)))
    on_pages = [template.per_page, count - template.per_page]
    assert len(document) == len(on_pages)
    for number, labels_here in enumerate(on_pages):
        page = document[number]
        width, height = (v / MM for v in page.get_size())
        assert _near((width, height), (template.page_w, template.page_h))
        outlines = sorted(
            (
                left + STROKE_MM / 2,
                top + STROKE_MM / 2,
                right - STROKE_MM / 2,
                bottom - STROKE_MM / 2,
            )
            for left, top, right, bottom in _boxes(
                page, pdfium_c.FPDF_PAGEOBJ_PATH, template.page_h
            )
        )
        expected = sorted(_cell(template, i) for i in range(labels_here))
        assert len(outlines) == len(expected)
        for found, wanted in zip(outlines, expected, strict=True):
            assert _near(found, wanted), (found, wanted)


@pytest.mark.parametrize("template_id", SHEETS)
def test_each_qr_sits_in_its_cell_where_the_layout_puts_it(template_id: str) -> None:
    template = get_template(template_id)
    items = items_totalling(template.per_page)
    job = LabelJob(template_id, items)
    document = pdfium.PdfDocument(io.BytesIO(render(job, LabelFormat.PDF)))
    page = document[0]
    forms = _boxes(page, pdfium_c.FPDF_PAGEOBJ_FORM, template.page_h)
    codes = sorted(box for box in forms if box[2] - box[0] > 5)  # the ₹ forms are tiny
    expected = []
    cell = 0
    for item in items:
        layout = layout_label(template, label_text(item, job.options))
        n = qr_matrix(item.qr_payload).size
        module = layout.qr_size / (n + 2 * QUIET_MODULES)
        for _ in range(item.copies):
            left, top = template.cell_origin(cell)
            x = left + layout.qr_x + QUIET_MODULES * module
            y = top + layout.qr_y + QUIET_MODULES * module
            box = (x, y, x + n * module, y + n * module)
            c_left, c_top, c_right, c_bottom = _cell(template, cell)
            assert c_left <= box[0]
            assert box[2] <= c_right
            assert c_top <= box[1]
            assert box[3] <= c_bottom
            expected.append(box)
            cell += 1
    assert len(codes) == len(expected) == template.per_page
    for found, wanted in zip(codes, sorted(expected), strict=True):
        assert _near(found, wanted), (found, wanted)
