"""Reading generated PDFs back: render pages and decode every QR on them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp

from labels import Template

MM = 72 / 25.4


@dataclass(frozen=True)
class Decoded:
    page: int
    cell: int
    text: str


def cell_at(template: Template, x_mm: float, y_mm: float) -> int | None:
    """The cell (on its page) that contains a point, or None."""
    for cell in range(template.per_page):
        left, top = template.cell_origin(cell)
        if left <= x_mm < left + template.cell_w and top <= y_mm < top + template.cell_h:
            return cell
    return None


def decode_pdf(data: bytes, template: Template, dpi: int = 150) -> Iterator[Decoded]:
    """Every QR of every page, placed in the cell that holds its centre."""
    document = pdfium.PdfDocument(io.BytesIO(data))
    px_per_mm = dpi / 25.4
    try:
        for number in range(len(document)):
            image = document[number].render(scale=dpi / 72, grayscale=True).to_pil()
            for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                p = found.position
                corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
                x = sum(c.x for c in corners) / 4 / px_per_mm
                y = sum(c.y for c in corners) / 4 / px_per_mm
                cell = cell_at(template, x, y)
                assert cell is not None, f"a QR outside every cell on page {number + 1}"
                yield Decoded(page=number, cell=cell, text=found.text)
    finally:
        document.close()
