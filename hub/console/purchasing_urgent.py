"""Urgent reorders in the console: a store's requests from its boxes, open first, each
with buttons to acknowledge it, mark it ordered (on one of the org's purchase orders
picked from a list, or a reference typed) or dismiss it, through
``hub.stock.urgent.take_step``, the service of the API's steps (one event and one
audit record each). A step the request's status does not allow is refused with the
service's problem and changes nothing. Steps need ``stock.write``, as in the API.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts.audit import actor_of
from hub.accounts.members import require
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal
from hub.clock import utcnow
from hub.console import purchasing_queries as queries
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem, text
from hub.console.pages import status_of
from hub.console.purchasing import PURCHASING, open_purchasing, page, refused
from hub.console.web import NOT_FOUND, ConsoleRoute, Refused
from hub.stock import urgent
from setledger.errors import ErrorKind, SetLedgerError

router = APIRouter(route_class=ConsoleRoute)

STEP_OF: dict[str, urgent.Step] = {
    "acknowledge": "acknowledged",
    "ordered": "ordered",
    "dismiss": "dismissed",
}


def _urgent_page(
    request: Request,
    db: Session,
    principal: Principal,
    store: str,
    *,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
    failed: str = "",
) -> Response:
    stores = queries.store_locations(db, principal.org_id)
    here = next((x for x in stores if str(x.store_id) == store), None)
    if here is None and store:
        raise Refused(NOT_FOUND)
    here = here or (stores[0] if stores else None)
    views = (
        [] if here is None or here.store_id is None
        else urgent.list_for_store(db, principal.org_id, here.store_id)
    )  # fmt: skip
    return page(
        request,
        principal,
        "purchasing_urgent.html",
        f"Urgent reorders at {here.code}" if here else "Urgent reorders",
        status=status,
        problem=problem,
        stores=stores,
        here=here,
        views=views,
        numbers=queries.po_numbers(db, principal.org_id),
        may_step=allowed(principal.role, Permission.STOCK_WRITE)
        and allowed(principal.role, Permission.PURCHASING_WRITE),
        allowed_steps=urgent.ALLOWED,
        form=form or {},
        failed=failed,
    )


@router.get("/purchasing/urgent")
def urgent_page(request: Request, db: Db, principal: Member, store: str = "") -> Response:
    open_purchasing(db, principal)
    return _urgent_page(request, db, principal, store[:64])


@router.post("/purchasing/urgent/{reorder_id}/{action}")
def take_step(
    request: Request,
    form: MemberForm,
    db: Db,
    principal: Member,
    reorder_id: uuid.UUID,
    action: str,
) -> Response:
    open_purchasing(db, principal)
    step = STEP_OF.get(action)
    if step is None:
        raise Refused(NOT_FOUND)
    require(principal, Permission.STOCK_WRITE, "act on urgent reorders")
    require(principal, Permission.PURCHASING_WRITE, "act on urgent reorders")
    note = (text(form, "note") or "")[:500] or None
    reference = (text(form, "po_typed") or text(form, "po_picked") or "")[:64] or None
    store = form.get("store", "")[:64]
    if step == "ordered" and reference is None:
        problem = Problem(
            "Some fields need correcting.",
            fields={f"po-{reorder_id}": "Pick one of your purchase orders, or type its reference."},
        )
        return _urgent_page(request, db, principal, store, form=form, problem=problem,
                            status=422, failed=str(reorder_id))  # fmt: skip
    try:
        with db.begin():
            view = urgent.take_step(
                db, principal.org_id, reorder_id, step, actor=actor_of(principal),
                at=utcnow(), po_reference=reference, note=note,
            )  # fmt: skip
            store_id = view.store_id
    except SetLedgerError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            raise Refused(NOT_FOUND) from err
        return _urgent_page(request, db, principal, store, form=form, problem=refused(err),
                            status=status_of(None, err), failed=str(reorder_id))  # fmt: skip
    return RedirectResponse(
        f"{PURCHASING}/urgent?store={store_id}&done={step}#reorder-{reorder_id}", status_code=303
    )
