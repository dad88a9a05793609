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
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.unit import unit_of_work
from hub.db.bulk import one_of
from hub.db.ledger import JournalEntry, JournalLine
from setledger.canonical import digest

GENESIS_HASH = "0" * 64
VERIFY_BATCH = 2000


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str
    """``hash_mismatch``, ``broken_link``, ``seq_gap`` or ``unbalanced``."""
    detail: str


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def entry_fields(
    entry: JournalEntry | Mapping[str, Any], lines: Sequence[JournalLine | Mapping[str, Any]]
) -> dict[str, Any]:
    """What an entry says, with its lines in order, as JSON values."""

    def get(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, Mapping) else getattr(row, name)

    return {
        "org_id": str(get(entry, "org_id")),
        "seq": get(entry, "seq"),
        "entry_id": str(get(entry, "entry_id")),
        "entry_date": get(entry, "entry_date").isoformat(),
        "source_type": get(entry, "source_type"),
        "source_id": str(get(entry, "source_id")),
        "narration": get(entry, "narration"),
        "store_id": _text(get(entry, "store_id")),
        "reverses": _text(get(entry, "reverses")),
        "posted_at": get(entry, "posted_at").astimezone(UTC).isoformat(),
        "lines": [
            [
                get(line, "line_no"),
                get(line, "account_code"),
                get(line, "amount"),
                _text(get(line, "store_id")),
            ]
            for line in sorted(lines, key=lambda line: get(line, "line_no"))
        ],
        "prev_hash": get(entry, "prev_hash"),
        "hash": get(entry, "hash"),
    }


def entry_hash(fields: Mapping[str, Any]) -> str:
    return digest({key: value for key, value in fields.items() if key != "hash"})


def check_entries(entries: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Check a chain given as entry fields in seq order."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash = 1, GENESIS_HASH
    for fields in entries:
        seq = int(fields["seq"])
        if seq != expected_seq:
            problems.append(ChainProblem(seq, "seq_gap", f"expected entry {expected_seq}"))
        if fields["prev_hash"] != prev_hash:
            problems.append(ChainProblem(seq, "broken_link", "prev_hash is not the last hash"))
        if entry_hash(fields) != fields["hash"]:
            problems.append(ChainProblem(seq, "hash_mismatch", "entry does not match its hash"))
        if sum(line[2] for line in fields["lines"]) != 0:
            problems.append(ChainProblem(seq, "unbalanced", "lines do not sum to zero"))
        expected_seq, prev_hash = seq + 1, str(fields["hash"])
    return problems


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
