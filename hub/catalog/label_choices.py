"""What a person chooses from when printing labels in the console: the org's
categories, and products found by the SKUs they type.

Reads only (one transaction each); the job itself is built by
``hub.catalog.labels``, the same service the API uses. SKUs match exactly
first; a typed SKU that differs only in case matches when exactly one product
has it, since shopkeepers type ``atta-5kg`` for ``ATTA-5KG``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db.models import Product
from hub.registry.lookup import get_org


def categories(session: Session, code: str) -> list[str]:
    """The categories of the org's active products, sorted."""
    with session.begin():
        org = get_org(session, code)
        query = (
            select(Product.category)
            .where(
                Product.org_id == org.org_id,
                Product.active.is_(True),
                Product.category.is_not(None),
            )
            .distinct()
        )
        return sorted(c for c in session.scalars(query) if c)


def products_by_sku(session: Session, code: str, skus: Collection[str]) -> dict[str, uuid.UUID]:
    """The product id of each typed SKU that names one; unknown SKUs are left out."""
    if not skus:
        return {}
    with session.begin():
        org = get_org(session, code)
        rows = session.execute(
            select(Product.sku, Product.product_id).where(
                Product.org_id == org.org_id, Product.sku.in_(list(skus))
            )
        )
        exact = {sku: product_id for sku, product_id in rows}
        found = {sku: exact[sku] for sku in skus if sku in exact}
        rest = {sku.lower(): sku for sku in skus if sku not in found}
        if rest:
            by_lower: dict[str, list[uuid.UUID]] = {}
            lowered_rows = session.execute(
                select(func.lower(Product.sku), Product.product_id).where(
                    Product.org_id == org.org_id, func.lower(Product.sku).in_(list(rest))
                )
            )
            for lowered, product_id in lowered_rows:
                by_lower.setdefault(lowered, []).append(product_id)
            for lowered, typed in rest.items():
                if len(by_lower.get(lowered, [])) == 1:
                    found[typed] = by_lower[lowered][0]
        return found
