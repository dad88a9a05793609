"""Label templates as data: exact millimetre geometry of a page and its cells.

Sheet geometries are the manufacturers' published ones for common A4
die-cut sheets (Avery; other brands sell the same layouts under other
numbers). Thermal "pages" are one label each: the printable width of 58 mm
and 80 mm roll printers (48 mm / 72 mm at 203 dpi, 384 / 576 dots) by a
fixed label height. The ZPL template is a 50 x 25 mm label at 203 dpi.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from labels.model import LabelFormat

SHEET_FORMATS = (LabelFormat.PDF, LabelFormat.PNG, LabelFormat.SVG)


class Kind(StrEnum):
    SHEET = "sheet"
    THERMAL = "thermal"
    ZPL = "zpl"


@dataclass(frozen=True)
class Template:
    template_id: str
    title: str
    kind: Kind
    page_w: float
    page_h: float
    margin_left: float
    margin_top: float
    columns: int
    rows: int
    cell_w: float
    cell_h: float
    gap_x: float
    gap_y: float
    formats: tuple[LabelFormat, ...]
    source: str
    dpi: int = 203
    """Thermal and ZPL: the printer's resolution (dots per inch)."""

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell_origin(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm from the page's top-left) of the cell ``index`` on a page.

        Cells fill row by row, left to right, as a sheet is read."""
        row, column = divmod(index % self.per_page, self.columns)
        return (
            self.margin_left + column * (self.cell_w + self.gap_x),
            self.margin_top + row * (self.cell_h + self.gap_y),
        )

    def dots(self, mm: float) -> int:
        return round(mm * self.dpi / 25.4)


def _sheet(
    template_id: str,
    title: str,
    grid: tuple[int, int],
    cell: tuple[float, float],
    margins: tuple[float, float],
    gaps: tuple[float, float],
    source: str,
) -> Template:
    return Template(
        template_id=template_id,
        title=title,
        kind=Kind.SHEET,
        page_w=210.0,
        page_h=297.0,
        margin_left=margins[0],
        margin_top=margins[1],
        columns=grid[0],
        rows=grid[1],
        cell_w=cell[0],
        cell_h=cell[1],
        gap_x=gaps[0],
        gap_y=gaps[1],
        formats=SHEET_FORMATS,
        source=source,
    )


def _roll(template_id: str, title: str, width: float, height: float, kind: Kind) -> Template:
    formats = (LabelFormat.ESCPOS, *SHEET_FORMATS) if kind is Kind.THERMAL else (LabelFormat.ZPL,)
    return Template(
        template_id=template_id,
        title=title,
        kind=kind,
        page_w=width,
        page_h=height,
        margin_left=0.0,
        margin_top=0.0,
        columns=1,
        rows=1,
        cell_w=width,
        cell_h=height,
        gap_x=0.0,
        gap_y=0.0,
        formats=formats,
        source="one label per page",
    )


TEMPLATES: dict[str, Template] = {
    t.template_id: t
    for t in (
        _sheet(
            "a4-3x8",
            "A4 sheet, 3 x 8 labels of 70 x 37 mm",
            (3, 8),
            (70.0, 37.0),
            (0.0, 0.5),
            (0.0, 0.0),
            "Avery 3474: 24 per sheet, edge to edge across, 0.5 mm top and bottom",
        ),
        _sheet(
            "a4-4x10",
            "A4 sheet, 4 x 10 labels of 48.5 x 25.4 mm",
            (4, 10),
            (48.5, 25.4),
            (8.0, 21.5),
            (0.0, 0.0),
            "Avery 3657: 40 per sheet, 8 mm sides, 21.5 mm top and bottom, no gaps",
        ),
        _sheet(
            "a4-5x13",
            "A4 sheet, 5 x 13 labels of 38.1 x 21.2 mm",
            (5, 13),
            (38.1, 21.2),
            (4.75, 10.7),
            (2.5, 0.0),
            "Avery L7651: 65 per sheet, 4.75 mm sides, 10.7 mm top, 2.5 mm column gap",
        ),
        _roll(
            "thermal-58",
            "Thermal roll 58 mm (48 mm printable), 40 mm a label",
            48.0,
            40.0,
            Kind.THERMAL,
        ),
        _roll(
            "thermal-80",
            "Thermal roll 80 mm (72 mm printable), 45 mm a label",
            72.0,
            45.0,
            Kind.THERMAL,
        ),
        _roll("zpl-50x25", "Zebra label 50 x 25 mm at 203 dpi (ZPL)", 50.0, 25.0, Kind.ZPL),
    )
}


def get_template(template_id: str) -> Template:
    try:
        return TEMPLATES[template_id]
    except KeyError:
        raise ValueError(f"unknown label template {template_id!r}") from None
