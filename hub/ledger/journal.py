"""Posting drafts into an org's journal (a helper: it never commits).

One writer per org at a time (an advisory lock on PostgreSQL; SQLite's
write transactions are already serial), because each entry's seq and
prev_hash come from the one before it. Entries and lines are written in
bulk (binary COPY on PostgreSQL).

Idempotent: a draft whose (source_type, source_id) is already in the
journal is skipped, so posting a sale twice posts it once. A draft dated
in a locked period is refused (``LEDGER_PERIOD_LOCKED``), unless the
caller asks for ``roll_forward`` (automatic posting of documents that
arrive late): then it is dated the first open day and says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hub.db.bulk import insert_rows, one_of
from hub.db.ledger import JournalEntry, JournalLine, LedgerAccount, PeriodLock
from hub.ledger.chain import entry_fields, entry_hash
from setledger import chart, errors
from setledger.chain import GENESIS_HASH
from setledger.ids import new_id
from setledger.postings import EntryDraft, check_balanced

# The first key of the two-key advisory lock, apart from the accounts' (0x5E7A).
LEDGER_LOCK_SPACE = 0x1ED6


@dataclass(frozen=True)
class Posted:
    entry_ids: list[uuid.UUID]
    """The entries written, in seq order."""
    skipped: int
    """Drafts already in the journal (or twice in this call)."""


def lock_ledger(session: Session, org_id: uuid.UUID) -> None:
    """Block until this transaction is the org's only journal writer."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(org_id.bytes[:4], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"),
        {"space": LEDGER_LOCK_SPACE, "key": key},
    )


def locked_through(session: Session, org_id: uuid.UUID) -> date | None:
    """The last day of the closed books, or None while nothing is locked."""
    found: date | None = session.scalar(
        select(func.max(PeriodLock.locked_through)).where(PeriodLock.org_id == org_id)
    )
    return found


def ensure_accounts(session: Session, org_id: uuid.UUID, codes: set[str], at: datetime) -> None:
    """The template on first use, and any derived account (store cash, sales at a rate)."""
    existing = set(
        session.scalars(select(LedgerAccount.code).where(LedgerAccount.org_id == org_id))
    )
    wanted = set(codes)
    if not existing:
        wanted |= {account.code for account in chart.TEMPLATE}
    rows = [
        {"org_id": org_id, "code": a.code, "name": a.name, "kind": a.kind.value, "created_at": at}
        for a in (chart.account(code) for code in sorted(wanted - existing))
    ]
    insert_rows(session, LedgerAccount.__table__, rows)  # type: ignore[arg-type]


def post(
    session: Session,
    org_id: uuid.UUID,
    drafts: Sequence[EntryDraft],
    *,
    at: datetime | None = None,
    roll_forward: bool = False,
) -> Posted:
    """Append the drafts that are new to the org's journal, chained, in order."""
    posted_at = (at or datetime.now(UTC)).astimezone(UTC)
    for draft in drafts:
        check_balanced(draft)
    lock_ledger(session, org_id)
    fresh = _new_drafts(session, org_id, drafts)
    skipped = len(drafts) - len(fresh)
    if not fresh:
        return Posted([], skipped)
    fresh = _check_lock(session, org_id, fresh, roll_forward)
    ensure_accounts(session, org_id, {p.account for d in fresh for p in d.postings}, posted_at)
    last = session.execute(
        select(JournalEntry.seq, JournalEntry.hash)
        .where(JournalEntry.org_id == org_id)
        .order_by(JournalEntry.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (0, GENESIS_HASH) if last is None else (last.seq, last.hash)
    entries: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    for draft in fresh:
        seq += 1
        entry: dict[str, object] = {
            "org_id": org_id,
            "entry_id": new_id(),
            "seq": seq,
            "entry_date": draft.entry_date,
            "source_type": draft.source_type,
            "source_id": draft.source_id,
            "narration": draft.narration[:200],
            "store_id": draft.store_id,
            "reverses": draft.reverses,
            "posted_at": posted_at,
            "prev_hash": prev_hash,
            "hash": "",
        }
        entry_lines: list[dict[str, object]] = [
            {
                "org_id": org_id,
                "entry_id": entry["entry_id"],
                "line_no": number,
                "account_code": posting.account,
                "amount": posting.amount,
                "entry_date": draft.entry_date,
                "store_id": posting.store_id,
            }
            for number, posting in enumerate(draft.postings, start=1)
        ]
        entry["hash"] = prev_hash = entry_hash(entry_fields(entry, entry_lines))
        entries.append(entry)
        lines.extend(entry_lines)
    insert_rows(session, JournalEntry.__table__, entries)  # type: ignore[arg-type]
    insert_rows(session, JournalLine.__table__, lines)  # type: ignore[arg-type]
    return Posted([e["entry_id"] for e in entries], skipped)  # type: ignore[misc]


def _new_drafts(
    session: Session, org_id: uuid.UUID, drafts: Sequence[EntryDraft]
) -> list[EntryDraft]:
    seen: set[tuple[str, uuid.UUID]] = set()
    for source_type in {d.source_type for d in drafts}:
        ids = [d.source_id for d in drafts if d.source_type == source_type]
        for found in session.scalars(
            select(JournalEntry.source_id).where(
                JournalEntry.org_id == org_id,
                JournalEntry.source_type == source_type,
                one_of(session, JournalEntry.source_id, ids),
            )
        ):
            seen.add((source_type, found))
    fresh: list[EntryDraft] = []
    for draft in drafts:
        key = (draft.source_type, draft.source_id)
        if key not in seen:
            seen.add(key)
            fresh.append(draft)
    return fresh


def _check_lock(
    session: Session, org_id: uuid.UUID, drafts: list[EntryDraft], roll_forward: bool
) -> list[EntryDraft]:
    through = locked_through(session, org_id)
    if through is None:
        return drafts
    checked: list[EntryDraft] = []
    for draft in drafts:
        # A year's close only moves its profit into retained earnings: no figure a
        # lock protects changes (the P&L leaves close entries out), so a year whose
        # months were locked one by one can still be closed on its last day.
        if draft.entry_date > through or draft.source_type == "close":
            checked.append(draft)
        elif roll_forward:
            note = f" (dated {draft.entry_date.isoformat()}, posted after the lock)"
            checked.append(
                replace(
                    draft,
                    entry_date=through + timedelta(days=1),
                    narration=(draft.narration + note)[:200],
                )
            )
        else:
            raise errors.LEDGER_PERIOD_LOCKED.error(
                locked_through=through.isoformat(), entry_date=draft.entry_date.isoformat()
            )
    return checked


def lock_period(
    session: Session, org_id: uuid.UUID, through: date, *, by: str, at: datetime | None = None
) -> date:
    """Close the books through ``through`` (a helper: the caller commits)."""
    lock_ledger(session, org_id)
    current = locked_through(session, org_id)
    if current is not None and through <= current:
        raise errors.LEDGER_LOCK_BACKWARDS.error(locked_through=current.isoformat())
    last = session.scalar(select(func.max(PeriodLock.lock_seq)).where(PeriodLock.org_id == org_id))
    session.add(
        PeriodLock(
            org_id=org_id,
            lock_seq=(last or 0) + 1,
            locked_through=through,
            locked_at=(at or datetime.now(UTC)),
            locked_by=by[:64],
        )
    )
    session.flush()
    return through
