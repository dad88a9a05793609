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
from typing import TYPE_CHECKING
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
    last = conn.execute(
        select(func.max(t.outbox.c.seq)).where(
            t.outbox.c.epoch == epoch, t.outbox.c.stream == stream
        )
    ).scalar()
    seq = int(last or 0) + 1
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


def pending(conn: Connection, identity: BoxIdentity, limit: int = 100) -> list[Envelope]:
    """The oldest ``limit`` outbox rows as envelopes, in (epoch, seq) order.

    What the replicator publishes; the payload goes out byte-for-byte as
    it was hashed at commit time.
    """
    rows = conn.execute(select(t.outbox).order_by(t.outbox.c.row_id).limit(limit)).all()
    return [
        Envelope(
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
        for r in rows
    ]
