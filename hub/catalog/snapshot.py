"""The catalog snapshot a box is seeded from: exactly a ``CatalogSnapshot`` contract."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.reading import load_children
from hub.clock import utcnow
from hub.db.models import Product
from hub.db.session import consistent_read
from hub.registry.lookup import get_org
from setledger.contracts import CatalogProduct, CatalogSnapshot, PricePoint


def catalog_snapshot(session: Session, code: str) -> CatalogSnapshot:
    """Every product with all its price points and barcodes, at one version.

    Read in one consistent snapshot: the version and the products must
    agree, or a box would record version N while holding N+1's content.
    """
    with session.begin():
        consistent_read(session)
        org = get_org(session, code)
        products = session.scalars(
            select(Product).where(Product.org_id == org.org_id).order_by(Product.sku)
        ).all()
        children = load_children(session, org, None)
        return CatalogSnapshot(
            org_id=org.org_code,
            version=org.catalog_version,
            generated_at=utcnow(),
            products=[
                CatalogProduct(
                    product_id=p.product_id,
                    sku=p.sku,
                    name=p.name,
                    hsn=p.hsn,
                    unit=p.unit,
                    fractional_qty=p.fractional_qty,
                    gst_rate_bp=p.gst_rate_bp,
                    cess_bp=p.cess_bp,
                    price_includes_tax=p.price_includes_tax,
                    prices=[
                        PricePoint(valid_from=pp.valid_from, price=pp.price, mrp=pp.mrp)
                        for pp in children.prices[p.product_id]
                    ],
                    barcodes=children.barcodes[p.product_id],
                    category=p.category,
                    active=p.active,
                )
                for p in products
            ],
        )
