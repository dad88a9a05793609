"""Purchasing in the console: suppliers, purchase orders (list and new), and what the
other purchasing pages share (the guard, the page, reading amounts from forms).

A PO's own page and its steps are ``purchasing_orders``; min/max rules and
suggestions ``purchasing_reorder``; the stores' urgent reorders
``purchasing_urgent``. Every page calls the services the JSON API calls
(``hub.purchasing``, ``hub.stock.urgent``) and, for the reads those lack,
``purchasing_queries``. Forms take units ("2", "1.5") and rupees ("12.50"),
read into milli-units and paise by ``setledger.money`` (never a float); a
refused form is shown again with the service's problem beside its field and
nothing written (each write is one transaction, rolled back on refusal).

Who: ``purchasing.read`` opens the pages (owner, admin, accountant, store
manager; a cashier gets the 403 page), ``purchasing.write`` uses the forms;
the urgent reorders' steps need ``stock.write`` as in the API. The request's
session acts for the member's org (row-level security on PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts.audit import actor_of
from hub.accounts.members import require
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal
from hub.console import purchasing_queries as queries
from hub.console.auth import Db, Member
from hub.console.entry import STATE_CHOICES
from hub.console.forms import Form, MemberForm, Problem, problem_of, read_id, text
from hub.console.pages import member_page, status_of
from hub.console.stock import locations_of, stocking_locations
from hub.console.web import PREFIX, ConsoleRoute
from hub.db.models import StockLocation, Supplier
from hub.db.tenancy import act_for_org
from hub.purchasing import orders, suppliers
from setledger import errors
from setledger import purchasing as kernel
from setledger.errors import SetLedgerError
from setledger.ids import new_id
from setledger.money import format_quantity, format_rupees, parse_quantity, parse_rupees

router = APIRouter(route_class=ConsoleRoute)

PURCHASING = f"{PREFIX}/purchasing"
NEW_PO_LINES = 8
"""Line rows of the new-PO form (the form reader takes 32 fields: 5 + 3 per line)."""
QTY_HINT = "A quantity in units, e.g. 2 or 1.5 (at most 3 decimals)."
COST_HINT = "Rupees per unit before GST, e.g. 20 or 12.50."
NOTICES = {
    "supplier": "Supplier added.",
    "created": "Purchase order made: a draft. Check it, then send it.",
    "received": "Receipt recorded.",
    "closed": "Purchase order closed: the rest will not come.",
    "cancelled": "Purchase order cancelled.",
    "billed": "Supplier bill recorded and posted to the books.",
    "rule": "Reorder rule saved.",
    "drafted": "Draft purchase order made from the suggestions. Check it, then send it.",
    "acknowledged": "Urgent reorder acknowledged.",
    "ordered": "Urgent reorder marked ordered.",
    "dismissed": "Urgent reorder dismissed.",
}
SUPPLIER_FIELDS = {"name": "name", "state": "state_code", "gstin": "gstin", "phone": "phone",
                   "email": "email"}  # fmt: skip
"""SUPPLIER_INVALID's field → the form's."""
STATUS_LABELS = {s.value: s.value.replace("_", " ") for s in kernel.PoStatus}


def open_purchasing(db: Session, principal: Principal) -> None:
    """The purchasing pages' guard: a role with ``purchasing.read``, and the org's session."""
    if not allowed(principal.role, Permission.PURCHASING_READ):
        raise errors.ROLE_NOT_ALLOWED.error(
            role=principal.role.value, action="open the purchasing pages of the console"
        )
    act_for_org(db, principal.org_id)


def may_write(principal: Principal) -> bool:
    return allowed(principal.role, Permission.PURCHASING_WRITE)


def page(
    request: Request, principal: Principal, template: str, title: str, **context: Any
) -> Response:
    status = context.pop("status", 200)
    done = NOTICES.get(request.query_params.get("done", ""))
    if done and "notice" not in context:
        context["notice"] = done
    return member_page(
        request,
        principal,
        template,
        title,
        status,
        purchasing=PURCHASING,
        qty=format_quantity,
        rupees=format_rupees,
        status_label=lambda s: STATUS_LABELS.get(str(s), str(s)),
        may_write=may_write(principal),
        **context,
    )


def refused(err: SetLedgerError, field: str | None = None) -> Problem:
    """The service's problem, beside ``field`` when the page knows which it is."""
    found = problem_of(err)
    fields = {field: err.message} if field else {}
    return Problem(found.message, found.remediation, err.code, fields)


def read_qty(form: Form, name: str, problems: dict[str, str], *, positive: bool = True) -> int:
    try:
        milli = parse_quantity(form.get(name, "").strip())
    except ValueError:
        problems[name] = QTY_HINT
        return 0
    if milli < 0 or (positive and milli == 0):
        problems[name] = "More than 0." if positive else "0 or more."
    return milli


def read_cost(form: Form, name: str, problems: dict[str, str]) -> int:
    try:
        paise = parse_rupees(form.get(name, "").strip())
    except ValueError:
        problems[name] = COST_HINT
        return 0
    if paise < 0:
        problems[name] = "0 or more."
    return paise


def supplier_options(listed: list[Supplier]) -> list[tuple[str, str]]:
    return [(str(s.supplier_id), f"{s.name} ({s.state_code})") for s in listed]


def location_options(listed: list[StockLocation]) -> list[tuple[str, str]]:
    return [(str(x.location_id), f"{x.code} · {x.name}") for x in listed]


# -- suppliers ---------------------------------------------------------------------------------


def _suppliers_page(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        principal,
        "purchasing_suppliers.html",
        "Suppliers",
        status=status,
        problem=problem,
        suppliers=suppliers.list_suppliers(db, principal.org_id),
        states=STATE_CHOICES,
        form=form or {},
    )


@router.get("/purchasing/suppliers")
def suppliers_page(request: Request, db: Db, principal: Member) -> Response:
    open_purchasing(db, principal)
    return _suppliers_page(request, db, principal)


@router.post("/purchasing/suppliers")
def add_supplier(request: Request, form: MemberForm, db: Db, principal: Member) -> Response:
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "add suppliers")
    fields = suppliers.SupplierFields(
        name=form.get("name", "").strip()[:200],
        state=form.get("state_code", "").strip()[:2],
        gstin=text(form, "gstin"),
        phone=text(form, "phone"),
        email=text(form, "email"),
        address=(text(form, "address") or "")[:500] or None,
    )
    try:
        with db.begin():
            suppliers.create_supplier(db, principal.org_id, fields, actor=actor_of(principal))
    except SetLedgerError as err:
        field = SUPPLIER_FIELDS.get(str(err.details.get("field")))
        return _suppliers_page(request, db, principal, form=form, problem=refused(err, field),
                               status=status_of(None, err))  # fmt: skip
    return RedirectResponse(f"{PURCHASING}/suppliers?done=supplier", status_code=303)


# -- purchase orders: the list and a new one ---------------------------------------------------


@router.get("/purchasing")
def orders_page(request: Request, db: Db, principal: Member, status: str = "") -> Response:
    """Purchase orders newest first, with their supplier, delivery location and value."""
    open_purchasing(db, principal)
    chosen = {kernel.PoStatus(status)} if status in STATUS_LABELS else None
    views = orders.list_pos(db, principal.org_id, statuses=chosen)
    locations = {x.location_id: x for x in locations_of(db, principal)}
    return page(
        request,
        principal,
        "purchasing.html",
        "Purchase orders",
        views=views,
        locations=locations,
        statuses=list(STATUS_LABELS),
        status_value=status if chosen else "",
    )


def _new_po_page(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        principal,
        "purchasing_new.html",
        "New purchase order",
        status=status,
        problem=problem,
        supplier_options=supplier_options(
            suppliers.list_suppliers(db, principal.org_id, active=True)
        ),
        location_options=location_options(stocking_locations(db, principal)),
        form=form or {"po_id": str(new_id())},
        line_numbers=range(1, NEW_PO_LINES + 1),
    )


@router.get("/purchasing/orders/new")
def new_po_page(request: Request, db: Db, principal: Member) -> Response:
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "make purchase orders")
    return _new_po_page(request, db, principal)


def _new_lines(
    db: Session, principal: Principal, form: Form, problems: dict[str, str]
) -> list[orders.NewLine]:
    filled = [
        n
        for n in range(1, NEW_PO_LINES + 1)
        if any(form.get(f"{k}_{n}", "").strip() for k in ("sku", "qty", "cost"))
    ]
    if not filled:
        problems["sku_1"] = "Order at least one product."
        return []
    found = queries.products_by_sku(
        db, principal.org_id, [form.get(f"sku_{n}", "") for n in filled]
    )
    lines = []
    for n in filled:
        product = found.get(form.get(f"sku_{n}", "").strip().upper())
        if product is None:
            problems[f"sku_{n}"] = "No product of yours has this SKU."
        qty = read_qty(form, f"qty_{n}", problems)
        cost = read_cost(form, f"cost_{n}", problems)
        if product is not None:
            lines.append(orders.NewLine(product[0], qty, cost))
    return lines


@router.post("/purchasing/orders")
def create_po(request: Request, form: MemberForm, db: Db, principal: Member) -> Response:
    """A draft PO; the form's own ``po_id`` makes a double submit one order."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "make purchase orders")
    problems: dict[str, str] = {}
    supplier_id = read_id(form, "supplier_id", problems)
    location_id = read_id(form, "location_id", problems)
    po_id = read_id(form, "po_id", problems)
    try:
        with db.begin():
            lines = _new_lines(db, principal, form, problems)
            if problems or supplier_id is None or location_id is None:
                raise errors.REQUEST_INVALID.error(count=len(problems))
            view = orders.create_po(
                db, principal.org_id, supplier_id=supplier_id, location_id=location_id,
                lines=lines, actor=actor_of(principal), note=(text(form, "note") or "")[:500] or None,
                po_id=po_id,
            )  # fmt: skip
            made = view.po.po_id
    except SetLedgerError as err:
        if problems:
            problem = Problem("Some fields need correcting.", fields=problems)
            return _new_po_page(request, db, principal, form=form, problem=problem, status=422)
        field = str(err.details.get("field", "")) or None
        field = {"supplier_id": "supplier_id", "lines": "sku_1"}.get(field or "")
        if err.code in ("SUPPLIER_NOT_FOUND",):
            field = "supplier_id"
        elif err.code.startswith("STOCK_LOCATION"):
            field = "location_id"
        return _new_po_page(request, db, principal, form=form, problem=refused(err, field),
                            status=status_of(None, err))  # fmt: skip
    return RedirectResponse(f"{PURCHASING}/orders/{made}?done=created", status_code=303)
