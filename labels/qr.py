"""QR matrices from zxing-cpp's C++ encoder (about 0.1 ms a code).

Pure-Python encoders cost 5-22 ms a code, which alone would blow the
1,000-labels-in-5-s budget (docs: PITFALLS "QR and PDF"). Payloads are
upper-cased so the canonical product payload fits alphanumeric mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import zxingcpp

QUIET_MODULES = 2
"""White modules kept around a code inside its box (labels add padding too)."""


@dataclass(frozen=True)
class QrMatrix:
    size: int
    dark: bytes
    """``size * size`` bytes row by row from the top, 1 for a dark module."""

    def runs(self) -> list[tuple[int, int, int]]:
        """Horizontal runs of dark modules: (row, first column, length)."""
        found: list[tuple[int, int, int]] = []
        n = self.size
        for row in range(n):
            line = self.dark[row * n : (row + 1) * n]
            column = 0
            while column < n:
                start = line.find(1, column)
                if start < 0:
                    break
                end = line.find(0, start)
                end = n if end < 0 else end
                found.append((row, start, end - start))
                column = end
        return found


def printed_payload(payload: str) -> str:
    """What a label encodes: the payload upper-case (see module docstring)."""
    return payload.upper()


def qr_matrix(payload: str) -> QrMatrix:
    return exact_qr_matrix(printed_payload(payload))


@lru_cache(maxsize=4096)
def exact_qr_matrix(text: str) -> QrMatrix:
    """The QR of ``text`` as given (UPI links are case-sensitive: ``pn``, ``tn``)."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image: Any = code.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    pixels = bytes(image)  # zxing's Image is a buffer of 0 / 255 bytes
    return QrMatrix(size=size, dark=bytes(1 if p < 128 else 0 for p in pixels))
