"""The books in the console: trial balance, general ledger of an account,
day book, P&L, balance sheet and GST liability, per store or for the org;
and the GST returns of a month (GSTR-1 section totals, GSTR-1/GSTR-3B files).

Pages call the ledger services (``hub.ledger.reports``/``statements``) the
JSON API calls, so a page shows exactly the API's figures. Amounts are int
paise shown in rupees with the Indian grouping (``setledger.money``, never a
float). The "Download CSV/XLSX" links point at the API's own routes
(``/api/v1/orgs/{org}/ledger/...?format=csv|xlsx``, ``.../gst/gstr1|gstr3b``)
with the page's filters: the API accepts the console's session cookie, so
they serve the same table.

Members whose role lacks ``books.read`` get the console's 403 page. Filters
come in the query string as text and are checked here: a bad date, a range
that ends before it starts or a store of no one's gets the page back with
the problem (422) and no figures; an org with no GSTIN is told it has no
return to file (200, the returns page). The request's database session is marked
as acting for the member's org (row-level security on PostgreSQL).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal
from hub.api.router import API_PREFIX
from hub.clock import utcnow
from hub.console.auth import Db, Member
from hub.console.forms import Problem, problem_of
from hub.console.pages import member_page, status_of
from hub.console.web import PREFIX, ConsoleRoute
from hub.db.tenancy import act_for_org
from hub.gst import profile, returns
from hub.ledger import reports, statements
from hub.registry import stores
from hub.registry.schemas import StorePublic
from setledger import fiscal
from setledger.errors import SetLedgerError
from setledger.gstr1 import CSV_COLUMNS
from setledger.money import format_rupees

router = APIRouter(route_class=ConsoleRoute)

BOOKS = f"{PREFIX}/books"
PAGE_SIZE = 50
"""Lines per page of an account's general ledger."""
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

REPORTS: list[tuple[str, str, str]] = [
    ("trial-balance", "Trial balance", "Every account's balance on a date; the total is zero."),
    ("day-book", "Day book", "Every entry of one day with its lines."),
    ("profit-and-loss", "Profit and loss", "Income and expenses over a period, and the profit."),
    ("balance-sheet", "Balance sheet", "Assets, liabilities and equity on a date."),
    ("gst-liability", "GST liability", "Output tax by head and taxable value by rate."),
    ("returns", "GST returns", "GSTR-1 and GSTR-3B of a month, to download and file."),
]
MONTH = re.compile(returns.PERIOD_PATTERN)
SECTION_NAMES: dict[str, str] = {
    "b2b": "B2B invoices (4A)",
    "b2cl": "B2C large invoices (5)",
    "exp": "Exports (6A)",
    "b2cs": "B2C small, rows (7)",
    "nil": "Nil rated, exempt, non-GST (8)",
    "cdnr": "Credit/debit notes, registered (9B)",
    "cdnur": "Credit/debit notes, unregistered (9B)",
    "hsn": "HSN summary, rows (12)",
    "hsn_b2b": "HSN summary of B2B supplies, rows (12)",
    "hsn_b2c": "HSN summary of B2C supplies, rows (12)",
    "doc_issue": "Documents issued (13)",
}


def today() -> date:
    """Today in India (the books are dated by India's calendar)."""
    return fiscal.business_date(utcnow())


@dataclass
class Filters:
    """The page's query string, checked: values the services take, problems per field."""

    raw: dict[str, str]
    stores: list[StorePublic]
    problems: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return self.raw.get(name, "").strip()[:64]

    def day(self, name: str, default: date | None = None) -> date | None:
        raw = self.text(name)
        if not raw:
            return default
        try:
            if ISO_DATE.match(raw) is None:
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            self.problems[name] = "A date as YYYY-MM-DD, e.g. 2026-11-20."
            return None

    def span(
        self, default_from: date | None, default_to: date | None
    ) -> tuple[date | None, date | None]:
        since, until = self.day("date_from", default_from), self.day("date_to", default_to)
        if since and until and since > until:
            self.problems["date_to"] = "The period ends before it starts."
        return since, until

    def store(self) -> uuid.UUID | None:
        raw = self.text("store")
        if not raw:
            return None
        for store in self.stores:
            if str(store.store_id) == raw:
                return store.store_id
        self.problems["store"] = "Pick one of the organisation's stores."
        return None

    def problem(self) -> Problem | None:
        if not self.problems:
            return None
        return Problem(
            "Some filters need correcting.",
            "Correct them and show the report again; nothing is shown until then.",
            fields=dict(self.problems),
        )


def _open(request: Request, db: Session, principal: Principal) -> Filters:
    """The books' guard: ``books.read``, the org's session, its stores and the filters."""
    require(principal, Permission.BOOKS_READ, "read the books")
    act_for_org(db, principal.org_id)
    listed = stores.list_stores(db, principal.org_code).stores
    return Filters(dict(request.query_params), listed)


def _query(**values: object) -> str:
    """A query string of the values given (None and '' left out)."""
    kept = {k: str(v) for k, v in values.items() if v is not None and v != ""}
    return urlencode(kept)


def _downloads(principal: Principal, report: str, **values: object) -> dict[str, str]:
    """The API's CSV and XLSX of the same report with the same filters."""
    base = f"{API_PREFIX}/orgs/{quote(principal.org_code)}/ledger/{report}"
    return {fmt: f"{base}?{_query(**values, format=fmt)}" for fmt in ("csv", "xlsx")}


def _page(
    request: Request,
    principal: Principal,
    filters: Filters,
    template: str,
    title: str,
    refused: Problem | None = None,
    refused_status: int = 200,
    **context: Any,
) -> Response:
    """The page; with the filters' problems (422) or the ``refused`` problem instead of figures."""
    problem = filters.problem() or refused
    status = 422 if filters.problems else refused_status if refused else 200
    store_names = {s.store_id: f"{s.code} · {s.name}" for s in filters.stores}
    return member_page(
        request,
        principal,
        template,
        title,
        status,
        problem=problem,
        stores=filters.stores,
        store_names=store_names,
        store_value=filters.text("store"),
        rupees=format_rupees,
        books=BOOKS,
        **context,
    )


def _store_label(filters: Filters, store_id: uuid.UUID | None) -> str:
    for store in filters.stores:
        if store.store_id == store_id:
            return f"store {store.code} · {store.name}"
    return "the whole organisation"


@router.get("/books")
def index_page(request: Request, db: Db, principal: Member) -> Response:
    filters = _open(request, db, principal)
    return _page(request, principal, filters, "books.html", "Books", reports=REPORTS)


@router.get("/books/trial-balance")
def trial_balance_page(request: Request, db: Db, principal: Member) -> Response:
    filters = _open(request, db, principal)
    as_of, store_id = filters.day("as_of"), filters.store()
    rows: list[reports.Balance] = []
    if not filters.problems:
        rows = reports.trial_balance(db, principal.org_id, as_of=as_of, store_id=store_id)
    debit = sum(r.balance for r in rows if r.balance > 0)
    credit = -sum(r.balance for r in rows if r.balance < 0)
    return _page(
        request,
        principal,
        filters,
        "books_trial_balance.html",
        "Trial balance",
        as_of=as_of,
        rows=rows,
        debit=debit,
        credit=credit,
        total=debit - credit,
        scope=_store_label(filters, store_id),
        downloads=_downloads(principal, "trial-balance", as_of=as_of, store_id=store_id),
        ledger_query=_query(date_to=as_of, store=filters.text("store")),
    )


@dataclass(frozen=True)
class Shown:
    """A ledger line as the page shows it: with the running balance after it."""

    row: reports.LedgerRow
    balance: int


@router.get("/books/ledger/{code}")
def ledger_page(request: Request, db: Db, principal: Member, code: str) -> Response:
    filters = _open(request, db, principal)
    since, until = filters.span(None, None)
    store_id = filters.store()
    page = filters.text("page")
    number = int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1
    ledger = None
    shown: list[Shown] = []
    more = False
    if not filters.problems:
        # The whole period (as the download): the page's running balance
        # starts from the opening balance plus every line of earlier pages.
        ledger = reports.general_ledger(
            db, principal.org_id, code, since=since, until=until, store_id=store_id
        )
        start = (number - 1) * PAGE_SIZE
        running = ledger.opening + sum(row.amount for row in ledger.rows[:start])
        for row in ledger.rows[start : start + PAGE_SIZE]:
            running += row.amount
            shown.append(Shown(row, running))
        more = len(ledger.rows) > start + PAGE_SIZE
    here = f"{BOOKS}/ledger/{quote(code, safe='')}"
    kept = _query(date_from=since, date_to=until, store=filters.text("store"))
    name = f" · {ledger.name}" if ledger else ""
    return _page(
        request,
        principal,
        filters,
        "books_ledger.html",
        f"General ledger: {code}{name}",
        code=code,
        since=since,
        until=until,
        ledger=ledger,
        shown=shown,
        page=number,
        pages=max(1, -(-len(ledger.rows) // PAGE_SIZE)) if ledger else 1,
        previous=f"{here}?{kept}&page={number - 1}" if number > 1 else None,
        next=f"{here}?{kept}&page={number + 1}" if more else None,
        scope=_store_label(filters, store_id),
        downloads=_downloads(
            principal,
            f"accounts/{quote(code, safe='')}/entries",
            since=since,
            until=until,
            store_id=store_id,
        ),
    )


@router.get("/books/day-book")
def day_book_page(request: Request, db: Db, principal: Member) -> Response:
    filters = _open(request, db, principal)
    day, store_id = filters.day("day", today()), filters.store()
    entries: list[statements.DayBookEntry] = []
    if not filters.problems and day is not None:
        entries = statements.day_book(db, principal.org_id, day, store_id)
    lines = [line for entry in entries for line in entry.lines]
    return _page(
        request,
        principal,
        filters,
        "books_day_book.html",
        "Day book",
        day=day,
        entries=entries,
        debit=sum(line.amount for line in lines if line.amount > 0),
        credit=-sum(line.amount for line in lines if line.amount < 0),
        scope=_store_label(filters, store_id),
        downloads=_downloads(principal, "day-book", day=day, store_id=store_id),
    )


@router.get("/books/profit-and-loss")
def profit_and_loss_page(request: Request, db: Db, principal: Member) -> Response:
    filters = _open(request, db, principal)
    now = today()
    since, until = filters.span(statements.financial_year_start(now), now)
    store_id = filters.store()
    pl = None
    if not filters.problems:
        pl = statements.profit_and_loss(db, principal.org_id, since, until, store_id)
    return _page(
        request,
        principal,
        filters,
        "books_profit_and_loss.html",
        "Profit and loss",
        since=since,
        until=until,
        pl=pl,
        scope=_store_label(filters, store_id),
        downloads=_downloads(
            principal, "profit-and-loss", date_from=since, date_to=until, store_id=store_id
        ),
    )


@router.get("/books/balance-sheet")
def balance_sheet_page(request: Request, db: Db, principal: Member) -> Response:
    filters = _open(request, db, principal)
    as_of, store_id = filters.day("as_of", today()), filters.store()
    bs = None
    if not filters.problems and as_of is not None:
        bs = statements.balance_sheet(db, principal.org_id, as_of, store_id)
    return _page(
        request,
        principal,
        filters,
        "books_balance_sheet.html",
        "Balance sheet",
        as_of=as_of,
        bs=bs,
        scope=_store_label(filters, store_id),
        downloads=_downloads(principal, "balance-sheet", as_of=as_of, store_id=store_id),
    )


@router.get("/books/gst-liability")
def gst_liability_page(request: Request, db: Db, principal: Member) -> Response:
    filters = _open(request, db, principal)
    now = today()
    since, until = filters.span(now.replace(day=1), now)
    store_id = filters.store()
    gst = None
    if not filters.problems:
        gst = statements.gst_liability(db, principal.org_id, since, until, store_id)
    return _page(
        request,
        principal,
        filters,
        "books_gst_liability.html",
        "GST liability",
        since=since,
        until=until,
        gst=gst,
        percent=_percent,
        scope=_store_label(filters, store_id),
        downloads=_downloads(
            principal, "gst-liability", date_from=since, date_to=until, store_id=store_id
        ),
    )


def _percent(rate_bp: int) -> str:
    whole, part = divmod(rate_bp, 100)
    return f"{whole}%" if part == 0 else f"{whole}.{part:02d}".rstrip("0") + "%"


def last_month(day: date) -> returns.Month:
    """The month due for filing on ``day``: the one before."""
    return (
        returns.Month(day.year, day.month - 1) if day.month > 1 else returns.Month(day.year - 1, 12)
    )


@router.get("/books/returns")
def returns_page(request: Request, db: Db, principal: Member) -> Response:
    """GSTR-1 section totals of a month and the API's GSTR-1/GSTR-3B downloads."""
    filters = _open(request, db, principal)
    raw = filters.text("period")
    month = last_month(today())
    if raw and MONTH.match(raw) is None:
        filters.problems["period"] = "A month as YYYY-MM, e.g. 2026-11."
    elif raw:
        month = returns.Month.parse(raw)
    store_id = filters.store()
    period = f"{month.year:04d}-{month.month:02d}"
    refused: Problem | None = None
    refused_status = 200
    totals: dict[str, dict[str, int]] | None = None
    gstin = profile.read_profile(db, principal.org_code).gstin
    if filters.problems:
        pass  # the filters' own problems are shown
    elif gstin is None:  # not a bad request: the org has not registered yet
        refused = Problem(
            "The organisation has no GSTIN yet, so there is no return to file.",
            "An owner or admin fills in the GSTIN in the organisation's tax profile.",
            "GSTIN_MISSING",
        )
    else:
        try:
            document = returns.gstr1(db, principal.org_id, month, store_id=store_id)
        except SetLedgerError as err:
            refused, refused_status = problem_of(err), status_of(None, err)
        else:
            totals = returns.gstr1_totals(document)
    base = f"{API_PREFIX}/orgs/{quote(principal.org_code)}/gst"
    query = _query(period=period, store_id=store_id)
    return _page(
        request,
        principal,
        filters,
        "books_returns.html",
        "GST returns",
        refused,
        refused_status,
        period=period,
        gstin=gstin,
        totals=totals,
        section_names=SECTION_NAMES,
        scope=_store_label(filters, store_id),
        gstr1_json=f"{base}/gstr1?{query}",
        gstr3b_json=f"{base}/gstr3b?{query}",
        section_csvs=[
            (name, f"{base}/gstr1?{query}&format=csv&section={name}") for name in CSV_COLUMNS
        ],
    )
