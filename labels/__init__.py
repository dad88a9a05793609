"""Product labels: data in, bytes out. Shared by the hub and the store box.

No database, no HTTP, no files: a caller builds a ``LabelJob`` (template,
items with copies, options) and gets the bytes of one format back, or an
iterator of chunks for big jobs (PDF streams page by page). Invariants:
every QR encodes its item's payload upper-case; money is integer paise
printed with the kernel's Indian formatting; geometry is the template's,
in millimetres.
"""

from __future__ import annotations

from labels.model import LabelFormat, LabelItem, LabelJob, LabelOptions
from labels.render import media_type, render, render_chunks, templates
from labels.templates import Kind, Template, get_template

__all__ = [
    "Kind",
    "LabelFormat",
    "LabelItem",
    "LabelJob",
    "LabelOptions",
    "Template",
    "get_template",
    "media_type",
    "render",
    "render_chunks",
    "templates",
]
