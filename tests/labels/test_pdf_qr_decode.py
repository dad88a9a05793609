"""Every QR of a 1,000-label PDF job decodes to exactly its cell's product payload."""

from __future__ import annotations

from collections import Counter

import pytest

from labels import LabelFormat, LabelJob, get_template, render
from labels.pages import each_label
from setledger.product_qr import parse_product_qr
from tests.labels.catalog import items_totalling
from tests.labels.sheets import decode_pdf


def _check_job(template_id: str, total: int, dpi: int) -> None:
    template = get_template(template_id)
    job = LabelJob(template_id, items_totalling(total))
    pdf = render(job, LabelFormat.PDF)
    expected = [parse_product_qr(item.qr_payload) for item in each_label(job)]
    assert len(expected) == total

    seen: Counter[int] = Counter()
    for found in decode_pdf(pdf, template, dpi=dpi):
        index = found.page * template.per_page + found.cell
        assert index < total, f"a QR in an empty cell: page {found.page + 1} cell {found.cell}"
        assert found.text == found.text.upper(), "labels print the payload upper-case"
        assert parse_product_qr(found.text) == expected[index], f"label {index}"
        seen[index] += 1
    assert sorted(seen) == list(range(total)), "every label's QR decodes"
    assert set(seen.values()) == {1}


@pytest.mark.slow
def test_all_1000_qrs_of_an_a4_3x8_job_decode_to_their_payload() -> None:
    _check_job("a4-3x8", 1000, dpi=150)


@pytest.mark.parametrize("template_id", ["a4-4x10", "a4-5x13"])
def test_smaller_sheets_decode_too(template_id: str) -> None:
    _check_job(template_id, 150, dpi=200)


def test_thermal_pdf_pages_decode() -> None:
    _check_job("thermal-58", 5, dpi=200)
