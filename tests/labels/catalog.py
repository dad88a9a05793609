"""Sample label items: a small shop's catalog with real-looking names and prices."""

from __future__ import annotations

import uuid
from datetime import date

from labels import LabelItem
from setledger.product_qr import product_qr_payload

ORG = "ORG-1234abcd"
NAMES = [
    "Aashirvaad Whole Wheat Atta 5 kg",
    "Tata Salt 1 kg",
    "Amul Butter 500 g",
    "Parle-G Biscuits",
    "Surf Excel Easy Wash Detergent Powder 1.5 kg",
    "Fortune Sunflower Oil 1 L",
    "Maggi 2-Minute Noodles Masala (Pack of 12)",
]


def product_id(i: int) -> uuid.UUID:
    return uuid.UUID(int=(0x0190D7E2_0000_7000_8000_000000000000 + i * 7919))


def item(i: int, copies: int = 1) -> LabelItem:
    return LabelItem(
        name=NAMES[i % len(NAMES)] if i < len(NAMES) else f"{NAMES[i % len(NAMES)]} #{i}",
        sku=f"SH-{i:05d}",
        price=1_000 + 137 * i,
        mrp=None if i % 5 == 4 else 1_200 + 150 * i,
        qr_payload=product_qr_payload(ORG, product_id(i)),
        batch=f"B{i % 97:02d}" if i % 3 == 0 else None,
        expiry=date(2027, 1 + i % 12, 28) if i % 4 == 0 else None,
        copies=copies,
    )


def items_totalling(total: int) -> tuple[LabelItem, ...]:
    """Distinct products with 1-3 copies each, ``total`` labels in all."""
    found: list[LabelItem] = []
    count, i = 0, 0
    while count < total:
        copies = min(1 + i % 3, total - count)
        found.append(item(i, copies))
        count += copies
        i += 1
    return tuple(found)
