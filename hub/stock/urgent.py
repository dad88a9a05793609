"""Urgent reorders from the boxes: kept once, then acknowledged, ordered or dismissed.

Ingest (``reorder.urgent`` v1, stream ``reorders``): a request is keyed by
the box's reorder id and written once; the same id with the same payload
is a duplicate, with another payload it is quarantined (the shared
document steps of :mod:`hub.ingest.documents`). It must name the box and
store that sent it and a product of the org.

At the hub a request is ``open`` until a person acts on it::

    open ──acknowledged──> acknowledged ──ordered (PO reference)──> ordered
      │                         └──────────dismissed──────────────> dismissed
      └──ordered / dismissed──> ...

Each step is a new ``urgent_reorder_event`` row (nothing is updated) and an
audit record (``stock.urgent_reorder.<step>``); the status is the fold of
the events. Ordered and dismissed are final: a need that returns is a new
request from the box.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.db.bulk import one_of
from hub.db.models import Product, UrgentReorder, UrgentReorderEvent
from hub.ingest.context import Arrival
from hub.ingest.documents import DocumentKind, Held, Rows, apply_documents
from hub.ingest.outcome import APPLIED, QuarantineReason, Verdict
from setledger import errors
from setledger.contracts import Envelope
from setledger.contracts import UrgentReorder as UrgentReorderDocument
from setledger.ids import new_id

Step = Literal["acknowledged", "ordered", "dismissed"]
STEPS: tuple[Step, ...] = ("acknowledged", "ordered", "dismissed")
OPEN = "open"
ALLOWED: dict[str, frozenset[str]] = {
    OPEN: frozenset(STEPS),
    "acknowledged": frozenset({"ordered", "dismissed"}),
    "ordered": frozenset(),
    "dismissed": frozenset(),
}
"""From each status, the steps a person may take."""
RANK = {OPEN: 0, "acknowledged": 1, "ordered": 2, "dismissed": 2}
"""Listing order: open first, then acknowledged, then the closed ones."""
LOCK_SPACE = 0x5E0D
"""Advisory lock space of a request's steps on PostgreSQL (one writer per request);
SQLite runs write transactions one at a time already."""


def status_after(kinds: Iterable[str]) -> str:
    """The status a request's events (in serial order) leave it in."""
    status = OPEN
    for kind in kinds:
        status = kind
    return status


def check_step(reorder_id: uuid.UUID, status: str, step: str) -> None:
    if step not in ALLOWED.get(status, frozenset()):
        raise errors.URGENT_REORDER_STATE.error(
            reorder_id=str(reorder_id), status=status, action=step
        )


# --- ingest ----------------------------------------------------------------


@dataclass
class _Held(Held):
    """Requests already kept (``documents``) and the org's products among those named."""

    products: set[uuid.UUID] = field(default_factory=set)


def apply_urgent_reorders(
    session: Session, arrival: Arrival, envelopes: Sequence[Envelope]
) -> list[Verdict]:
    """One verdict per envelope, in order; the accepted requests are written."""
    return apply_documents(URGENT_REORDERS, session, arrival, envelopes)


def _load_held(session: Session, arrival: Arrival, found: list[UrgentReorderDocument]) -> _Held:
    held = _Held()
    if not found:
        return held
    org_id = arrival.org.org_id
    wanted = {r.reorder_id for r in found}
    for reorder_id, sha, device_id, epoch, seq in session.execute(
        select(
            UrgentReorder.reorder_id,
            UrgentReorder.payload_sha256,
            UrgentReorder.device_id,
            UrgentReorder.epoch,
            UrgentReorder.seq,
        ).where(UrgentReorder.org_id == org_id, one_of(session, UrgentReorder.reorder_id, wanted))
    ):
        held.documents[reorder_id] = (sha, f"from {device_id} epoch {epoch} seq {seq}")
    held.products = set(
        session.scalars(
            select(Product.product_id).where(
                Product.org_id == org_id,
                one_of(session, Product.product_id, {r.product_id for r in found}),
            )
        )
    )
    return held


def _judge(
    arrival: Arrival,
    envelope: Envelope,
    reorder: UrgentReorderDocument,
    held: _Held,
    state: str | None,
) -> Verdict:
    problems: list[str] = []
    if (reorder.store_id, reorder.device_id) != (envelope.store_id, envelope.device_id):
        problems.append(
            f"the request names store {reorder.store_id} and box {reorder.device_id}, "
            f"not the sender {envelope.store_id} / {envelope.device_id}"
        )
    if reorder.product_id not in held.products:
        problems.append(f"product {reorder.product_id} ({reorder.sku}) is not in this org")
    if problems:
        return Verdict.quarantine(QuarantineReason.SALE_INVALID, "; ".join(problems))
    return APPLIED


def _remember(held: _Held, envelope: Envelope, reorder: UrgentReorderDocument) -> None:
    return None


def _add_rows(
    rows: Rows, arrival: Arrival, envelope: Envelope, reorder: UrgentReorderDocument
) -> None:
    rows[UrgentReorder.__tablename__].append(
        {
            "org_id": arrival.org.org_id,
            "reorder_id": reorder.reorder_id,
            "store_id": envelope.store_id,
            "device_id": envelope.device_id,
            "epoch": envelope.epoch,
            "stream": envelope.stream,
            "seq": envelope.seq,
            "product_id": reorder.product_id,
            "sku": reorder.sku,
            "qty": reorder.qty,
            "on_hand_seen": reorder.on_hand_seen,
            "note": reorder.note,
            "raised_by": reorder.raised_by,
            "raised_by_code": reorder.raised_by_code,
            "raised_at": reorder.raised_at,
            "hlc": envelope.hlc,
            "wall_time": envelope.wall_time,
            "received_at": arrival.received_at,
            "correlation_id": envelope.correlation_id,
            "payload_sha256": envelope.payload_sha256,
        }
    )


URGENT_REORDERS: DocumentKind[UrgentReorderDocument, _Held] = DocumentKind(
    model=UrgentReorderDocument,
    name="reorder.urgent v1",
    key=lambda reorder: reorder.reorder_id,
    key_name="reorder id",
    load_held=_load_held,
    judge=_judge,
    remember=_remember,
    add_rows=_add_rows,
    tables=(UrgentReorder,),
)


# --- at the hub ------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    kind: str
    po_reference: str | None
    note: str | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class ReorderView:
    reorder_id: uuid.UUID
    store_id: uuid.UUID
    device_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    qty: int
    on_hand_seen: int | None
    note: str | None
    raised_by: uuid.UUID | None
    raised_by_code: str | None
    raised_at: datetime
    received_at: datetime
    status: str
    po_reference: str | None
    """The purchase order it was ordered on (None until ordered)."""
    steps: tuple[StepView, ...]


def _views(
    session: Session, org_id: uuid.UUID, found: Sequence[UrgentReorder]
) -> list[ReorderView]:
    if not found:
        return []
    ids = {r.reorder_id for r in found}
    steps: dict[uuid.UUID, list[StepView]] = defaultdict(list)
    for event in session.scalars(
        select(UrgentReorderEvent)
        .where(
            UrgentReorderEvent.org_id == org_id,
            one_of(session, UrgentReorderEvent.reorder_id, ids),
        )
        .order_by(UrgentReorderEvent.reorder_id, UrgentReorderEvent.serial)
    ):
        steps[event.reorder_id].append(
            StepView(event.kind, event.po_reference, event.note, event.actor, event.at)
        )
    names = dict(
        session.execute(
            select(Product.product_id, Product.name).where(
                Product.org_id == org_id,
                one_of(session, Product.product_id, {r.product_id for r in found}),
            )
        ).all()
    )
    views = []
    for r in found:
        done = steps.get(r.reorder_id, [])
        ordered = [s.po_reference for s in done if s.kind == "ordered"]
        views.append(
            ReorderView(
                reorder_id=r.reorder_id, store_id=r.store_id, device_id=r.device_id,
                product_id=r.product_id, sku=r.sku, name=names.get(r.product_id, r.sku),
                qty=r.qty, on_hand_seen=r.on_hand_seen, note=r.note, raised_by=r.raised_by,
                raised_by_code=r.raised_by_code, raised_at=r.raised_at,
                received_at=r.received_at, status=status_after(s.kind for s in done),
                po_reference=ordered[-1] if ordered else None, steps=tuple(done),
            )
        )  # fmt: skip
    return views


def list_for_store(
    session: Session, org_id: uuid.UUID, store_id: uuid.UUID, *, status: str | None = None
) -> list[ReorderView]:
    """A store's requests: open first, then acknowledged, then ordered or dismissed;
    newest first within each."""
    found = session.scalars(
        select(UrgentReorder).where(
            UrgentReorder.org_id == org_id, UrgentReorder.store_id == store_id
        )
    ).all()
    views = [v for v in _views(session, org_id, found) if status is None or v.status == status]
    views.sort(key=lambda v: v.raised_at, reverse=True)
    views.sort(key=lambda v: RANK[v.status])
    return views


def get_reorder(session: Session, org_id: uuid.UUID, reorder_id: uuid.UUID) -> ReorderView:
    found = session.get(UrgentReorder, (org_id, reorder_id))
    if found is None:
        raise errors.URGENT_REORDER_NOT_FOUND.error(reorder_id=str(reorder_id))
    return _views(session, org_id, [found])[0]


def _lock(session: Session, reorder_id: uuid.UUID) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(reorder_id.bytes[-4:], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": LOCK_SPACE, "key": key}
    )


def take_step(
    session: Session,
    org_id: uuid.UUID,
    reorder_id: uuid.UUID,
    step: Step,
    *,
    actor: Actor,
    at: datetime,
    po_reference: str | None = None,
    note: str | None = None,
) -> ReorderView:
    """Acknowledge, order (with the purchase order's reference) or dismiss a request:
    one new event and one audit record, in the caller's transaction."""
    _lock(session, reorder_id)
    view = get_reorder(session, org_id, reorder_id)
    check_step(reorder_id, view.status, step)
    serial = session.scalar(
        select(func.count()).where(
            UrgentReorderEvent.org_id == org_id, UrgentReorderEvent.reorder_id == reorder_id
        )
    )
    session.add(
        UrgentReorderEvent(
            org_id=org_id, event_id=new_id(), reorder_id=reorder_id, serial=int(serial or 0) + 1,
            kind=step, po_reference=po_reference if step == "ordered" else None, note=note,
            actor_id=actor.actor_id, actor=actor.label, at=at,
        )
    )  # fmt: skip
    audit.record(
        session,
        org_id,
        f"stock.urgent_reorder.{step}",
        at=at,
        actor=actor,
        target=str(reorder_id),
        details={
            "store_id": str(view.store_id),
            "product_id": str(view.product_id),
            "qty": view.qty,
            "from": view.status,
            "po_reference": po_reference if step == "ordered" else None,
            "note": note,
        },
    )
    return get_reorder(session, org_id, reorder_id)
