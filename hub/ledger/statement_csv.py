"""The statements as CSV (stdlib ``csv``) or XLSX: amounts in rupees with two decimals.

Rupees are written from integer paise exactly (``setledger.money.rupees_text``),
so parsing a cell back with ``parse_rupees`` gives the paise of the JSON. The
XLSX sheet is the same table with money cells as two-place ``Decimal``
numbers made from that text (no float on the way).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook

from hub.ledger.reports import Balance, GeneralLedger
from hub.ledger.statements import BalanceSheet, DayBookEntry, GstLiability, ProfitAndLoss
from setledger.money import rupees_text


def _text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


MONEY_COLUMNS = frozenset(
    {
        "amount",
        "balance",
        "debit",
        "credit",
        "output",
        "reduced",
        "taxable",
        "cgst",
        "sgst_or_utgst",
        "igst",
        "cess",
    }
)


def xlsx_of(csv_text: str, title: str) -> bytes:
    """One sheet holding the CSV's table, money columns as numbers shown with 2 decimals."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    money = {n for n, name in enumerate(rows[0]) if name in MONEY_COLUMNS} if rows else set()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for number, row in enumerate(rows):
        sheet.append([Decimal(v) if number and n in money and v else v for n, v in enumerate(row)])
        for n in money:
            if number:
                sheet.cell(row=number + 1, column=n + 1).number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def general_ledger_csv(ledger: GeneralLedger) -> str:
    """Opening balance, a row per line with the running balance, closing balance."""
    rows: list[list[object]] = [
        ["", "", "opening balance", "", "", "", "", rupees_text(ledger.opening)]
    ]
    running = ledger.opening
    for row in ledger.rows:
        running += row.amount
        rows.append(
            [
                row.entry_date.isoformat(),
                row.seq,
                row.narration,
                row.source_type,
                row.store_id or "",
                rupees_text(row.amount) if row.amount > 0 else "",
                rupees_text(-row.amount) if row.amount < 0 else "",
                rupees_text(running),
            ]
        )
    rows.append(["", "", "closing balance", "", "", "", "", rupees_text(ledger.closing)])
    header = ["date", "seq", "narration", "source", "store_id", "debit", "credit", "balance"]
    return _text(header, rows)


def trial_balance_csv(balances: Sequence[Balance]) -> str:
    rows = ([b.code, b.name, b.kind, rupees_text(b.balance)] for b in balances)
    return _text(["code", "name", "kind", "balance"], rows)


def profit_and_loss_csv(pl: ProfitAndLoss) -> str:
    rows: list[list[object]] = []
    for section, lines in (("income", pl.income), ("expense", pl.expenses)):
        rows.extend([section, line.code, line.name, rupees_text(line.amount)] for line in lines)
    rows.append(["total", "", "total income", rupees_text(pl.total_income)])
    rows.append(["total", "", "total expenses", rupees_text(pl.total_expenses)])
    rows.append(["total", "", "net profit", rupees_text(pl.net_profit)])
    return _text(["section", "code", "name", "amount"], rows)


def balance_sheet_csv(bs: BalanceSheet) -> str:
    rows: list[list[object]] = []
    for section, lines in (
        ("asset", bs.assets),
        ("liability", bs.liabilities),
        ("equity", bs.equity),
    ):
        rows.extend([section, line.code, line.name, rupees_text(line.amount)] for line in lines)
    rows.append(["total", "", "total assets", rupees_text(bs.total_assets)])
    rows.append(["total", "", "total liabilities", rupees_text(bs.total_liabilities)])
    rows.append(["total", "", "total equity", rupees_text(bs.total_equity)])
    return _text(["section", "code", "name", "amount"], rows)


def day_book_csv(entries: Sequence[DayBookEntry]) -> str:
    rows = (
        [
            entry.seq,
            entry.entry_date.isoformat(),
            entry.source_type,
            str(entry.source_id),
            entry.narration,
            line.line_no,
            line.code,
            line.name,
            rupees_text(line.amount) if line.amount > 0 else "",
            rupees_text(-line.amount) if line.amount < 0 else "",
        ]
        for entry in entries
        for line in entry.lines
    )
    header = ["seq", "date", "source_type", "source_id", "narration", "line", "code", "name"]
    return _text([*header, "debit", "credit"], rows)


def gst_liability_csv(gst: GstLiability) -> str:
    rows: list[list[object]] = [
        [
            "head",
            h.head,
            h.code,
            rupees_text(h.output),
            rupees_text(h.reduced),
            rupees_text(h.payable),
        ]
        for h in gst.by_head
    ]
    rows.extend(
        [
            "rate",
            _percent(r.rate_bp),
            "",
            "",
            "",
            rupees_text(r.tax),
            rupees_text(r.taxable),
            rupees_text(r.cgst),
            rupees_text(r.sgst),
            rupees_text(r.igst),
            rupees_text(r.cess),
        ]
        for r in gst.by_rate
    )
    rows.append(["total", "payable", "", "", "", rupees_text(gst.total_payable)])
    return _text(
        [
            "kind",
            "head_or_rate",
            "code",
            "output",
            "reduced",
            "amount",
            "taxable",
            "cgst",
            "sgst_or_utgst",
            "igst",
            "cess",
        ],
        rows,
    )


def _percent(rate_bp: int) -> str:
    whole, part = divmod(rate_bp, 100)
    return f"{whole}%" if part == 0 else f"{whole}.{part:02d}".rstrip("0") + "%"
