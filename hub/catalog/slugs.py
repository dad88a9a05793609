"""Product slugs: the last part of a product's public URL, ``/p/<org>/<slug>``.

Made once from the name (then the SKU, then the id, if taken) and kept
across renames: a label printed last year must still open the page.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import Product
from hub.registry.orgs import slugify

MAX_SLUG = 80


def free_slug(
    session: Session, org_id: uuid.UUID, name: str, sku: str, product_id: uuid.UUID
) -> str:
    """A slug no other product of the org has (a helper: call under the org's lock)."""
    base = slugify(name)[:MAX_SLUG].strip("-") or "product"
    for candidate in (base, f"{base}-{slugify(sku)}", f"{base}-{product_id.hex[:8]}"):
        taken = select(Product.product_id).where(
            Product.org_id == org_id, Product.slug == candidate
        )
        if session.scalar(taken) is None:
            return candidate
    return f"{base}-{product_id.hex}"
