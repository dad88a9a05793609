"""``GET /p/<org slug>/<product slug>``: a product's public page.

A product label's QR carries ``setledger://p/<org>/<product>`` for our own
scanners; a phone's camera cannot open that, so a label may also print this
URL. The page shows what the shelf label shows (name, variant, MRP, price,
the shop) and nothing else: no stock, no cost, no other product. Inactive
products and unknown slugs answer 404 alike. Rate-limited per IP like every
public route.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select

from hub.api.deps import DbSession, Public
from hub.catalog.reading import load_children, price_at
from hub.clock import utcnow
from hub.db.models import Org, Product
from setledger.money import format_rupees

router = APIRouter(tags=["public"], include_in_schema=False)

Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,120}$")]
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=300",
}


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("hub.public", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


@router.get("/p/{org_slug}/{product_slug}", response_class=HTMLResponse, dependencies=Public)
def product_page(session: DbSession, org_slug: Slug, product_slug: Slug) -> HTMLResponse:
    with session.begin():
        found = session.execute(
            select(Org, Product)
            .join(Product, Product.org_id == Org.org_id)
            .where(Org.slug == org_slug, Product.slug == product_slug, Product.active.is_(True))
        ).first()
        if found is None:
            page = _templates().get_template("not_found.html").render()
            return HTMLResponse(page, status_code=404, headers=HEADERS)
        org, product = found
        children = load_children(session, org, [product.product_id])
        current = price_at(children.prices.get(product.product_id, []), utcnow())
    page = (
        _templates()
        .get_template("product.html")
        .render(
            shop=org.name,
            name=product.name,
            variant=product.variant,
            sku=product.sku,
            price=format_rupees(current.price) if current else None,
            mrp=format_rupees(current.mrp) if current and current.mrp is not None else None,
        )
    )
    return HTMLResponse(page, headers=HEADERS)
