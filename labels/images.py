"""PNG and SVG sheets: one image per page of the template.

A job of one page is that image; a longer job is a ZIP of page-001.png
(or .svg), ... with fixed timestamps, so equal jobs give equal bytes. Both
draw from ``labels.layout``, like the PDF. PNG pages are 300 dpi greyscale
with Liberation Sans (Helvetica's metrics) when installed.
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from html import escape
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from labels import glyph
from labels.content import RUPEE, label_text
from labels.layout import PT, RUPEE_EM, layout_label, text_width
from labels.model import LabelFormat, LabelJob
from labels.pages import each_page
from labels.qr import QUIET_MODULES, printed_payload, qr_matrix
from labels.templates import Template

PNG_DPI = 300
_FONT_DIRS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {
    False: ("LiberationSans-Regular.ttf", "DejaVuSans.ttf"),
    True: ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=64)
def _font(size_px: int, bold: bool) -> _Font:
    for directory in _FONT_DIRS:
        for name in _FONT_FILES[bold]:
            path = Path(directory) / name
            if path.exists():
                return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size_px)


def _png_page(template: Template, job: LabelJob, page: list) -> bytes:  # type: ignore[type-arg]
    px = PNG_DPI / 25.4
    image = Image.new("L", (round(template.page_w * px), round(template.page_h * px)), 255)
    draw = ImageDraw.Draw(image)
    for cell, item in enumerate(page):
        left, top = template.cell_origin(cell)
        if job.options.outlines:
            box = (left * px, top * px, (left + template.cell_w) * px, (top + template.cell_h) * px)
            draw.rectangle(box, outline=128, width=1)
        layout = layout_label(template, label_text(item, job.options))
        matrix = qr_matrix(item.qr_payload)
        module = max(1, int(layout.qr_size * px / (matrix.size + 2 * QUIET_MODULES)))
        code = Image.frombytes(
            "L", (matrix.size, matrix.size), bytes(255 - 255 * d for d in matrix.dark)
        )
        code = code.resize((module * matrix.size,) * 2, Image.Resampling.NEAREST)
        image.paste(
            code,
            (
                round((left + layout.qr_x) * px) + QUIET_MODULES * module,
                round((top + layout.qr_y) * px) + QUIET_MODULES * module,
            ),
        )
        for run in layout.runs:
            size_px = max(1, round(run.size_pt * PT * px))
            x = (left + run.x) * px
            baseline = (top + run.baseline) * px
            for i, part in enumerate(run.text.split(RUPEE)):
                if i > 0:
                    _rupee(draw, x, baseline, size_px)
                    x += RUPEE_EM * size_px
                if part:
                    draw.text(
                        (x, baseline), part, fill=0, font=_font(size_px, run.bold), anchor="ls"
                    )
                    x += text_width(part, run.size_pt, run.bold) * px
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


def _rupee(draw: ImageDraw.ImageDraw, x: float, baseline: float, em: int) -> None:
    width = max(1, round(glyph.STROKE_EM * em))

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return (x + point[0] * em, baseline - point[1] * em)

    for a, b in glyph.BARS:
        draw.line([at(a), at(b)], fill=0, width=width)
    draw.line(
        [at(p) for p in (*glyph.bowl_points(), glyph.LEG_END)], fill=0, width=width, joint="curve"
    )


def _svg_page(template: Template, job: LabelJob, page: list) -> bytes:  # type: ignore[type-arg]
    w, h = template.page_w, template.page_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" '
        "font-family=\"Helvetica, Arial, 'Liberation Sans', sans-serif\">"
    ]
    for cell, item in enumerate(page):
        left, top = template.cell_origin(cell)
        if job.options.outlines:
            parts.append(
                f'<rect x="{left:.3f}" y="{top:.3f}" width="{template.cell_w}" height="{template.cell_h}" '
                'fill="none" stroke="#808080" stroke-width="0.1"/>'
            )
        layout = layout_label(template, label_text(item, job.options))
        matrix = qr_matrix(item.qr_payload)
        scale = layout.qr_size / (matrix.size + 2 * QUIET_MODULES)
        ox = left + layout.qr_x + QUIET_MODULES * scale
        oy = top + layout.qr_y + QUIET_MODULES * scale
        path = "".join(f"M{c} {r}h{n}v1h-{n}z" for r, c, n in matrix.runs())
        parts.append(
            f'<path transform="translate({ox:.3f} {oy:.3f}) scale({scale:.5f})" d="{path}" '
            f'fill="#000"><title>{escape(printed_payload(item.qr_payload))}</title></path>'
        )
        for run in layout.runs:
            weight = ' font-weight="bold"' if run.bold else ""
            parts.append(
                f'<text x="{left + run.x:.3f}" y="{top + run.baseline:.3f}" '
                f'font-size="{run.size_pt * PT:.3f}"{weight}>{escape(run.text)}</text>'
            )
    parts.append("</svg>\n")
    return "\n".join(parts).encode("utf-8")


def image_file(job: LabelJob, template: Template, fmt: LabelFormat) -> bytes:
    draw_page = _png_page if fmt is LabelFormat.PNG else _svg_page
    pages = [draw_page(template, job, page) for page in each_page(job, template)]
    if len(pages) == 1:
        return pages[0]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, data in enumerate(pages, start=1):
            info = zipfile.ZipInfo(f"page-{number:03d}.{fmt.value}", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()
