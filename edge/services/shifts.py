"""Shifts at the box: open with a float, read an X report, close with a cash count (Z).

A shift is per box and has Z-report semantics (``setledger.shifts``): a
close covers every sale and return stamped after the previous close's HLC,
so no sale is ever outside a shift, opened or not. Selling never needs an
open shift. The boundary is the HLC because the box stamps sales, returns
and closes under the one write lock with one clock that never goes back:
everything committed before a close is stamped before it. The close also
raises the clock's restart floor to its own stamp, so a box rebooting with
a clock in the past still stamps the next sale after it.

Each action is one write transaction, idempotent by the client's shift id:
an open writes ``shift_open``; a close writes ``shift_close`` (the Z
report, with the next number of the box's Z series), the manager's
approval when the count is over or short, and the ``shift.closed``
document on the outbox's ``shifts`` stream, all or nothing. A retry with
the same id and content answers the same Z; other content is refused.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, func, insert, select

from edge.runtime import BoxRuntime
from edge.services import approvals
from edge.services.approvals import ApprovalRequest, Grant
from edge.services.identity import current_epoch, require_identity
from edge.services.sessions import Who
from edge.store import clock_floor, outbox
from edge.store import tables as t
from setledger import errors, shifts
from setledger.canonical import canonical_json, digest
from setledger.contracts import ShiftClosed
from setledger.contracts.shifts import as_counts, report_of
from setledger.fiscal import business_date
from setledger.hlc import from_unix_ms, unix_ms

SHIFTS_STREAM = "shifts"
RECENT = 20


@dataclass(frozen=True)
class OpenRequest:
    shift_id: UUID
    float_count: Mapping[int, int]
    who: Who = field(default_factory=Who)


@dataclass(frozen=True)
class CloseRequest:
    shift_id: UUID
    counted: Mapping[int, int]
    note: str | None = None
    who: Who = field(default_factory=Who)


@dataclass(frozen=True)
class OpenShift:
    shift_id: UUID
    opened_at: datetime
    opened_by: str | None
    opened_by_name: str | None
    float_count: dict[int, int]
    float_total: int


@dataclass(frozen=True)
class Current:
    """The shift so far: the open shift (None when nobody opened one) and its X report."""

    open: OpenShift | None
    reading: shifts.Reading
    last_z: str | None
    """The previous close's number: this shift began there."""


@dataclass(frozen=True)
class Opened:
    shift: OpenShift
    created: bool


@dataclass(frozen=True)
class Closed:
    document: ShiftClosed
    created: bool


def _request_hash(kind: str, shift_id: UUID, count: Mapping[int, int], note: str | None) -> str:
    return digest(
        {
            "kind": kind,
            "shift_id": str(shift_id),
            "count": [[d, n] for d, n in shifts.check_count(count).items()],
            "note": note,
        }
    )


def _open_row(conn: Connection) -> OpenShift | None:
    """The shift opened after the last close and not closed yet (at most one)."""
    closed = select(t.shift_close.c.shift_id)
    row = conn.execute(
        select(t.shift_open)
        .where(t.shift_open.c.shift_id.not_in(closed))
        .order_by(t.shift_open.c.opened_at_ms.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    r = row._mapping
    return OpenShift(
        shift_id=UUID(r["shift_id"]),
        opened_at=datetime.fromisoformat(r["opened_at"]),
        opened_by=r["opened_by"],
        opened_by_name=r["opened_by_name"],
        float_count={int(d): int(n) for d, n in json.loads(r["float_count"]).items()},
        float_total=int(r["float_total"]),
    )


def _last_close(conn: Connection) -> tuple[str | None, str | None]:
    """(HLC, Z number) of the box's latest close; (None, None) before the first."""
    row = conn.execute(
        select(t.shift_close.c.hlc, t.shift_close.c.z_no)
        .order_by(t.shift_close.c.hlc.desc())
        .limit(1)
    ).first()
    return (None, None) if row is None else (str(row.hlc), str(row.z_no))


def since(
    conn: Connection, after_hlc: str | None
) -> tuple[list[shifts.ShiftSale], list[shifts.ShiftReturn]]:
    """The sales and returns stamped after ``after_hlc`` (all of them when None)."""
    sale = t.sale
    sale_filter = [] if after_hlc is None else [sale.c.hlc > after_hlc]
    discounts = dict(
        conn.execute(
            select(t.sale_line.c.sale_id, func.sum(t.sale_line.c.discount))
            .join(sale, sale.c.sale_id == t.sale_line.c.sale_id)
            .where(*sale_filter)
            .group_by(t.sale_line.c.sale_id)
        ).all()
    )
    tenders: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for sale_id, kind, amount in conn.execute(
        select(t.sale_tender.c.sale_id, t.sale_tender.c.kind, t.sale_tender.c.amount)
        .join(sale, sale.c.sale_id == t.sale_tender.c.sale_id)
        .where(*sale_filter)
        .order_by(t.sale_tender.c.sale_id, t.sale_tender.c.tender_no)
    ):
        tenders[sale_id].append((kind, int(amount)))
    sales = [
        shifts.ShiftSale(
            payable=int(r.payable),
            discount=int(discounts.get(r.sale_id) or 0),
            taxable=int(r.taxable),
            tax=int(r.cgst + r.sgst + r.igst + r.cess),
            round_off=int(r.round_off),
            tenders=tuple(tenders[r.sale_id]),
            change=int(r.change),
        )
        for r in conn.execute(select(sale).where(*sale_filter).order_by(sale.c.hlc))
    ]
    note = t.sale_return
    note_filter = [] if after_hlc is None else [note.c.hlc > after_hlc]
    refunds: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for return_id, kind, amount in conn.execute(
        select(
            t.sale_return_refund.c.return_id,
            t.sale_return_refund.c.kind,
            t.sale_return_refund.c.amount,
        )
        .join(note, note.c.return_id == t.sale_return_refund.c.return_id)
        .where(*note_filter)
        .order_by(t.sale_return_refund.c.return_id, t.sale_return_refund.c.refund_no)
    ):
        refunds[return_id].append((kind, int(amount)))
    returns = [
        shifts.ShiftReturn(payable=int(r.payable), refunds=tuple(refunds[r.return_id]))
        for r in conn.execute(select(note.c.return_id, note.c.payable).where(*note_filter))
    ]
    return sales, returns


def current(conn: Connection) -> Current:
    """The open shift (if any) and the X report of everything since the last close."""
    opened = _open_row(conn)
    after, last_z = _last_close(conn)
    sales, returns = since(conn, after)
    float_count = opened.float_count if opened is not None else {}
    return Current(opened, shifts.read_shift(float_count, sales, returns), last_z)


def open_shift(box: BoxRuntime, request: OpenRequest, correlation_id: str | None) -> Opened:
    float_count = shifts.check_count(request.float_count)
    fingerprint = _request_hash("open", request.shift_id, float_count, None)
    with box.db.writer.begin() as conn:
        row = conn.execute(
            select(t.shift_open.c.request_hash).where(
                t.shift_open.c.shift_id == str(request.shift_id)
            )
        ).first()
        if row is not None:
            if row.request_hash != fingerprint:
                raise errors.SHIFT_ID_REUSED.error(shift_id=str(request.shift_id), what="opened")
            opened = _opened(conn, request.shift_id)
            return Opened(opened, created=False)
        if _is_closed(conn, request.shift_id):
            raise errors.SHIFT_ID_REUSED.error(shift_id=str(request.shift_id), what="closed")
        already = _open_row(conn)
        if already is not None:
            raise errors.SHIFT_ALREADY_OPEN.error(open_shift=str(already.shift_id))
        stamp = box.clock.now()
        opened_at = from_unix_ms(stamp.wall_ms)
        conn.execute(
            insert(t.shift_open).values(
                shift_id=str(request.shift_id),
                opened_at=opened_at.isoformat(),
                opened_at_ms=stamp.wall_ms,
                hlc=stamp.encode(),
                opened_by=request.who.user_code,
                opened_by_name=request.who.name,
                float_count=_count_json(float_count),
                float_total=shifts.count_total(float_count),
                request_hash=fingerprint,
                correlation_id=correlation_id,
            )
        )
        return Opened(_opened(conn, request.shift_id), created=True)


def _opened(conn: Connection, shift_id: UUID) -> OpenShift:
    row = conn.execute(select(t.shift_open).where(t.shift_open.c.shift_id == str(shift_id))).one()
    r = row._mapping
    return OpenShift(
        shift_id=shift_id,
        opened_at=datetime.fromisoformat(r["opened_at"]),
        opened_by=r["opened_by"],
        opened_by_name=r["opened_by_name"],
        float_count={int(d): int(n) for d, n in json.loads(r["float_count"]).items()},
        float_total=int(r["float_total"]),
    )


def _is_closed(conn: Connection, shift_id: UUID) -> bool:
    found = conn.execute(
        select(t.shift_close.c.shift_id).where(t.shift_close.c.shift_id == str(shift_id))
    ).first()
    return found is not None


def _count_json(count: Mapping[int, int]) -> str:
    return canonical_json({str(d): n for d, n in count.items()}).decode("utf-8")


def close_shift(
    box: BoxRuntime,
    request: CloseRequest,
    correlation_id: str | None,
    approval: ApprovalRequest | None,
) -> Closed:
    counted = shifts.check_count(request.counted)
    fingerprint = _request_hash("close", request.shift_id, counted, request.note)
    with box.db.reader.connect() as conn:
        replay = _replay(conn, request.shift_id, fingerprint)
    if replay is not None:
        return replay
    # The PIN is checked outside the write lock (argon2 is slow).
    grant = approvals.check(box, approval)
    with box.db.writer.begin() as conn:
        replay = _replay(conn, request.shift_id, fingerprint)
        if replay is not None:
            return replay
        document, epoch, positions = _close_in(
            conn, box, request, counted, fingerprint, correlation_id, grant
        )
    if box.watermark is not None:
        box.watermark.advance_z(epoch, positions, shifts.parse_z_number(document.z_no))
    box.outbox_committed(epoch, positions)
    return Closed(document, created=True)


def _replay(conn: Connection, shift_id: UUID, fingerprint: str) -> Closed | None:
    row = conn.execute(
        select(t.shift_close.c.request_hash, t.shift_close.c.document).where(
            t.shift_close.c.shift_id == str(shift_id)
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise errors.SHIFT_ID_REUSED.error(shift_id=str(shift_id), what="closed")
    return Closed(ShiftClosed.model_validate_json(row.document), created=False)


def _close_in(
    conn: Connection,
    box: BoxRuntime,
    request: CloseRequest,
    counted: dict[int, int],
    fingerprint: str,
    correlation_id: str | None,
    grant: Grant | None,
) -> tuple[ShiftClosed, str, tuple[tuple[str, int], ...]]:
    opened = _open_row(conn)
    if opened is not None and opened.shift_id != request.shift_id:
        raise errors.SHIFT_NOT_CURRENT.error(
            shift_id=str(request.shift_id), open_shift=str(opened.shift_id)
        )
    identity = require_identity(conn)
    epoch = current_epoch(conn)
    if epoch is None:
        raise errors.BOX_NOT_PROVISIONED.error()
    after, _ = _last_close(conn)
    sales, returns = since(conn, after)
    float_count = opened.float_count if opened is not None else {}
    reading = shifts.read_shift(float_count, sales, returns, counted)
    over_short = reading.over_short or 0
    positions: list[tuple[str, int]] = []
    approved: Grant | None = None
    approval_id: str | None = None
    if over_short != 0:
        approved = approvals.require(grant, "shift_close", over_short=over_short)
        recorded = approvals.record(
            conn,
            box,
            approved,
            "shift_close",
            requested_by=request.who.user_id,
            correlation_id=correlation_id,
            amount=abs(over_short),
        )
        positions.append(recorded.position)
        approval_id = str(recorded.approval.approval_id)
    stamp = box.clock.now()
    closed_at = from_unix_ms(stamp.wall_ms)
    serial = _next_z(conn)
    document = ShiftClosed(
        shift_id=request.shift_id,
        z_no=shifts.z_number(serial),
        store_id=UUID(identity.store_id),
        device_id=UUID(identity.device_id),
        business_date=business_date(closed_at),
        opened_at=None if opened is None else opened.opened_at,
        opened_by=None if opened is None else opened.opened_by,
        closed_at=closed_at,
        closed_by=request.who.user_code,
        approved_by=None if approved is None else UUID(approved.approver.user_id),
        float_count=as_counts(float_count),
        float_total=reading.float_total,
        counted=as_counts(counted),
        counted_total=reading.counted or 0,
        expected_cash=reading.expected,
        over_short=over_short,
        note=request.note,
        report=report_of(reading.totals),
    )
    conn.execute(
        insert(t.shift_close).values(
            shift_id=str(document.shift_id),
            z_no=document.z_no,
            closed_at=closed_at.isoformat(),
            closed_at_ms=unix_ms(closed_at),
            business_date=document.business_date.isoformat(),
            hlc=stamp.encode(),
            from_hlc=after,
            epoch=epoch,
            closed_by=request.who.user_code,
            approval_id=approval_id,
            counted_total=document.counted_total,
            expected_cash=document.expected_cash,
            over_short=document.over_short,
            document=document.model_dump_json(),
            request_hash=fingerprint,
            correlation_id=correlation_id,
        )
    )
    seq = outbox.append(
        conn,
        epoch=epoch,
        stream=SHIFTS_STREAM,
        key=str(document.shift_id),
        message=document,
        hlc=stamp.encode(),
        wall_time=box.wall_clock(),
        correlation_id=correlation_id,
    )
    positions.append((SHIFTS_STREAM, seq))
    # A reboot with the clock in the past must still stamp the next sale after this close.
    clock_floor.raise_to(conn, stamp)
    return document, epoch, tuple(positions)


def _next_z(conn: Connection) -> int:
    series = t.shift_z_series
    last = conn.execute(select(series.c.last_serial).where(series.c.id == 1)).scalar()
    if last is None:
        conn.execute(insert(series).values(id=1, last_serial=1))
        return 1
    conn.execute(series.update().where(series.c.id == 1).values(last_serial=last + 1))
    return int(last) + 1


def load_close(conn: Connection, shift_id: UUID) -> ShiftClosed:
    document = conn.execute(
        select(t.shift_close.c.document).where(t.shift_close.c.shift_id == str(shift_id))
    ).scalar()
    if document is None:
        raise errors.SHIFT_NOT_FOUND.error(shift_id=str(shift_id))
    return ShiftClosed.model_validate_json(document)


def recent(conn: Connection, limit: int = RECENT) -> list[ShiftClosed]:
    """The latest Z reports of the box, newest first."""
    rows = conn.execute(
        select(t.shift_close.c.document).order_by(t.shift_close.c.hlc.desc()).limit(limit)
    ).scalars()
    return [ShiftClosed.model_validate_json(document) for document in rows]
