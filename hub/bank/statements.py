"""Importing a bank statement (a service: one transaction per file).

All or nothing: the file is read and checked in full by
:func:`setledger.bank.read_statement` before anything is written. The same
file (by sha256) for the same account answers the first import again; a
line an overlapping statement already brought (same date, amount,
reference and running balance) is skipped, so lines are never doubled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hub.bank.accounts import get_account, mappings_for
from hub.clock import utcnow
from hub.db.bank import BankLine, BankStatement
from hub.db.bulk import one_of
from setledger import bank
from setledger.ids import new_id


@dataclass(frozen=True)
class Imported:
    statement: BankStatement
    repeated: bool
    """True when this very file was imported before (nothing new written)."""


def import_statement(
    session: Session,
    org_id: uuid.UUID,
    account_id: uuid.UUID,
    file_name: str,
    content: bytes,
    mapping: str | None = None,
) -> Imported:
    with session.begin():
        get_account(session, org_id, account_id)
        statement = bank.read_statement(content, mappings_for(session, org_id, mapping))
        before = session.scalar(
            select(BankStatement).where(
                BankStatement.org_id == org_id,
                BankStatement.account_id == account_id,
                BankStatement.sha256 == statement.sha256,
            )
        )
        if before is not None:
            return Imported(before, repeated=True)
        keys = bank.dedupe_keys(statement.lines)
        known = set(
            session.scalars(
                select(BankLine.dedupe_key).where(
                    BankLine.org_id == org_id,
                    BankLine.account_id == account_id,
                    one_of(session, BankLine.dedupe_key, keys),
                )
            )
        )
        row = BankStatement(
            org_id=org_id,
            statement_id=new_id(),
            account_id=account_id,
            sha256=statement.sha256,
            file_name=(file_name or "statement.csv")[:200],
            mapping=statement.mapping,
            lines_read=len(statement.lines),
            lines_new=sum(1 for key in keys if key not in known),
            imported_at=utcnow(),
        )
        session.add(row)
        session.flush()
        rows: list[dict[str, object]] = [
            {
                "org_id": org_id,
                "line_id": new_id(),
                "account_id": account_id,
                "statement_id": row.statement_id,
                "row_no": line.row_no,
                "txn_date": line.txn_date,
                "value_date": line.value_date,
                "description": line.description,
                "reference": line.reference,
                "amount": line.amount,
                "balance": line.balance,
                "dedupe_key": key,
            }
            for line, key in zip(statement.lines, keys, strict=True)
            if key not in known
        ]
        if rows:
            # A plain INSERT, not the bulk helper's COPY: PostgreSQL refuses COPY
            # under row-level security, and this session acts for the org.
            session.execute(insert(BankLine), rows)
        return Imported(row, repeated=False)
