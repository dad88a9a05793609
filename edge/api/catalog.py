from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from edge.api.deps import Box
from edge.api.schemas import ProductOut
from edge.services import catalog
from edge.services.identity import require_identity

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])


@router.get("/lookup", response_model=ProductOut)
def lookup(box: Box, code: Annotated[str, Query(max_length=200)]) -> ProductOut:
    """Resolve a scanned or typed code: product QR, EAN/UPC/internal barcode, or SKU."""
    with box.db.reader.connect() as conn:
        identity = require_identity(conn)
        product = catalog.resolve_code(conn, identity.org_id, code)
        return ProductOut.of(product, catalog.price_at(conn, product.product_id, box.wall_clock()))


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
