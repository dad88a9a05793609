"""Stock exceptions in the console: open and resolved, per store, each with both
sides of its cause (the reservations and the sales that took the stock), and a
form that resolves one through ``hub.stock.exceptions.resolve``, the service
the API's ``POST .../stock/exceptions/{id}/resolve`` calls.

The form's quantity is typed in units ("2", "1.5") and read as milli-units by
``setledger.money.parse_quantity`` (never a float). A refused resolution
(more than is short, no source location, a reservation not of this
exception) rolls back and shows the page again with the service's problem
and nothing changed; a done one redirects to the exception, which lists it.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts.audit import actor_of
from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.clock import utcnow
from hub.console import stock_queries as queries
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem, problem_of
from hub.console.pages import status_of
from hub.console.stock import STOCK, locations_of, open_stock, page
from hub.console.web import NOT_FOUND, ConsoleRoute, Refused
from hub.stock import exceptions as stock_exceptions
from hub.stock import ledger
from hub.stock import reservations as held_stock
from setledger.errors import ErrorKind, SetLedgerError
from setledger.money import parse_quantity

router = APIRouter(route_class=ConsoleRoute)

STATUSES = ("open", "resolved")
HOWS: list[tuple[str, str]] = [
    ("transfer", "Transfer in from another location"),
    ("adjustment", "Adjustment: stock found"),
    ("release", "Release part of a reservation"),
    ("back_order", "Back-order a reservation"),
]
FIELD_OF_CODE = {
    "STOCK_RESOLUTION_NEEDS_SOURCE": "from_location_id",
    "STOCK_RESOLUTION_NEEDS_RESERVATION": "reservation_id",
    "STOCK_RESOLUTION_INVALID": "how",
}
LIMIT = 200


def _names(
    db: Session, principal: Principal, views: list[stock_exceptions.ExceptionView]
) -> dict[str, Any]:
    """What the page names by id: products, locations, the cause's sales and boxes."""
    products = queries.products_named(db, principal.org_id, {v.product_id for v in views})
    locations = {x.location_id: x for x in locations_of(db, principal)}
    moves = [m for v in views for m in v.cause.get("moves", [])]
    invoices, boxes = queries.invoices_and_boxes(
        db,
        principal.org_id,
        {uuid.UUID(m["sale_id"]) for m in moves if m.get("sale_id")},
        {uuid.UUID(m["device_id"]) for m in moves if m.get("device_id")},
    )
    return {
        "products": products,
        "locations": locations,
        "invoices": {str(k): v for k, v in invoices.items()},
        "boxes": {str(k): v for k, v in boxes.items()},
    }


@router.get("/stock/exceptions")
def list_page(
    request: Request, db: Db, principal: Member, location: str = "", status: str = "open"
) -> Response:
    """Exceptions newest first, one store's or all, open or resolved."""
    open_stock(db, principal)
    known = {str(x.location_id) for x in locations_of(db, principal)}
    where = uuid.UUID(location) if location in known else None
    state = status if status in STATUSES else None
    views = stock_exceptions.list_exceptions(
        db, principal.org_id, location_id=where, status=state, limit=LIMIT
    )
    return page(
        request,
        principal,
        "stock_exceptions.html",
        "Stock exceptions",
        views=views,
        location_value=str(where or ""),
        state=state or "",
        statuses=STATUSES,
        **_names(db, principal, views),
    )


def _exception_page(
    request: Request,
    db: Session,
    principal: Principal,
    exception_id: uuid.UUID,
    *,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    view = stock_exceptions.get_exception(db, principal.org_id, exception_id)
    names = _names(db, principal, [view])
    claims = [
        r
        for r in held_stock.reservations(
            db, principal.org_id, location_id=view.location_id, product_ids=[view.product_id]
        )
        if r.holds
    ]
    stocked: dict[uuid.UUID, int] = {}
    for level in ledger.product_on_hand(db, principal.org_id, view.product_id):
        where = level.key.location_id
        stocked[where] = stocked.get(where, 0) + level.qty
    sources = [
        (x, stocked.get(x.location_id, 0))
        for x in names["locations"].values()
        if x.location_id != view.location_id and x.kind != "transit"
    ]
    sku, _ = names["products"].get(view.product_id, ("?", "not in the catalogue"))
    return page(
        request,
        principal,
        "stock_exception.html",
        f"Stock exception: {sku} at {names['locations'][view.location_id].code}",
        status=status,
        problem=problem,
        view=view,
        claims=claims,
        sources=sources,
        hows=HOWS,
        form=form or {"how": "transfer" if sources else "adjustment"},
        **({"notice": notice} if notice else {}),
        **names,
    )


@router.get("/stock/exceptions/{exception_id}")
def exception_page(
    request: Request, db: Db, principal: Member, exception_id: uuid.UUID, done: str = ""
) -> Response:
    open_stock(db, principal)
    notice = "Resolution recorded." if done == "1" else None
    try:
        return _exception_page(request, db, principal, exception_id, notice=notice)
    except SetLedgerError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            raise Refused(NOT_FOUND) from err
        raise


def _resolution(form: Form) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as ``resolve``'s arguments, and the fields that could not be read."""
    problems: dict[str, str] = {}
    how = form.get("how", "")
    qty = 0
    raw = form.get("qty", "").strip()
    if how != "back_order":
        try:
            qty = parse_quantity(raw)
        except ValueError:
            problems["qty"] = "A quantity in units, e.g. 2 or 1.5 (at most 3 decimals)."
    ids: dict[str, uuid.UUID | None] = {}
    for name in ("from_location_id", "reservation_id"):
        value = form.get(name, "").strip()
        try:
            ids[name] = uuid.UUID(value) if value else None
        except ValueError:
            problems[name] = "Pick one from the list."
    note = form.get("note", "").strip()[:500] or None
    return {"how": how, "qty": qty, "note": note, **ids}, problems


@router.post("/stock/exceptions/{exception_id}/resolve")
def resolve(
    request: Request, form: MemberForm, db: Db, principal: Member, exception_id: uuid.UUID
) -> Response:
    open_stock(db, principal)
    require(principal, Permission.STOCK_WRITE, "resolve stock exceptions")
    arguments, problems = _resolution(form)
    if problems:
        problem = Problem("Some fields need correcting.", fields=problems)
        return _exception_page(
            request, db, principal, exception_id, form=form, problem=problem, status=422
        )
    try:
        with db.begin():
            stock_exceptions.resolve(
                db,
                principal.org_id,
                exception_id,
                actor=actor_of(principal),
                at=utcnow(),
                **arguments,
            )
    except SetLedgerError as err:
        if err.kind is ErrorKind.NOT_FOUND and err.code == "STOCK_EXCEPTION_NOT_FOUND":
            raise Refused(NOT_FOUND) from err
        found = problem_of(err)
        field = FIELD_OF_CODE.get(err.code)
        problem = Problem(
            found.message, found.remediation, err.code, {field: err.message} if field else {}
        )
        return _exception_page(
            request,
            db,
            principal,
            exception_id,
            form=form,
            problem=problem,
            status=status_of(None, err),
        )
    return RedirectResponse(f"{STOCK}/exceptions/{exception_id}?done=1", status_code=303)
