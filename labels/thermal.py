"""ESC/POS labels for 58 mm and 80 mm roll printers, as bytes.

Written through python-escpos's ``Dummy`` printer (its ``output`` is the
byte stream a real printer would get); the box's device manager sends the
bytes to the printer. The QR is the printer's own command (GS ( k) or, for
printers without it, a raster image (GS v 0) of the same zxing matrix.

Importing python-escpos has side effects (a temp folder for its
capabilities cache, ``logging.basicConfig()``): the import is lazy, points
the cache at one fixed folder and leaves the root logger as it was.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from types import ModuleType
from typing import Any

from PIL import Image

from labels.content import label_text, plain
from labels.model import LabelJob
from labels.qr import printed_payload, qr_matrix
from labels.templates import Template

QR_EC_M = 1
"""python-escpos's QR_ECLEVEL_M (error correction M, as on the sheets)."""
FONT_A_DOTS = 12
"""Font A is 12 dots wide: 32 characters on 58 mm paper, 48 on 80 mm."""
BASE_PROFILE = "TM-T20II"
"""An Epson-compatible python-escpos profile with native QR, raster images
and a cutter; each job sets its paper width (384 or 576 dots) on its own
copy, which also keeps python-escpos from printing a warning to stdout
for every raster image."""


@lru_cache(maxsize=1)
def escpos_printer() -> ModuleType:
    """``escpos.printer``, imported once without its side effects (PITFALLS: the
    capabilities pickle folder, and ``logging.basicConfig()`` on import)."""
    folder = os.environ.setdefault(
        "ESCPOS_CAPABILITIES_PICKLE_DIR",
        os.path.join(tempfile.gettempdir(), "setledger-escpos-capabilities"),
    )
    os.makedirs(folder, exist_ok=True)
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)  # basicConfig() does nothing when the root has a handler
    try:
        from escpos import printer as module
    finally:
        root.removeHandler(guard)
    printer: ModuleType = module
    return printer


def _profile(width_dots: int) -> Any:
    from escpos.capabilities import get_profile

    profile = get_profile(BASE_PROFILE)
    data = dict(profile.profile_data)
    data["media"] = {
        **data["media"],
        "width": {"mm": width_dots * 25.4 / 203, "pixels": width_dots},
    }
    profile.profile_data = data  # an instance attribute: the shared class data stays as it was
    return profile


def _fit(text: str, columns: int) -> str:
    return text if len(text) <= columns else text[: columns - 3] + "..."


def _raster(payload: str, module_dots: int) -> Image.Image:
    matrix = qr_matrix(payload)
    quiet = 2
    side = (matrix.size + 2 * quiet) * module_dots
    image = Image.new("1", (side, side), 1)
    for row, column, length in matrix.runs():
        x, y = (column + quiet) * module_dots, (row + quiet) * module_dots
        image.paste(0, (x, y, x + length * module_dots, y + module_dots))
    return image


def escpos_bytes(job: LabelJob, template: Template) -> bytes:
    width_dots = template.dots(template.page_w)
    printer = escpos_printer().Dummy(profile=BASE_PROFILE)
    printer.profile = _profile(width_dots)
    columns = width_dots // FONT_A_DOTS
    module_dots = 6 if width_dots < 500 else 8
    for item in job.items:
        text = label_text(item, job.options)
        for _ in range(item.copies):
            printer.set(bold=True, double_height=False, double_width=False)
            printer.text(_fit(plain(text.name), columns) + "\n")
            printer.set(bold=False)
            printer.text(_fit(plain(text.sku), columns) + "\n")
            if text.mrp is not None:
                printer.text(_fit(plain(text.mrp), columns) + "\n")
            printer.set(bold=True, double_height=True)
            printer.text(_fit(plain(text.price), columns) + "\n")
            printer.set(bold=False, double_height=False)
            if text.extra is not None:
                printer.text(_fit(plain(text.extra), columns) + "\n")
            if job.options.native_qr:
                printer.qr(
                    printed_payload(item.qr_payload), ec=QR_EC_M, size=module_dots, native=True
                )
            else:
                printer.image(_raster(item.qr_payload, module_dots), impl="bitImageRaster")
            printer.text("\n" + "-" * columns + "\n")
    if job.options.cut:
        printer.cut()
    output: bytes = printer.output
    return output
