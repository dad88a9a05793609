"""Shifts at the box: open with a float, the X report, close with a count (Z report).

Selling never needs an open shift: a close covers everything since the
previous close. An over or short count needs a manager's PIN
(``approval``); a retry with the same ``shift_id`` answers the same Z
report with ``replayed: true``.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, StrictInt

from appkit.context import current
from edge.api.deps import Box, Cashier
from edge.api.receipts import PrintJobOut
from edge.api.schemas import ApprovalIn, Body, approval_of
from edge.services import receipts
from edge.services import shifts as service
from edge.services.sessions import Who
from setledger import shifts
from setledger.contracts import ShiftClosed, ShiftReport
from setledger.contracts.shifts import report_of
from setledger.money import format_rupees

router = APIRouter(prefix="/api/v1/shifts", tags=["shifts"])

Pieces = Annotated[StrictInt, Field(ge=0, le=shifts.MAX_PIECES)]
CountIn = Annotated[
    dict[int, Pieces],
    Field(max_length=len(shifts.DENOMINATIONS), description="Denomination in paise -> pieces"),
]


class OpenIn(Body):
    shift_id: UUID = Field(description="Made by the client (UUIDv7); a retry reuses it")
    float: CountIn = Field(default_factory=dict)
    """The opening float, counted by denomination."""


class CloseIn(Body):
    shift_id: UUID = Field(description="The open shift's id, or a new one when none was opened")
    counted: CountIn
    note: str | None = Field(default=None, max_length=500)
    approval: ApprovalIn | None = None
    """A manager's PIN: needed when the count is over or short."""


class DenominationOut(BaseModel):
    paise: int
    form: str
    shown: bool
    display: str


class OpenShiftOut(BaseModel):
    shift_id: UUID
    opened_at: str
    opened_by: str | None
    opened_by_name: str | None
    float: dict[int, int]
    float_total: int
    display: dict[str, str]


class XReport(BaseModel):
    """The shift so far (not numbered, not kept): the figures a Z report would carry."""

    report: ShiftReport
    float_total: int
    expected_cash: int
    display: dict[str, str]


class CurrentOut(BaseModel):
    open: OpenShiftOut | None
    x: XReport
    last_z: str | None
    denominations: list[DenominationOut]


class OpenOut(BaseModel):
    shift: OpenShiftOut
    replayed: bool


class ZOut(BaseModel):
    z: ShiftClosed
    replayed: bool
    display: dict[str, str]


def _open_out(shift: service.OpenShift) -> OpenShiftOut:
    return OpenShiftOut(
        shift_id=shift.shift_id,
        opened_at=shift.opened_at.isoformat(),
        opened_by=shift.opened_by,
        opened_by_name=shift.opened_by_name,
        float=shift.float_count,
        float_total=shift.float_total,
        display={"float_total": format_rupees(shift.float_total)},
    )


def _display(report: ShiftReport, **amounts: int) -> dict[str, str]:
    """The report's money (and ``amounts``) in ₹ with lakh grouping."""
    figures = {
        **report.model_dump(exclude={"sales_count", "returns_count", "tenders", "refunds"}),
        **{f"tender_{k}": v for k, v in report.tenders.model_dump().items()},
        **{f"refund_{k}": v for k, v in report.refunds.model_dump().items()},
        **amounts,
    }
    return {name: format_rupees(amount) for name, amount in figures.items()}


def _x_out(reading: shifts.Reading) -> XReport:
    report = report_of(reading.totals)
    return XReport(
        report=report,
        float_total=reading.float_total,
        expected_cash=reading.expected,
        display=_display(report, float_total=reading.float_total, expected_cash=reading.expected),
    )


def _z_out(z: ShiftClosed, replayed: bool) -> ZOut:
    return ZOut(
        z=z,
        replayed=replayed,
        display=_display(
            z.report,
            float_total=z.float_total,
            counted_total=z.counted_total,
            expected_cash=z.expected_cash,
            over_short=z.over_short,
        ),
    )


@router.get("/current", response_model=CurrentOut)
def get_current(box: Box, cashier: Cashier) -> CurrentOut:
    """The open shift (or none) and the X report of everything since the last close."""
    with box.db.reader.connect() as conn:
        now = service.current(conn)
    return CurrentOut(
        open=None if now.open is None else _open_out(now.open),
        x=_x_out(now.reading),
        last_z=now.last_z,
        denominations=[
            DenominationOut(
                paise=d.paise, form=d.form, shown=d.shown, display=format_rupees(d.paise)
            )
            for d in shifts.DENOMINATIONS
        ],
    )


@router.post("/open", response_model=OpenOut, status_code=201)
def post_open(box: Box, cashier: Cashier, body: OpenIn, response: Response) -> OpenOut:
    """Open a shift with its float. 201 when opened now; 200 on a retry of the same open."""
    request = service.OpenRequest(body.shift_id, body.float, Who.of(cashier))
    opened = service.open_shift(box, request, current())
    if not opened.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return OpenOut(shift=_open_out(opened.shift), replayed=not opened.created)


@router.post("/close", response_model=ZOut, status_code=201)
def post_close(box: Box, cashier: Cashier, body: CloseIn, response: Response) -> ZOut:
    """Close the shift with the cash counted: the Z report. 201 when closed now; 200 with
    ``replayed: true`` when this shift id was closed before with the same count."""
    request = service.CloseRequest(body.shift_id, body.counted, body.note, Who.of(cashier))
    closed = service.close_shift(box, request, current(), approval_of(body.approval))
    if closed.created and box.receipts is not None:
        box.receipts.shift_closed(closed.document)  # never raises: the close stands
    if not closed.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return _z_out(closed.document, replayed=not closed.created)


@router.get("", response_model=list[ZOut])
def get_recent(
    box: Box, cashier: Cashier, limit: Annotated[int, Query(ge=1, le=100)] = service.RECENT
) -> list[ZOut]:
    """The latest Z reports of this box, newest first."""
    with box.db.reader.connect() as conn:
        return [_z_out(z, replayed=False) for z in service.recent(conn, limit)]


@router.get("/{shift_id}", response_model=ZOut)
def get_z(box: Box, cashier: Cashier, shift_id: UUID) -> ZOut:
    """A closed shift's Z report."""
    with box.db.reader.connect() as conn:
        return _z_out(service.load_close(conn, shift_id), replayed=False)


@router.post("/{shift_id}/print", response_model=PrintJobOut, status_code=202)
def print_z(box: Box, cashier: Cashier, shift_id: UUID) -> PrintJobOut:
    """Print a closed shift's Z report again (marked DUPLICATE); 409 PRINTER_NOT_CONFIGURED
    on a box without a receipt printer."""
    with box.db.reader.connect() as conn:
        z = service.load_close(conn, shift_id)
    return PrintJobOut(**receipts.reprint_z(box, z).public())
