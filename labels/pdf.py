"""PDF sheets written page by page: a small streaming writer, bounded memory.

The writer emits each page as soon as it is drawn, so a 10,000-label job
never holds more than one page (plus one form per distinct QR payload:
copies of a product share it). Text is Helvetica (a standard PDF font,
nothing embedded); the ₹ sign is a drawn form since Helvetica has none.
The output is deterministic (no dates), so equal jobs give equal bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from labels import glyph
from labels.content import RUPEE, label_text
from labels.layout import PT, RUPEE_EM, LabelLayout, layout_label, text_width
from labels.model import LabelItem, LabelJob
from labels.pages import each_page
from labels.qr import QUIET_MODULES, printed_payload, qr_matrix
from labels.templates import Template

MM = 72 / 25.4
"""Points per millimetre."""
_FONT, _BOLD, _RUPEE = 3, 4, 5
_FIRST_FREE = 6


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


class _Writer:
    def __init__(self) -> None:
        self.offset = 0
        self.offsets: dict[int, int] = {}
        self.next_id = _FIRST_FREE

    def allocate(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def raw(self, data: bytes) -> bytes:
        self.offset += len(data)
        return data

    def obj(self, number: int, body: bytes) -> bytes:
        self.offsets[number] = self.offset
        return self.raw(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def stream(self, number: int, head: str, data: bytes) -> bytes:
        packed = zlib.compress(data, 6)
        body = f"<< {head} /Filter /FlateDecode /Length {len(packed)} >>\nstream\n".encode()
        return self.obj(number, body + packed + b"\nendstream")

    def trailer(self, size: int) -> bytes:
        xref = self.offset
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        lines += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, size)]
        tail = f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        return self.raw(b"".join(lines) + tail.encode())


def _qr_form(payload: str) -> tuple[str, bytes]:
    matrix = qr_matrix(payload)
    n = matrix.size
    rects = " ".join(f"{c} {n - 1 - r} {w} 1 re" for r, c, w in matrix.runs())
    q = QUIET_MODULES
    head = f"/Type /XObject /Subtype /Form /BBox [{-q} {-q} {n + q} {n + q}]"
    return head, f"0 g {rects} f".encode()


def _text_ops(run_x: float, baseline: float, size: float, bold: bool, text: str) -> list[str]:
    """Text with each ₹ drawn by the rupee form, in page points."""
    ops: list[str] = []
    font = "/F2" if bold else "/F1"
    x = run_x
    for i, part in enumerate(text.split(RUPEE)):
        if i > 0:
            em = size * PT * MM
            ops.append(f"q {_num(em)} 0 0 {_num(em)} {_num(x * MM)} {_num(baseline)} cm /R Do Q")
            x += RUPEE_EM * size * PT
        if part:
            ops.append(
                f"BT {font} {_num(size)} Tf {_num(x * MM)} {_num(baseline)} Td ("
                + _escape(part).decode("latin-1")
                + ") Tj ET"
            )
            x += text_width(part, size, bold)
    return ops


def _label_ops(
    template: Template, cell: int, layout: LabelLayout, qr: tuple[str, int], outlines: bool
) -> list[str]:
    left, top = template.cell_origin(cell)
    page_h = template.page_h
    ops: list[str] = []
    if outlines:
        y = (page_h - top - template.cell_h) * MM
        ops.append(
            f"0.1 w 0.5 G {_num(left * MM)} {_num(y)} {_num(template.cell_w * MM)} "
            f"{_num(template.cell_h * MM)} re S"
        )
    qr_name, n = qr
    scale = layout.qr_size / (n + 2 * QUIET_MODULES) * MM
    qx = (left + layout.qr_x) * MM + QUIET_MODULES * scale
    qy = (page_h - top - layout.qr_y - layout.qr_size) * MM + QUIET_MODULES * scale
    ops.append(f"q {_num(scale)} 0 0 {_num(scale)} {_num(qx)} {_num(qy)} cm /{qr_name} Do Q")
    for run in layout.runs:
        baseline = (page_h - top - run.baseline) * MM
        ops.extend(_text_ops(left + run.x, baseline, run.size_pt, run.bold, run.text))
    return ops


def pdf_chunks(job: LabelJob, template: Template) -> Iterator[bytes]:
    """The PDF as byte chunks, one page at a time."""
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
    forms: dict[str, int] = {}
    names: dict[str, str] = {}
    kids: list[int] = []
    layouts: dict[LabelItem, LabelLayout] = {}
    page_w, page_h = _num(template.page_w * MM), _num(template.page_h * MM)
    for page in each_page(job, template):
        used: dict[str, int] = {}
        ops: list[str] = []
        for cell, item in enumerate(page):
            payload = printed_payload(item.qr_payload)
            if payload not in forms:
                forms[payload] = w.allocate()
                names[payload] = f"Q{forms[payload]}"
                head, data = _qr_form(payload)
                yield w.stream(forms[payload], head, data)
            used[names[payload]] = forms[payload]
            layout = layouts.get(item)
            if layout is None:
                layout = layouts[item] = layout_label(template, label_text(item, job.options))
            qr = (names[payload], qr_matrix(payload).size)
            ops.extend(_label_ops(template, cell, layout, qr, job.options.outlines))
        content, page_id = w.allocate(), w.allocate()
        yield w.stream(content, "", "\n".join(ops).encode("latin-1"))
        xobjects = " ".join(f"/{name} {num} 0 R" for name, num in sorted(used.items()))
        resources = f"<< /Font << /F1 {_FONT} 0 R /F2 {_BOLD} 0 R >> /XObject << /R {_RUPEE} 0 R {xobjects} >> >>"
        page_obj = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] "
            f"/Resources {resources} /Contents {content} 0 R >>"
        )
        yield w.obj(page_id, page_obj.encode())
        kids.append(page_id)
        layouts.clear()  # layouts are per page: bounded memory for a long catalog
    refs = " ".join(f"{k} 0 R" for k in kids)
    yield w.obj(2, f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode())
    yield w.trailer(w.next_id)
