"""Routes of the books: trial balance, general ledger, journal export, period lock."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.ledger import export, journal, reports

router = APIRouter(tags=["books"])


class AccountBalance(BaseModel):
    code: str
    name: str
    kind: str
    balance: int
    """Paise, debit positive, credit negative."""


class TrialBalancePublic(BaseModel):
    as_of: date | None
    store_id: uuid.UUID | None
    accounts: list[AccountBalance]
    total: int
    """Always 0: the books balance."""


class LedgerRowPublic(BaseModel):
    entry_id: uuid.UUID
    seq: int
    entry_date: date
    narration: str
    source_type: str
    source_id: uuid.UUID
    amount: int
    store_id: uuid.UUID | None


class PeriodLockCreate(BaseModel):
    locked_through: date


class PeriodLockPublic(BaseModel):
    locked_through: date


@router.get("/orgs/{org}/ledger/trial-balance")
def trial_balance(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    as_of: date | None = None,
    store_id: uuid.UUID | None = None,
) -> TrialBalancePublic:
    rows = reports.trial_balance(session, principal.org_id, as_of=as_of, store_id=store_id)
    accounts = [
        AccountBalance(code=r.code, name=r.name, kind=r.kind, balance=r.balance) for r in rows
    ]
    return TrialBalancePublic(
        as_of=as_of, store_id=store_id, accounts=accounts, total=sum(r.balance for r in rows)
    )


@router.get("/orgs/{org}/ledger/accounts/{code}/entries")
def account_entries(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    code: str,
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[LedgerRowPublic]:
    rows = reports.account_entries(
        session, principal.org_id, code, since=since, until=until, limit=limit, offset=offset
    )
    return [LedgerRowPublic(**row.__dict__) for row in rows]


@router.get("/orgs/{org}/ledger/export.journal", response_class=PlainTextResponse)
def export_journal(
    session: DbSession, principal: Annotated[Principal, allow(P.BOOKS_READ)]
) -> PlainTextResponse:
    return PlainTextResponse(
        export.journal_text(session, principal.org_id),
        headers={"Content-Disposition": f'attachment; filename="{principal.org_code}.journal"'},
    )


@router.post("/orgs/{org}/ledger/lock", status_code=201)
def lock_period(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_MANAGE)],
    body: PeriodLockCreate,
) -> PeriodLockPublic:
    with session.begin():
        through = journal.lock_period(
            session, principal.org_id, body.locked_through, by=principal.user_code
        )
    return PeriodLockPublic(locked_through=through)
