"""Urgent reorders at the box: a cashier asks head office for more of a product.

Raising one is one write transaction, idempotent by the client's reorder
id: the ``urgent_reorder`` row and the ``reorder.urgent`` document on the
outbox's ``reorders`` stream, all or nothing. It needs no network: the
replicator delivers the document when the broker is reachable, like a
sale. A retry with the same id and content answers the same request;
other content under that id is refused (``REORDER_ID_REUSED``).

The request carries what the box's stock view showed for the product at
that moment (``edge.services.stock``: the hub's snapshot plus this box's
later moves), so the hub sees what the cashier saw.

Delivered means the hub has committed it: its application ack for the
(epoch, ``reorders``) stream has reached the request's seq.

What head office then did with it (acknowledged, ordered with a purchase
order, dismissed) comes down in the store's ``reorder.status`` document
(:func:`apply_status`, from the reorder status downlink): a newer document
replaces the ``reorder_status`` rows of the requests it names. That table
is the hub's view; ``urgent_reorder`` itself is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, delete, func, insert, select

from edge.runtime import BoxRuntime
from edge.services import stock
from edge.services.identity import BoxIdentity, current_epoch, require_identity
from edge.services.sessions import Who
from edge.store import outbox
from edge.store import tables as t
from setledger import errors
from setledger.canonical import digest
from setledger.contracts import ReorderStatus, UrgentReorder
from setledger.contracts.reorders import MAX_REORDER_QTY
from setledger.hlc import from_unix_ms

REORDERS_STREAM = "reorders"
RECENT = 50


@dataclass(frozen=True)
class ReorderRequest:
    reorder_id: UUID
    product_id: UUID
    qty: int
    """Milli-units wanted, > 0."""
    note: str | None = None
    who: Who = field(default_factory=Who)


@dataclass(frozen=True)
class HubStatus:
    """What head office last said of a request."""

    status: str
    po_reference: str | None
    note: str | None
    changed_at: datetime


@dataclass(frozen=True)
class Reorder:
    """A request as the box keeps it, whether the hub has it yet and what it did with it."""

    document: UrgentReorder
    name: str
    raised_by_name: str | None
    delivered: bool
    hub_status: HubStatus | None = None
    """None until the store's ``reorder.status`` names it."""


class StatusMismatch(ValueError):
    """A ``reorder.status`` of another org or store (the downlink drops those first)."""


@dataclass(frozen=True)
class Raised:
    reorder: Reorder
    created: bool


def _fingerprint(request: ReorderRequest) -> str:
    return digest(
        {
            "reorder_id": str(request.reorder_id),
            "product_id": str(request.product_id),
            "qty": request.qty,
            "note": request.note,
        }
    )


def check_qty(qty: int) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= MAX_REORDER_QTY:
        raise errors.REORDER_QTY_INVALID.error(qty=qty, most=MAX_REORDER_QTY)
    return qty


def raise_reorder(box: BoxRuntime, request: ReorderRequest, correlation_id: str | None) -> Raised:
    """Record the request and queue it for the hub; a retry answers the first one."""
    check_qty(request.qty)
    note = (request.note or "").strip() or None
    request = ReorderRequest(request.reorder_id, request.product_id, request.qty, note, request.who)
    fingerprint = _fingerprint(request)
    with box.db.writer.begin() as conn:
        replay = _replay(conn, request.reorder_id, fingerprint)
        if replay is not None:
            return Raised(replay, created=False)
        product = conn.execute(
            select(t.product.c.product_id, t.product.c.sku, t.product.c.name).where(
                t.product.c.product_id == str(request.product_id)
            )
        ).first()
        if product is None:
            raise errors.PRODUCT_NOT_FOUND.error(code=str(request.product_id))
        identity = require_identity(conn)
        epoch = current_epoch(conn)
        if epoch is None:
            raise errors.BOX_NOT_PROVISIONED.error()
        seen = stock.product_stock(conn, str(request.product_id))
        stamp = box.clock.now()
        raised_at = from_unix_ms(stamp.wall_ms)
        document = UrgentReorder(
            reorder_id=request.reorder_id,
            store_id=UUID(identity.store_id),
            device_id=UUID(identity.device_id),
            product_id=request.product_id,
            sku=product.sku,
            qty=request.qty,
            on_hand_seen=None if seen is None or not seen.lots else seen.qty,
            note=note,
            raised_by=None if request.who.user_id is None else UUID(request.who.user_id),
            raised_by_code=request.who.user_code,
            raised_at=raised_at,
        )
        seq = outbox.append(
            conn,
            epoch=epoch,
            stream=REORDERS_STREAM,
            key=str(request.reorder_id),
            message=document,
            hlc=stamp.encode(),
            wall_time=box.wall_clock(),
            correlation_id=correlation_id,
        )
        conn.execute(
            insert(t.urgent_reorder).values(
                reorder_id=str(request.reorder_id),
                product_id=str(request.product_id),
                sku=product.sku,
                name=product.name,
                qty=request.qty,
                on_hand_seen=document.on_hand_seen,
                note=note,
                raised_by=request.who.user_id,
                raised_by_code=request.who.user_code,
                raised_by_name=request.who.name,
                raised_at=raised_at.isoformat(),
                raised_at_ms=stamp.wall_ms,
                hlc=stamp.encode(),
                epoch=epoch,
                seq=seq,
                document=document.model_dump_json(),
                request_hash=fingerprint,
                correlation_id=correlation_id,
            )
        )
    box.outbox_committed(epoch, ((REORDERS_STREAM, seq),))
    return Raised(Reorder(document, product.name, request.who.name, delivered=False), True)


def _replay(conn: Connection, reorder_id: UUID, fingerprint: str) -> Reorder | None:
    row = conn.execute(_listing().where(t.urgent_reorder.c.reorder_id == str(reorder_id))).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise errors.REORDER_ID_REUSED.error(reorder_id=str(reorder_id))
    return _reorder(row)


def _delivered() -> ColumnElement[bool]:
    """The hub's ack for the request's (epoch, ``reorders``) has reached its seq."""
    return func.coalesce(t.outbox_ack.c.acked_seq, 0) >= t.urgent_reorder.c.seq


def _listing() -> Select[Any]:
    r, ack, heard = t.urgent_reorder, t.outbox_ack, t.reorder_status
    return (
        select(
            r.c.document,
            r.c.name,
            r.c.raised_by_name,
            r.c.request_hash,
            _delivered().label("delivered"),
            heard.c.status,
            heard.c.po_reference,
            heard.c.note.label("status_note"),
            heard.c.changed_at,
        )
        .outerjoin(ack, and_(ack.c.epoch == r.c.epoch, ack.c.stream == REORDERS_STREAM))
        .outerjoin(heard, heard.c.reorder_id == r.c.reorder_id)
    )


def _reorder(row: Row[Any]) -> Reorder:
    return Reorder(
        document=UrgentReorder.model_validate_json(row.document),
        name=row.name,
        raised_by_name=row.raised_by_name,
        delivered=bool(row.delivered),
        hub_status=None
        if row.status is None
        else HubStatus(
            row.status, row.po_reference, row.status_note, datetime.fromisoformat(row.changed_at)
        ),
    )


def recent(
    conn: Connection, limit: int = RECENT, *, delivered: bool | None = None
) -> list[Reorder]:
    """This box's requests, newest first; ``delivered`` keeps only those the hub has (True)
    or has not yet (False)."""
    r = t.urgent_reorder
    query = _listing().order_by(r.c.raised_at_ms.desc(), r.c.hlc.desc()).limit(limit)
    if delivered is not None:
        query = query.where(_delivered() if delivered else ~_delivered())
    return [_reorder(row) for row in conn.execute(query)]


def status_version(conn: Connection) -> int | None:
    """The version of the newest ``reorder.status`` applied (None: none yet)."""
    version: int | None = conn.execute(select(func.max(t.reorder_status.c.version))).scalar()
    return version


def apply_status(
    conn: Connection, identity: BoxIdentity, document: ReorderStatus, now: datetime
) -> bool:
    """Take the hub's word on the requests ``document`` names if it is newer than the last
    applied; inside the caller's write transaction. Returns True when applied."""
    if document.org_id != identity.org_id or str(document.store_id) != identity.store_id:
        raise StatusMismatch(
            f"reorder status of {document.org_id}/{document.store_id} for a box of "
            f"{identity.org_id}/{identity.store_id}"
        )
    current = status_version(conn)
    if current is not None and document.version <= current:
        return False
    heard = t.reorder_status
    # At most MAX_STATUS_ITEMS ids (the contract's bound): one statement.
    named = [str(x.reorder_id) for x in document.reorders]
    conn.execute(delete(heard).where(heard.c.reorder_id.in_(named)))
    rows = [
        {
            "reorder_id": str(x.reorder_id),
            "status": x.status,
            "po_reference": x.po_reference,
            "note": x.note,
            "changed_at": x.changed_at.isoformat(),
            "version": document.version,
            "applied_at": now.isoformat(),
        }
        for x in document.reorders
    ]
    if rows:
        conn.execute(insert(heard), rows)
    return True
