"""Where things go on one label, in millimetres from the cell's top-left.

PDF, PNG and SVG all draw from this one layout, so the formats agree.
Text is measured with Helvetica's metrics (the PDF's font; Liberation Sans,
used for PNG, has the same widths). A line too wide shrinks down to
``MIN_PT`` and is then cut with an ellipsis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

from labels.content import RUPEE, LabelText
from labels.templates import Template

PT = 25.4 / 72
"""One typographic point in millimetres."""
RUPEE_EM = 0.556
"""The ₹ sign's advance, as wide as Helvetica's digits."""
MIN_PT = 4.5
ELLIPSIS = "…"


@dataclass(frozen=True)
class TextRun:
    x: float
    baseline: float
    size_pt: float
    bold: bool
    text: str


@dataclass(frozen=True)
class LabelLayout:
    qr_x: float
    qr_y: float
    qr_size: float
    """The QR's square box (quiet zone included)."""
    runs: tuple[TextRun, ...]


@lru_cache(maxsize=65536)
def text_width(text: str, size_pt: float, bold: bool) -> float:
    """Width in mm of ``text`` in Helvetica (₹ counted as a digit)."""
    font = "Helvetica-Bold" if bold else "Helvetica"
    rupees = text.count(RUPEE)
    rest = text.replace(RUPEE, "")
    width: float = stringWidth(rest, font, size_pt)
    return (width + rupees * RUPEE_EM * size_pt) * PT


def _fit(text: str, width: float, size_pt: float, bold: bool) -> tuple[str, float]:
    size = size_pt
    while size > MIN_PT and text_width(text, size, bold) > width:
        size = max(MIN_PT, size - 0.5)
    if text_width(text, size, bold) <= width:
        return text, size
    cut = len(text)
    while cut > 1 and text_width(text[:cut] + ELLIPSIS, size, bold) > width:
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS, size


def _split_name(name: str, width: float, size_pt: float) -> list[str]:
    """The name on up to two lines, breaking at a space when it is too wide."""
    if text_width(name, size_pt, True) <= width or " " not in name:
        return [name]
    words = name.split(" ")
    first = words[0]
    for count in range(1, len(words)):
        candidate = " ".join(words[:count])
        if text_width(candidate, size_pt, True) > width:
            break
        first = candidate
    return [first, name[len(first) :].strip()]


@lru_cache(maxsize=64)
def _frame(template: Template) -> tuple[float, float, float, float, float]:
    """(padding, QR size, text x, text width, body size in pt) for a template's cells."""
    pad = max(1.0, min(2.5, template.cell_h * 0.06))
    qr = min(template.cell_h - 2 * pad, template.cell_w * 0.48)
    text_x = pad + qr + pad * 0.6
    text_w = template.cell_w - text_x - pad
    lines = 6.0  # name (2), SKU, MRP, price (larger), batch/expiry
    body = min(9.0, (template.cell_h - 2 * pad) / (lines * 1.25 * PT))
    return pad, qr, text_x, text_w, body


def layout_label(template: Template, text: LabelText) -> LabelLayout:
    pad, qr, x, width, body = _frame(template)
    runs: list[TextRun] = []
    y = pad
    lines: list[tuple[str, float, bool]] = [
        (line, body, True) for line in _split_name(text.name, width, body)
    ]
    lines.append((text.sku, body * 0.9, False))
    if text.mrp is not None:
        lines.append((text.mrp, body * 0.9, False))
    lines.append((text.price, body * 1.3, True))
    if text.extra is not None:
        lines.append((text.extra, body * 0.85, False))
    for line, size_pt, bold in lines:
        fitted, size = _fit(line, width, size_pt, bold)
        y += size * 1.18 * PT
        if y > template.cell_h - pad * 0.5:
            break
        runs.append(TextRun(x=x, baseline=y, size_pt=size, bold=bold, text=fitted))
    return LabelLayout(qr_x=pad, qr_y=(template.cell_h - qr) / 2, qr_size=qr, runs=tuple(runs))
