"""Counting and adjusting one product's stock at one location, from its moves page.

- **Count**: "we counted 12 on the shelf" (units, ``2.5`` for loose goods): on hand
  becomes the counted quantity plus the moves after it (docs/STOCK.md), audited as
  ``stock.counted``. The form carries a count id made when the page was drawn, so
  sending it twice records one count.
- **Adjust**: a signed change with its reason ("-2" damaged, "+1" found), audited as
  ``stock.adjusted``; the form's request id makes a double submit record once.

Products kept by batch or serial number are counted and adjusted lot by lot, which
these forms do not do: their page says to use the API. A refused form is shown
again with the problem beside its field and nothing recorded. Permission:
``stock.write``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts.audit import actor_of
from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.console import stock_queries as queries
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem, form_id, problem_of, text
from hub.console.pages import status_of
from hub.console.stock import STOCK, open_stock, render_moves
from hub.console.web import ConsoleRoute
from hub.stock import services
from hub.stock.services import StockLine
from setledger.errors import SetLedgerError
from setledger.money import parse_quantity

router = APIRouter(route_class=ConsoleRoute)

QTY_HINT = "Units, e.g. 12 or 2.5 (up to 3 decimals)."


def _qty(form: Form, name: str, problems: dict[str, str], *, signed: bool) -> int:
    try:
        milli = parse_quantity(form.get(name, "").strip().lstrip("+"))
    except ValueError:
        problems[name] = QTY_HINT
        return 0
    if signed and milli == 0:
        problems[name] = "A change: more than 0, or less (e.g. -2)."
    elif not signed and milli < 0:
        problems[name] = "What is there: 0 or more."
    return milli


@dataclass(frozen=True)
class Submitted:
    """One form posted to a product's moves page, and where its problems go."""

    request: Request
    form: Form
    db: Session
    principal: Principal
    location_id: uuid.UUID
    product_id: uuid.UUID
    field: str
    """The field a refusal of the service is shown beside."""


def _record(
    sent: Submitted, problems: dict[str, str], write: Callable[[], object], done: str
) -> Response:
    """``write`` in one transaction when the form had no problems, then back to the page
    with ``done``; else the page again with the problems and nothing written."""
    db, principal = sent.db, sent.principal
    problem, status = None, 422
    if problems:
        problem = Problem("Some fields need correcting.", fields=problems)
    else:
        try:
            with db.begin():
                write()
        except SetLedgerError as err:
            found = problem_of(err)
            problem = Problem(found.message, found.remediation, err.code, {sent.field: err.message})
            status = status_of(None, err)
    if problem is not None:
        return render_moves(sent.request, db, principal, sent.location_id, sent.product_id,
                            form=sent.form, problem=problem, status=status)  # fmt: skip
    here = f"{STOCK}/locations/{sent.location_id}/products/{sent.product_id}"
    return RedirectResponse(f"{here}?done={done}", status_code=303)


def _open(
    request: Request, form: Form, db: Session, principal: Principal,
    where: tuple[uuid.UUID, uuid.UUID], field: str, action: str,
) -> tuple[Submitted, str | None]:  # fmt: skip
    """The guards; the form's context; whether the product is kept by lot (a read of
    its own: the service's write transaction starts afterwards)."""
    open_stock(db, principal)
    require(principal, Permission.STOCK_WRITE, action)
    with db.begin():
        tracked = queries.tracking_of(db, principal.org_id, where[1])
    return Submitted(request, form, db, principal, *where, field), tracked


@router.post("/stock/locations/{location_id}/products/{product_id}/count")
def count(
    request: Request,
    form: MemberForm,
    db: Db,
    principal: Member,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
) -> Response:
    where = (location_id, product_id)
    sent, tracked = _open(request, form, db, principal, where, "counted", "count stock")
    problems: dict[str, str] = {}
    counted = _qty(form, "counted", problems, signed=False)
    count_id = form_id(form, "count_id", problems, "counted", "the count")
    if tracked:
        problems["counted"] = f"Kept by {tracked}: count it lot by lot through the API."
    return _record(
        sent, problems,
        lambda: services.record_count(
            db, principal.org_id, location_id, product_id, counted, actor=actor_of(principal),
            note=text(form, "count_note"), count_id=count_id,
        ),
        "counted",
    )  # fmt: skip


@router.post("/stock/locations/{location_id}/products/{product_id}/adjust")
def adjust(
    request: Request,
    form: MemberForm,
    db: Db,
    principal: Member,
    location_id: uuid.UUID,
    product_id: uuid.UUID,
) -> Response:
    where = (location_id, product_id)
    sent, tracked = _open(request, form, db, principal, where, "change", "adjust stock")
    problems: dict[str, str] = {}
    change = _qty(form, "change", problems, signed=True)
    request_id = form_id(form, "request_id", problems, "change", "the change")
    reason = text(form, "reason")
    if not reason:
        problems["reason"] = "Why: damaged, expired, found, theft…"
    if tracked:
        problems["change"] = f"Kept by {tracked}: adjust it lot by lot through the API."
    return _record(
        sent, problems,
        lambda: services.adjust_stock(
            db, principal.org_id, location_id, [StockLine(product_id, change)],
            reason=str(reason)[:500], actor=actor_of(principal), request_id=request_id,
        ),
        "adjusted",
    )  # fmt: skip
