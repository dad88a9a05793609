"""Effects of ``shift.closed`` v1: a box's Z report, kept once.

A close must prove itself before it is written: its key is its shift id,
it adds up (``validate_shift``: the counts, expected cash, over/short and
an approval for a difference), it names the box and store that sent it,
and its Z number is not held by another shift of that box. A close
applied before with the same content is a duplicate; with other content
it is quarantined, never applied twice or overwritten. The journal posts
its over/short later (``hub.ledger.shifts``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.bulk import one_of
from hub.db.shifts import ShiftClose
from hub.ingest.context import Arrival
from hub.ingest.documents import DocumentKind, Held, Rows, apply_documents
from hub.ingest.outcome import APPLIED, QuarantineReason, Verdict
from setledger.canonical import canonical_json
from setledger.contracts import Envelope, ShiftClosed, validate_shift
from setledger.contracts.shifts import DenominationCount


@dataclass
class _Held(Held):
    """Closes (``documents``) and the Z numbers of the sending box held so far."""

    z_numbers: dict[str, uuid.UUID] = field(default_factory=dict)


def apply_shifts_closed(
    session: Session, arrival: Arrival, envelopes: Sequence[Envelope]
) -> list[Verdict]:
    """One verdict per envelope, in order; the accepted closes are written."""
    return apply_documents(SHIFTS, session, arrival, envelopes)


def _load_held(session: Session, arrival: Arrival, closes: list[ShiftClosed]) -> _Held:
    held = _Held()
    if not closes:
        return held
    org_id = arrival.org.org_id
    wanted = {c.shift_id for c in closes}
    for shift_id, sha, device_id, epoch, seq, z_no, z_device in session.execute(
        select(
            ShiftClose.shift_id,
            ShiftClose.payload_sha256,
            ShiftClose.device_id,
            ShiftClose.epoch,
            ShiftClose.seq,
            ShiftClose.z_no,
            ShiftClose.device_id,
        ).where(
            ShiftClose.org_id == org_id,
            one_of(session, ShiftClose.shift_id, wanted)
            | (
                (ShiftClose.device_id == arrival.device.device_id)
                & one_of(session, ShiftClose.z_no, {c.z_no for c in closes})
            ),
        )
    ):
        if shift_id in wanted:
            held.documents[shift_id] = (sha, f"from {device_id} epoch {epoch} seq {seq}")
        if z_device == arrival.device.device_id:
            held.z_numbers[z_no] = shift_id
    return held


def _judge(
    arrival: Arrival, envelope: Envelope, close: ShiftClosed, held: _Held, state: str | None
) -> Verdict:
    problems = validate_shift(close)
    if (close.store_id, close.device_id) != (envelope.store_id, envelope.device_id):
        problems.append(
            f"the close names store {close.store_id} and box {close.device_id}, "
            f"not the sender {envelope.store_id} / {envelope.device_id}"
        )
    if problems:
        return Verdict.quarantine(QuarantineReason.SALE_INVALID, "; ".join(problems))
    holder = held.z_numbers.get(close.z_no)
    if holder is not None and holder != close.shift_id:
        return Verdict.quarantine(
            QuarantineReason.INVOICE_REUSED,
            f"{close.z_no} of this box already belongs to shift {holder}",
        )
    return APPLIED


def _remember(held: _Held, envelope: Envelope, close: ShiftClosed) -> None:
    held.z_numbers[close.z_no] = close.shift_id


def _count(entries: list[DenominationCount]) -> str:
    """``{"<paise>": pieces}`` as canonical JSON text."""
    return canonical_json({str(c.denomination): c.pieces for c in entries}).decode("utf-8")


def _add_rows(rows: Rows, arrival: Arrival, envelope: Envelope, close: ShiftClosed) -> None:
    report = close.report
    rows[ShiftClose.__tablename__].append(
        {
            "org_id": arrival.org.org_id,
            "shift_id": close.shift_id,
            "store_id": envelope.store_id,
            "device_id": envelope.device_id,
            "epoch": envelope.epoch,
            "stream": envelope.stream,
            "seq": envelope.seq,
            "z_no": close.z_no,
            "business_date": close.business_date,
            "opened_at": close.opened_at,
            "opened_by": close.opened_by,
            "closed_at": close.closed_at,
            "closed_by": close.closed_by,
            "approved_by": close.approved_by,
            "float_count": _count(close.float_count),
            "float_total": close.float_total,
            "counted": _count(close.counted),
            "counted_total": close.counted_total,
            "expected_cash": close.expected_cash,
            "over_short": close.over_short,
            "note": close.note,
            "sales_count": report.sales_count,
            "gross": report.gross,
            "discounts": report.discounts,
            "round_off": report.round_off,
            "net": report.net,
            "taxable": report.taxable,
            "tax": report.tax,
            "change_given": report.change_given,
            **{f"{kind}_taken": amount for kind, amount in report.tenders.model_dump().items()},
            "returns_count": report.returns_count,
            **{f"{kind}_refunded": amount for kind, amount in report.refunds.model_dump().items()},
            "hlc": envelope.hlc,
            "wall_time": envelope.wall_time,
            "received_at": arrival.received_at,
            "correlation_id": envelope.correlation_id,
            "payload_sha256": envelope.payload_sha256,
        }
    )


SHIFTS: DocumentKind[ShiftClosed, _Held] = DocumentKind(
    model=ShiftClosed,
    name="shift.closed v1",
    key=lambda close: close.shift_id,
    key_name="shift id",
    load_held=_load_held,
    judge=_judge,
    remember=_remember,
    add_rows=_add_rows,
    tables=(ShiftClose,),
)
