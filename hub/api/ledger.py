"""Routes of the books: trial balance, general ledger, statements, journal export, period lock."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.ledger import close, export, journal, reports, statement_csv, statements

router = APIRouter(tags=["books"])

Format = Literal["json", "csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


T = TypeVar("T")


def _csv(text: str, name: str, format: Format = "csv") -> Response:
    """The table as CSV, or as an XLSX workbook of the same cells."""
    if format == "xlsx":
        return Response(
            statement_csv.xlsx_of(text, name),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _answer(value: T, format: Format, name: str, table: Callable[[T], str]) -> T | Response:
    """A statement as JSON, or its table as a CSV/XLSX download."""
    return value if format == "json" else _csv(table(value), name, format)


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


@router.get("/orgs/{org}/ledger/trial-balance", response_model=TrialBalancePublic)
def trial_balance(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    as_of: date | None = None,
    store_id: uuid.UUID | None = None,
    format: Format = "json",
) -> TrialBalancePublic | Response:
    rows = reports.trial_balance(session, principal.org_id, as_of=as_of, store_id=store_id)
    if format != "json":
        return _csv(statement_csv.trial_balance_csv(rows), "trial-balance", format)
    accounts = [
        AccountBalance(code=r.code, name=r.name, kind=r.kind, balance=r.balance) for r in rows
    ]
    return TrialBalancePublic(
        as_of=as_of, store_id=store_id, accounts=accounts, total=sum(r.balance for r in rows)
    )


@router.get("/orgs/{org}/ledger/accounts/{code}/entries", response_model=list[LedgerRowPublic])
def account_entries(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    code: str,
    since: date | None = None,
    until: date | None = None,
    store_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    format: Format = "json",
) -> list[LedgerRowPublic] | Response:
    """A page of the account's lines as JSON; ``format=csv|xlsx`` downloads the
    whole period's ledger instead: opening balance, running balance, closing."""
    if format != "json":
        ledger = reports.general_ledger(
            session, principal.org_id, code, since=since, until=until, store_id=store_id
        )
        return _csv(statement_csv.general_ledger_csv(ledger), f"ledger-{code}", format)
    rows = reports.account_entries(
        session,
        principal.org_id,
        code,
        since=since,
        until=until,
        store_id=store_id,
        limit=limit,
        offset=offset,
    )
    return [LedgerRowPublic(**row.__dict__) for row in rows]


@router.get("/orgs/{org}/ledger/profit-and-loss", response_model=statements.ProfitAndLoss)
def profit_and_loss(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    date_from: date | None = None,
    date_to: date | None = None,
    store_id: uuid.UUID | None = None,
    format: Format = "json",
) -> statements.ProfitAndLoss | Response:
    pl = statements.profit_and_loss(session, principal.org_id, date_from, date_to, store_id)
    return _answer(pl, format, "profit-and-loss", statement_csv.profit_and_loss_csv)


@router.get("/orgs/{org}/ledger/balance-sheet", response_model=statements.BalanceSheet)
def balance_sheet(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    as_of: date | None = None,
    store_id: uuid.UUID | None = None,
    format: Format = "json",
) -> statements.BalanceSheet | Response:
    on = as_of or date.today()
    bs = statements.balance_sheet(session, principal.org_id, on, store_id)
    return _answer(bs, format, "balance-sheet", statement_csv.balance_sheet_csv)


@router.get("/orgs/{org}/ledger/day-book", response_model=list[statements.DayBookEntry])
def day_book(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    day: date | None = None,
    store_id: uuid.UUID | None = None,
    format: Format = "json",
) -> list[statements.DayBookEntry] | Response:
    entries = statements.day_book(session, principal.org_id, day or date.today(), store_id)
    return _answer(entries, format, "day-book", statement_csv.day_book_csv)


@router.get("/orgs/{org}/ledger/gst-liability", response_model=statements.GstLiability)
def gst_liability(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_READ)],
    date_from: date | None = None,
    date_to: date | None = None,
    store_id: uuid.UUID | None = None,
    format: Format = "json",
) -> statements.GstLiability | Response:
    gst = statements.gst_liability(session, principal.org_id, date_from, date_to, store_id)
    return _answer(gst, format, "gst-liability", statement_csv.gst_liability_csv)


@router.get("/orgs/{org}/ledger/export.journal", response_class=PlainTextResponse)
def export_journal(
    session: DbSession, principal: Annotated[Principal, allow(P.BOOKS_READ)]
) -> PlainTextResponse:
    return PlainTextResponse(
        export.journal_text(session, principal.org_id),
        headers={"Content-Disposition": f'attachment; filename="{principal.org_code}.journal"'},
    )


class YearCloseCreate(BaseModel):
    financial_year: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2025-26"])


class YearClosePublic(BaseModel):
    financial_year: str
    entry_id: uuid.UUID | None
    profit: int
    """Paise moved to retained earnings (negative for a loss)."""
    locked_through: date


@router.post("/orgs/{org}/ledger/close-year")
def close_year(
    session: DbSession,
    principal: Annotated[Principal, allow(P.BOOKS_MANAGE)],
    body: YearCloseCreate,
) -> YearClosePublic:
    """Close a financial year: profit to retained earnings and the year locked (idempotent)."""
    year = close.parse_year(body.financial_year)
    with session.begin():
        closed = close.close_year(session, principal.org_id, year, by=principal.user_code)
    return YearClosePublic(**closed.__dict__)


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
