"""Catalog master services: create, search, edit products, append prices.

Each function is one transaction. Writers lock the org row first, so the
duplicate checks and the version bump of one org happen one at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from hub.catalog.codes import check_barcodes, check_hsn
from hub.catalog.reading import ProductChildren, get_product, load_children, price_at
from hub.catalog.schemas import (
    PriceCreate,
    PricePublic,
    ProductCreate,
    ProductPage,
    ProductPublic,
    ProductUpdate,
)
from hub.catalog.slugs import free_slug
from hub.catalog.versioning import bump_catalog_version
from hub.clock import utcnow
from hub.db.conflicts import duplicate_on_conflict
from hub.db.models import Org, Product, ProductBarcode, ProductPrice
from hub.registry.lookup import get_org
from setledger import errors, gst
from setledger.ids import new_id

MAX_PAGE = 500
NOT_NULL_ON_PATCH = (
    "name",
    "gst_rate_bp",
    "cess_bp",
    "unit",
    "active",
    "barcodes",
    "batch_tracked",
    "serial_tracked",
)
PATCHABLE = (
    "name",
    "hsn",
    "gst_rate_bp",
    "cess_bp",
    "unit",
    "category",
    "active",
    "variant_group",
    "variant",
    "batch_tracked",
    "serial_tracked",
    "shelf_life_days",
)


def to_public(
    org: Org, product: Product, children: ProductChildren, now: datetime
) -> ProductPublic:
    prices = children.prices.get(product.product_id, [])
    current = price_at(prices, now)
    return ProductPublic(
        org_id=org.org_code,
        product_id=product.product_id,
        sku=product.sku,
        name=product.name,
        hsn=product.hsn,
        unit=product.unit,
        fractional_qty=product.fractional_qty,
        gst_rate_bp=product.gst_rate_bp,
        cess_bp=product.cess_bp,
        price_includes_tax=product.price_includes_tax,
        category=product.category,
        active=product.active,
        variant_group=product.variant_group,
        variant=product.variant,
        batch_tracked=product.batch_tracked,
        serial_tracked=product.serial_tracked,
        shelf_life_days=product.shelf_life_days,
        slug=product.slug,
        version=product.version,
        price=current.price if current else None,
        mrp=current.mrp if current else None,
        barcodes=list(children.barcodes.get(product.product_id, [])),
        prices=[
            PricePublic(valid_from=p.valid_from, price=p.price, mrp=p.mrp, version=p.version)
            for p in prices
        ],
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def _public_one(session: Session, org: Org, product: Product) -> ProductPublic:
    session.flush()
    return to_public(org, product, load_children(session, org, [product.product_id]), utcnow())


def _check_tax(gst_rate_bp: int, cess_bp: int) -> None:
    gst.check_rate(gst_rate_bp)
    gst.check_cess(cess_bp)


def check_tracking(sku: str, batch_tracked: bool, serial_tracked: bool) -> None:
    """Stock is kept by batch or by serial number (a unit), never both."""
    if batch_tracked and serial_tracked:
        raise errors.CATALOG_TRACKING_CONFLICT.error(sku=sku)


def _check_price(price: int, mrp: int | None) -> None:
    if mrp is not None and price > mrp:
        raise errors.PRICE_ABOVE_MRP.error(price=price, mrp=mrp)


def _refuse_taken_sku(session: Session, org: Org, sku: str) -> None:
    taken = select(Product.product_id).where(Product.org_id == org.org_id, Product.sku == sku)
    if session.scalar(taken) is not None:
        raise errors.DUPLICATE.error(thing="product", field="sku", value=sku)


def _refuse_taken_barcodes(
    session: Session, org: Org, codes: Sequence[str], owner: uuid.UUID | None
) -> None:
    if not codes:
        return
    query = select(ProductBarcode.barcode).where(
        ProductBarcode.org_id == org.org_id, ProductBarcode.barcode.in_(codes)
    )
    if owner is not None:
        query = query.where(ProductBarcode.product_id != owner)
    taken = session.scalars(query.order_by(ProductBarcode.barcode)).first()
    if taken is not None:
        raise errors.DUPLICATE.error(thing="product", field="barcode", value=taken)


def create_product(session: Session, code: str, data: ProductCreate) -> ProductPublic:
    with session.begin():
        org = get_org(session, code, for_update=True)
        _check_tax(data.gst_rate_bp, data.cess_bp)
        check_hsn(data.hsn)
        check_barcodes(data.barcodes)
        _check_price(data.price, data.mrp)
        check_tracking(data.sku, data.batch_tracked, data.serial_tracked)
        _refuse_taken_sku(session, org, data.sku)
        _refuse_taken_barcodes(session, org, data.barcodes, owner=None)
        version = bump_catalog_version(session, org)
        now = utcnow()
        product_id = new_id()
        product = Product(
            org_id=org.org_id,
            product_id=product_id,
            slug=free_slug(session, org.org_id, data.name, data.sku, product_id),
            variant_group=data.variant_group,
            variant=data.variant,
            batch_tracked=data.batch_tracked,
            serial_tracked=data.serial_tracked,
            shelf_life_days=data.shelf_life_days,
            sku=data.sku,
            name=data.name,
            hsn=data.hsn,
            unit=data.unit,
            fractional_qty=data.fractional_qty,
            gst_rate_bp=data.gst_rate_bp,
            cess_bp=data.cess_bp,
            price_includes_tax=data.price_includes_tax,
            category=data.category,
            active=True,
            version=version,
            created_at=now,
            updated_at=now,
        )
        session.add(product)
        with duplicate_on_conflict("product", "sku", data.sku):
            session.flush()
        session.add_all(
            ProductBarcode(org_id=org.org_id, barcode=b, product_id=product.product_id)
            for b in data.barcodes
        )
        session.add(
            ProductPrice(
                org_id=org.org_id,
                price_id=new_id(),
                product_id=product.product_id,
                valid_from=now,
                price=data.price,
                mrp=data.mrp,
                version=version,
                created_at=now,
            )
        )
        with duplicate_on_conflict("product", "barcode", ", ".join(data.barcodes)):
            session.flush()
        return _public_one(session, org, product)


def list_products(
    session: Session, code: str, q: str | None, limit: int, offset: int
) -> ProductPage:
    limit = max(1, min(limit, MAX_PAGE))
    with session.begin():
        org = get_org(session, code)
        query = select(Product).where(Product.org_id == org.org_id)
        text = (q or "").strip()
        if text:
            needle = text.lower()
            by_barcode = select(ProductBarcode.product_id).where(
                ProductBarcode.org_id == org.org_id, ProductBarcode.barcode == text
            )
            query = query.where(
                or_(
                    func.lower(Product.sku).contains(needle, autoescape=True),
                    func.lower(Product.name).contains(needle, autoescape=True),
                    Product.product_id.in_(by_barcode),
                )
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = session.scalars(
            query.order_by(Product.sku, Product.product_id).limit(limit).offset(offset)
        ).all()
        children = load_children(session, org, [p.product_id for p in page])
        now = utcnow()
        return ProductPage(
            products=[to_public(org, p, children, now) for p in page],
            total=total,
            limit=limit,
            offset=offset,
        )


def read_product(session: Session, code: str, product_id: uuid.UUID) -> ProductPublic:
    with session.begin():
        org = get_org(session, code)
        return _public_one(session, org, get_product(session, org, product_id))


def update_product(
    session: Session, code: str, product_id: uuid.UUID, data: ProductUpdate
) -> ProductPublic:
    sent = data.model_fields_set
    for name in NOT_NULL_ON_PATCH:
        if name in sent and getattr(data, name) is None:
            raise errors.REQUEST_INVALID.error(
                count=1, fields=[{"field": f"body.{name}", "problem": "may not be null"}]
            )
    with session.begin():
        org = get_org(session, code, for_update=True)
        product = get_product(session, org, product_id)
        changed = False
        for name in PATCHABLE:
            if name in sent and getattr(product, name) != getattr(data, name):
                setattr(product, name, getattr(data, name))
                changed = True
        _check_tax(product.gst_rate_bp, product.cess_bp)
        check_hsn(product.hsn)
        check_tracking(product.sku, product.batch_tracked, product.serial_tracked)
        if data.barcodes is not None:
            changed = _replace_barcodes(session, org, product, data.barcodes) or changed
        if changed:
            product.version = bump_catalog_version(session, org)
            product.updated_at = utcnow()
        return _public_one(session, org, product)


def _replace_barcodes(session: Session, org: Org, product: Product, wanted: list[str]) -> bool:
    check_barcodes(wanted)
    _refuse_taken_barcodes(session, org, wanted, owner=product.product_id)
    current = set(
        session.scalars(
            select(ProductBarcode.barcode).where(
                ProductBarcode.org_id == org.org_id,
                ProductBarcode.product_id == product.product_id,
            )
        )
    )
    removed, added = current - set(wanted), [b for b in wanted if b not in current]
    if removed:
        session.execute(
            delete(ProductBarcode).where(
                ProductBarcode.org_id == org.org_id, ProductBarcode.barcode.in_(removed)
            )
        )
    session.add_all(
        ProductBarcode(org_id=org.org_id, barcode=b, product_id=product.product_id) for b in added
    )
    with duplicate_on_conflict("product", "barcode", ", ".join(added)):
        session.flush()
    return bool(removed or added)


def add_price(
    session: Session, code: str, product_id: uuid.UUID, data: PriceCreate
) -> ProductPublic:
    with session.begin():
        org = get_org(session, code, for_update=True)
        product = get_product(session, org, product_id)
        _check_price(data.price, data.mrp)
        now = utcnow()
        valid_from = data.valid_from or now
        clash = select(ProductPrice.price_id).where(
            ProductPrice.org_id == org.org_id,
            ProductPrice.product_id == product.product_id,
            ProductPrice.valid_from == valid_from,
        )
        if session.scalar(clash) is not None:
            raise errors.DUPLICATE.error(
                thing="price point", field="valid_from", value=valid_from.isoformat()
            )
        version = bump_catalog_version(session, org)
        session.add(
            ProductPrice(
                org_id=org.org_id,
                price_id=new_id(),
                product_id=product.product_id,
                valid_from=valid_from,
                price=data.price,
                mrp=data.mrp,
                version=version,
                created_at=now,
            )
        )
        product.version = version
        product.updated_at = now
        with duplicate_on_conflict("price point", "valid_from", valid_from.isoformat()):
            session.flush()
        return _public_one(session, org, product)
