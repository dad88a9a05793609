"""Hash chains: record *n* holds the hash of record *n-1* (pure, no I/O).

The audit log (``hub.accounts.audit``) and the journal (``hub.ledger.chain``)
are both chained per org this way: the first record's ``prev_hash`` is
:data:`GENESIS_HASH`, and each ``hash`` covers the record's fields
including ``prev_hash``. :func:`check_chain` walks records in ``seq`` order
and names every break: an edited record no longer matches its hash, a
deleted one leaves a ``seq`` gap and a broken link, an inserted one breaks
the link after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str
    """``hash_mismatch``, ``broken_link``, ``seq_gap``, or a check of the caller's own."""
    detail: str


def check_chain(
    records: Iterable[Mapping[str, Any]],
    hash_of: Callable[[Mapping[str, Any]], str],
    noun: str,
    also: Callable[[Mapping[str, Any]], Iterable[ChainProblem]] = lambda _: (),
) -> list[ChainProblem]:
    """Every problem of a chain given in seq order; ``also`` adds per-record checks."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash = 1, GENESIS_HASH
    for fields in records:
        seq = int(fields["seq"])
        if seq != expected_seq:
            problems.append(
                ChainProblem(seq, "seq_gap", f"expected {noun} {expected_seq}, found {seq}")
            )
        if fields["prev_hash"] != prev_hash:
            problems.append(
                ChainProblem(seq, "broken_link", f"prev_hash is not the previous {noun}'s hash")
            )
        if hash_of(fields) != fields["hash"]:
            problems.append(
                ChainProblem(seq, "hash_mismatch", f"the {noun} does not match its hash")
            )
        problems.extend(also(fields))
        expected_seq, prev_hash = seq + 1, str(fields["hash"])
    return problems
