"""ZPL II for Zebra-type label printers: one ^XA..^XZ format per product.

Copies are the printer's job (^PQ), so 50 copies cost one format. Text is
sent as UTF-8 (^CI28) with ^FH hex escapes for the characters ZPL treats
as commands; the printer's font 0 has no ₹, so prices read "Rs.".
"""

from __future__ import annotations

from labels.content import label_text, plain
from labels.model import LabelJob
from labels.qr import printed_payload
from labels.templates import Template


def _field(text: str) -> str:
    """Field data with ZPL's command characters escaped (used with ^FH_)."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def zpl_text(job: LabelJob, template: Template) -> str:
    width, height = template.dots(template.page_w), template.dots(template.page_h)
    margin = template.dots(1.5)
    magnification = max(1, (height - 2 * margin) // 37)  # 33 modules + a little quiet zone
    text_x = margin + 33 * magnification + margin
    text_w = width - text_x - margin
    formats: list[str] = []
    for item in job.items:
        text = label_text(item, job.options)
        lines = [
            f"^FO{text_x},{margin}^A0N,24,22^FB{text_w},2,0,L,0^FH_^FD{_field(plain(text.name))}^FS",
            f"^FO{text_x},{margin + 52}^A0N,20,18^FH_^FD{_field(plain(text.sku))}^FS",
        ]
        y = margin + 76
        if text.mrp is not None:
            lines.append(f"^FO{text_x},{y}^A0N,20,18^FH_^FD{_field(plain(text.mrp))}^FS")
            y += 24
        lines.append(f"^FO{text_x},{y}^A0N,30,28^FH_^FD{_field(plain(text.price))}^FS")
        y += 34
        if text.extra is not None:
            lines.append(f"^FO{text_x},{y}^A0N,18,16^FH_^FD{_field(plain(text.extra))}^FS")
        formats.append(
            "\n".join(
                [
                    "^XA",
                    "^CI28",
                    f"^PW{width}",
                    f"^LL{height}",
                    "^LH0,0",
                    f"^FO{margin},{margin}^BQN,2,{magnification}^FDMA,{printed_payload(item.qr_payload)}^FS",
                    *lines,
                    f"^PQ{item.copies}",
                    "^XZ",
                ]
            )
        )
    return "\n".join(formats) + "\n"
