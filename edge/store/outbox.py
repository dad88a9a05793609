"""The transactional outbox: written in the same transaction as the business
row it announces, drained later by the replicator (edge/sync).

Seq numbers are contiguous per (epoch, stream): the hub's cursor advances
only over contiguous seqs, so a gap would park everything after it.
Allocating max(seq)+1 is safe because writers hold SQLite's write lock
(BEGIN IMMEDIATE) for the whole transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, func, insert, select

from edge.store import tables as t
from setledger.canonical import canonical_json, sha256_hex
from setledger.contracts import Contract, Envelope

if TYPE_CHECKING:
    from edge.services.identity import BoxIdentity


def append(
    conn: Connection,
    *,
    epoch: str,
    stream: str,
    key: str,
    message: Contract,
    hlc: str,
    wall_time: datetime,
    correlation_id: str | None,
) -> int:
    """Add ``message`` to the outbox; returns its seq. Never commits."""
    seq = next_seq(conn, epoch, stream)
    payload = canonical_json(message.model_dump(mode="json"))
    conn.execute(
        insert(t.outbox).values(
            epoch=epoch,
            stream=stream,
            seq=seq,
            key=key,
            schema_name=message.SCHEMA,
            schema_version=message.VERSION,
            hlc=hlc,
            wall_time=wall_time.isoformat(),
            correlation_id=correlation_id,
            payload=payload.decode("utf-8"),
            payload_sha256=sha256_hex(payload),
        )
    )
    return seq


def next_seq(conn: Connection, epoch: str, stream: str) -> int:
    """Give out the next seq of (epoch, stream), under the caller's write lock."""
    key = (t.outbox_seq.c.epoch == epoch, t.outbox_seq.c.stream == stream)
    last = conn.execute(select(t.outbox_seq.c.last_seq).where(*key)).scalar()
    if last is None:
        conn.execute(insert(t.outbox_seq).values(epoch=epoch, stream=stream, last_seq=1))
        return 1
    conn.execute(t.outbox_seq.update().where(*key).values(last_seq=last + 1))
    return int(last) + 1


def last_seqs(conn: Connection, epoch: str) -> dict[str, int]:
    """The last seq given out per stream of ``epoch``."""
    rows = conn.execute(
        select(t.outbox_seq.c.stream, t.outbox_seq.c.last_seq).where(t.outbox_seq.c.epoch == epoch)
    ).all()
    return {str(r.stream): int(r.last_seq) for r in rows}


@dataclass(frozen=True)
class OutboxState:
    depth: int
    head_seq: int
    """The oldest seq still waiting for the hub's ack (0 when empty)."""
    tail_seq: int
    """The newest seq written (0 when empty)."""


def state(conn: Connection) -> OutboxState:
    depth, head, tail = conn.execute(
        select(func.count(), func.min(t.outbox.c.seq), func.max(t.outbox.c.seq))
    ).one()
    return OutboxState(depth=int(depth), head_seq=int(head or 0), tail_seq=int(tail or 0))


def streams(conn: Connection) -> list[tuple[str, str]]:
    """(epoch, stream) pairs that have rows waiting, oldest first."""
    rows = conn.execute(
        select(t.outbox.c.epoch, t.outbox.c.stream, func.min(t.outbox.c.row_id).label("first"))
        .group_by(t.outbox.c.epoch, t.outbox.c.stream)
        .order_by("first")
    ).all()
    return [(str(r.epoch), str(r.stream)) for r in rows]


def after(
    conn: Connection, identity: BoxIdentity, epoch: str, stream: str, after_seq: int, limit: int
) -> list[Envelope]:
    """Envelopes of (epoch, stream) with seq > ``after_seq``, in seq order.

    The payload goes out exactly as it was hashed at commit time.
    """
    rows = conn.execute(
        select(t.outbox)
        .where(t.outbox.c.epoch == epoch, t.outbox.c.stream == stream, t.outbox.c.seq > after_seq)
        .order_by(t.outbox.c.seq)
        .limit(limit)
    ).all()
    return [_envelope(r, identity) for r in rows]


def pending(conn: Connection, identity: BoxIdentity, limit: int = 100) -> list[Envelope]:
    """The oldest ``limit`` outbox rows as envelopes, in the order they were written."""
    rows = conn.execute(select(t.outbox).order_by(t.outbox.c.row_id).limit(limit)).all()
    return [_envelope(r, identity) for r in rows]


def prune(conn: Connection, epoch: str, stream: str, acked_seq: int, acked_at: datetime) -> int:
    """Drop what the hub has committed (its application ack), record the ack.

    Never commits; returns how many rows went.
    """
    gone = conn.execute(
        t.outbox.delete().where(
            t.outbox.c.epoch == epoch, t.outbox.c.stream == stream, t.outbox.c.seq <= acked_seq
        )
    ).rowcount
    key = (t.outbox_ack.c.epoch == epoch, t.outbox_ack.c.stream == stream)
    known = conn.execute(select(t.outbox_ack.c.acked_seq).where(*key)).scalar()
    if known is None:
        conn.execute(
            insert(t.outbox_ack).values(
                epoch=epoch, stream=stream, acked_seq=acked_seq, acked_at=acked_at.isoformat()
            )
        )
    elif known < acked_seq:
        conn.execute(
            t.outbox_ack.update()
            .where(*key)
            .values(acked_seq=acked_seq, acked_at=acked_at.isoformat())
        )
    return int(gone)


def acked(conn: Connection) -> dict[tuple[str, str], int]:
    return {
        (str(r.epoch), str(r.stream)): int(r.acked_seq) for r in conn.execute(select(t.outbox_ack))
    }


def _envelope(r: Any, identity: BoxIdentity) -> Envelope:
    return Envelope(
        schema_name=r.schema_name,
        schema_version=r.schema_version,
        org_id=identity.org_id,
        store_id=UUID(identity.store_id),
        device_id=UUID(identity.device_id),
        epoch=r.epoch,
        stream=r.stream,
        seq=r.seq,
        key=r.key,
        hlc=r.hlc,
        wall_time=datetime.fromisoformat(r.wall_time),
        correlation_id=r.correlation_id,
        payload_sha256=r.payload_sha256,
        payload=json.loads(r.payload),
    )
