"""Routes of the catalog master and its snapshot."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, Runtime, allow
from hub.catalog import import_jobs, products
from hub.catalog.exporting import export_file
from hub.catalog.import_jobs import CatalogImportPublic
from hub.catalog.schemas import (
    PriceCreate,
    ProductCreate,
    ProductPage,
    ProductPublic,
    ProductUpdate,
)
from hub.catalog.sheets import MEDIA_TYPES, SheetFormat
from hub.catalog.snapshot import catalog_snapshot
from hub.clock import utcnow
from setledger.contracts import CatalogSnapshot

router = APIRouter(tags=["catalog"])


@router.post("/orgs/{org}/products", status_code=status.HTTP_201_CREATED)
def create_product(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_MANAGE)],
    body: ProductCreate,
) -> ProductPublic:
    return products.create_product(session, principal.org_code, body)


@router.get("/orgs/{org}/products")
def list_products(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_READ)],
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=products.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ProductPage:
    return products.list_products(session, principal.org_code, q, limit, offset)


@router.get("/orgs/{org}/products/{product_id}")
def read_product(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_READ)],
    product_id: uuid.UUID,
) -> ProductPublic:
    return products.read_product(session, principal.org_code, product_id)


@router.patch("/orgs/{org}/products/{product_id}")
def update_product(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_MANAGE)],
    product_id: uuid.UUID,
    body: ProductUpdate,
) -> ProductPublic:
    return products.update_product(session, principal.org_code, product_id, body)


@router.post("/orgs/{org}/products/{product_id}/prices", status_code=status.HTTP_201_CREATED)
def add_price(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_MANAGE)],
    product_id: uuid.UUID,
    body: PriceCreate,
) -> ProductPublic:
    return products.add_price(session, principal.org_code, product_id, body)


@router.get("/orgs/{org}/catalog/snapshot")
def read_catalog_snapshot(
    session: DbSession, principal: Annotated[Principal, allow(P.CATALOG_READ)]
) -> CatalogSnapshot:
    return catalog_snapshot(session, principal.org_code)


@router.post(
    "/orgs/{org}/catalog/imports",
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": CatalogImportPublic}, 422: {"description": "the file's problems"}},
)
def import_catalog(
    runtime: Runtime,
    response: Response,
    principal: Annotated[Principal, allow(P.CATALOG_MANAGE)],
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8) or XLSX, see docs/CATALOG_IMPORT.md")
    ],
    wait: Annotated[bool, Query(description="answer when done (at most 2,000 rows)")] = False,
) -> CatalogImportPublic:
    """Upsert products by SKU from a file: all rows or none. 202 with a job to poll,
    or with ``wait=true`` 200 when done and 422 CATALOG_IMPORT_INVALID listing every problem."""
    data = file.file.read()
    job = import_jobs.start_import(
        runtime.sessions,
        principal.org_id,
        principal.user_id,
        file.filename or "upload",
        data,
        wait=wait,
    )
    if wait:
        response.status_code = status.HTTP_200_OK
    return job


@router.get("/orgs/{org}/catalog/imports/{import_id}")
def read_catalog_import(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_READ)],
    import_id: uuid.UUID,
) -> CatalogImportPublic:
    return import_jobs.read_import(session, principal.org_id, import_id)


@router.get("/orgs/{org}/catalog/export", response_class=StreamingResponse)
def export_catalog(
    session: DbSession,
    principal: Annotated[Principal, allow(P.CATALOG_READ)],
    format: Annotated[SheetFormat, Query()] = SheetFormat.CSV,
) -> StreamingResponse:
    """The whole catalog in the import template: an export imports back unchanged."""
    name = f"catalog-{principal.org_code}-{utcnow():%Y%m%d}.{format.value}"
    return StreamingResponse(
        export_file(session, principal.org_code, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
