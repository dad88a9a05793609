"""Min/max reorder in the console: a location's rules with each one's stock position
(on hand, on order, in transit) and what it suggests, a form that sets a rule (by
SKU, in units), and a button that makes a draft PO to a supplier of what is due.

The services are ``hub.purchasing.reorder``'s (``suggestions`` with every rule,
``set_rule``, ``draft_from_suggestions``), as the API's.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts.audit import actor_of
from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.console import purchasing_queries as queries
from hub.console import stock_queries
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem, read_id
from hub.console.pages import status_of
from hub.console.purchasing import (
    PURCHASING,
    open_purchasing,
    page,
    read_qty,
    refused,
    supplier_options,
)
from hub.console.stock import stocking_locations
from hub.console.web import NOT_FOUND, ConsoleRoute, Refused
from hub.purchasing import reorder, suppliers
from setledger import errors
from setledger import purchasing as kernel
from setledger.errors import SetLedgerError
from setledger.ids import new_id
from setledger.money import format_quantity

router = APIRouter(route_class=ConsoleRoute)

RULE_FIELDS = ("sku", "min_qty", "max_qty", "pack_qty")


def _reorder_page(
    request: Request,
    db: Session,
    principal: Principal,
    location: str,
    *,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    places = stocking_locations(db, principal)
    here = next((x for x in places if str(x.location_id) == location), None)
    if here is None and location:
        raise Refused(NOT_FOUND)
    here = here or (places[0] if places else None)
    rules = (
        [] if here is None else reorder.suggestions(db, principal.org_id, here.location_id,
                                                    all_rules=True)
    )  # fmt: skip
    named = stock_queries.products_named(db, principal.org_id, [s.product_id for s in rules])
    rules.sort(key=lambda s: named.get(s.product_id, ("", ""))[0])
    edit = request.query_params.get("sku", "").strip()[:64]
    chosen = next(
        (s for s in rules if s.rule is not None and named.get(s.product_id, ("",))[0] == edit),
        None,
    )
    rule = None if chosen is None else chosen.rule
    prefill = (
        {"sku": edit, "min_qty": format_quantity(rule.min_qty),
         "max_qty": format_quantity(rule.max_qty),
         "pack_qty": format_quantity(rule.pack_qty) if rule.pack_qty else ""}
        if rule else {}
    )  # fmt: skip
    return page(
        request,
        principal,
        "purchasing_reorder.html",
        f"Reorder at {here.code}" if here else "Reorder",
        status=status,
        problem=problem,
        locations=places,
        here=here,
        rules=[(s, named.get(s.product_id, ("?", ""))) for s in rules],
        due=[s for s in rules if s.qty > 0],
        supplier_options=supplier_options(
            suppliers.list_suppliers(db, principal.org_id, active=True)
        ),
        form=form or {**prefill, "po_id": str(new_id())},
    )


@router.get("/purchasing/reorder")
def reorder_page(request: Request, db: Db, principal: Member, location: str = "") -> Response:
    open_purchasing(db, principal)
    return _reorder_page(request, db, principal, location[:64])


def _back(location_id: uuid.UUID, what: str) -> Response:
    return RedirectResponse(
        f"{PURCHASING}/reorder?location={location_id}&done={what}", status_code=303
    )


@router.post("/purchasing/reorder/{location_id}/rules")
def set_rule(
    request: Request, form: MemberForm, db: Db, principal: Member, location_id: uuid.UUID
) -> Response:
    """Make or replace the rule of a product here (min, max and pack in units)."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "set reorder rules")
    problems: dict[str, str] = {}
    low = read_qty(form, "min_qty", problems, positive=False)
    high = read_qty(form, "max_qty", problems)
    pack = read_qty(form, "pack_qty", problems) if form.get("pack_qty", "").strip() else None
    try:
        with db.begin():
            found = queries.products_by_sku(db, principal.org_id, [form.get("sku", "")])
            product = found.get(form.get("sku", "").strip().upper())
            if product is None:
                problems["sku"] = "No product of yours has this SKU."
            if problems or product is None:
                raise errors.REQUEST_INVALID.error(count=len(problems))
            rule = kernel.ReorderRule(low, high, pack)
            reorder.set_rule(db, principal.org_id, location_id, product[0], rule,
                             actor=actor_of(principal))  # fmt: skip
    except SetLedgerError as err:
        problem = (
            Problem("Some fields need correcting.", fields=problems)
            if problems
            else refused(err, "max_qty" if err.code == "REORDER_RULE_INVALID" else None)
        )
        return _reorder_page(request, db, principal, str(location_id), form=form,
                             problem=problem, status=422 if problems else status_of(None, err))  # fmt: skip
    return _back(location_id, "rule")


@router.post("/purchasing/reorder/{location_id}/draft")
def draft(
    request: Request, form: MemberForm, db: Db, principal: Member, location_id: uuid.UUID
) -> Response:
    """A draft PO to the chosen supplier of every suggestion due here."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "make purchase orders")
    problems: dict[str, str] = {}
    supplier_id = read_id(form, "supplier_id", problems)
    po_id = read_id(form, "po_id", problems)
    if supplier_id is None or po_id is None:
        problem = Problem("Some fields need correcting.", fields=problems)
        return _reorder_page(request, db, principal, str(location_id), form=form,
                             problem=problem, status=422)  # fmt: skip
    try:
        with db.begin():
            view = reorder.draft_from_suggestions(
                db, principal.org_id, location_id, supplier_id, actor=actor_of(principal),
                po_id=po_id,
            )  # fmt: skip
            made = view.po.po_id
    except SetLedgerError as err:
        field = "supplier_id" if err.code.startswith("SUPPLIER") else None
        return _reorder_page(request, db, principal, str(location_id), form=form,
                             problem=refused(err, field), status=status_of(None, err))  # fmt: skip
    return RedirectResponse(f"{PURCHASING}/orders/{made}?done=drafted", status_code=303)
