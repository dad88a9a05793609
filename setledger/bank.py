"""Bank statements: reading a bank's CSV export, and matching its lines to the books.

Pure, no I/O. A statement line's amount is signed integer paise as the
bank sees the account: money in (a deposit, a settlement) is positive,
money out negative, the same sign as the bank account's journal line
that books it.

Reading (:func:`read_statement`): the header row is found by name (rows
before it, the bank's letterhead and account details, are skipped) and
matched to a :class:`ColumnMapping`: a built-in preset for the common
Indian layouts (HDFC, ICICI, SBI, Axis) or one the org saved. Amounts are
parsed exactly (``1,23,456.78`` → 12345678 paise, never through float).
All or nothing: one bad row and :data:`BANK_STATEMENT_INVALID` names every
bad row (line, column, reason).

Matching (:func:`suggest`): a statement line is matched to open journal
lines on a clearing account (UPI, card, receivables, a store's cash) or to
money already booked to the bank (a payment recorded by hand), with the
same amount: one line, or all of one account's lines of a day (a day of
UPI sales settled as one credit). Candidates must be dated within a window
before the statement line (default 0 to 3 days); the score rises for a
shorter wait, a reference (UTR, invoice number) found in the narration
and a narration that names the channel (UPI, POS, cash deposit).
"""

from __future__ import annotations

import csv
import hashlib
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from setledger import chart
from setledger.errors import ErrorKind, ErrorSpec
from setledger.money import Paise, parse_rupees

# Errors --------------------------------------------------------------------

BANK_STATEMENT_INVALID = ErrorSpec(
    "BANK_STATEMENT_INVALID",
    ErrorKind.INVALID,
    "The statement has {problem_total} bad row(s); nothing was imported.",
    "Correct the rows listed in details.problems (line, column, reason), or choose the "
    "column mapping that fits this bank's layout, and upload the whole file again.",
)
BANK_STATEMENT_UNRECOGNISED = ErrorSpec(
    "BANK_STATEMENT_UNRECOGNISED",
    ErrorKind.INVALID,
    "No header row of the file matches a known bank layout or the mapping {mapping}.",
    "Export the statement as CSV from net banking, or save a column mapping naming this "
    "file's date, narration, reference, debit/credit (or amount) and balance columns.",
)
BANK_MAPPING_INVALID = ErrorSpec(
    "BANK_MAPPING_INVALID",
    ErrorKind.INVALID,
    "The column mapping is incomplete: {reason}.",
    "Name a date column, a narration column, and either a signed amount column or both "
    "debit and credit columns.",
)
BANK_MAPPING_NOT_FOUND = ErrorSpec(
    "BANK_MAPPING_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No column mapping named {name}.",
    "List the mappings (built-in presets and the ones saved) and use one of their names.",
)
BANK_ACCOUNT_NOT_FOUND = ErrorSpec(
    "BANK_ACCOUNT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No bank account {account_id} in this organisation.",
    "List the organisation's bank accounts and use one of their ids.",
)
BANK_LINE_NOT_FOUND = ErrorSpec(
    "BANK_LINE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No statement line {line_id} in this organisation.",
    "List a bank account's statement lines and use one of their ids.",
)
BANK_LINE_RECONCILED = ErrorSpec(
    "BANK_LINE_RECONCILED",
    ErrorKind.CONFLICT,
    "Statement line {line_id} is already reconciled.",
    "Undo its reconciliation first if it was matched wrongly.",
)
BANK_LINE_NOT_RECONCILED = ErrorSpec(
    "BANK_LINE_NOT_RECONCILED",
    ErrorKind.CONFLICT,
    "Statement line {line_id} is not reconciled; there is nothing to undo.",
    "Reconcile it first, or undo a line that is reconciled.",
)
BANK_MATCH_INVALID = ErrorSpec(
    "BANK_MATCH_INVALID",
    ErrorKind.INVALID,
    "The journal lines chosen do not clear statement line {line_id}: {reason}.",
    "Accept one of the line's suggestions as offered, or post the line directly to an account.",
)

PAYMENT_ID_REUSED = ErrorSpec(
    "PAYMENT_ID_REUSED",
    ErrorKind.CONFLICT,
    "Payment {payment_id} was already recorded with a different amount or account.",
    "Send a new payment id for a new payment; resend the same body to retry one.",
)

ERRORS: tuple[ErrorSpec, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, ErrorSpec)
)
"""The bank's errors (kept here, next to the rules that raise them)."""

# Reading a statement ---------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which header names a layout uses. Either ``amount`` or ``debit`` and ``credit``."""

    name: str
    date: tuple[str, ...]
    description: tuple[str, ...]
    reference: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    amount: tuple[str, ...] = ()
    """One signed column: negative (or suffixed ``Dr``) is money out."""
    balance: tuple[str, ...] = ()
    value_date: tuple[str, ...] = ()

    def check(self) -> ColumnMapping:
        reason = ""
        if not self.date or not self.description:
            reason = "a date and a narration column are required"
        elif not self.amount and not (self.debit and self.credit):
            reason = "an amount column, or both debit and credit columns, are required"
        elif self.amount and (self.debit or self.credit):
            reason = "give an amount column or debit and credit columns, not both"
        elif not re.fullmatch(r"[A-Za-z0-9 _.-]{1,64}", self.name):
            reason = "the name must be 1-64 letters, digits, spaces, '.', '_' or '-'"
        if reason:
            raise BANK_MAPPING_INVALID.error(reason=reason, name=self.name)
        return self

    def as_dict(self) -> dict[str, list[str]]:
        return {
            key: list(getattr(self, key))
            for key in (
                "date",
                "description",
                "reference",
                "debit",
                "credit",
                "amount",
                "balance",
                "value_date",
            )
        }

    @classmethod
    def of(cls, name: str, columns: dict[str, Sequence[str]]) -> ColumnMapping:
        def names(key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in columns.get(key, ()) if str(v).strip())

        return cls(
            name=name,
            date=names("date"),
            description=names("description"),
            reference=names("reference"),
            debit=names("debit"),
            credit=names("credit"),
            amount=names("amount"),
            balance=names("balance"),
            value_date=names("value_date"),
        ).check()


PRESETS: tuple[ColumnMapping, ...] = (
    ColumnMapping(
        name="HDFC",
        date=("Date",),
        description=("Narration",),
        reference=("Chq./Ref.No.", "Chq/Ref Number"),
        value_date=("Value Dt", "Value Date"),
        debit=("Withdrawal Amt.", "Withdrawal Amount"),
        credit=("Deposit Amt.", "Deposit Amount"),
        balance=("Closing Balance",),
    ),
    ColumnMapping(
        name="ICICI",
        date=("Transaction Date", "Txn Date"),
        description=("Transaction Remarks", "Remarks"),
        reference=("Cheque Number", "Cheque. No./Ref. No.", "Chq No"),
        value_date=("Value Date",),
        debit=("Withdrawal Amount (INR )", "Withdrawal Amt (INR)", "Withdrawal Amount (INR)"),
        credit=("Deposit Amount (INR )", "Deposit Amt (INR)", "Deposit Amount (INR)"),
        balance=("Balance (INR )", "Balance (INR)"),
    ),
    ColumnMapping(
        name="SBI",
        date=("Txn Date",),
        description=("Description",),
        reference=("Ref No./Cheque No.", "Ref No/Cheque No"),
        value_date=("Value Date",),
        debit=("Debit",),
        credit=("Credit",),
        balance=("Balance",),
    ),
    ColumnMapping(
        name="Axis",
        date=("Tran Date", "Transaction Date"),
        description=("PARTICULARS", "Particulars"),
        reference=("CHQNO", "Chq No"),
        value_date=("Value Date",),
        debit=("DR", "Debit"),
        credit=("CR", "Credit"),
        balance=("BAL", "Balance"),
    ),
)
PRESET_NAMES = frozenset(p.name for p in PRESETS)


@dataclass(frozen=True)
class StatementLine:
    row_no: int
    """The line of the file (from 1), for people comparing with the bank's export."""
    txn_date: date
    description: str
    reference: str
    amount: Paise
    """Money in positive, money out negative; never zero."""
    balance: Paise | None = None
    value_date: date | None = None


@dataclass(frozen=True)
class Statement:
    mapping: str
    lines: tuple[StatementLine, ...]
    sha256: str


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


_MONTHS = {
    m: n
    for n, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DATE = re.compile(r"^(\d{1,2})[/\-. ]([A-Za-z]{3}|\d{1,2})[/\-. ](\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str) -> date:
    """dd/mm/yy, dd/mm/yyyy, dd-mm-yyyy, dd-Mon-yyyy, dd Mon yy, or ISO yyyy-mm-dd."""
    value = text.strip()
    iso = _ISO_DATE.match(value)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    found = _DATE.match(value)
    if found is None:
        raise ValueError(f"not a date (dd/mm/yy, dd/mm/yyyy or dd-Mon-yyyy): {text!r}")
    day, month_text, year_text = found.groups()
    month = _MONTHS.get(month_text.lower()) if month_text.isalpha() else int(month_text)
    if month is None:
        raise ValueError(f"not a month: {month_text!r}")
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    return date(year, month, int(day))  # raises ValueError for 31/02


def parse_amount(text: str) -> Paise:
    """An amount in rupees to exact paise: ``1,23,456.78``, ``-12.5``, ``1,000.00 Dr``."""
    value = text.strip()
    sign = 1
    suffix = value[-2:].lower()
    if suffix in {"cr", "dr"}:
        sign = -1 if suffix == "dr" else 1
        value = value[:-2].strip()
    return sign * parse_rupees(value)


def _blank(cell: str) -> bool:
    return cell.strip().strip("*-=_ ") == ""


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")  # every byte decodes; a bad row then names itself


def _find(header: dict[str, int], names: Iterable[str]) -> int | None:
    for name in names:
        index = header.get(_norm(name))
        if index is not None:
            return index
    return None


@dataclass(frozen=True)
class _Layout:
    mapping: ColumnMapping
    header_row: int
    columns: dict[str, int | None]
    labels: dict[str, str] = field(default_factory=dict)


def _layout(rows: list[list[str]], mappings: Sequence[ColumnMapping]) -> _Layout | None:
    """The first row (of the first 30) that is the header of one of the mappings."""
    keys = ("date", "description", "reference", "debit", "credit", "amount", "balance")
    for number, row in enumerate(rows[:30]):
        header = {_norm(cell): i for i, cell in reversed(list(enumerate(row))) if cell.strip()}
        for mapping in mappings:
            columns = {key: _find(header, getattr(mapping, key)) for key in keys}
            columns["value_date"] = _find(header, mapping.value_date)
            amounts = (
                columns["amount"] is not None
                if mapping.amount
                else columns["debit"] is not None and columns["credit"] is not None
            )
            if columns["date"] is not None and columns["description"] is not None and amounts:
                labels = {k: row[i].strip() for k, i in columns.items() if i is not None}
                return _Layout(mapping, number, columns, labels)
    return None


def read_statement(content: bytes, mappings: Sequence[ColumnMapping]) -> Statement:
    """The lines of a CSV statement, read with the first mapping whose header is found."""
    text = _decode(content)
    rows = [list(row) for row in csv.reader(text.splitlines(keepends=True))]
    layout = _layout(rows, mappings)
    if layout is None:
        names = ", ".join(m.name for m in mappings)
        raise BANK_STATEMENT_UNRECOGNISED.error(mapping=names)
    problems: list[Problem] = []
    lines: list[StatementLine] = []
    for index in range(layout.header_row + 1, len(rows)):
        row = rows[index]
        if all(_blank(cell) for cell in row):
            continue
        line, found = _read_row(index + 1, row, layout)
        problems.extend(found)
        if line is not None and not found:
            lines.append(line)
    if problems:
        raise BANK_STATEMENT_INVALID.error(
            problem_total=len(problems),
            problems=[p.__dict__ for p in problems[:1000]],
            mapping=layout.mapping.name,
        )
    if not lines:
        raise BANK_STATEMENT_INVALID.error(
            problem_total=1,
            problems=[{"line": layout.header_row + 1, "column": "", "reason": "no rows"}],
            mapping=layout.mapping.name,
        )
    return Statement(layout.mapping.name, tuple(lines), hashlib.sha256(content).hexdigest())


def _read_row(
    line_no: int, row: list[str], layout: _Layout
) -> tuple[StatementLine | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(key: str) -> str:
        index = layout.columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def parsed(key: str, parse: type[date] | type[int], required: bool) -> object:
        value = cell(key)
        label = layout.labels.get(key, key)
        if not value:
            if required:
                problems.append(Problem(line_no, label, "empty"))
            return None
        try:
            return parse_date(value) if parse is date else parse_amount(value)
        except ValueError as err:
            problems.append(Problem(line_no, label, str(err)))
            return None

    txn_date = parsed("date", date, True)
    value_date = parsed("value_date", date, False)
    balance = parsed("balance", int, False)
    amount: int | None
    if layout.mapping.amount:
        amount = parsed("amount", int, True)  # type: ignore[assignment]
    else:
        debit = parsed("debit", int, False) or 0
        credit = parsed("credit", int, False) or 0
        assert isinstance(debit, int)
        assert isinstance(credit, int)
        amount = None
        if debit and credit:
            label = f"{layout.labels['debit']}/{layout.labels['credit']}"
            problems.append(Problem(line_no, label, "both a debit and a credit"))
        elif debit < 0 or credit < 0:
            label = layout.labels["debit" if debit < 0 else "credit"]
            problems.append(Problem(line_no, label, "negative; debits and credits are sizes"))
        elif not problems:
            amount = credit - debit
    if amount == 0 and not problems:
        label = layout.labels.get("amount") or layout.labels.get("credit", "amount")
        problems.append(Problem(line_no, label, "no amount"))
    description = cell("description")
    if not description:
        problems.append(Problem(line_no, layout.labels["description"], "empty"))
    if problems:
        return None, problems
    assert isinstance(txn_date, date)
    assert isinstance(amount, int)
    return (
        StatementLine(
            row_no=line_no,
            txn_date=txn_date,
            description=description[:300],
            reference="" if _blank(cell("reference")) else cell("reference")[:64],
            amount=amount,
            balance=balance if isinstance(balance, int) else None,
            value_date=value_date if isinstance(value_date, date) else None,
        ),
        [],
    )


def dedupe_keys(lines: Sequence[StatementLine]) -> list[str]:
    """A key per line that another export of the same bank lines repeats.

    Date, amount, reference and running balance, plus the line's number
    among identical ones in this file, so two genuine identical lines of a
    day (two ₹100 UPI credits, no reference, no balance) stay two lines.
    """
    seen: Counter[tuple[str, ...]] = Counter()
    keys: list[str] = []
    for line in lines:
        base = (
            line.txn_date.isoformat(),
            str(line.amount),
            _norm(line.reference),
            "" if line.balance is None else str(line.balance),
        )
        seen[base] += 1
        text = "|".join((*base, str(seen[base])))
        keys.append(hashlib.sha256(text.encode()).hexdigest())
    return keys


# Matching --------------------------------------------------------------------

CLEARING = frozenset({chart.UPI_CLEARING, chart.CARD_CLEARING, chart.RECEIVABLES})
DEFAULT_WINDOW = (0, 3)
"""Candidates dated 0 to 3 days before the statement line (a T+1 settlement is 1)."""


def clears(account: str) -> bool:
    """Whether money landing in the bank may clear this account."""
    return account in CLEARING or account.startswith(chart.CASH_PREFIX + "-")


@dataclass(frozen=True)
class Candidate:
    """An open journal line that money in the bank may clear (or has booked)."""

    entry_id: uuid.UUID
    line_no: int
    account: str
    entry_date: date
    amount: Paise
    references: frozenset[str] = frozenset()
    """Tokens that identify it: invoice number, UTR, payment reference (normalised)."""


@dataclass(frozen=True)
class Suggestion:
    account: str
    lines: tuple[Candidate, ...]
    score: int
    reasons: tuple[str, ...]

    @property
    def amount(self) -> Paise:
        return sum(c.amount for c in self.lines)


def tokens(text: str) -> frozenset[str]:
    """Reference-like words of a narration: 6+ letters/digits with a digit (UTRs, invoices)."""
    found = set()
    for word in re.split(r"[\s,;:|()]+", text.upper()):
        compact = re.sub(r"[^A-Z0-9]", "", word)
        if len(compact) >= 6 and any(ch.isdigit() for ch in compact):
            found.add(compact)
    return frozenset(found)


_CHANNELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (chart.UPI_CLEARING, ("UPI",)),
    (chart.CARD_CLEARING, ("POS", "CARD", "MERCHANT", "MDR")),
    (chart.CASH_PREFIX, ("CASH DEP", "BY CASH", "CSH DEP", "CASH DEPOSIT")),
    (chart.RECEIVABLES, ("NEFT", "RTGS", "IMPS")),
)


def _channel_hint(account: str, narration: str) -> str | None:
    upper = narration.upper()
    for code, words in _CHANNELS:
        if account == code or (code == chart.CASH_PREFIX and account.startswith(code + "-")):
            for word in words:
                if word in upper:
                    return word
    return None


def _days(n: int) -> str:
    return "same day" if n == 0 else f"{n} day{'s' if n > 1 else ''} later"


def suggest(
    line: StatementLine,
    candidates: Sequence[Candidate],
    window: tuple[int, int] = DEFAULT_WINDOW,
    limit: int = 5,
) -> list[Suggestion]:
    """Ranked ways to clear ``line``: one candidate, or a day's candidates of one account."""
    narration = f"{line.description} {line.reference}"
    words = tokens(narration)
    upper = re.sub(r"[^A-Z0-9]", "", narration.upper())
    low, high = window
    usable = [
        c
        for c in candidates
        if low <= (line.txn_date - c.entry_date).days <= high
        and (c.amount > 0) == (line.amount > 0)
    ]
    options: list[tuple[Candidate, ...]] = [(c,) for c in usable if c.amount == line.amount]
    days: dict[tuple[str, date], list[Candidate]] = defaultdict(list)
    for c in usable:
        days[(c.account, c.entry_date)].append(c)
    for group in days.values():
        if len(group) > 1 and sum(c.amount for c in group) == line.amount:
            options.append(tuple(sorted(group, key=lambda c: (c.entry_id, c.line_no))))
    found: list[Suggestion] = []
    for option in options:
        first = option[0]
        wait = (line.txn_date - first.entry_date).days
        reasons = ["amount equal" if len(option) == 1 else f"sum of {len(option)} lines equal"]
        score = 50 + (10 if len(option) == 1 else 5)
        score += 30 - 5 * wait
        reasons.append(_days(wait))
        matched = sorted(
            {r for c in option for r in c.references if r in words or (len(r) >= 8 and r in upper)}
        )
        if matched:
            score += 40
            reasons.append(f"reference matches ({', '.join(matched[:3])})")
        hint = _channel_hint(first.account, narration)
        if hint:
            score += 20
            reasons.append(f"narration says {hint}")
        if first.account == chart.BANK:
            reasons.append("already booked to the bank: matching posts nothing")
        found.append(Suggestion(first.account, option, score, tuple(reasons)))
    found.sort(key=lambda s: (-s.score, s.account, [(c.entry_id, c.line_no) for c in s.lines]))
    return found[:limit]
