"""Top-to-bottom placement of rows of text on pages of a fixed width.

A page of fixed height starts a new page when a row would cross the
bottom margin; a roll (``height=None``) grows and is cut to its content.
All positions are millimetres from the page's top-left, as in
``labels.pdf_pages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from labels.layout import ELLIPSIS, PT, text_width
from labels.pdf_pages import Page, Qr, Rule, Text

Align = Literal["left", "right", "centre"]
LEADING = 1.35
"""Row height as a multiple of the font size."""


@dataclass(frozen=True)
class Cell:
    """Text anchored at ``x``: its left edge, right edge or centre."""

    x: float
    text: str
    align: Align = "left"
    bold: bool = False
    width: float | None = None
    """Cut with an ellipsis to fit (left-aligned cells only)."""


def fit(text: str, width: float, size_pt: float, bold: bool) -> str:
    if text_width(text, size_pt, bold) <= width:
        return text
    while text and text_width(text + ELLIPSIS, size_pt, bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def wrap(text: str, width: float, size_pt: float, bold: bool = False) -> list[str]:
    """Words broken into lines no wider than ``width`` (a long word is cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size_pt, bold) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return [fit(line, width, size_pt, bold) for line in lines]


class Flow:
    def __init__(self, width: float, height: float | None, margin: float) -> None:
        self.width = width
        self.height = height
        self.margin = margin
        self.pages = [Page(width, height or 0.0)]
        self.y = margin

    @property
    def left(self) -> float:
        return self.margin

    @property
    def right(self) -> float:
        return self.width - self.margin

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` more mm fit on this one."""
        if self.height is not None and self.y + height > self.height - self.margin:
            self.pages.append(Page(self.width, self.height))
            self.y = self.margin

    def row(self, cells: list[Cell], size_pt: float) -> None:
        height = size_pt * PT * LEADING
        self.need(height)
        baseline = self.y + size_pt * PT * 1.0
        for cell in cells:
            text = cell.text
            if cell.width is not None:
                text = fit(text, cell.width, size_pt, cell.bold)
            x = cell.x
            if cell.align != "left":
                w = text_width(text, size_pt, cell.bold)
                x -= w if cell.align == "right" else w / 2
            self.page.marks.append(Text(x, baseline, size_pt, text, cell.bold))
        self.y += height

    def line(self, text: str, size_pt: float, *, bold: bool = False, align: Align = "left") -> None:
        x = {"left": self.left, "right": self.right, "centre": self.width / 2}[align]
        self.row([Cell(x, text, align, bold)], size_pt)

    def paragraph(self, text: str, size_pt: float, *, bold: bool = False) -> None:
        for part in wrap(text, self.right - self.left, size_pt, bold):
            self.line(part, size_pt, bold=bold)

    def rule(self, gap: float = 1.0, width_pt: float = 0.5) -> None:
        self.need(gap * 2)
        self.y += gap
        self.page.marks.append(Rule(self.left, self.y, self.right, self.y, width_pt))
        self.y += gap

    def space(self, mm: float) -> None:
        self.y += mm

    def qr(self, x: float, size: float, text: str) -> None:
        """A QR whose box starts at the current position (the flow does not move)."""
        self.need(size)
        self.page.marks.append(Qr(x, self.y, size, text))

    def finish(self) -> list[Page]:
        if self.height is None:
            self.page.height = self.y + self.margin
        return self.pages
