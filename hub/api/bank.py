"""Routes of payments and the bank: accounts, statement import, suggestions, reconciliation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.bank import accounts, matching, payments, reconcile, statements
from hub.db.bank import BankAccount, BankLine, BankMatch, BankReconciliation, BankStatement
from setledger import bank, chart
from setledger.postings import PaymentDocument

router = APIRouter(tags=["bank"])

Books = Annotated[Principal, allow(P.BOOKS_READ)]
Manager = Annotated[Principal, allow(P.BOOKS_MANAGE)]


class BankAccountCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    account_number: str = Field(min_length=4, max_length=40)
    """Stored masked: only the last four digits are kept."""
    ifsc: str = Field(min_length=11, max_length=11)
    ledger_code: str = chart.BANK


class BankAccountPublic(BaseModel):
    account_id: uuid.UUID
    name: str
    number_masked: str
    ifsc: str
    ledger_code: str
    created_at: datetime


def _account(row: BankAccount) -> BankAccountPublic:
    return BankAccountPublic(
        account_id=row.account_id,
        name=row.name,
        number_masked=row.number_masked,
        ifsc=row.ifsc,
        ledger_code=row.ledger_code,
        created_at=row.created_at,
    )


class MappingColumns(BaseModel):
    """Header names per field; each field may list several spellings."""

    date: list[str]
    description: list[str]
    reference: list[str] = []
    debit: list[str] = []
    credit: list[str] = []
    amount: list[str] = []
    balance: list[str] = []
    value_date: list[str] = []


class MappingPublic(BaseModel):
    name: str
    preset: bool
    columns: MappingColumns


class MappingCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    columns: MappingColumns


class StatementPublic(BaseModel):
    statement_id: uuid.UUID
    account_id: uuid.UUID
    file_name: str
    mapping: str
    sha256: str
    lines_read: int
    lines_new: int
    """Lines not already brought in by an earlier, overlapping statement."""
    repeated: bool
    """The same file was imported before: nothing new was written."""
    imported_at: datetime


class ClearedLine(BaseModel):
    entry_id: uuid.UUID
    line_no: int
    account: str
    entry_date: date | None = None
    amount: int


class SuggestionPublic(BaseModel):
    account: str
    amount: int
    score: int
    reasons: list[str]
    """Why, in words: "amount equal", "1 day later", "reference matches (...)"."""
    lines: list[ClearedLine]


class ReconciliationPublic(BaseModel):
    recon_id: uuid.UUID
    kind: Literal["match", "direct"]
    account: str
    entry_id: uuid.UUID | None
    """The journal entry posted (None: the money was already booked to the bank)."""
    narration: str
    created_by: str
    created_at: datetime
    undone_at: datetime | None = None
    undo_entry_id: uuid.UUID | None = None
    """The reversing entry of an undone reconciliation."""
    cleared: list[ClearedLine]


class BankLinePublic(BaseModel):
    line_id: uuid.UUID
    account_id: uuid.UUID
    statement_id: uuid.UUID
    row_no: int
    txn_date: date
    value_date: date | None
    description: str
    reference: str
    amount: int
    """Paise: money in positive, money out negative."""
    balance: int | None
    state: Literal["reconciled", "unreconciled"]
    reconciliation: ReconciliationPublic | None = None
    suggestions: list[SuggestionPublic] = []


class MatchLine(BaseModel):
    entry_id: uuid.UUID
    line_no: int


class ReconcileRequest(BaseModel):
    """Either ``match`` (the journal lines of a suggestion) or ``account`` (post directly)."""

    match: list[MatchLine] | None = None
    account: str | None = Field(default=None, max_length=32)
    narration: str = Field(default="", max_length=200)


class PaymentCreate(BaseModel):
    payment_id: uuid.UUID
    """The client's id: sending the same payment again records it once."""
    received_on: date
    amount: int = Field(gt=0)
    """Paise."""
    settles: Literal["1300", "1150", "1160"] = "1300"
    """Receivables (a customer's payment), or UPI or card clearing (a settlement)."""
    reference: str = Field(default="", max_length=64)


class PaymentPublic(BaseModel):
    payment_id: uuid.UUID
    entry_id: uuid.UUID
    created: bool


# Accounts and mappings -----------------------------------------------------------


@router.get("/orgs/{org}/bank-accounts")
def list_bank_accounts(session: DbSession, principal: Books) -> list[BankAccountPublic]:
    return [_account(row) for row in accounts.list_accounts(session, principal.org_id)]


@router.post("/orgs/{org}/bank-accounts", status_code=201)
def create_bank_account(
    session: DbSession, principal: Manager, body: BankAccountCreate
) -> BankAccountPublic:
    new = accounts.NewBankAccount(body.name, body.account_number, body.ifsc, body.ledger_code)
    with session.begin():
        return _account(accounts.create_account(session, principal.org_id, new))


@router.get("/orgs/{org}/bank-accounts/{account_id}")
def read_bank_account(
    session: DbSession, principal: Books, account_id: uuid.UUID
) -> BankAccountPublic:
    return _account(accounts.get_account(session, principal.org_id, account_id))


@router.get("/orgs/{org}/bank-mappings")
def list_mappings(session: DbSession, principal: Books) -> list[MappingPublic]:
    """The built-in presets (HDFC, ICICI, SBI, Axis) and the org's saved mappings."""
    presets = [(m, True) for m in bank.PRESETS]
    saved = [(m, False) for m in accounts.saved_mappings(session, principal.org_id)]
    return [
        MappingPublic(name=m.name, preset=preset, columns=MappingColumns(**m.as_dict()))
        for m, preset in [*presets, *saved]
    ]


@router.post("/orgs/{org}/bank-mappings", status_code=201)
def save_mapping(session: DbSession, principal: Manager, body: MappingCreate) -> MappingPublic:
    mapping = bank.ColumnMapping.of(body.name, body.columns.model_dump())
    with session.begin():
        accounts.save_mapping(session, principal.org_id, mapping)
    return MappingPublic(
        name=mapping.name, preset=False, columns=MappingColumns(**mapping.as_dict())
    )


# Statements and lines ------------------------------------------------------------


@router.post(
    "/orgs/{org}/bank-accounts/{account_id}/statements",
    status_code=201,
    responses={422: {"description": "BANK_STATEMENT_INVALID: every bad row, nothing stored"}},
)
def import_statement(
    session: DbSession,
    response: Response,
    principal: Manager,
    account_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="the bank's CSV export")],
    mapping: Annotated[str | None, Form(description="a preset or saved mapping's name")] = None,
) -> StatementPublic:
    """Import a statement: all rows or none. 201 with the new lines; 200 for a file
    imported before (nothing written)."""
    content = file.file.read()
    done = statements.import_statement(
        session, principal.org_id, account_id, file.filename or "", content, mapping or None
    )
    if done.repeated:
        response.status_code = status.HTTP_200_OK
    row: BankStatement = done.statement
    return StatementPublic(
        statement_id=row.statement_id,
        account_id=row.account_id,
        file_name=row.file_name,
        mapping=row.mapping,
        sha256=row.sha256,
        lines_read=row.lines_read,
        lines_new=0 if done.repeated else row.lines_new,
        repeated=done.repeated,
        imported_at=row.imported_at,
    )


@router.get("/orgs/{org}/bank-accounts/{account_id}/lines")
def list_lines(
    session: DbSession,
    principal: Books,
    account_id: uuid.UUID,
    state: Literal["all", "reconciled", "unreconciled"] = "all",
    suggest: Annotated[bool, Query(description="suggestions for unreconciled lines")] = True,
    window_days: Annotated[int, Query(ge=0, le=31)] = bank.DEFAULT_WINDOW[1],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[BankLinePublic]:
    """The account's statement lines by date, each with its state, what it cleared or
    posted, and (unreconciled) ranked suggestions of what it may clear."""
    account = accounts.get_account(session, principal.org_id, account_id)
    live = (
        select(BankReconciliation.line_id)
        .where(
            BankReconciliation.org_id == principal.org_id,
            BankReconciliation.undone_at.is_(None),
        )
        .scalar_subquery()
    )
    query = select(BankLine).where(
        BankLine.org_id == principal.org_id, BankLine.account_id == account_id
    )
    if state == "reconciled":
        query = query.where(BankLine.line_id.in_(live))
    elif state == "unreconciled":
        query = query.where(BankLine.line_id.not_in(live))
    rows = list(
        session.scalars(
            query.order_by(BankLine.txn_date, BankLine.row_no, BankLine.line_id)
            .limit(limit)
            .offset(offset)
        )
    )
    return _lines(session, principal.org_id, account, rows, suggest, (0, window_days))


@router.get("/orgs/{org}/bank-lines/{line_id}")
def read_line(
    session: DbSession,
    principal: Books,
    line_id: uuid.UUID,
    window_days: Annotated[int, Query(ge=0, le=31)] = bank.DEFAULT_WINDOW[1],
) -> BankLinePublic:
    line = reconcile.get_line(session, principal.org_id, line_id)
    account = accounts.get_account(session, principal.org_id, line.account_id)
    return _lines(session, principal.org_id, account, [line], True, (0, window_days))[0]


def _lines(
    session: DbSession,
    org_id: uuid.UUID,
    account: BankAccount,
    rows: list[BankLine],
    suggest: bool,
    window: tuple[int, int],
) -> list[BankLinePublic]:
    recons = {
        r.line_id: r
        for r in session.scalars(
            select(BankReconciliation).where(
                BankReconciliation.org_id == org_id,
                BankReconciliation.undone_at.is_(None),
                BankReconciliation.line_id.in_([row.line_id for row in rows]),
            )
        )
    }
    open_rows = [row for row in rows if row.line_id not in recons]
    found = (
        matching.suggestions_for(session, org_id, account.ledger_code, open_rows, window)
        if suggest
        else {}
    )
    return [
        BankLinePublic(
            line_id=row.line_id,
            account_id=row.account_id,
            statement_id=row.statement_id,
            row_no=row.row_no,
            txn_date=row.txn_date,
            value_date=row.value_date,
            description=row.description,
            reference=row.reference,
            amount=row.amount,
            balance=row.balance,
            state="reconciled" if row.line_id in recons else "unreconciled",
            reconciliation=(
                _reconciliation(session, recons[row.line_id]) if row.line_id in recons else None
            ),
            suggestions=[_suggestion(s) for s in found.get(row.line_id, [])],
        )
        for row in rows
    ]


def _suggestion(s: bank.Suggestion) -> SuggestionPublic:
    return SuggestionPublic(
        account=s.account,
        amount=s.amount,
        score=s.score,
        reasons=list(s.reasons),
        lines=[
            ClearedLine(
                entry_id=c.entry_id,
                line_no=c.line_no,
                account=c.account,
                entry_date=c.entry_date,
                amount=c.amount,
            )
            for c in s.lines
        ],
    )


def _reconciliation(session: DbSession, recon: BankReconciliation) -> ReconciliationPublic:
    cleared = session.scalars(
        select(BankMatch)
        .where(BankMatch.org_id == recon.org_id, BankMatch.recon_id == recon.recon_id)
        .order_by(BankMatch.entry_id, BankMatch.line_no)
    )
    return ReconciliationPublic(
        recon_id=recon.recon_id,
        kind="direct" if recon.kind == "direct" else "match",
        account=recon.account_code,
        entry_id=recon.entry_id,
        narration=recon.narration,
        created_by=recon.created_by,
        created_at=recon.created_at,
        undone_at=recon.undone_at,
        undo_entry_id=recon.undo_entry_id,
        cleared=[
            ClearedLine(
                entry_id=m.entry_id, line_no=m.line_no, account=recon.account_code, amount=m.amount
            )
            for m in cleared
        ],
    )


# Reconciling ---------------------------------------------------------------------


@router.post("/orgs/{org}/bank-lines/{line_id}/reconcile", status_code=201)
def reconcile_line(
    session: DbSession, principal: Manager, line_id: uuid.UUID, body: ReconcileRequest
) -> ReconciliationPublic:
    """Accept a suggestion (``match``: its journal lines) or post the line to an account
    (``account`` and ``narration``: bank charges, interest). One journal entry, never two."""
    if (body.match is None) == (body.account is None):
        raise bank.BANK_MATCH_INVALID.error(
            line_id=str(line_id), reason="send either match or account, not both or neither"
        )
    if body.match is not None:
        refs = [reconcile.LineRef(m.entry_id, m.line_no) for m in body.match]
        recon = reconcile.accept(session, principal.org_id, line_id, refs, by=principal.user_code)
    else:
        assert body.account is not None
        recon = reconcile.post_direct(
            session,
            principal.org_id,
            line_id,
            body.account,
            body.narration,
            by=principal.user_code,
        )
    return _reconciliation(session, recon)


@router.post("/orgs/{org}/bank-lines/{line_id}/undo")
def undo_reconciliation(
    session: DbSession, principal: Manager, line_id: uuid.UUID
) -> ReconciliationPublic:
    """Undo the line's reconciliation: a reversing entry; the line is open again."""
    recon = reconcile.undo(session, principal.org_id, line_id)
    return _reconciliation(session, recon)


# Payments ------------------------------------------------------------------------


@router.post("/orgs/{org}/payments", status_code=201)
def record_payment(
    session: DbSession, response: Response, principal: Manager, body: PaymentCreate
) -> PaymentPublic:
    """A payment received into the bank, settling receivables (Dr bank, Cr receivables).
    Idempotent by ``payment_id``: 200 with the same entry when sent again."""
    document = PaymentDocument(
        payment_id=body.payment_id,
        received_on=body.received_on,
        amount=body.amount,
        settles=body.settles,
        reference=body.reference,
    )
    done = payments.record_payment(session, principal.org_id, document)
    if not done.created:
        response.status_code = status.HTTP_200_OK
    return PaymentPublic(payment_id=body.payment_id, entry_id=done.entry_id, created=done.created)
