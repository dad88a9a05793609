"""Routes of the catalog master and its snapshot."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.catalog import products
from hub.catalog.schemas import (
    PriceCreate,
    ProductCreate,
    ProductPage,
    ProductPublic,
    ProductUpdate,
)
from hub.catalog.snapshot import catalog_snapshot
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
