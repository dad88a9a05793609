"""The journal as plain text for hledger / ledger: an accountant's independent check.

Accounts are named ``<type>:<code>`` (``assets:1100-S1``,
``liabilities:2210``), declared with their names and hledger types, so
``hledger balance`` reports exactly the codes of our trial balance.
Amounts are ``INR`` with two decimals, written from integer paise (no
float anywhere). Entries come in seq order, each tagged with its id, seq
and hash.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.unit import unit_of_work
from hub.db.ledger import LedgerAccount
from hub.ledger.chain import iter_entries

TOP = {
    "asset": ("assets", "A"),
    "liability": ("liabilities", "L"),
    "equity": ("equity", "E"),
    "income": ("income", "R"),
    "expense": ("expenses", "X"),
}


def account_name(code: str, kind: str) -> str:
    return f"{TOP[kind][0]}:{code}"


def inr(paise: int) -> str:
    sign = "-" if paise < 0 else ""
    rupees, rest = divmod(abs(paise), 100)
    return f"INR {sign}{rupees}.{rest:02d}"


def _clean(text: str) -> str:
    # A newline or ';' would end the description; keep it one plain line.
    return " ".join(text.replace(";", ",").split())


def journal_lines(session: Session, org_id: uuid.UUID) -> Iterator[str]:
    """The export, line by line (runs in the caller's transaction or its own)."""
    with unit_of_work(session):
        accounts = session.execute(
            select(LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind)
            .where(LedgerAccount.org_id == org_id)
            .order_by(LedgerAccount.code)
        ).all()
        kinds = {code: kind for code, _, kind in accounts}
        yield f"; setLedger journal of org {org_id}: amounts in INR from integer paise"
        yield "commodity INR 1000.00"
        yield ""
        for code, name, kind in accounts:
            yield f"account {account_name(code, kind)}  ; type:{TOP[kind][1]}, {_clean(name)}"
        for entry in iter_entries(session, org_id):
            yield ""
            yield (
                f"{entry['entry_date']} {_clean(entry['narration'])}  ; "
                f"entry:{entry['entry_id']}, seq:{entry['seq']}, hash:{entry['hash']}"
            )
            for _, code, amount, _ in entry["lines"]:
                yield f"    {account_name(code, kinds[code])}  {inr(amount)}"


def journal_text(session: Session, org_id: uuid.UUID) -> str:
    return "\n".join(journal_lines(session, org_id)) + "\n"
