"""The shape every business-document handler shares (sales, returns, shift closes).

A box sends documents keyed by a business id (sale id, return id, shift
id). Before anything is written each must prove itself, and the batch is
taken at once, so a box catching up costs one query per kind of clash
and one bulk insert per table:

1. parse: the payload is the contract and the envelope's key is the
   document's id; else quarantined (``payload_invalid``, ``key_mismatch``);
2. held: one load of what the database already holds for the batch;
3. judge, in batch order: a document already applied with the same
   payload hash is a duplicate, with another hash it is quarantined
   (``key_reused``), never applied twice or overwritten; then the kind's
   own rules;
4. the accepted ones are remembered (later documents of the batch are
   checked against them too) and their rows written, parents first.

Every check runs before any write, so a refused document never leaves
anything behind and needs no rollback. A handler is a :class:`DocumentKind`
and the function :func:`apply_documents` makes of it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from hub.db.bulk import insert_rows
from hub.db.models import Base, Store
from hub.ingest.context import Arrival
from hub.ingest.outcome import APPLIED, DUPLICATE, QuarantineReason, Verdict
from hub.stock.ledger import add_to_levels
from hub.stock.lots import assign_lots
from setledger.contracts import Envelope

MAX_LISTED_PROBLEMS = 5

Rows = defaultdict[str, list[dict[str, Any]]]
"""Table name -> rows to insert."""


def describe_validation_error(err: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in e['loc']) or '$'}: {e['msg']}"
        for e in err.errors()[:MAX_LISTED_PROBLEMS]
    ]
    return f"{err.error_count()} problem(s): " + "; ".join(problems)


@dataclass
class Held:
    """What the database and the documents accepted so far in this batch hold."""

    documents: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    """document id -> (payload sha256, where it came from)"""


D = TypeVar("D", bound=BaseModel)
H = TypeVar("H", bound=Held)


@dataclass(frozen=True)
class DocumentKind(Generic[D, H]):
    """One kind of document: its contract and the steps that are its own."""

    model: type[D]
    name: str
    """For people: ``sale.recorded v1``."""
    key: Callable[[D], uuid.UUID]
    key_name: str
    """For people: ``sale id``."""
    load_held: Callable[[Session, Arrival, list[D]], H]
    """What the database holds for these documents (their ids in ``documents``)."""
    judge: Callable[[Arrival, Envelope, D, H, str | None], Verdict]
    """The kind's own rules (the duplicate check is done); gets the store's state code."""
    remember: Callable[[H, Envelope, D], None]
    """Note an accepted document beyond its id (numbers, stock moves...)."""
    add_rows: Callable[[Rows, Arrival, Envelope, D], None]
    tables: Sequence[type[Base]]
    """Where the rows go, parents first: the children's foreign keys are checked at once."""


def apply_documents(
    kind: DocumentKind[D, H], session: Session, arrival: Arrival, envelopes: Sequence[Envelope]
) -> list[Verdict]:
    """One verdict per envelope, in order; the accepted documents are written."""
    verdicts: list[Verdict | None] = [None] * len(envelopes)
    parsed: list[tuple[int, Envelope, D]] = []
    for index, envelope in enumerate(envelopes):
        document, refusal = _parse(kind, envelope)
        if refusal is not None or document is None:
            verdicts[index] = refusal
        else:
            parsed.append((index, envelope, document))
    held = kind.load_held(session, arrival, [document for _, _, document in parsed])
    store = session.get(Store, (arrival.org.org_id, arrival.device.store_id))
    state = store.state_code if store is not None else None
    rows: Rows = defaultdict(list)
    for index, envelope, document in parsed:
        verdict = _known(kind, envelope, document, held)
        if verdict is None:
            verdict = kind.judge(arrival, envelope, document, held, state)
        verdicts[index] = verdict
        if verdict is APPLIED:
            where = f"from seq {envelope.seq} of this batch"
            held.documents[kind.key(document)] = (envelope.payload_sha256, where)
            kind.remember(held, envelope, document)
            kind.add_rows(rows, arrival, envelope, document)
    # Batches the boxes name become the org's lots (created on first sight).
    assign_lots(session, arrival.org.org_id, rows.get("stock_move", []))
    for table in kind.tables:
        values = rows.get(table.__tablename__)
        if values:
            # Not the unit of work: nobody reads these rows back (see hub.db.bulk).
            insert_rows(session, Base.metadata.tables[table.__tablename__], values)
    # Stock moves change on-hand in the same transaction (hub.stock.ledger keeps the levels).
    add_to_levels(session, arrival.org.org_id, rows.get("stock_move", []))
    return [v for v in verdicts if v is not None]


def _parse(kind: DocumentKind[D, H], envelope: Envelope) -> tuple[D | None, Verdict | None]:
    try:
        document = kind.model.model_validate(envelope.payload)
    except ValidationError as err:
        return None, Verdict.quarantine(
            QuarantineReason.PAYLOAD_INVALID,
            f"not a {kind.name} payload: {describe_validation_error(err)}",
        )
    key = kind.key(document)
    if envelope.key != str(key):
        return None, Verdict.quarantine(
            QuarantineReason.KEY_MISMATCH,
            f"envelope key {envelope.key!r} is not the {kind.key_name} {key}",
        )
    return document, None


def _known(kind: DocumentKind[D, H], envelope: Envelope, document: D, held: H) -> Verdict | None:
    """A duplicate, a key reused with other content, or None: not held yet."""
    key = kind.key(document)
    known = held.documents.get(key)
    if known is None:
        return None
    sha, where = known
    if sha == envelope.payload_sha256:
        return DUPLICATE
    return Verdict.quarantine(
        QuarantineReason.KEY_REUSED,
        f"{kind.key_name.split()[0]} {key} was applied before with different content ({where})",
    )
