"""Writing a checked import file: one transaction, all rows or none (helpers: never commit).

Rows are matched to products by SKU (an upsert): a new SKU creates a
product, a known one updates it. Columns missing from the file keep an
existing product's values (new products get the template's defaults); a
column present with an empty cell sets the default, e.g. an empty
``barcodes`` cell removes the product's barcodes. A changed price or MRP
adds a price point valid from now; prices are never rewritten.

Under the org's lock the catalog is read once (products, barcodes, prices
in effect) and the checks that need it run over the whole file: a barcode
that a product outside the file still has is refused (a product in the
file may hand its barcode to another row, since its own row no longer
lists it). Any problem rolls everything back. Otherwise the writes go in
bulk (binary COPY on PostgreSQL, executemany on SQLite) and the org's
catalog version is bumped once, so boxes get one delta for the whole file;
a file that changes nothing does not bump it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from hub.catalog.import_check import CheckedFile, Report, Row
from hub.catalog.slugs import MAX_SLUG
from hub.catalog.template import COLUMNS
from hub.catalog.versioning import bump_catalog_version
from hub.db.bulk import insert_rows
from hub.db.models import Org, Product, ProductBarcode, ProductPrice
from hub.registry.orgs import slugify
from setledger.ids import new_id

PRODUCT_FIELDS: tuple[str, ...] = tuple(
    c.attribute for c in COLUMNS if c.attribute not in {"price", "mrp", "barcodes"}
)
"""The product row's fields the template fills (prices and barcodes have tables)."""
CHUNK = 5_000


@dataclass(frozen=True)
class Existing:
    product_id: uuid.UUID
    fields: dict[str, Any]
    price: int | None
    mrp: int | None
    barcodes: list[str]


@dataclass
class Catalog:
    """The org's catalog as the import needs it, read under the org's lock."""

    by_sku: dict[str, Existing]
    owner_of: dict[str, str]
    """barcode -> SKU of the product that has it."""
    slugs: set[str]


@dataclass(frozen=True)
class Written:
    created: int
    updated: int
    unchanged: int
    version: int | None


class ImportRejected(Exception):
    def __init__(self, report: Report) -> None:
        super().__init__(f"{report.total} problem(s)")
        self.report = report


Progress = Callable[[int], None]


def write_import(
    session: Session,
    org_id: uuid.UUID,
    checked: CheckedFile,
    now: datetime,
    progress: Progress | None = None,
) -> Written:
    """Apply the file in the caller's transaction; ImportRejected leaves it to roll back."""
    org = session.scalars(select(Org).where(Org.org_id == org_id).with_for_update()).one()
    catalog = read_catalog(session, org_id, now)
    report = Report()
    _check_against(catalog, checked.rows, report)
    if report:
        raise ImportRejected(report)
    plan = _plan(catalog, checked.rows)
    if not plan.creates and not plan.updates and not plan.prices:
        return Written(0, 0, len(checked.rows), None)
    version = bump_catalog_version(session, org)
    _write(session, org_id, catalog, plan, version, now, progress)
    return Written(len(plan.creates), len(plan.updates), plan.unchanged, version)


def read_catalog(session: Session, org_id: uuid.UUID, now: datetime) -> Catalog:
    table = Product.__table__
    by_id: dict[uuid.UUID, dict[str, Any]] = {}
    slugs: set[str] = set()
    columns = [table.c.product_id, table.c.slug, *(table.c[f] for f in PRODUCT_FIELDS)]
    for found in session.execute(select(*columns).where(table.c.org_id == org_id)).mappings():
        by_id[found["product_id"]] = dict(found)
        slugs.add(found["slug"])
    prices: dict[uuid.UUID, tuple[int | None, int | None]] = {}
    in_effect = (
        select(ProductPrice.product_id, ProductPrice.price, ProductPrice.mrp)
        .where(ProductPrice.org_id == org_id, ProductPrice.valid_from <= now)
        .order_by(ProductPrice.valid_from)
    )
    for point in session.execute(in_effect):
        prices[point.product_id] = (point.price, point.mrp)  # the latest valid one wins
    codes: dict[uuid.UUID, list[str]] = {}
    barcodes = select(ProductBarcode.barcode, ProductBarcode.product_id).where(
        ProductBarcode.org_id == org_id
    )
    for code, product_id in session.execute(barcodes.order_by(ProductBarcode.barcode)):
        codes.setdefault(product_id, []).append(code)
    by_sku: dict[str, Existing] = {}
    owner_of: dict[str, str] = {}
    for product_id, values in by_id.items():
        current = prices.get(product_id, (None, None))
        fields = {f: values[f] for f in PRODUCT_FIELDS}
        mine = codes.get(product_id, [])
        by_sku[values["sku"]] = Existing(product_id, fields, *current, mine)
        owner_of.update((code, values["sku"]) for code in mine)
    return Catalog(by_sku, owner_of, slugs)


def _check_against(catalog: Catalog, rows: list[Row], report: Report) -> None:
    in_file = {row.values["sku"] for row in rows}
    for row in rows:
        sku = row.values["sku"]
        for code in row.values.get("barcodes") or []:
            owner = catalog.owner_of.get(code)
            if owner is not None and owner != sku and owner not in in_file:
                report.add(
                    row.line, "barcodes", "BARCODE_TAKEN", f"barcode {code} belongs to SKU {owner}"
                )
        existing = catalog.by_sku.get(sku)
        tracked = [
            row.values.get(f, existing.fields[f] if existing else False)
            for f in ("batch_tracked", "serial_tracked")
        ]
        if all(tracked):
            report.add(
                row.line, "serial_tracked", "TRACKING_CONFLICT",
                "a product is kept by batch or by serial number, not both",
            )  # fmt: skip
        mrp = row.values.get("mrp", existing and existing.mrp)
        if mrp is not None and row.values["price"] > mrp:
            report.add(row.line, "price", "PRICE_ABOVE_MRP", f"the price is above the MRP {mrp}")


@dataclass
class Plan:
    creates: list[tuple[Row, dict[str, Any]]]
    updates: list[tuple[Existing, dict[str, Any]]]
    barcodes: dict[uuid.UUID, list[str]]
    prices: list[tuple[uuid.UUID, Row, int | None]]
    unchanged: int


def _plan(catalog: Catalog, rows: list[Row]) -> Plan:
    plan = Plan([], [], {}, [], 0)
    for row in rows:
        existing = catalog.by_sku.get(row.values["sku"])
        if existing is None:
            fields = {c.attribute: c.default for c in COLUMNS if c.attribute in PRODUCT_FIELDS}
            fields.update((f, row.values[f]) for f in PRODUCT_FIELDS if f in row.values)
            plan.creates.append((row, fields))
            continue
        fields = {f: row.values.get(f, existing.fields[f]) for f in PRODUCT_FIELDS}
        codes = row.values.get("barcodes", existing.barcodes)
        mrp = row.values.get("mrp", existing.mrp)
        changed = fields != existing.fields
        if sorted(codes) != existing.barcodes:
            plan.barcodes[existing.product_id] = codes
            changed = True
        if (row.values["price"], mrp) != (existing.price, existing.mrp):
            plan.prices.append((existing.product_id, row, mrp))
            changed = True
        if changed:
            plan.updates.append((existing, fields))
        else:
            plan.unchanged += 1
    return plan


def _write(
    session: Session,
    org_id: uuid.UUID,
    catalog: Catalog,
    plan: Plan,
    version: int,
    now: datetime,
    progress: Progress | None,
) -> None:
    written = 0
    product_rows: list[dict[str, Any]] = []
    barcode_rows: list[dict[str, Any]] = []
    price_rows: list[dict[str, Any]] = []
    stamp = {"version": version, "updated_at": now}
    for row, fields in plan.creates:
        product_id = new_id()
        slug = pick_slug(catalog.slugs, fields["name"], fields["sku"], product_id)
        catalog.slugs.add(slug)
        product_rows.append(
            {"org_id": org_id, "product_id": product_id, "slug": slug, **fields}
            | stamp
            | {"created_at": now}
        )
        barcode_rows.extend(
            {"org_id": org_id, "barcode": b, "product_id": product_id}
            for b in row.values.get("barcodes") or []
        )
        price_rows.append(
            _price(org_id, product_id, row.values["price"], row.values.get("mrp"), version, now)
        )
    for start in range(0, len(product_rows), CHUNK):
        insert_rows(session, Product.__table__, product_rows[start : start + CHUNK])  # type: ignore[arg-type]
        written += len(product_rows[start : start + CHUNK])
        if progress is not None:
            progress(written)
    if plan.updates:
        session.execute(
            update(Product),
            [
                {"org_id": org_id, "product_id": existing.product_id, **fields} | stamp
                for existing, fields in plan.updates
            ],
        )
        written += len(plan.updates)
    _replace_barcodes(session, org_id, catalog, plan, barcode_rows)
    for product_id, row, mrp in plan.prices:
        price_rows.append(_price(org_id, product_id, row.values["price"], mrp, version, now))
    insert_rows(session, ProductBarcode.__table__, barcode_rows)  # type: ignore[arg-type]
    insert_rows(session, ProductPrice.__table__, price_rows)  # type: ignore[arg-type]
    if progress is not None:
        progress(written)


def _replace_barcodes(
    session: Session,
    org_id: uuid.UUID,
    catalog: Catalog,
    plan: Plan,
    barcode_rows: list[dict[str, Any]],
) -> None:
    """Drop every barcode of the products whose list changed, then add their new lists.

    Dropping all of them first (not just the removed ones) lets a barcode move
    from one product of the file to another without a key clash in between.
    """
    if not plan.barcodes:
        return
    by_id = {e.product_id: e for e in catalog.by_sku.values()}
    old = [(pid, code) for pid in plan.barcodes for code in by_id[pid].barcodes]
    for start in range(0, len(old), 500):
        pairs = old[start : start + 500]
        session.execute(
            delete(ProductBarcode).where(
                ProductBarcode.org_id == org_id,
                tuple_(ProductBarcode.product_id, ProductBarcode.barcode).in_(pairs),
            )
        )
    for product_id, codes in plan.barcodes.items():
        barcode_rows.extend(
            {"org_id": org_id, "barcode": b, "product_id": product_id} for b in codes
        )


def _price(
    org_id: uuid.UUID,
    product_id: uuid.UUID,
    price: int,
    mrp: int | None,
    version: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "price_id": new_id(),
        "product_id": product_id,
        "valid_from": now,
        "price": price,
        "mrp": mrp,
        "version": version,
        "created_at": now,
    }


def pick_slug(taken: set[str], name: str, sku: str, product_id: uuid.UUID) -> str:
    """As :func:`hub.catalog.slugs.free_slug`, against slugs already read (no query per row)."""
    base = slugify(name)[:MAX_SLUG].strip("-") or "product"
    for candidate in (base, f"{base}-{slugify(sku)}", f"{base}-{product_id.hex[:8]}"):
        if candidate not in taken:
            return candidate
    return f"{base}-{product_id.hex}"
