"""One purchase order in the console: its lines (ordered, received, outstanding), its
events, receipts and bills, and the steps the API offers, through the same services
(``hub.purchasing.orders``, ``hub.purchasing.bills``, ``hub.purchasing.documents``).

- **Send** answers the PO's PDF as a download (a draft becomes sent; sending again
  only prints it again).
- **Receive** is a form of quantities per outstanding line carrying a receipt id
  made when the page was drawn: submitted twice, the service records it once.
- **Close** (short-close, with a reason), **cancel**, and **record a supplier bill**
  (every receipt not billed yet, at the PO's costs; its own bill id, so once).
- **Return goods to the supplier** (``hub.purchasing.returns``): per line what
  went back (units, or a serial-numbered product's serial numbers) and a reason,
  with a return id made when the page was drawn (twice: returned once); the
  page lists the returns, each with its debit note PDF
  (``hub.purchasing.documents``).

A refused step rolls back and shows the page again with the service's problem.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.accounts.audit import actor_of
from hub.accounts.members import require
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal
from hub.console import purchasing_queries as queries
from hub.console import stock_queries
from hub.console.auth import Db, Member
from hub.console.forms import MAX_FIELDS, Form, MemberForm, Problem, form_id, text
from hub.console.pages import status_of
from hub.console.purchasing import (
    PURCHASING,
    open_purchasing,
    page,
    read_qty,
    refused,
)
from hub.console.stock import locations_of, today
from hub.console.web import NOT_FOUND, ConsoleRoute, Refused
from hub.db.models import Org, SupplierReturn
from hub.purchasing import bills, orders, returns
from hub.purchasing.documents import (
    debit_note_number,
    debit_note_pdf,
    po_pdf,
    return_lines,
    serials_of,
)
from setledger import errors
from setledger import purchasing as kernel
from setledger.errors import ErrorKind, SetLedgerError
from setledger.ids import new_id
from setledger.money import parse_rupees
from setledger.serials import ONE_UNIT, SERIAL_MAX

router = APIRouter(route_class=ConsoleRoute)

RECEIVABLE = (kernel.PoStatus.SENT, kernel.PoStatus.PARTIALLY_RECEIVED)
RECEIVE_LINES = MAX_FIELDS - 2
"""Outstanding lines a receive form can carry (besides the token and the receipt id)."""
RETURN_LINES = MAX_FIELDS - 3
"""Lines a return form can carry (besides the token, the return id and the reason)."""
FIELD_OF_CODE = {
    "PURCHASE_OVER_RECEIVED": "qty_{line_no}",
    "SUPPLIER_BILL_INVALID": "bill_no",
}


def _view(db: Session, principal: Principal, po_id: uuid.UUID) -> orders.PoView:
    try:
        return orders.read_po(db, principal.org_id, po_id)
    except SetLedgerError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            raise Refused(NOT_FOUND) from err
        raise


def _po_page(
    request: Request,
    db: Session,
    principal: Principal,
    po_id: uuid.UUID,
    *,
    form: Form | None = None,
    problem: Problem | None = None,
    status: int = 200,
    **extra: str,
) -> Response:
    view = _view(db, principal, po_id)
    state = view.state
    named = stock_queries.products_named(db, principal.org_id, [x.product_id for x in view.lines])
    lines = [
        (x, named.get(x.product_id, ("?", "")), state.received.get(x.line_no, 0),
         state.outstanding(x.line_no))
        for x in view.lines
    ]  # fmt: skip
    open_lines = sum(1 for *_, outstanding in lines if outstanding > 0)
    numbered = queries.serial_tracked(db, principal.org_id, [x.product_id for x in view.lines])
    receipts = view.receipts
    billed = queries.billed_receipts(db, principal.org_id, [r.receipt_id for r in receipts])
    location = {x.location_id: x for x in locations_of(db, principal)}.get(view.po.location_id)
    fresh = {"receipt_id": str(new_id()), "bill_id": str(new_id()), "return_id": str(new_id()),
             "bill_date": today().isoformat()}  # fmt: skip
    returnable = [(x, name, state.returnable(x.line_no)) for x, name, *_ in lines
                  if state.returnable(x.line_no) > 0]  # fmt: skip
    return page(
        request,
        principal,
        "purchasing_order.html",
        f"{view.po.number} · {view.supplier.name}",
        status=status,
        problem=problem,
        **extra,
        view=view,
        location=location,
        lines=lines,
        serial_lines={x.line_no for x in view.lines if x.product_id in numbered},
        value=sum(x.value for x in view.lines),
        receipts=receipts,
        billed=billed,
        returnable=returnable if len(returnable) <= RETURN_LINES else [],
        return_by_api=len(returnable) > RETURN_LINES,
        sent_back=_sent_back(db, principal, view),
        unbilled=[r for r in receipts if r.receipt_id not in billed],
        receivable=state.status in RECEIVABLE and open_lines <= RECEIVE_LINES,
        too_many=state.status in RECEIVABLE and open_lines > RECEIVE_LINES,
        closable=state.status in RECEIVABLE,
        cancellable=state.status in (kernel.PoStatus.DRAFT, kernel.PoStatus.SENT)
        and not any(state.received.values()),
        sendable=state.status not in (kernel.PoStatus.CLOSED, kernel.PoStatus.CANCELLED),
        may_bill=allowed(principal.role, Permission.PURCHASING_BILL),
        form={**fresh, **(form or {})},
    )


def _sent_back(
    db: Session, principal: Principal, view: orders.PoView
) -> list[tuple[SupplierReturn, list[tuple[int, int, list[str]]], str]]:
    """The PO's returns, oldest first: (row, per PO line its qty and serial numbers,
    its debit note's number)."""
    rows = return_lines(db, principal.org_id, [r.return_id for r in view.returns])
    serials = serials_of(db, principal.org_id, [x for found in rows.values() for x in found])
    shown = []
    for r in view.returns:
        per_line: dict[int, tuple[int, list[str]]] = {}
        for x in rows[r.return_id]:
            qty, numbered = per_line.get(x.line_no, (0, []))
            if x.lot_id in serials:
                numbered = [*numbered, serials[x.lot_id]]
            per_line[x.line_no] = (qty + x.qty, numbered)
        lines = [(n, q, sn) for n, (q, sn) in sorted(per_line.items())]
        shown.append((r, lines, debit_note_number(view, r.return_id)))
    return shown


@router.get("/purchasing/orders/{po_id}")
def po_page(request: Request, db: Db, principal: Member, po_id: uuid.UUID) -> Response:
    open_purchasing(db, principal)
    if request.query_params.get("done") == "returned":
        return _po_page(request, db, principal, po_id, notice=RETURNED)
    return _po_page(request, db, principal, po_id)


def _pdf(body: bytes, number: str) -> Response:
    return Response(content=body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'})  # fmt: skip


@router.get("/purchasing/orders/{po_id}/pdf")
def po_document(request: Request, db: Db, principal: Member, po_id: uuid.UUID) -> Response:
    open_purchasing(db, principal)
    view = _view(db, principal, po_id)
    org = db.get(Org, principal.org_id)
    assert org is not None
    return _pdf(po_pdf(db, org, view), view.po.number)


@router.get("/purchasing/orders/{po_id}/returns/{return_id}/pdf")
def debit_note_document(
    request: Request, db: Db, principal: Member, po_id: uuid.UUID, return_id: uuid.UUID
) -> Response:
    """A return's debit note to the supplier (``DN-<PO number>-<n>``)."""
    open_purchasing(db, principal)
    view = _view(db, principal, po_id)
    if not any(r.return_id == return_id for r in view.returns):
        raise Refused(NOT_FOUND)
    org = db.get(Org, principal.org_id)
    assert org is not None
    return _pdf(debit_note_pdf(db, org, view, return_id), debit_note_number(view, return_id))


def _failed(
    request: Request,
    db: Session,
    principal: Principal,
    po_id: uuid.UUID,
    form: Form,
    err: SetLedgerError,
    field: str | None = None,
) -> Response:
    if err.code == "PURCHASE_ORDER_NOT_FOUND":
        raise Refused(NOT_FOUND) from err
    field = field or FIELD_OF_CODE.get(err.code)
    if field:
        field = field.format(line_no=err.details.get("line_no", ""))
    return _po_page(request, db, principal, po_id, form=form, problem=refused(err, field),
                    status=status_of(None, err))  # fmt: skip


def _done(po_id: uuid.UUID, what: str) -> Response:
    return RedirectResponse(f"{PURCHASING}/orders/{po_id}?done={what}", status_code=303)


@router.post("/purchasing/orders/{po_id}/send")
def send(
    request: Request, form: MemberForm, db: Db, principal: Member, po_id: uuid.UUID
) -> Response:
    """A draft becomes sent; the answer is its PDF, downloaded, to send to the supplier."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "send purchase orders")
    try:
        with db.begin():
            view = orders.send_po(db, principal.org_id, po_id, actor=actor_of(principal))
            org = db.get(Org, principal.org_id)
            assert org is not None
            body = po_pdf(db, org, view)
    except SetLedgerError as err:
        return _failed(request, db, principal, po_id, form, err)
    return _pdf(body, view.po.number)


def _receipt(
    form: Form, view: orders.PoView, numbered: set[int]
) -> tuple[list[orders.ReceiveLine], dict[str, str]]:
    """The receipt's lines: a quantity per line, or for a serial-numbered product its
    units' serial numbers (one per line of the box, or separated by commas)."""
    problems: dict[str, str] = {}
    lines = []
    for line in view.lines:
        if line.line_no in numbered:
            lines += _units(form, f"serials_{line.line_no}", line.line_no, problems)
            continue
        name = f"qty_{line.line_no}"
        if not form.get(name, "").strip():
            continue
        milli = read_qty(form, name, problems, positive=False)
        if milli > 0 and name not in problems:
            lines.append(orders.ReceiveLine(line.line_no, milli))
    if not lines and not problems:
        first = view.lines[0].line_no
        field = f"serials_{first}" if first in numbered else f"qty_{first}"
        problems[field] = "Type what came on at least one line."
    return lines, problems


def _units(
    form: Form, name: str, line_no: int, problems: dict[str, str]
) -> list[orders.ReceiveLine]:
    return [
        orders.ReceiveLine(line_no, ONE_UNIT, serial_no=s) for s in _serials(form, name, problems)
    ]


def _serials(form: Form, name: str, problems: dict[str, str]) -> list[str]:
    """A field's serial numbers: one per line of the box, or separated by commas."""
    serials = [s.strip() for s in re.split(r"[\n,]", form.get(name, "")) if s.strip()]
    twice = sorted({s for s in serials if serials.count(s) > 1})
    if twice:
        problems[name] = f"Serial number {twice[0]} is typed twice: each unit once."
    elif any(len(s) > SERIAL_MAX for s in serials):
        problems[name] = f"A serial number has at most {SERIAL_MAX} characters."
    return [] if name in problems else serials


@router.post("/purchasing/orders/{po_id}/receive")
def receive(
    request: Request, form: MemberForm, db: Db, principal: Member, po_id: uuid.UUID
) -> Response:
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "receive goods")
    problems: dict[str, str] = {}
    receipt_id = form_id(form, "receipt_id", problems, "receipt_id", "the quantities")
    numbered: set[int] = set()
    try:
        with db.begin():
            view = _view(db, principal, po_id)
            tracked = queries.serial_tracked(
                db, principal.org_id, [x.product_id for x in view.lines]
            )
            numbered = {x.line_no for x in view.lines if x.product_id in tracked}
            lines, more = _receipt(form, view, numbered)
            problems.update(more)
            if problems:
                raise errors.REQUEST_INVALID.error(count=len(problems))
            orders.receive_po(db, principal.org_id, po_id, receipt_id, lines,
                              actor=actor_of(principal))  # fmt: skip
    except SetLedgerError as err:
        if problems:
            problem = Problem("Some fields need correcting.", fields=problems)
            return _po_page(request, db, principal, po_id, form=form, problem=problem, status=422)
        return _failed(
            request, db, principal, po_id, form, err, _serial_field(err, numbered, lines)
        )
    return _done(po_id, "received")


def _serial_field(
    err: SetLedgerError, numbered: set[int], lines: list[orders.ReceiveLine]
) -> str | None:
    """Where a refusal of serial-numbered units is shown: beside the line's serials."""
    line_no = err.details.get("line_no")
    if err.code == "PURCHASE_OVER_RECEIVED" and line_no in numbered:
        return f"serials_{line_no}"
    if err.code == "STOCK_QTY_INVALID":
        named = [x.line_no for x in lines if x.serial_no and repr(x.serial_no) in str(err)]
        if named:
            return f"serials_{named[0]}"
    return None


@router.post("/purchasing/orders/{po_id}/close")
def close(
    request: Request, form: MemberForm, db: Db, principal: Member, po_id: uuid.UUID
) -> Response:
    """Short-close: what is outstanding will not come."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "close purchase orders")
    reason = (text(form, "reason") or "")[:500]
    if not reason:
        problem = Problem("Some fields need correcting.", fields={"reason": "Say why."})
        return _po_page(request, db, principal, po_id, form=form, problem=problem, status=422)
    try:
        with db.begin():
            orders.close_po(db, principal.org_id, po_id, actor=actor_of(principal), reason=reason)
    except SetLedgerError as err:
        return _failed(request, db, principal, po_id, form, err)
    return _done(po_id, "closed")


@router.post("/purchasing/orders/{po_id}/cancel")
def cancel(
    request: Request, form: MemberForm, db: Db, principal: Member, po_id: uuid.UUID
) -> Response:
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "cancel purchase orders")
    reason = (text(form, "cancel_reason") or "")[:500] or None
    try:
        with db.begin():
            orders.cancel_po(db, principal.org_id, po_id, actor=actor_of(principal), reason=reason)
    except SetLedgerError as err:
        return _failed(request, db, principal, po_id, form, err)
    return _done(po_id, "cancelled")


@router.post("/purchasing/orders/{po_id}/bill")
def bill(
    request: Request, form: MemberForm, db: Db, principal: Member, po_id: uuid.UUID
) -> Response:
    """The supplier's bill for every receipt not billed yet, at the PO's costs."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_BILL, "record supplier bills")
    problems: dict[str, str] = {}
    bill_no = (text(form, "bill_no") or "")[:64]
    if not bill_no:
        problems["bill_no"] = "The number on the supplier's bill."
    round_off = 0
    try:
        round_off = parse_rupees(form.get("round_off", "").strip() or "0")
        kernel.check_round_off(round_off)
    except (ValueError, SetLedgerError):
        problems["round_off"] = "Under a rupee either way, e.g. 0.40 or -0.30; empty: none."
    try:
        bill_date = date.fromisoformat(form.get("bill_date", "").strip())
    except ValueError:
        problems["bill_date"] = "The bill's date, e.g. 2026-11-24."
    bill_id = form_id(form, "bill_id", problems, "bill_no", "the bill")
    if problems:
        problem = Problem("Some fields need correcting.", fields=problems)
        return _po_page(request, db, principal, po_id, form=form, problem=problem, status=422)
    try:
        with db.begin():
            bills.record_bill(db, principal.org_id, po_id, bill_id=bill_id, bill_no=bill_no,
                              bill_date=bill_date, actor=actor_of(principal),
                              round_off=round_off)  # fmt: skip
    except SetLedgerError as err:
        return _failed(request, db, principal, po_id, form, err)
    return _done(po_id, "billed")


RETURNED = "Return recorded: the goods left stock at the order's cost."


def _return(
    form: Form, view: orders.PoView, numbered: set[int]
) -> tuple[list[returns.ReturnLine], dict[str, str]]:
    """The return's lines: units per line that may go back, or a serial-numbered
    product's units by their serial numbers."""
    problems: dict[str, str] = {}
    lines: list[returns.ReturnLine] = []
    open_lines = [x.line_no for x in view.lines if view.state.returnable(x.line_no) > 0]
    for line_no in open_lines:
        if line_no in numbered:
            name = f"back_serials_{line_no}"
            lines += [returns.ReturnLine(line_no, ONE_UNIT, serial_no=s)
                      for s in _serials(form, name, problems)]  # fmt: skip
            continue
        name = f"back_{line_no}"
        if not form.get(name, "").strip():
            continue
        milli = read_qty(form, name, problems, positive=False)
        if milli > 0 and name not in problems:
            lines.append(returns.ReturnLine(line_no, milli))
    if not lines and not problems and open_lines:
        first = open_lines[0]
        problems[_back_field(first, numbered)] = "Type what goes back on at least one line."
    return lines, problems


def _back_field(line_no: int, numbered: set[int]) -> str:
    return f"back_serials_{line_no}" if line_no in numbered else f"back_{line_no}"


def _return_field(
    err: SetLedgerError, numbered: set[int], lines: list[returns.ReturnLine]
) -> str | None:
    """Where a refused return is shown: beside the line it is about, when that is known."""
    line_no = err.details.get("line_no")
    if err.code == "PURCHASE_OVER_RETURNED" and isinstance(line_no, int):
        return _back_field(line_no, numbered)
    if err.code != "PURCHASE_RETURN_INVALID":
        return None
    named = [x.line_no for x in lines if x.serial_no and repr(x.serial_no) in str(err)]
    about = re.search(r"line (\d+) of", str(err))
    if named:
        return _back_field(named[0], numbered)
    if about:
        return _back_field(int(about.group(1)), numbered)
    sent = {x.line_no for x in lines}
    return _back_field(sent.pop(), numbered) if len(sent) == 1 else None


@router.post("/purchasing/orders/{po_id}/return")
def send_back(
    request: Request, form: MemberForm, db: Db, principal: Member, po_id: uuid.UUID
) -> Response:
    """Goods of the PO back to its supplier; a debit note for what was billed."""
    open_purchasing(db, principal)
    require(principal, Permission.PURCHASING_WRITE, "return goods to the supplier")
    problems: dict[str, str] = {}
    return_id = form_id(form, "return_id", problems, "return_id", "the return")
    reason = (text(form, "return_reason") or "")[:500]
    if not reason:
        problems["return_reason"] = "Say why the goods go back (the debit note shows it)."
    numbered: set[int] = set()
    lines: list[returns.ReturnLine] = []
    try:
        with db.begin():
            view = _view(db, principal, po_id)
            tracked = queries.serial_tracked(
                db, principal.org_id, [x.product_id for x in view.lines]
            )
            numbered = {x.line_no for x in view.lines if x.product_id in tracked}
            lines, more = _return(form, view, numbered)
            problems.update(more)
            if problems:
                raise errors.REQUEST_INVALID.error(count=len(problems))
            returns.return_goods(db, principal.org_id, po_id, return_id, lines, reason=reason,
                                 actor=actor_of(principal))  # fmt: skip
    except SetLedgerError as err:
        if problems:
            problem = Problem("Some fields need correcting.", fields=problems)
            return _po_page(request, db, principal, po_id, form=form, problem=problem, status=422)
        return _failed(
            request, db, principal, po_id, form, err, _return_field(err, numbered, lines)
        )
    return _done(po_id, "returned")
