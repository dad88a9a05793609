"""What a label says, worded once for every format.

Sheet formats print the rupee sign; ESC/POS and ZPL printers' built-in
fonts have no ₹ glyph, so those print "Rs." (``plain``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from labels.model import LabelItem, LabelOptions
from setledger.money import format_rupees

RUPEE = "₹"


@dataclass(frozen=True)
class LabelText:
    name: str
    sku: str
    mrp: str | None
    price: str
    extra: str | None
    """Batch and expiry, when the item has them."""


def label_text(item: LabelItem, options: LabelOptions) -> LabelText:
    extras = []
    if item.batch:
        extras.append(f"Batch {item.batch}")
    if item.expiry is not None:
        extras.append(f"Exp {item.expiry:%d/%m/%Y}")
    return LabelText(
        name=" ".join(item.name.split()),
        sku=f"SKU {item.sku}",
        mrp=f"MRP {format_rupees(item.mrp)}" if item.mrp is not None and options.show_mrp else None,
        price=format_rupees(item.price),
        extra="  ".join(extras) or None,
    )


def plain(text: str) -> str:
    """ASCII for printers' built-in fonts: ₹ as "Rs.", accents dropped, others "?"."""
    text = text.replace(RUPEE, "Rs.")
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in folded if not unicodedata.combining(c))
    return kept.encode("ascii", "replace").decode("ascii")
