"""Free-form PDF pages with the label writer's fonts, ₹ form and QR forms.

For documents that are not label sheets (invoices): each page has its own
size in millimetres and a list of marks placed from the page's top-left,
like ``labels.layout``. Same guarantees as ``labels.pdf``: Helvetica, the
₹ sign drawn, deterministic bytes. QR codes keep their text's case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from labels import glyph
from labels.pdf import _BOLD, _FONT, _RUPEE, MM, _num, _text_ops, _Writer
from labels.qr import QUIET_MODULES, exact_qr_matrix


@dataclass(frozen=True)
class Text:
    x: float
    baseline: float
    size_pt: float
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A straight line (table rules, boxes), ``width_pt`` thick."""

    x1: float
    y1: float
    x2: float
    y2: float
    width_pt: float = 0.5


@dataclass(frozen=True)
class Qr:
    """A QR code in a square box of ``size`` mm (quiet zone included)."""

    x: float
    y: float
    size: float
    text: str


Mark = Text | Rule | Qr


@dataclass
class Page:
    width: float
    height: float
    marks: list[Mark] = field(default_factory=list)


def _qr_form(text: str) -> tuple[str, bytes, int]:
    matrix = exact_qr_matrix(text)
    n = matrix.size
    rects = " ".join(f"{c} {n - 1 - r} {w} 1 re" for r, c, w in matrix.runs())
    q = QUIET_MODULES
    head = f"/Type /XObject /Subtype /Form /BBox [{-q} {-q} {n + q} {n + q}]"
    return head, f"0 g {rects} f".encode(), n


def _page_ops(page: Page, forms: dict[str, tuple[str, int]]) -> list[str]:
    h = page.height
    ops: list[str] = []
    for mark in page.marks:
        if isinstance(mark, Text):
            ops.extend(
                _text_ops(mark.x, (h - mark.baseline) * MM, mark.size_pt, mark.bold, mark.text)
            )
        elif isinstance(mark, Rule):
            ops.append(
                f"{_num(mark.width_pt)} w 0 G {_num(mark.x1 * MM)} {_num((h - mark.y1) * MM)} m "
                f"{_num(mark.x2 * MM)} {_num((h - mark.y2) * MM)} l S"
            )
        else:
            name, n = forms[mark.text]
            scale = mark.size / (n + 2 * QUIET_MODULES) * MM
            qx = mark.x * MM + QUIET_MODULES * scale
            qy = (h - mark.y - mark.size) * MM + QUIET_MODULES * scale
            ops.append(f"q {_num(scale)} 0 0 {_num(scale)} {_num(qx)} {_num(qy)} cm /{name} Do Q")
    return ops


def pages_pdf_chunks(pages: Iterable[Page]) -> Iterator[bytes]:
    """The PDF of ``pages`` as byte chunks, one page at a time."""
    w = _Writer()
    yield w.raw(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    yield w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    for number, base in ((_FONT, "Helvetica"), (_BOLD, "Helvetica-Bold")):
        font = f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>"
        yield w.obj(number, font.encode())
    yield w.stream(
        _RUPEE,
        "/Type /XObject /Subtype /Form /BBox [-0.1 -0.1 0.7 0.9]",
        b"0 G " + glyph.pdf_operators().encode(),
    )
    forms: dict[str, tuple[str, int]] = {}
    kids: list[int] = []
    for page in pages:
        used: dict[str, int] = {}
        for mark in page.marks:
            if isinstance(mark, Qr) and mark.text not in forms:
                number = w.allocate()
                head, data, n = _qr_form(mark.text)
                forms[mark.text] = (f"Q{number}", n)
                used[f"Q{number}"] = number
                yield w.stream(number, head, data)
            elif isinstance(mark, Qr):
                name = forms[mark.text][0]
                used[name] = int(name[1:])
        content, page_id = w.allocate(), w.allocate()
        yield w.stream(content, "", "\n".join(_page_ops(page, forms)).encode("latin-1"))
        xobjects = " ".join(f"/{name} {num} 0 R" for name, num in sorted(used.items()))
        resources = (
            f"<< /Font << /F1 {_FONT} 0 R /F2 {_BOLD} 0 R >> "
            f"/XObject << /R {_RUPEE} 0 R {xobjects} >> >>"
        )
        page_obj = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_num(page.width * MM)} "
            f"{_num(page.height * MM)}] /Resources {resources} /Contents {content} 0 R >>"
        )
        yield w.obj(page_id, page_obj.encode())
        kids.append(page_id)
    refs = " ".join(f"{k} 0 R" for k in kids)
    yield w.obj(2, f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode())
    yield w.trailer(w.next_id)


def pages_pdf(pages: Iterable[Page]) -> bytes:
    return b"".join(pages_pdf_chunks(pages))
