"""The box's catalog replica: apply the hub's snapshot, resolve scans, search.

Resolution order for a scanned or typed code (PRD section 6): product QR
payload, then barcode (EAN/UPC or internal), then SKU. Everything is a
keyed lookup on an index; the catalog never travels to the browser.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.store import tables as t
from setledger import errors
from setledger.contracts import CatalogDelta, CatalogProduct, CatalogSnapshot
from setledger.hlc import unix_ms
from setledger.product_qr import parse_product_qr

log = logging.getLogger("edge.catalog")

MAX_CODE_LENGTH = 200
_PAGE_URL = re.compile(
    r"^https?://[^/\s]+/p/[a-z0-9-]+/(?P<slug>[a-z0-9-]{1,120})/?$", re.IGNORECASE
)
"""The fallback URL a label may print: ``https://<hub>/p/<org slug>/<product slug>``."""


@dataclass(frozen=True)
class Product:
    product_id: str
    sku: str
    name: str
    hsn: str | None
    unit: str
    fractional_qty: bool
    gst_rate_bp: int
    cess_bp: int
    price_includes_tax: bool
    category: str | None
    active: bool
    variant_group: str | None = None
    variant: str | None = None
    batch_tracked: bool = False
    shelf_life_days: int | None = None
    slug: str | None = None
    serial_tracked: bool = False
    """Each unit sold names its serial number (a line is one unit)."""


def _product(row: Any) -> Product:
    m = row._mapping
    return Product(
        product_id=m["product_id"],
        sku=m["sku"],
        name=m["name"],
        hsn=m["hsn"],
        unit=m["unit"],
        fractional_qty=bool(m["fractional_qty"]),
        gst_rate_bp=m["gst_rate_bp"],
        cess_bp=m["cess_bp"],
        price_includes_tax=bool(m["price_includes_tax"]),
        category=m["category"],
        active=bool(m["active"]),
        variant_group=m["variant_group"],
        variant=m["variant"],
        batch_tracked=bool(m["batch_tracked"]),
        shelf_life_days=m["shelf_life_days"],
        slug=m["slug"],
        serial_tracked=bool(m["serial_tracked"]),
    )


def search_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _rows(products: list[CatalogProduct]) -> tuple[list[dict[str, Any]], ...]:
    """Product, price and barcode rows for the replica tables."""
    items: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    for p in products:
        pid = str(p.product_id)
        items.append(
            {
                "product_id": pid,
                "sku": p.sku,
                "name": p.name,
                "search_name": search_key(p.name),
                "hsn": p.hsn,
                "unit": p.unit,
                "fractional_qty": p.fractional_qty,
                "gst_rate_bp": p.gst_rate_bp,
                "cess_bp": p.cess_bp,
                "price_includes_tax": p.price_includes_tax,
                "category": p.category,
                "active": p.active,
                "variant_group": p.variant_group,
                "variant": p.variant,
                "batch_tracked": p.batch_tracked,
                "serial_tracked": p.serial_tracked,
                "shelf_life_days": p.shelf_life_days,
                "slug": p.slug,
            }
        )
        prices.extend(
            {
                "product_id": pid,
                "valid_from_ms": unix_ms(pp.valid_from),
                "price": pp.price,
                "mrp": pp.mrp,
            }
            for pp in p.prices
        )
        codes.extend({"code": code, "product_id": pid} for code in p.barcodes)
    return items, prices, codes


def _insert(conn: Connection, products: list[CatalogProduct]) -> None:
    for table, rows in zip((t.product, t.product_price, t.barcode), _rows(products), strict=True):
        if rows:
            conn.execute(insert(table), rows)


def _set_version(conn: Connection, version: int, now: datetime) -> None:
    conn.execute(delete(t.catalog_state))
    conn.execute(insert(t.catalog_state).values(id=1, version=version, applied_at=now.isoformat()))


def apply_snapshot(conn: Connection, snapshot: CatalogSnapshot, now: datetime) -> None:
    """Replace the replica with ``snapshot`` (inside the caller's transaction).

    Carts and sale lines keep product ids and copies of what was sold, so
    replacing the catalog never changes a recorded sale.
    """
    conn.execute(delete(t.barcode))
    conn.execute(delete(t.product_price))
    conn.execute(delete(t.product))
    _insert(conn, snapshot.products)
    _set_version(conn, snapshot.version, now)


def apply_delta(conn: Connection, delta: CatalogDelta, now: datetime) -> None:
    """Replace the products a delta names (inside the caller's transaction).

    Refuses a delta that does not start at the applied version: applying
    it would skip a change.
    """
    applied = catalog_version(conn)
    if delta.from_version != applied:
        raise errors.CATALOG_VERSION_GAP.error(applied=applied, delta_from=delta.from_version)
    ids = [str(p.product_id) for p in delta.products]
    skus = [p.sku for p in delta.products]
    codes = [code for p in delta.products for code in p.barcodes]
    if ids:
        conn.execute(delete(t.barcode).where(t.barcode.c.product_id.in_(ids)))
        # A barcode or SKU may have moved from another product in this delta.
        conn.execute(delete(t.barcode).where(t.barcode.c.code.in_(codes)))
        conn.execute(delete(t.product_price).where(t.product_price.c.product_id.in_(ids)))
        conn.execute(delete(t.product).where(t.product.c.product_id.in_(ids)))
        conn.execute(delete(t.product).where(t.product.c.sku.in_(skus)))
        _insert(conn, delta.products)
    _set_version(conn, delta.to_version, now)


def catalog_version(conn: Connection) -> int:
    version = conn.execute(select(t.catalog_state.c.version)).scalar()
    return int(version or 0)


def product_by_id(conn: Connection, product_id: str) -> Product | None:
    row = conn.execute(select(t.product).where(t.product.c.product_id == product_id)).first()
    return None if row is None else _product(row)


def resolve_code(conn: Connection, org_id: str, code: str) -> Product:
    """The product a scanned or typed code names, or PRODUCT_NOT_FOUND.

    The error's details say ``scanned: true`` so the caller can note the
    code for the catalog team (:func:`noting_unknown_codes`).
    """
    cleaned = code.strip()
    if not cleaned or len(cleaned) > MAX_CODE_LENGTH:
        raise errors.PRODUCT_NOT_FOUND.error(code=cleaned[:MAX_CODE_LENGTH])
    qr = parse_product_qr(cleaned)
    page = None if qr is not None else _PAGE_URL.match(cleaned)
    if qr is not None:
        qr_org, product_id = qr
        found = product_by_id(conn, str(product_id)) if qr_org == org_id else None
    elif page is not None:
        # The label's fallback URL (a phone opens the hub's public page; the
        # box knows its one org, so the product's slug is enough).
        row = conn.execute(
            select(t.product).where(t.product.c.slug == page["slug"].lower())
        ).first()
        found = None if row is None else _product(row)
    else:
        row = conn.execute(
            select(t.product)
            .join(t.barcode, t.barcode.c.product_id == t.product.c.product_id)
            .where(t.barcode.c.code == cleaned)
        ).first()
        if row is None:
            row = conn.execute(select(t.product).where(t.product.c.sku == cleaned)).first()
        found = None if row is None else _product(row)
    if found is None:
        log.info("unknown code scanned", extra={"code": cleaned})
        raise errors.PRODUCT_NOT_FOUND.error(code=cleaned, scanned=True)
    return found


@contextmanager
def noting_unknown_codes(engine: Engine, now: datetime) -> Iterator[None]:
    """Note a scanned code that named no product, after the failed transaction.

    Wrap a resolve and its transaction: the code is kept (how often, first
    and last seen) in its own small transaction, for the catalog team
    (``GET /api/v1/catalog/unknown-codes``), and the error goes on.
    """
    try:
        yield
    except errors.SetLedgerError as err:
        if err.code == errors.PRODUCT_NOT_FOUND.code and err.details.get("scanned"):
            note_unknown_code(engine, str(err.details["code"]), now)
        raise


def note_unknown_code(engine: Engine, code: str, now: datetime) -> None:
    stamp = now.isoformat()
    row = {"code": code, "times": 1, "first_seen": stamp, "last_seen": stamp}
    with engine.begin() as conn:
        conn.execute(
            sqlite_insert(t.unknown_code)
            .values(row)
            .on_conflict_do_update(
                index_elements=["code"],
                set_={"times": t.unknown_code.c.times + 1, "last_seen": stamp},
            )
        )


@dataclass(frozen=True)
class UnknownCode:
    code: str
    times: int
    first_seen: str
    last_seen: str


def unknown_codes(conn: Connection, limit: int = 200) -> list[UnknownCode]:
    """The codes that named no product, most recent first."""
    rows = conn.execute(
        select(t.unknown_code).order_by(t.unknown_code.c.last_seen.desc()).limit(limit)
    )
    return [UnknownCode(**r._mapping) for r in rows]


def price_at(conn: Connection, product_id: str, instant: datetime) -> tuple[int, int | None] | None:
    """(price, MRP) in effect at ``instant``: the latest price point already valid."""
    row = conn.execute(
        select(t.product_price.c.price, t.product_price.c.mrp)
        .where(
            t.product_price.c.product_id == product_id,
            t.product_price.c.valid_from_ms <= unix_ms(instant),
        )
        .order_by(t.product_price.c.valid_from_ms.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), None if row[1] is None else int(row[1]))


def search(conn: Connection, query: str, limit: int = 20) -> list[Product]:
    """Active products whose name or SKU starts with ``query``."""
    key = search_key(query)
    if not key:
        return []
    by_name = (
        select(t.product)
        .where(
            t.product.c.search_name >= key,
            t.product.c.search_name < key + "\uffff",
            t.product.c.active.is_(True),
        )
        .order_by(t.product.c.search_name)
        .limit(limit)
    )
    found = [_product(r) for r in conn.execute(by_name)]
    if len(found) < limit:
        by_sku = (
            select(t.product)
            # The sku column collates NOCASE, so this range uses its index.
            .where(t.product.c.sku >= query.strip(), t.product.c.sku < query.strip() + "\uffff")
            .where(t.product.c.active.is_(True))
            .limit(limit - len(found))
        )
        seen = {p.product_id for p in found}
        found.extend(
            p for p in (_product(r) for r in conn.execute(by_sku)) if p.product_id not in seen
        )
    return found
