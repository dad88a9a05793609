"""The journal's hash chain, per org (the audit log's approach, entries with their lines).

Entry *n* holds the hash of entry *n-1* (``prev_hash``; 64 zeros for the
first) and its own ``hash``: sha256 of the canonical JSON of its fields,
its lines and ``prev_hash``. ``verify_chain`` recomputes them all: an
edited entry or line no longer matches its hash, a deleted entry leaves a
gap in ``seq``, an inserted one breaks the link after it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.unit import unit_of_work
from hub.db.bulk import one_of
from hub.db.ledger import JournalEntry, JournalLine
from setledger.canonical import digest
from setledger.chain import ChainProblem, check_chain

VERIFY_BATCH = 2000


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


ENTRY_KEYS = (
    "org_id",
    "seq",
    "entry_id",
    "entry_date",
    "source_type",
    "source_id",
    "narration",
    "store_id",
    "reverses",
    "posted_at",
    "prev_hash",
    "hash",
)
LINE_KEYS = ("line_no", "account_code", "amount", "store_id")


def _row(value: Any, keys: Sequence[str]) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {key: getattr(value, key) for key in keys}


def entry_fields(
    entry: JournalEntry | Mapping[str, Any], lines: Sequence[JournalLine | Mapping[str, Any]]
) -> dict[str, Any]:
    """What an entry says, with its lines in order, as JSON values (rows or stored objects)."""
    e = _row(entry, ENTRY_KEYS)
    rows = sorted((_row(line, LINE_KEYS) for line in lines), key=lambda line: line["line_no"])
    return {
        "org_id": str(e["org_id"]),
        "seq": e["seq"],
        "entry_id": str(e["entry_id"]),
        "entry_date": e["entry_date"].isoformat(),
        "source_type": e["source_type"],
        "source_id": str(e["source_id"]),
        "narration": e["narration"],
        "store_id": _text(e["store_id"]),
        "reverses": _text(e["reverses"]),
        "posted_at": e["posted_at"].astimezone(UTC).isoformat(),
        "lines": [
            [row["line_no"], row["account_code"], row["amount"], _text(row["store_id"])]
            for row in rows
        ],
        "prev_hash": e["prev_hash"],
        "hash": e["hash"],
    }


def entry_hash(fields: Mapping[str, Any]) -> str:
    return digest({key: value for key, value in fields.items() if key != "hash"})


def check_entries(entries: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Check a chain given as entry fields in seq order (and that each entry balances)."""
    return check_chain(entries, entry_hash, "entry", also=_unbalanced)


def _unbalanced(fields: Mapping[str, Any]) -> list[ChainProblem]:
    if sum(line[2] for line in fields["lines"]) != 0:
        return [ChainProblem(int(fields["seq"]), "unbalanced", "lines do not sum to zero")]
    return []


def iter_entries(session: Session, org_id: uuid.UUID) -> Iterator[dict[str, Any]]:
    """Every entry of the org with its lines, in seq order, read in batches."""
    after = 0
    while True:
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.org_id == org_id, JournalEntry.seq > after)
            .order_by(JournalEntry.seq)
            .limit(VERIFY_BATCH)
        ).all()
        if not entries:
            return
        lines: dict[uuid.UUID, list[JournalLine]] = defaultdict(list)
        ids = [entry.entry_id for entry in entries]
        for line in session.scalars(
            select(JournalLine).where(
                JournalLine.org_id == org_id, one_of(session, JournalLine.entry_id, ids)
            )
        ):
            lines[line.entry_id].append(line)
        for entry in entries:
            yield entry_fields(entry, lines[entry.entry_id])
        if len(entries) < VERIFY_BATCH:
            return
        after = entries[-1].seq


def verify_chain(session: Session, org_id: uuid.UUID) -> list[ChainProblem]:
    """Every problem in the org's journal chain; empty when it is intact."""
    with unit_of_work(session):
        return check_entries(iter_entries(session, org_id))
