"""Label jobs from the catalog master: pick products, price them, hand them to ``labels``.

One read transaction; rendering happens after it, outside the database.
Products with no price in effect have nothing to print: a picked one is
an error (PRICE_MISSING), one swept in by a category or the whole
catalog is left out. Category and whole-catalog jobs print active
products only.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.reading import load_children, price_at
from hub.clock import utcnow
from hub.db.models import Product
from hub.registry.lookup import get_org
from labels import LabelItem, LabelJob
from labels.request import LabelPick, LabelRequest, item_for
from setledger import errors
from setledger.product_qr import product_qr_payload

MAX_IN_LIST = 5000


def label_job(session: Session, code: str, request: LabelRequest) -> LabelJob:
    with session.begin():
        org = get_org(session, code)
        query = select(Product).where(Product.org_id == org.org_id)
        picks: dict[object, LabelPick] = {}
        if request.products is not None:
            picks = {p.product_id: p for p in request.products}
            query = query.where(Product.product_id.in_(list(picks)))
        else:
            query = query.where(Product.active.is_(True))
            if request.category is not None:
                query = query.where(Product.category == request.category)
        products = session.scalars(query.order_by(Product.sku)).all()
        if request.products is not None and len(products) != len(picks):
            missing = sorted(set(picks) - {p.product_id for p in products}, key=str)[0]
            raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id=str(missing))
        ids = [p.product_id for p in products] if len(products) <= MAX_IN_LIST else None
        children = load_children(session, org, ids)
        now = utcnow()
        items: list[LabelItem] = []
        for product in products:
            current = price_at(children.prices.get(product.product_id, []), now)
            pick = picks.get(product.product_id)
            if current is None:
                if pick is not None:
                    raise errors.PRICE_MISSING.error(name=product.name, sku=product.sku)
                continue
            items.append(
                item_for(
                    request,
                    pick,
                    name=product.name,
                    sku=product.sku,
                    price=current.price,
                    mrp=current.mrp,
                    qr_payload=product_qr_payload(org.org_code, product.product_id),
                )
            )
        if not items:
            raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id="(no priced product selected)")
        return LabelJob(request.template, tuple(items), request.options())
