"""The org's bank accounts and saved statement column mappings (helpers: they never commit)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.bank import BankAccount, BankMapping
from setledger import bank, chart, errors
from setledger.ids import new_id

_IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
BANK_LEDGER_CODES = frozenset({chart.BANK})
"""The ledger accounts a bank account may post to: one bank account in the chart for now."""


@dataclass(frozen=True)
class NewBankAccount:
    name: str
    account_number: str
    ifsc: str
    ledger_code: str = chart.BANK


def mask(number: str) -> str:
    """Only the last four digits are kept: enough to tell accounts apart on screen."""
    digits = re.sub(r"\s", "", number)
    return ("X" * max(len(digits) - 4, 0) + digits[-4:])[:32]


def _invalid(field: str, reason: str) -> errors.SetLedgerError:
    return errors.REQUEST_INVALID.error(count=1, fields=[{"field": field, "message": reason}])


def create_account(session: Session, org_id: uuid.UUID, new: NewBankAccount) -> BankAccount:
    ifsc = new.ifsc.strip().upper()
    if not _IFSC.match(ifsc):
        raise _invalid("ifsc", "an IFSC is 4 letters, a 0, then 6 letters or digits")
    number = re.sub(r"\s", "", new.account_number)
    if not re.fullmatch(r"[0-9A-Za-z]{4,34}", number):
        raise _invalid("account_number", "4 to 34 letters or digits")
    if not new.name.strip():
        raise _invalid("name", "a name is required")
    if new.ledger_code not in BANK_LEDGER_CODES:
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=new.ledger_code)
    account = BankAccount(
        org_id=org_id,
        account_id=new_id(),
        name=new.name.strip()[:80],
        number_masked=mask(number),
        ifsc=ifsc,
        ledger_code=new.ledger_code,
        created_at=utcnow(),
    )
    session.add(account)
    session.flush()
    return account


def list_accounts(session: Session, org_id: uuid.UUID) -> list[BankAccount]:
    return list(
        session.scalars(
            select(BankAccount)
            .where(BankAccount.org_id == org_id)
            .order_by(BankAccount.created_at, BankAccount.account_id)
        )
    )


def get_account(session: Session, org_id: uuid.UUID, account_id: uuid.UUID) -> BankAccount:
    found = session.get(BankAccount, (org_id, account_id))
    if found is None:
        raise bank.BANK_ACCOUNT_NOT_FOUND.error(account_id=str(account_id))
    return found


def saved_mappings(session: Session, org_id: uuid.UUID) -> list[bank.ColumnMapping]:
    rows = session.scalars(
        select(BankMapping).where(BankMapping.org_id == org_id).order_by(BankMapping.name)
    )
    return [bank.ColumnMapping.of(row.name, row.columns) for row in rows]


def save_mapping(session: Session, org_id: uuid.UUID, mapping: bank.ColumnMapping) -> None:
    """Save (or replace) a mapping by name; a preset's name is not the org's to take."""
    mapping.check()
    if mapping.name in bank.PRESET_NAMES:
        raise bank.BANK_MAPPING_INVALID.error(reason=f"{mapping.name} is a built-in preset")
    now = utcnow()
    row = session.get(BankMapping, (org_id, mapping.name))
    if row is None:
        session.add(
            BankMapping(
                org_id=org_id,
                name=mapping.name,
                columns=mapping.as_dict(),
                created_at=now,
                updated_at=now,
            )
        )
    else:
        row.columns = mapping.as_dict()
        row.updated_at = now
    session.flush()


def mappings_for(session: Session, org_id: uuid.UUID, name: str | None) -> list[bank.ColumnMapping]:
    """The mapping named (a preset or a saved one), or every one to detect from the header."""
    saved = saved_mappings(session, org_id)
    every = [*bank.PRESETS, *saved]
    if name is None:
        return every
    chosen = [m for m in every if m.name == name]
    if not chosen:
        raise bank.BANK_MAPPING_NOT_FOUND.error(name=name)
    return chosen
