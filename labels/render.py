"""One entry point for every format: ``render(job, fmt)``."""

from __future__ import annotations

from collections.abc import Iterator

from labels.model import MEDIA_TYPES, ZIP_MEDIA_TYPE, LabelFormat, LabelJob
from labels.pages import page_count
from labels.templates import TEMPLATES, Template, get_template


def templates() -> list[Template]:
    return list(TEMPLATES.values())


def _checked(job: LabelJob, fmt: LabelFormat) -> Template:
    template = get_template(job.template_id)
    if fmt not in template.formats:
        allowed = ", ".join(f.value for f in template.formats)
        raise ValueError(f"template {template.template_id} prints {allowed}, not {fmt.value}")
    return template


def media_type(job: LabelJob, fmt: LabelFormat) -> str:
    template = _checked(job, fmt)
    if fmt in (LabelFormat.PNG, LabelFormat.SVG) and page_count(job, template) > 1:
        return ZIP_MEDIA_TYPE
    return MEDIA_TYPES[fmt]


def render_chunks(job: LabelJob, fmt: LabelFormat) -> Iterator[bytes]:
    """The output as chunks (PDF: page by page, so memory stays bounded)."""
    template = _checked(job, fmt)
    if fmt is LabelFormat.PDF:
        from labels.pdf import pdf_chunks

        yield from pdf_chunks(job, template)
    elif fmt in (LabelFormat.PNG, LabelFormat.SVG):
        from labels.images import image_file

        yield image_file(job, template, fmt)
    elif fmt is LabelFormat.ESCPOS:
        from labels.thermal import escpos_bytes

        yield escpos_bytes(job, template)
    else:
        from labels.zpl import zpl_text

        yield zpl_text(job, template).encode("utf-8")


def render(job: LabelJob, fmt: LabelFormat) -> bytes:
    return b"".join(render_chunks(job, fmt))
