"""Label printing: choose what to print, the template and the format; the
answer is the file, as a download.

What to print is the whole catalog, one category, or products typed by SKU
(one a line, each with optional ``xN`` copies). The job is built by
``hub.catalog.labels`` and rendered by ``labels``, exactly as the API's
``POST /orgs/{org}/labels`` does, from a ``LabelRequest`` validated by the
same model; the org is the signed-in member's. Anything wrong shows the form
again (422) with the problem next to its field. Batch and expiry belong to
picked products (as in the API): a category holds many batches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.catalog.label_choices import categories, products_by_sku
from hub.catalog.labels import label_job
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem
from hub.console.pages import member_page
from hub.console.web import ConsoleRoute
from labels import LabelFormat, Template, media_type, render_chunks, templates
from labels.model import MAX_COPIES
from labels.request import MAX_PICKS, LabelRequest, file_name
from setledger.errors import SetLedgerError

router = APIRouter(route_class=ConsoleRoute)

SOURCES = ("catalog", "category", "products")
FORMAT_NAMES: dict[LabelFormat, str] = {
    LabelFormat.PDF: "PDF",
    LabelFormat.PNG: "PNG (a ZIP of pages when there are several)",
    LabelFormat.SVG: "SVG (a ZIP of pages when there are several)",
    LabelFormat.ESCPOS: "ESC/POS (the box's thermal printer)",
    LabelFormat.ZPL: "ZPL (Zebra-type label printers)",
}
SKU_LINE = re.compile(r"^(?P<sku>\S+)(?:\s+[xX×]\s*(?P<copies>\d{1,6}))?$")
DEFAULTS: Form = {"source": "catalog", "template": "a4-3x8", "format": "pdf", "copies": "1"}
MAX_LISTED = 5
"""Unknown SKUs named in one message; more are counted."""


class FormProblem(Exception):
    """A field to correct; shown next to it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Line:
    number: int
    sku: str
    copies: int | None


def _template_text(template: Template) -> str:
    prints = ", ".join(FORMAT_NAMES[f].split(" (")[0] for f in template.formats)
    if template.per_page > 1:
        return f"{template.per_page} a sheet ({template.source}). Prints {prints}."
    return f"One label at a time. Prints {prints}."


def _page(
    request: Request,
    db: Db,
    principal: Principal,
    form: Form,
    problem: Problem | None = None,
) -> Response:
    return member_page(
        request,
        principal,
        "labels.html",
        "Print labels",
        422 if problem else 200,
        form={**DEFAULTS, **form},
        problem=problem,
        categories=categories(db, principal.org_code),
        templates=[(t, _template_text(t)) for t in templates()],
        formats=[
            (f, name, " ".join(t.template_id for t in templates() if f in t.formats))
            for f, name in FORMAT_NAMES.items()
        ],
        max_copies=MAX_COPIES,
    )


@router.get("/labels")
def labels_page(request: Request, db: Db, principal: Member) -> Response:
    require(principal, Permission.CATALOG_READ, Permission.CATALOG_READ.value)
    return _page(request, db, principal, {})


@router.post("/labels")
def print_labels(request: Request, form: MemberForm, db: Db, principal: Member) -> Response:
    require(principal, Permission.CATALOG_READ, Permission.CATALOG_READ.value)
    try:
        body = _request_of(db, principal, form)
        job = label_job(db, principal.org_code, body)
    except FormProblem as wrong:
        problem = Problem("Some fields need correcting.", fields={wrong.name: wrong.message})
        return _page(request, db, principal, form, problem)
    except SetLedgerError as err:
        return _page(request, db, principal, form, _problem_of(err, form))
    kind = media_type(job, body.format)
    return StreamingResponse(
        render_chunks(job, body.format),
        media_type=kind,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(body, kind)}"',
            "X-Label-Count": str(job.label_count),
        },
    )


def _request_of(db: Db, principal: Principal, form: Form) -> LabelRequest:
    """The form as the API's request; FormProblem names the first field to fix."""
    template, fmt = _template_and_format(form)
    copies = _whole(form.get("copies", "").strip() or "1", "copies")
    batch = form.get("batch", "").strip() or None
    expiry = _expiry(form.get("expiry", "").strip())
    fields: dict[str, Any] = {
        "template": template.template_id,
        "format": fmt,
        "copies": copies,
        "outlines": bool(form.get("outlines")),
    }
    source = form.get("source", "")
    if source not in SOURCES:
        raise FormProblem("source", "Choose what to print.")
    if source != "products" and (batch or expiry):
        field = "batch" if batch else "expiry"
        raise FormProblem(field, "Batch and expiry go on products picked by SKU.")
    if source == "category":
        category = form.get("category", "").strip()
        if not category:
            raise FormProblem("category", "Choose a category.")
        fields["category"] = category
    elif source == "products":
        lines = _sku_lines(form.get("skus", ""))
        ids = products_by_sku(db, principal.org_code, {line.sku for line in lines})
        unknown = [line for line in lines if line.sku not in ids]
        if unknown:
            raise FormProblem("skus", _unknown_text(unknown))
        fields["products"] = [
            {"product_id": ids[line.sku], "copies": line.copies, "batch": batch, "expiry": expiry}
            for line in lines
        ]
    try:
        return LabelRequest.model_validate(fields)
    except ValidationError as err:
        raise FormProblem(*_field_of(err)) from None


def _template_and_format(form: Form) -> tuple[Template, LabelFormat]:
    by_id = {t.template_id: t for t in templates()}
    template = by_id.get(form.get("template", ""))
    if template is None:
        raise FormProblem("template", "Choose one of the templates.")
    try:
        fmt = LabelFormat(form.get("format", ""))
    except ValueError:
        raise FormProblem("format", "Choose one of the formats.") from None
    if fmt not in template.formats:
        offered = ", ".join(FORMAT_NAMES[f].split(" (")[0] for f in template.formats)
        raise FormProblem("format", f"The template {template.template_id} prints {offered}.")
    return template, fmt


def _whole(text: str, name: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_COPIES:
        raise FormProblem(name, f"A whole number from 1 to {MAX_COPIES}.")
    return int(text)


def _expiry(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormProblem("expiry", "A date such as 2027-03-31.") from None


def _sku_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = SKU_LINE.match(raw.strip())
        if match is None:
            raise FormProblem(
                "skus", f"Line {number}: one SKU, optionally followed by x and copies."
            )
        sku, copies = match["sku"], match["copies"]
        if sku.lower() in seen:
            raise FormProblem(
                "skus", f"Line {number}: {sku} is already on line {seen[sku.lower()]}."
            )
        seen[sku.lower()] = number
        count = None if copies is None else _whole(copies, "skus")
        lines.append(Line(number, sku, count))
    if not lines:
        raise FormProblem("skus", "Type at least one SKU.")
    if len(lines) > MAX_PICKS:
        raise FormProblem("skus", f"At most {MAX_PICKS} SKUs at a time.")
    return lines


def _unknown_text(unknown: list[Line]) -> str:
    named = ", ".join(f"{line.sku} (line {line.number})" for line in unknown[:MAX_LISTED])
    more = len(unknown) - MAX_LISTED
    rest = f" and {more} more" if more > 0 else ""
    return f"No product with the SKU {named}{rest} in the catalog."


def _field_of(err: ValidationError) -> tuple[str, str]:
    """The first problem pydantic found, as (field, what to fix)."""
    item = err.errors()[0]
    location = [str(part) for part in item["loc"]]
    if location[:1] == ["products"]:
        name = "batch" if location[-1:] == ["batch"] else "skus"
    else:
        name = location[0] if location else "template"
    return name, str(item["msg"]).removeprefix("Value error, ")


def _problem_of(err: SetLedgerError, form: Form) -> Problem:
    """The service's refusal next to what caused it."""
    source = form.get("source", "")
    if err.code == "PRICE_MISSING":
        return Problem(err.message, err.remediation, err.code, {"skus": err.message})
    if err.code == "CATALOG_PRODUCT_NOT_FOUND":
        # Picked products were all found above: a category or the catalog had
        # no active product with a price.
        where = "this category" if source == "category" else "the catalog"
        message = f"No active product with a price in {where}."
        name = "category" if source == "category" else "source"
        return Problem(message, "Set selling prices in the catalog.", err.code, {name: message})
    raise err
