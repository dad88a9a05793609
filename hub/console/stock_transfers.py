"""Stock transfers in the console: the list, a new shipment and a transfer's page
with its Receive button, through ``hub.stock.services.ship_transfer`` and
``receive_transfer``, the services the API's ``POST .../stock/transfers`` and
``.../transfers/{id}/receive`` call.

- Shipping moves the goods out of the source into the org's transit location;
  the destination's on-hand changes only when the transfer is received
  (docs/STOCK.md). Receiving here takes in everything still in transit.
- The form's lines are SKUs and quantities in units ("2", "1.5", read into
  milli-units by ``setledger.money.parse_quantity``), with a batch number for
  batch-tracked goods. Serial-numbered goods go through the API.
- The new-transfer form carries a ``transfer_id`` made when the page is drawn:
  the service ships a known id once, so a double submit records one transfer.
  A second Receive finds nothing outstanding and changes nothing.
- A refused form (unknown SKU, bad quantity, the same location twice) rolls
  back and is shown again with the problem beside its field, nothing written.
- The service leaves shipping more than is on hand to the source's level
  (it may go below zero, as a box's offline sale may); the transfer's page
  shows the source's on-hand beside each line so a person sees it.
- Each shipment and receipt is in the org's audit chain
  (``stock.transfer.shipped``, ``stock.transfer.received``, target the
  transfer id), written by the stock services in the same transaction as its
  moves, so the API's transfers are audited alike.

Who: the stock pages' guard (``stock_access``); the forms need ``stock.write``.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.clock import utcnow
from hub.console import stock_queries as queries
from hub.console import stock_transfer_queries as transfers
from hub.console.auth import Db, Member
from hub.console.forms import Form, MemberForm, Problem, problem_of, read_id
from hub.console.pages import status_of
from hub.console.purchasing_queries import products_by_sku
from hub.console.stock import STOCK, locations_of, open_stock, page, stocking_locations
from hub.console.web import NOT_FOUND, ConsoleRoute, Refused
from hub.db.accounts import AuditRecord
from hub.db.stock import StockTransfer
from hub.stock import ledger, services
from hub.stock.services import StockLine
from setledger import errors
from setledger.errors import ErrorKind, SetLedgerError
from setledger.ids import new_id
from setledger.money import parse_quantity

router = APIRouter(route_class=ConsoleRoute)

TRANSFERS = f"{STOCK}/transfers"
LINES = 8
"""Line rows of the form (the form reader takes 32 fields: 5 + 3 per line)."""
LIMIT = 200
QTY_HINT = "A quantity in units, e.g. 2 or 1.5 (at most 3 decimals)."
STATUS_LABELS = {
    "in_transit": "in transit",
    "partly_received": "partly received",
    "received": "received",
}
NOTICES = {
    "shipped": "Transfer shipped: the goods are in transit until the destination receives them.",
    "received": "Transfer received: the goods are in the destination's stock.",
}


def _names(db: Session, principal: Principal, views: list[Any]) -> dict[str, Any]:
    lines = [line for view in views for line in view.lines]
    return {
        "locations": {x.location_id: x for x in locations_of(db, principal)},
        "products": queries.products_named(db, principal.org_id, {x.product_id for x in lines}),
        "batches": transfers.batches_named(
            db, principal.org_id, {x.lot_id for x in lines if x.lot_id}
        ),
        "status_label": lambda s: STATUS_LABELS.get(s, s),
    }


def _notice(request: Request) -> dict[str, str]:
    notice = NOTICES.get(request.query_params.get("done", ""))
    return {"notice": notice} if notice else {}


@router.get("/stock/transfers")
def list_page(request: Request, db: Db, principal: Member, location: str = "") -> Response:
    """The org's transfers newest first, or those from or to one location."""
    open_stock(db, principal)
    known = {str(x.location_id) for x in locations_of(db, principal)}
    where = uuid.UUID(location) if location in known else None
    rows = transfers.list_transfers(db, principal.org_id, where, LIMIT)
    return page(
        request,
        principal,
        "stock_transfers.html",
        "Stock transfers",
        rows=rows,
        location_value=str(where or ""),
        limit=LIMIT,
        **_names(db, principal, rows),
    )


def _new_page(
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
        "stock_transfers_new.html",
        "New stock transfer",
        status=status,
        problem=problem,
        places=stocking_locations(db, principal),
        form=form or {"transfer_id": str(new_id())},
        line_numbers=range(1, LINES + 1),
    )


@router.get("/stock/transfers/new")
def new_page(request: Request, db: Db, principal: Member) -> Response:
    open_stock(db, principal)
    require(principal, Permission.STOCK_WRITE, "ship stock transfers")
    return _new_page(request, db, principal)


def _line(
    db: Session, principal: Principal, form: Form, n: int, problems: dict[str, str]
) -> StockLine | None:
    """Line ``n`` of the form, or None (and its problems noted) when it cannot be read."""
    sku = form.get(f"sku_{n}", "").strip()
    found = _product_by_sku(db, principal, sku)
    if found is None:
        problems[f"sku_{n}"] = "No product of yours has this SKU."
    try:
        qty = parse_quantity(form.get(f"qty_{n}", "").strip())
        if qty <= 0:
            problems[f"qty_{n}"] = "More than 0."
    except ValueError:
        problems[f"qty_{n}"] = QTY_HINT
        qty = 0
    if found is None:
        return None
    batch = form.get(f"batch_{n}", "").strip()
    batch_tracked, serial_tracked = transfers.tracking(db, principal.org_id, found)
    lot_id = None
    if serial_tracked:
        problems[f"sku_{n}"] = (
            "Serial-numbered goods are transferred through the API, unit by unit "
            "(POST .../stock/transfers with each unit's lot)."
        )
    elif batch:
        lot_id = transfers.lot_by_batch(db, principal.org_id, found, batch)
        if lot_id is None:
            problems[f"batch_{n}"] = "No batch of this product has this number."
    elif batch_tracked:
        problems[f"batch_{n}"] = "This product is kept by batch: name the batch."
    return StockLine(found, qty, lot_id)


def _product_by_sku(db: Session, principal: Principal, sku: str) -> uuid.UUID | None:
    found = products_by_sku(db, principal.org_id, [sku]) if sku else {}
    hit = found.get(sku.upper())
    return hit[0] if hit else None


def _lines(
    db: Session, principal: Principal, form: Form, problems: dict[str, str]
) -> list[StockLine]:
    filled = [
        n
        for n in range(1, LINES + 1)
        if any(form.get(f"{k}_{n}", "").strip() for k in ("sku", "qty", "batch"))
    ]
    if not filled:
        problems["sku_1"] = "Ship at least one product."
    lines = [_line(db, principal, form, n, problems) for n in filled]
    return [line for line in lines if line is not None]


def _field_of(err: SetLedgerError, from_id: uuid.UUID | None) -> str | None:
    """Which of the form's fields a service's refusal is about."""
    if err.code == "STOCK_TRANSFER_SAME_LOCATION":
        return "to_location_id"
    if err.code.startswith("STOCK_LOCATION"):
        said = str(err.details.get("action", "")) + str(err.details.get("location_id", ""))
        return "from_location_id" if "from" in said or str(from_id) in said else "to_location_id"
    if err.code == "STOCK_QTY_INVALID":
        return "sku_1" if err.details.get("field") == "lines" else "qty_1"
    return None


@router.post("/stock/transfers")
def ship(request: Request, form: MemberForm, db: Db, principal: Member) -> Response:
    """Ship; the form's own ``transfer_id`` makes a double submit one transfer."""
    open_stock(db, principal)
    require(principal, Permission.STOCK_WRITE, "ship stock transfers")
    problems: dict[str, str] = {}
    from_id = read_id(form, "from_location_id", problems)
    to_id = read_id(form, "to_location_id", problems)
    transfer_id = read_id(form, "transfer_id", problems)
    note = form.get("note", "").strip()[:500] or None
    try:
        with db.begin():
            lines = _lines(db, principal, form, problems)
            if problems or from_id is None or to_id is None:
                raise errors.REQUEST_INVALID.error(count=len(problems))
            now = utcnow()
            view = services.ship_transfer(
                db, principal.org_id, from_id, to_id, lines, actor=audit.actor_of(principal),
                at=now, note=note, transfer_id=transfer_id,
            )  # fmt: skip
            made = view.transfer_id
    except SetLedgerError as err:
        if problems:
            problem = Problem("Some fields need correcting.", fields=problems)
            return _new_page(request, db, principal, form=form, problem=problem, status=422)
        found = problem_of(err)
        field = _field_of(err, from_id)
        problem = Problem(
            found.message, found.remediation, err.code, {field: err.message} if field else {}
        )
        return _new_page(
            request, db, principal, form=form, problem=problem, status=status_of(None, err)
        )
    return RedirectResponse(f"{TRANSFERS}/{made}?done=shipped", status_code=303)


def _transfer_page(
    request: Request,
    db: Session,
    principal: Principal,
    transfer_id: uuid.UUID,
    *,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    view = services.read_transfer(db, principal.org_id, transfer_id)
    row = transfers.rows_of(db, principal.org_id, [_header(db, principal, transfer_id)])[0]
    names = _names(db, principal, [view])
    at_source: dict[uuid.UUID, int] = {}
    for product_id in {line.product_id for line in view.lines}:
        at_source[product_id] = sum(
            level.qty
            for level in ledger.product_on_hand(db, principal.org_id, product_id)
            if level.key.location_id == view.from_location_id
        )
    source = names["locations"].get(view.from_location_id)
    target = names["locations"].get(view.to_location_id)
    return page(
        request,
        principal,
        "stock_transfer.html",
        f"Transfer {str(transfer_id)[:8]}: {source.code if source else '?'} to "
        f"{target.code if target else '?'}",
        status=status,
        problem=problem,
        view=view,
        row=row,
        at_source=at_source,
        received=audit_received(db, principal, transfer_id),
        **_notice(request),
        **names,
    )


def _header(db: Session, principal: Principal, transfer_id: uuid.UUID) -> StockTransfer:
    header = db.get(StockTransfer, (principal.org_id, transfer_id))
    if header is None:
        raise errors.STOCK_TRANSFER_NOT_FOUND.error(transfer_id=str(transfer_id))
    return header


def audit_received(db: Session, principal: Principal, transfer_id: uuid.UUID) -> list[AuditRecord]:
    """Who received the transfer here, when (the console's audit records of it)."""
    return list(
        db.scalars(
            select(AuditRecord)
            .where(
                AuditRecord.org_id == principal.org_id,
                AuditRecord.action == "stock.transfer.received",
                AuditRecord.target == str(transfer_id),
            )
            .order_by(AuditRecord.seq)
        )
    )


@router.get("/stock/transfers/{transfer_id}")
def transfer_page(request: Request, db: Db, principal: Member, transfer_id: uuid.UUID) -> Response:
    open_stock(db, principal)
    try:
        return _transfer_page(request, db, principal, transfer_id)
    except SetLedgerError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            raise Refused(NOT_FOUND) from err
        raise


@router.post("/stock/transfers/{transfer_id}/receive")
def receive(
    request: Request, form: MemberForm, db: Db, principal: Member, transfer_id: uuid.UUID
) -> Response:
    """Receive everything still in transit; a second press finds nothing left."""
    open_stock(db, principal)
    require(principal, Permission.STOCK_WRITE, "receive stock transfers")
    try:
        with db.begin():
            now = utcnow()
            services.receive_transfer(
                db, principal.org_id, transfer_id, None, actor=audit.actor_of(principal), at=now
            )
    except SetLedgerError as err:
        if err.code == "STOCK_TRANSFER_NOT_FOUND":
            raise Refused(NOT_FOUND) from err
        found = problem_of(err)
        return _transfer_page(
            request, db, principal, transfer_id,
            problem=Problem(found.message, found.remediation, err.code),
            status=status_of(None, err),
        )  # fmt: skip
    return RedirectResponse(f"{TRANSFERS}/{transfer_id}?done=received", status_code=303)
