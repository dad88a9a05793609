"""Stock in the console: every location with its value, one location's on-hand
(searched and paged by SKU), a product's batches and expiry, the moves of a
product at a location (the audit trail) and the valuation beside the books.

Pages call the services the JSON API calls (``hub.stock.services``,
``hub.stock.ledger``, ``hub.stock.reservations``, ``hub.stock.valuation``,
``hub.ledger.reports``) and, for what those do not read, the read-only
queries of ``stock_queries``; so a page shows the API's figures. Quantities
are milli-units shown as units (``format_quantity``), values paise shown in
rupees; never a float.

Who: ``stock_access`` (back-office roles; a cashier gets the 403 page).
Values need ``books.read`` as in the API (a store manager sees quantities
only); changing the valuation method needs ``books.manage``. The request's
session acts for the member's org (row-level security on PostgreSQL).
Exceptions and their resolution are in ``stock_exceptions``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.members import require
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal
from hub.clock import utcnow
from hub.console import stock_queries as queries
from hub.console.auth import Db, Member
from hub.console.forms import MemberForm
from hub.console.pages import member_page
from hub.console.stock_access import may_open_stock_pages
from hub.console.web import NOT_FOUND, PREFIX, ConsoleRoute, Refused
from hub.db.models import StockLocation
from hub.db.session import consistent_read
from hub.db.tenancy import act_for_org
from hub.ledger import reports
from hub.stock import ledger, services
from hub.stock import reservations as held_stock
from hub.stock.valuation import choose_method, current_method, value_org
from setledger import chart, errors, fiscal
from setledger.fefo import Lot, expiry_warning
from setledger.ids import new_id
from setledger.money import format_quantity, format_rupees
from setledger.stock import NO_LOT
from setledger.valuation import Method

router = APIRouter(route_class=ConsoleRoute)

STOCK = f"{PREFIX}/stock"
PAGE_SIZE = 50
"""Products per page of a location's list and of the valuation; moves per page."""
SOON_DAYS = 30
"""A batch expiring within this many days is marked (the box's default warning)."""
KIND_ORDER = {"store": 0, "warehouse": 1, "transit": 2}
NOTICES = {"method": "Valuation method changed; the next posting run books the difference."}


def today() -> date:
    return fiscal.business_date(utcnow())


def open_stock(db: Session, principal: Principal) -> None:
    """The stock pages' guard: a back-office role, and the org's session."""
    if not may_open_stock_pages(principal.role):
        raise errors.ROLE_NOT_ALLOWED.error(
            role=principal.role.value, action="open the stock pages of the console"
        )
    act_for_org(db, principal.org_id)


def may_see_values(principal: Principal) -> bool:
    return allowed(principal.role, Permission.BOOKS_READ)


def locations_of(db: Session, principal: Principal) -> list[StockLocation]:
    listed = services.list_locations(db, principal.org_id)
    return sorted(listed, key=lambda x: (KIND_ORDER.get(x.kind, 9), x.code))


def stocking_locations(db: Session, principal: Principal) -> list[StockLocation]:
    """Where goods are delivered to or shipped between: stores and warehouses, never transit."""
    return [x for x in locations_of(db, principal) if x.kind != "transit"]


def location_or_404(db: Session, principal: Principal, location_id: uuid.UUID) -> StockLocation:
    location = db.get(StockLocation, (principal.org_id, location_id))
    if location is None:
        raise Refused(NOT_FOUND)
    return location


def page(
    request: Request, principal: Principal, template: str, title: str, **context: Any
) -> Response:
    status = context.pop("status", 200)
    return member_page(
        request,
        principal,
        template,
        title,
        status,
        stock=STOCK,
        qty=format_quantity,
        rupees=format_rupees,
        may_values=may_see_values(principal),
        may_write=allowed(principal.role, Permission.STOCK_WRITE),
        **context,
    )


@router.get("/stock")
def home_page(request: Request, db: Db, principal: Member) -> Response:
    open_stock(db, principal)
    locations = locations_of(db, principal)
    summaries = queries.location_summaries(db, principal.org_id)
    values: dict[uuid.UUID, int] | None = None
    method = None
    total = 0
    if may_see_values(principal):
        stock = value_org(db, principal.org_id)
        method, total = stock.method, stock.total_value
        products = {p: (v.closing_qty, v.closing_value) for p, v in stock.valuations.items()}
        values = queries.location_values(db, principal.org_id, products)
    empty = queries.LocationSummary(0, 0)
    return page(
        request,
        principal,
        "stock.html",
        "Stock",
        locations=[(x, summaries.get(x.location_id, empty)) for x in locations],
        values=values,
        method=method,
        total=total,
    )


@router.get("/stock/locations/{location_id}")
def location_page(
    request: Request,
    db: Db,
    principal: Member,
    location_id: uuid.UUID,
    q: str = "",
    after: str | None = None,
    before: str | None = None,
    negative: str = "",
) -> Response:
    open_stock(db, principal)
    location = location_or_404(db, principal, location_id)
    q = q.strip()[:100]
    listed = queries.on_hand_page(
        db,
        principal.org_id,
        location_id,
        search=q,
        after=after[:64] if after else None,
        before=before[:64] if before and not after else None,
        negative_only=negative == "1",
        limit=PAGE_SIZE,
    )
    keys = [(location_id, row.product_id) for row in listed.rows]
    reserved = held_stock.held(db, principal.org_id, keys) if keys else {}
    rows = [(row, reserved.get((location_id, row.product_id), 0)) for row in listed.rows]
    here = f"{STOCK}/locations/{location_id}"
    kept = {"q": q, "negative": negative if negative == "1" else ""}

    def link(**more: str) -> str:
        query = {k: v for k, v in {**kept, **more}.items() if v}
        return f"{here}?{urlencode(query)}" if query else here

    return page(
        request,
        principal,
        "stock_location.html",
        f"Stock at {location.code} · {location.name}",
        location=location,
        rows=rows,
        listed=listed,
        q=q,
        negative=negative == "1",
        first=link() if listed.more_before else None,
        previous=link(before=listed.rows[0].sku) if listed.more_before and rows else None,
        next=link(after=listed.rows[-1].sku) if listed.more_after and rows else None,
    )


@router.get("/stock/products/{product_id}")
def product_page(request: Request, db: Db, principal: Member, product_id: uuid.UUID) -> Response:
    """A product's batches: each lot's expiry and on-hand per location."""
    open_stock(db, principal)
    named = queries.products_named(db, principal.org_id, [product_id])
    if product_id not in named:
        raise Refused(NOT_FOUND)
    sku, name = named[product_id]
    locations = {x.location_id: x for x in locations_of(db, principal)}
    levels = ledger.product_on_hand(db, principal.org_id, product_id)
    lots = queries.product_lots(db, principal.org_id, product_id)
    by_lot: dict[uuid.UUID, list[tuple[StockLocation, int]]] = {}
    for level in levels:
        where = locations.get(level.key.location_id)
        if where is not None and level.qty != 0:
            by_lot.setdefault(level.key.lot_key, []).append((where, level.qty))
    now = today()
    batches = []
    for lot in lots:
        held = by_lot.pop(lot.lot_id, [])
        total = sum(qty for _, qty in held)
        warning = expiry_warning(Lot(lot.batch_no, lot.expiry, max(total, 0)), now, SOON_DAYS)
        batches.append((lot, held, total, warning))
    untracked = by_lot.pop(NO_LOT, [])
    at_location: dict[uuid.UUID, int] = {}
    for level in levels:
        at_location[level.key.location_id] = at_location.get(level.key.location_id, 0) + level.qty
    return page(
        request,
        principal,
        "stock_product.html",
        f"{sku} · {name}",
        product_id=product_id,
        sku=sku,
        batches=batches,
        untracked=untracked,
        totals=[(locations[k], v) for k, v in at_location.items() if k in locations],
        soon_days=SOON_DAYS,
        today=now,
    )


@router.get("/stock/locations/{location_id}/products/{product_id}")
def moves_page(
    request: Request,
    db: Db,
    principal: Member,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    page_no: int = 1,
    done: str = "",
) -> Response:
    """The ledger of one product at one location: every move, newest first, with its
    reason, what it refers to and who made it; the counts taken there; and, for
    ``stock.write``, a count and an adjustment form (hub/console/stock_counts.py)."""
    open_stock(db, principal)
    return render_moves(request, db, principal, location_id, product_id, page_no=page_no,
                        notice=MOVE_NOTICES.get(done))  # fmt: skip


MOVE_NOTICES = {"counted": "Count recorded.", "adjusted": "Adjustment recorded."}


def render_moves(
    request: Request,
    db: Session,
    principal: Principal,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    page_no: int = 1,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    problem: Any = None,
    status: int = 200,
) -> Response:
    location = location_or_404(db, principal, location_id)
    named = queries.products_named(db, principal.org_id, [product_id])
    if product_id not in named:
        raise Refused(NOT_FOUND)
    sku, name = named[product_id]
    tracked = queries.tracking_of(db, principal.org_id, product_id)
    number = max(1, min(page_no, 1_000_000))
    lines, total = queries.moves_at(
        db, principal.org_id, location_id, product_id,
        limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
    )  # fmt: skip
    on_hand = sum(
        level.qty
        for level in ledger.product_on_hand(db, principal.org_id, product_id)
        if level.key.location_id == location_id
    )
    here = f"{STOCK}/locations/{location_id}/products/{product_id}"
    return page(
        request,
        principal,
        "stock_moves.html",
        f"Moves of {sku} at {location.code}",
        location=location,
        product_id=product_id,
        sku=sku,
        name=name,
        lines=lines,
        total=total,
        on_hand=on_hand,
        counts=queries.counts_at(db, principal.org_id, location_id, product_id),
        page_no=number,
        pages=max(1, -(-total // PAGE_SIZE)),
        previous=f"{here}?page_no={number - 1}" if number > 1 else None,
        next=f"{here}?page_no={number + 1}" if number * PAGE_SIZE < total else None,
        here=here,
        tracked=tracked,
        form={"count_id": str(new_id()), "request_id": str(new_id()), **(form or {})},
        status=status,
        **({"notice": notice} if notice else {}),
        **({"problem": problem} if problem is not None else {}),
    )


@router.get("/stock/valuation")
def valuation_page(request: Request, db: Db, principal: Member, page_no: int = 1) -> Response:
    """Each product's value by FIFO and by the average, the org's method's total, and the
    books' inventory (1400) beside it: equal after every posting run."""
    open_stock(db, principal)
    require(principal, Permission.BOOKS_READ, "see the stock's value")
    # One snapshot for both sides, so a posting run between them cannot part them:
    # the read starts the transaction (before the org's mark procures a connection).
    consistent_read(db)
    balances = reports.trial_balance(db, principal.org_id)  # in the snapshot begun here
    method = current_method(db, principal.org_id)
    by = {m: value_org(db, principal.org_id, m) for m in (Method.FIFO, Method.AVERAGE)}
    ours = by[method]
    booked = next((b.balance for b in balances if b.code == chart.INVENTORY), 0)
    named = queries.products_named(db, principal.org_id, ours.valuations)
    ordered = sorted(ours.valuations, key=lambda p: named.get(p, (str(p), ""))[0])
    number = max(1, min(page_no, 1_000_000))
    start = (number - 1) * PAGE_SIZE
    rows = [
        (
            p,
            named.get(p, ("?", "not in the catalogue")),
            ours.valuations[p].closing_qty,
            by[Method.FIFO].valuations[p].closing_value,
            by[Method.AVERAGE].valuations[p].closing_value,
        )
        for p in ordered[start : start + PAGE_SIZE]
    ]
    notice = NOTICES.get(request.query_params.get("changed", ""))
    return page(
        request,
        principal,
        "stock_valuation.html",
        "Stock valuation",
        method=method,
        rows=rows,
        totals={m.value: by[m].total_value for m in by},
        total=ours.total_value,
        booked=booked,
        may_change=allowed(principal.role, Permission.BOOKS_MANAGE),
        methods=list(Method),
        page_no=number,
        pages=max(1, -(-len(ordered) // PAGE_SIZE)),
        **({"notice": notice} if notice else {}),
    )


@router.post("/stock/valuation/method")
def change_method(request: Request, form: MemberForm, db: Db, principal: Member) -> Response:
    """The API's ``PUT .../stock/valuation/method``: the same service, the same audit record."""
    open_stock(db, principal)
    require(principal, Permission.BOOKS_MANAGE, "change the valuation method")
    try:
        chosen = Method(form.get("method", ""))
    except ValueError:
        raise errors.REQUEST_INVALID.error(count=1) from None
    now = datetime.now(UTC)
    with db.begin():
        before = current_method(db, principal.org_id)
        if chosen is not before:
            choose_method(db, principal.org_id, chosen, by=principal.user_code, at=now)
            audit.record(
                db,
                principal.org_id,
                "stock.valuation_method_changed",
                at=now,
                actor=audit.actor_of(principal),
                target=principal.org_code,
                details={"from": before.value, "to": chosen.value},
            )
    return RedirectResponse(f"{STOCK}/valuation?changed=method", status_code=303)
