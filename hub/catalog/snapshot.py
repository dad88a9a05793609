"""The catalog as the wire contracts carry it: a whole snapshot, or a delta.

``catalog_snapshot`` (the API's, one transaction) and the publisher's
blobs are built by the same helpers, so a box gets the same products
whichever way it is seeded or updated.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.reading import ProductChildren, load_children
from hub.clock import utcnow
from hub.db.models import Org, Product
from hub.db.session import consistent_read
from hub.registry.lookup import get_org
from setledger.contracts import CatalogDelta, CatalogProduct, CatalogSnapshot, PricePoint

MAX_IN_LIST = 5000


def catalog_snapshot(session: Session, code: str) -> CatalogSnapshot:
    """Every product with all its price points and barcodes, at one version.

    Read in one consistent snapshot: the version and the products must
    agree, or a box would record version N while holding N+1's content.
    """
    with session.begin():
        consistent_read(session)
        return build_snapshot(session, get_org(session, code))


def build_snapshot(session: Session, org: Org) -> CatalogSnapshot:
    """The snapshot at ``org.catalog_version`` (helper: call in a consistent read)."""
    products = session.scalars(
        select(Product).where(Product.org_id == org.org_id).order_by(Product.sku)
    ).all()
    return CatalogSnapshot(
        org_id=org.org_code,
        version=org.catalog_version,
        generated_at=utcnow(),
        products=to_contract(products, load_children(session, org, None)),
    )


def build_delta(session: Session, org: Org, from_version: int) -> CatalogDelta:
    """Every product changed after ``from_version``, whole (helper: call in a consistent read)."""
    products = session.scalars(
        select(Product)
        .where(Product.org_id == org.org_id, Product.version > from_version)
        .order_by(Product.sku)
    ).all()
    # A big delta reads every product's children rather than a huge IN list
    # (SQLite caps the number of parameters).
    ids = [p.product_id for p in products] if len(products) <= MAX_IN_LIST else None
    children = load_children(session, org, ids)
    return CatalogDelta(
        org_id=org.org_code,
        from_version=from_version,
        to_version=org.catalog_version,
        generated_at=utcnow(),
        products=to_contract(products, children),
    )


def to_contract(products: Sequence[Product], children: ProductChildren) -> list[CatalogProduct]:
    return [
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
            variant_group=p.variant_group,
            variant=p.variant,
            batch_tracked=p.batch_tracked,
            serial_tracked=p.serial_tracked,
            shelf_life_days=p.shelf_life_days,
            slug=p.slug,
        )
        for p in products
    ]
