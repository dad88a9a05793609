"""Label jobs from the box's own catalog replica: works with the hub unreachable.

Same rules as the hub's (``hub.catalog.labels``): picked products must
exist and have a price; a category or the whole catalog takes the active,
priced products. The QR is the canonical payload of the box's org.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, select

from edge.services import catalog
from edge.store import tables as t
from labels import LabelItem, LabelJob
from labels.request import LabelPick, LabelRequest, item_for
from setledger import errors
from setledger.product_qr import product_qr_payload


def label_job(conn: Connection, org_id: str, request: LabelRequest, now: datetime) -> LabelJob:
    query = select(t.product).order_by(t.product.c.sku)
    picks: dict[str, LabelPick] = {}
    if request.products is not None:
        picks = {str(p.product_id): p for p in request.products}
        query = query.where(t.product.c.product_id.in_(list(picks)))
    else:
        query = query.where(t.product.c.active.is_(True))
        if request.category is not None:
            query = query.where(t.product.c.category == request.category)
    rows = conn.execute(query).all()
    if request.products is not None and len(rows) != len(picks):
        missing = sorted(set(picks) - {r._mapping["product_id"] for r in rows})[0]
        raise errors.PRODUCT_NOT_FOUND.error(code=missing)
    items: list[LabelItem] = []
    for row in rows:
        m = row._mapping
        pick = picks.get(m["product_id"])
        price = catalog.price_at(conn, m["product_id"], now)
        if price is None:
            if pick is not None:
                raise errors.PRICE_MISSING.error(name=m["name"], sku=m["sku"])
            continue
        items.append(
            item_for(
                request,
                pick,
                name=m["name"],
                sku=m["sku"],
                price=price[0],
                mrp=price[1],
                qr_payload=product_qr_payload(org_id, uuid.UUID(m["product_id"])),
            )
        )
    if not items:
        raise errors.PRODUCT_NOT_FOUND.error(code=request.category or "(no priced product)")
    return LabelJob(request.template, tuple(items), request.options())
