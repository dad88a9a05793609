from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from edge.api.deps import Box
from edge.api.schemas import ProductOut
from edge.services import catalog
from edge.services.identity import require_identity

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])


@router.get("/lookup", response_model=ProductOut)
def lookup(box: Box, code: Annotated[str, Query(max_length=200)]) -> ProductOut:
    """Resolve a scanned or typed code: product QR, EAN/UPC/internal barcode, or SKU."""
    with (
        catalog.noting_unknown_codes(box.db.drafts, box.wall_clock()),
        box.db.reader.connect() as conn,
    ):
        identity = require_identity(conn)
        product = catalog.resolve_code(conn, identity.org_id, code)
        return ProductOut.of(product, catalog.price_at(conn, product.product_id, box.wall_clock()))


class UnknownCodeOut(BaseModel):
    code: str
    times: int
    first_seen: str
    last_seen: str


@router.get("/unknown-codes", response_model=list[UnknownCodeOut])
def list_unknown_codes(
    box: Box, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[UnknownCodeOut]:
    """Codes scanned or typed here that named no product, most recent first (for
    the catalog team: add the product, or the barcode to one)."""
    with box.db.reader.connect() as conn:
        return [UnknownCodeOut(**vars(c)) for c in catalog.unknown_codes(conn, limit)]


@router.get("/search", response_model=list[ProductOut])
def search(
    box: Box,
    q: Annotated[str, Query(max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ProductOut]:
    """Active products whose name or SKU starts with ``q``."""
    now = box.wall_clock()
    with box.db.reader.connect() as conn:
        return [
            ProductOut.of(p, catalog.price_at(conn, p.product_id, now))
            for p in catalog.search(conn, q, limit)
        ]
