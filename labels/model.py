"""What a label job is made of: items (one per product) and a template.

Money is integer paise; the QR payload is the product's canonical payload
(``setledger.product_qr``), which labels print upper-case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

MAX_COPIES = 1000
MAX_LABELS = 100_000


class LabelFormat(StrEnum):
    PDF = "pdf"
    PNG = "png"
    SVG = "svg"
    ESCPOS = "escpos"
    ZPL = "zpl"


MEDIA_TYPES: dict[LabelFormat, str] = {
    LabelFormat.PDF: "application/pdf",
    LabelFormat.PNG: "image/png",
    LabelFormat.SVG: "image/svg+xml",
    LabelFormat.ESCPOS: "application/octet-stream",
    LabelFormat.ZPL: "text/plain; charset=utf-8",
}
ZIP_MEDIA_TYPE = "application/zip"
"""PNG and SVG give one image per page; a job of several pages is a ZIP of them."""


@dataclass(frozen=True)
class LabelItem:
    """One product's label, printed ``copies`` times."""

    name: str
    sku: str
    price: int
    mrp: int | None
    qr_payload: str
    batch: str | None = None
    expiry: date | None = None
    copies: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.copies <= MAX_COPIES:
            raise ValueError(f"copies must be 1..{MAX_COPIES}, not {self.copies}")
        if isinstance(self.price, float) or isinstance(self.mrp, float):
            raise TypeError("money is integer paise, never a float")
        if not self.qr_payload:
            raise ValueError("a label needs a QR payload")


@dataclass(frozen=True)
class LabelOptions:
    outlines: bool = False
    """Draw each cell's outline (cut guides on plain paper; off for die-cut sheets)."""
    show_mrp: bool = True
    native_qr: bool = True
    """ESC/POS: the printer's own QR command (GS ( k); False sends a raster image."""
    cut: bool = True
    """ESC/POS: cut the paper after the last label."""


@dataclass(frozen=True)
class LabelJob:
    template_id: str
    items: tuple[LabelItem, ...]
    options: LabelOptions = field(default_factory=LabelOptions)

    def __post_init__(self) -> None:
        total = self.label_count
        if total > MAX_LABELS:
            raise ValueError(f"a job prints at most {MAX_LABELS} labels, not {total}")

    @property
    def label_count(self) -> int:
        return sum(item.copies for item in self.items)
