"""Financial statements from the journal lines: P&L, balance sheet, day book, GST liability.

Each is one aggregate (the day book one join) over ``journal_line``, per
store when ``store_id`` is given and consolidated for the org otherwise.
Amounts are integer paise. Statements show amounts the way an accountant
reads them: income, liabilities and equity as positive credits, expenses
and assets as positive debits. Lines with no store (payments received,
for instance) appear only in the consolidated figures.

Invariants: net profit = income - expense; on the balance sheet assets =
liabilities + equity exactly, because the unclosed profit is shown as
earnings (the trial balance sums to zero); GST payable per head = output
tax - returns and reversals.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.accounts.unit import unit_of_work
from hub.db.ledger import JournalEntry, JournalLine, LedgerAccount
from hub.db.session import consistent_read
from setledger import chart

HEADS: dict[str, str] = {
    chart.OUTPUT_CGST: "CGST",
    chart.OUTPUT_SGST: "SGST",
    chart.OUTPUT_UTGST: "UTGST",
    chart.OUTPUT_IGST: "IGST",
    chart.OUTPUT_CESS: "cess",
}
_RATE_FIELD: dict[str, str] = {
    chart.OUTPUT_CGST: "cgst",
    chart.OUTPUT_SGST: "sgst",
    chart.OUTPUT_UTGST: "sgst",
    chart.OUTPUT_IGST: "igst",
    chart.OUTPUT_CESS: "cess",
}
"""Which :class:`GstRate` figure a rated account adds to (sales: taxable)."""
CURRENT_EARNINGS = "current-year earnings"
PRIOR_EARNINGS = "earnings of earlier years, not yet closed"


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    amount: int
    """Paise, in the statement's natural sign (a credit on an income account is positive)."""


@dataclass(frozen=True)
class ProfitAndLoss:
    date_from: date | None
    date_to: date | None
    store_id: uuid.UUID | None
    income: list[Line]
    expenses: list[Line]
    total_income: int
    total_expenses: int
    net_profit: int


@dataclass(frozen=True)
class BalanceSheet:
    as_of: date
    store_id: uuid.UUID | None
    assets: list[Line]
    liabilities: list[Line]
    equity: list[Line]
    """Equity accounts, then the unclosed earnings (prior years, current year)."""
    total_assets: int
    total_liabilities: int
    total_equity: int


@dataclass(frozen=True)
class DayBookLine:
    line_no: int
    code: str
    name: str
    amount: int
    """Paise, debit positive."""


@dataclass(frozen=True)
class DayBookEntry:
    entry_id: uuid.UUID
    seq: int
    entry_date: date
    source_type: str
    source_id: uuid.UUID
    narration: str
    store_id: uuid.UUID | None
    reverses: uuid.UUID | None
    lines: list[DayBookLine] = field(default_factory=list)


@dataclass(frozen=True)
class GstHead:
    code: str
    head: str
    output: int
    """Tax charged (credits to the output account), paise."""
    reduced: int
    """Returns and reversals (debits to the output account), paise."""
    payable: int


@dataclass(frozen=True)
class GstRate:
    """One GST rate's net figures (charged less returned or reversed), paise."""

    rate_bp: int
    taxable: int
    """``Sales @ rate`` less ``Sales returns @ rate``."""
    cgst: int = 0
    sgst: int = 0
    """SGST or UTGST: the state head."""
    igst: int = 0
    cess: int = 0

    @property
    def tax(self) -> int:
        return self.cgst + self.sgst + self.igst + self.cess


@dataclass(frozen=True)
class GstLiability:
    date_from: date | None
    date_to: date | None
    store_id: uuid.UUID | None
    by_head: list[GstHead]
    by_rate: list[GstRate]
    total_payable: int


def _filters(
    org_id: uuid.UUID,
    store_id: uuid.UUID | None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [JournalLine.org_id == org_id]
    if store_id is not None:
        found.append(JournalLine.store_id == store_id)
    if date_from is not None:
        found.append(JournalLine.entry_date >= date_from)
    if date_to is not None:
        found.append(JournalLine.entry_date <= date_to)
    return found


def _joined_accounts() -> ColumnElement[bool]:
    return and_(
        LedgerAccount.org_id == JournalLine.org_id,
        LedgerAccount.code == JournalLine.account_code,
    )


def _sum(expression: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[int]:
    # SUM(bigint) is NUMERIC on PostgreSQL: cast back so paise stay ints.
    return cast(func.coalesce(func.sum(expression), 0), BigInteger)


def financial_year_start(day: date) -> date:
    """India's financial year starts on 1 April."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def profit_and_loss(
    session: Session,
    org_id: uuid.UUID,
    date_from: date | None,
    date_to: date | None,
    store_id: uuid.UUID | None = None,
) -> ProfitAndLoss:
    """Income and expense accounts over the period, by code, and the net profit."""
    kinds = (chart.AccountKind.INCOME.value, chart.AccountKind.EXPENSE.value)
    with unit_of_work(session):
        consistent_read(session)
        rows = session.execute(
            select(
                LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind, _sum(JournalLine.amount)
            )
            .join(LedgerAccount, _joined_accounts())
            .where(
                *_filters(org_id, store_id, date_from, date_to),
                LedgerAccount.kind.in_(kinds),
                # A closed year still shows its profit: the close moved it, it did not undo it.
                JournalLine.entry_id.not_in(
                    select(JournalEntry.entry_id).where(
                        JournalEntry.org_id == org_id, JournalEntry.source_type == "close"
                    )
                ),
            )
            .group_by(LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind)
            .order_by(LedgerAccount.code)
        ).all()
    income = [Line(c, n, -int(a)) for c, n, k, a in rows if a and k == "income"]
    expenses = [Line(c, n, int(a)) for c, n, k, a in rows if a and k == "expense"]
    total_income = sum(line.amount for line in income)
    total_expenses = sum(line.amount for line in expenses)
    return ProfitAndLoss(
        date_from,
        date_to,
        store_id,
        income,
        expenses,
        total_income,
        total_expenses,
        total_income - total_expenses,
    )


def balance_sheet(
    session: Session, org_id: uuid.UUID, as_of: date, store_id: uuid.UUID | None = None
) -> BalanceSheet:
    """Balances on ``as_of``; income and expense appear only as unclosed earnings."""
    year_start = financial_year_start(as_of)
    earlier = JournalLine.entry_date < year_start
    with unit_of_work(session):
        consistent_read(session)
        rows = session.execute(
            select(
                LedgerAccount.code,
                LedgerAccount.name,
                LedgerAccount.kind,
                _sum(case((earlier, JournalLine.amount), else_=0)),
                _sum(case((earlier, 0), else_=JournalLine.amount)),
            )
            .join(LedgerAccount, _joined_accounts())
            .where(*_filters(org_id, store_id, date_to=as_of))
            .group_by(LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind)
            .order_by(LedgerAccount.code)
        ).all()
    assets: list[Line] = []
    liabilities: list[Line] = []
    equity: list[Line] = []
    prior = current = 0
    for code, name, kind, before, during in rows:
        amount = int(before) + int(during)
        if kind in ("income", "expense"):
            prior -= int(before)
            current -= int(during)
        elif amount and kind == "asset":
            assets.append(Line(code, name, amount))
        elif amount and kind == "liability":
            liabilities.append(Line(code, name, -amount))
        elif amount:
            equity.append(Line(code, name, -amount))
    if prior:
        equity.append(Line("", PRIOR_EARNINGS, prior))
    if current:
        equity.append(Line("", CURRENT_EARNINGS, current))
    return BalanceSheet(
        as_of,
        store_id,
        assets,
        liabilities,
        equity,
        sum(line.amount for line in assets),
        sum(line.amount for line in liabilities),
        sum(line.amount for line in equity),
    )


def day_book(
    session: Session, org_id: uuid.UUID, day: date, store_id: uuid.UUID | None = None
) -> list[DayBookEntry]:
    """Every entry dated ``day`` (of the store, when given) with its lines, in seq order."""
    filters: list[ColumnElement[bool]] = [
        JournalEntry.org_id == org_id,
        JournalEntry.entry_date == day,
    ]
    if store_id is not None:  # by line, as everywhere: a reversal's lines keep the store
        filters.append(JournalLine.store_id == store_id)
    with unit_of_work(session):
        consistent_read(session)
        rows = session.execute(
            select(
                JournalEntry.entry_id,
                JournalEntry.seq,
                JournalEntry.entry_date,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.narration,
                JournalEntry.store_id,
                JournalEntry.reverses,
                JournalLine.line_no,
                JournalLine.account_code,
                LedgerAccount.name,
                JournalLine.amount,
            )
            .join(
                JournalLine,
                and_(
                    JournalLine.org_id == JournalEntry.org_id,
                    JournalLine.entry_id == JournalEntry.entry_id,
                ),
            )
            .join(LedgerAccount, _joined_accounts())
            .where(*filters)
            .order_by(JournalEntry.seq, JournalLine.line_no)
        ).all()
    entries: dict[uuid.UUID, DayBookEntry] = {}
    for row in rows:
        entry = entries.get(row.entry_id)
        if entry is None:
            entry = entries[row.entry_id] = DayBookEntry(*row[:8])
        entry.lines.append(DayBookLine(row.line_no, row.account_code, row.name, int(row.amount)))
    return list(entries.values())


def gst_liability(
    session: Session,
    org_id: uuid.UUID,
    date_from: date | None,
    date_to: date | None,
    store_id: uuid.UUID | None = None,
) -> GstLiability:
    """Output tax per head (charged, returned or reversed, payable), and per rate.

    The posting rules keep output tax, sales and sales returns per GST rate
    (``chart.RATED``); entries posted before that (plain head accounts)
    count in their head and under no rate.
    """
    filters = _filters(org_id, store_id, date_from, date_to)
    credit = case((JournalLine.amount < 0, -JournalLine.amount), else_=0)
    debit = case((JournalLine.amount > 0, JournalLine.amount), else_=0)
    families = (*chart.OUTPUT_TAX, chart.SALES_PREFIX, chart.SALES_RETURNS)
    wanted = or_(
        JournalLine.account_code.in_(chart.OUTPUT_TAX),
        *(JournalLine.account_code.like(f"{parent}-%") for parent in families),
    )
    with unit_of_work(session):
        consistent_read(session)
        rows = session.execute(
            select(JournalLine.account_code, _sum(credit), _sum(debit))
            .where(*filters, wanted)
            .group_by(JournalLine.account_code)
        ).all()
    heads: dict[str, list[int]] = {}
    rates: dict[int, dict[str, int]] = {}
    for code, out, back in rows:
        parent, rate = chart.parent_of(code), chart.rate_of(code)
        if parent in HEADS:
            sums = heads.setdefault(parent, [0, 0])
            sums[0] += int(out)
            sums[1] += int(back)
        if rate is not None:
            field_name = _RATE_FIELD.get(parent, "taxable")
            per = rates.setdefault(rate, {})
            per[field_name] = per.get(field_name, 0) + int(out) - int(back)
    by_head = [
        GstHead(code, HEADS[code], out, back, out - back)
        for code in chart.OUTPUT_TAX
        for out, back in [heads.get(code, [0, 0])]
        if out or back
    ]
    by_rate = [
        GstRate(rate, **amounts) for rate, amounts in sorted(rates.items()) if any(amounts.values())
    ]
    return GstLiability(
        date_from, date_to, store_id, by_head, by_rate, sum(h.payable for h in by_head)
    )
