"""The audit log: every security event and admin action, hash-chained per org.

Record *n* of an org holds the hash of record *n-1* (``prev_hash``; 64 zeros
for the first), and its own ``hash`` is the sha256 of the canonical JSON of
all its fields including ``prev_hash``. ``verify_chain`` recomputes it all:
an edited record no longer matches its hash, a deleted one leaves a gap in
``seq`` and a broken link, an inserted one breaks the link after it.

What the chain cannot show: someone who can write the table *and* rebuild
every hash after their change, or who cuts records off the end. Against
that, export the log (JSON lines, with the hashes) regularly and keep the
last hash somewhere else; a later export must still contain it. The table
is append-only in the database (triggers), so either needs the triggers
dropped first.

``record`` is a helper (it never commits); it serialises an org's writers
with :func:`hub.accounts.locks.lock_org` so two records never get one seq.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.locks import lock_org
from hub.accounts.principal import Principal
from hub.accounts.unit import unit_of_work
from hub.db.accounts import AuditRecord
from setledger.canonical import digest
from setledger.chain import GENESIS_HASH, ChainProblem, check_chain

ANONYMOUS = "anonymous"
SYSTEM = "system"
VERIFY_BATCH = 1000


@dataclass(frozen=True)
class Actor:
    actor_id: uuid.UUID | None
    label: str
    """A user code, or ``anonymous`` / ``system``."""


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.user_code)


ANONYMOUS_ACTOR = Actor(None, ANONYMOUS)


AuditProblem = ChainProblem


def record_fields(row: AuditRecord) -> dict[str, Any]:
    """Everything a record says, as JSON values (what exports carry)."""
    return {
        "org_id": str(row.org_id),
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "actor_id": None if row.actor_id is None else str(row.actor_id),
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "details": row.details,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def record_hash(fields: Mapping[str, Any]) -> str:
    """The hash of a record: everything but the hash itself."""
    return digest({key: value for key, value in fields.items() if key != "hash"})


@dataclass(frozen=True)
class Entry:
    """One record to append with :func:`record_many`."""

    action: str
    at: datetime
    actor: Actor
    target: str | None = None
    details: Mapping[str, Any] | None = None


def record(
    session: Session,
    org_id: uuid.UUID,
    action: str,
    *,
    at: datetime,
    actor: Actor,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the org's chain (in the caller's transaction).

    ``details`` must be JSON without floats (strings, ints, bools, None,
    lists, objects) and must never hold a secret.
    """
    return record_many(session, org_id, [Entry(action, at, actor, target, details)])[0]


def record_many(session: Session, org_id: uuid.UUID, entries: Sequence[Entry]) -> list[AuditRecord]:
    """:func:`record` for many records in order: one lock, one read of the chain's end
    and one flush, for a step that closes hundreds of things at once."""
    if not entries:
        return []
    lock_org(session, org_id)
    last = session.execute(
        select(AuditRecord.seq, AuditRecord.hash)
        .where(AuditRecord.org_id == org_id)
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (0, GENESIS_HASH) if last is None else (last.seq, last.hash)
    rows: list[AuditRecord] = []
    for entry in entries:
        seq += 1
        row = AuditRecord(
            org_id=org_id, seq=seq, at=entry.at.astimezone(UTC), actor_id=entry.actor.actor_id,
            actor=entry.actor.label, action=entry.action, target=entry.target,
            details=dict(entry.details or {}), prev_hash=prev, hash="",
        )  # fmt: skip
        row.hash = prev = record_hash(record_fields(row))
        rows.append(row)
    session.add_all(rows)
    session.flush()
    return rows


def check_records(records: Iterable[Mapping[str, Any]]) -> list[AuditProblem]:
    """Check a chain given as exported records, in seq order."""
    return check_chain(records, record_hash, "record")


def iter_records(session: Session, org_id: uuid.UUID) -> Iterator[dict[str, Any]]:
    """Every record of the org in seq order, read in batches."""
    after = 0
    while True:
        rows = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.org_id == org_id, AuditRecord.seq > after)
            .order_by(AuditRecord.seq)
            .limit(VERIFY_BATCH)
        ).all()
        for row in rows:
            yield record_fields(row)
        if len(rows) < VERIFY_BATCH:
            return
        after = rows[-1].seq


def verify_chain(session: Session, org_id: uuid.UUID) -> list[AuditProblem]:
    """Every problem in the org's chain; empty when it is intact.

    Runs in the caller's transaction if there is one, else in its own.
    """
    with unit_of_work(session):
        return check_records(iter_records(session, org_id))


def page(session: Session, org_id: uuid.UUID, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """Records after ``after_seq``, oldest first (in the caller's transaction)."""
    rows = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.org_id == org_id, AuditRecord.seq > after_seq)
        .order_by(AuditRecord.seq)
        .limit(limit)
    ).all()
    return [record_fields(row) for row in rows]
