"""Importing a catalog file from the console: upload, watch, read the report.

The upload is the console's one multipart form, so it reads its CSRF token
itself (``forms.py`` reads url-encoded forms only) before anything runs.
The import runs as a job (``hub.catalog.import_jobs``); its page refreshes
itself with a ``<meta http-equiv="refresh">`` until the job ends, which
needs no script under the console's CSP, then shows either the counts or
every problem as a table of line, column and reason.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.catalog import import_jobs
from hub.catalog.import_jobs import CatalogImportPublic
from hub.catalog.sheets import MEDIA_TYPES, SheetFormat, csv_lines
from hub.catalog.template import HEADER
from hub.console import csrf
from hub.console.auth import SESSION_COOKIE, Db, Member, runtime_of
from hub.console.forms import CSRF_REFUSED, Problem
from hub.console.pages import member_page
from hub.console.web import PREFIX, ConsoleRoute, Refused

router = APIRouter(route_class=ConsoleRoute)

IMPORT = f"{PREFIX}/products/import"
MANAGE = Permission.CATALOG_MANAGE
EXAMPLE = (
    "RICE-1KG,Basmati Rice 1 kg,1006,PCS,no,5,0,yes,128.50,135.00,8901030865022,Grocery,yes,"
    "RICE,1 kg,no,365",
    "SUGAR-L,Sugar (loose),1701,KGS,yes,5,0,yes,44.00,,,Grocery,yes,,,no,",
)
"""Rows of docs/catalog-template.csv (no cell holds a comma)."""


def _page(
    request: Request,
    principal: Principal,
    job: CatalogImportPublic | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    title = "Import products" if job is None else "Import of " + job.file_name
    return member_page(
        request, principal, "product_import.html", title, status, job=job, problem=problem
    )


@router.get("/products/import")
def import_page(request: Request, principal: Member) -> Response:
    require(principal, MANAGE, MANAGE.value)
    return _page(request, principal)


@router.get("/products/import/template.csv")
def template_file(principal: Member) -> Response:
    """The template: every column, two example rows (docs/CATALOG_IMPORT.md explains them)."""
    require(principal, MANAGE, MANAGE.value)
    body = b"".join(csv_lines(HEADER, [row.split(",") for row in EXAMPLE]))
    disposition = {"Content-Disposition": 'attachment; filename="catalog-template.csv"'}
    return Response(body, media_type=MEDIA_TYPES[SheetFormat.CSV], headers=disposition)


@router.post("/products/import")
async def upload(request: Request, principal: Member) -> Response:
    form = await request.form(max_files=1, max_fields=4)
    token = form.get(csrf.FIELD)
    cookie = request.cookies.get(SESSION_COOKIE)
    expected = csrf.member_token(cookie) if cookie else None
    if not csrf.matches(token if isinstance(token, str) else None, expected):
        raise Refused(CSRF_REFUSED)
    require(principal, MANAGE, MANAGE.value)
    file = form.get("file")
    data = await file.read() if isinstance(file, UploadFile) else b""
    if not isinstance(file, UploadFile) or not data:
        problem = Problem("Choose a file to import.", fields={"file": "Choose a CSV or XLSX file."})
        return _page(request, principal, problem=problem, status=422)
    job = await run_in_threadpool(
        import_jobs.start_import,
        runtime_of(request).sessions,
        principal.org_id,
        principal.user_id,
        file.filename or "upload",
        data,
        wait=False,
    )
    return RedirectResponse(f"{IMPORT}/{job.import_id}", status_code=303)


@router.get("/products/import/{import_id}")
def job_page(request: Request, db: Db, principal: Member, import_id: uuid.UUID) -> Response:
    require(principal, Permission.CATALOG_READ, Permission.CATALOG_READ.value)
    job = import_jobs.read_import(db, principal.org_id, import_id)
    return _page(request, principal, job)
