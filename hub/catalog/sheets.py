"""Spreadsheet files as rows of text cells: CSV (UTF-8, BOM or not, Excel
quoting) and XLSX (openpyxl, read-only: rows stream instead of loading the
whole workbook's object tree).

Rows are numbered as a spreadsheet shows them: the header is line 1, a
blank row still takes its number, a CSV record with a quoted line break is
one line. Numbers that XLSX stores as floats are turned into text with
Python's shortest repr (what the user typed, e.g. 28.5), never through
arithmetic, and the template's parsers then read that text as Decimal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from openpyxl import Workbook, load_workbook

MAX_CELL = 2_000
"""Longer cells are cut (any real field is far shorter; the check then fails)."""


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class UnreadableFile(Exception):
    """The file is not a CSV or XLSX this reader can open."""


XLSX_MAGIC = b"PK\x03\x04"
MEDIA_TYPES = {
    SheetFormat.CSV: "text/csv; charset=utf-8",
    SheetFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff(data: bytes, filename: str | None) -> SheetFormat:
    """XLSX is a zip file; anything else is read as CSV."""
    if data.startswith(XLSX_MAGIC) or (filename or "").lower().endswith(".xlsx"):
        return SheetFormat.XLSX
    return SheetFormat.CSV


def read_rows(data: bytes, sheet_format: SheetFormat) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for every row of the file, the header included."""
    if sheet_format is SheetFormat.XLSX:
        return _xlsx_rows(data)
    return _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableFile(
            f"the file is not UTF-8 text (byte {err.start}); save it as 'CSV UTF-8' or XLSX"
        ) from None
    if "\x00" in content:
        raise UnreadableFile("the file holds binary data; upload a CSV (UTF-8) or XLSX file")
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    line = 0
    try:
        for record in reader:
            # line_num counts physical lines; a record spans from the last one.
            line += 1
            yield line, [c[:MAX_CELL] for c in record]
            line = max(line, reader.line_num)
    except csv.Error as err:
        raise UnreadableFile(f"line {reader.line_num}: {err}") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"the XLSX file cannot be opened ({type(err).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(v)[:MAX_CELL] for v in row]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """An XLSX cell's value as the text it shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as this float: 28.5, not
        # 28.499999999999999; an integral float shows without ".0".
        number = Decimal(repr(value))
        return str(int(number)) if number == number.to_integral_value() else format(number, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# Writing ---------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The CSV file in pieces (UTF-8 with a BOM, so Excel reads ₹ and Hindi right)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield b"\xef\xbb\xbf" + str(writer.writerow(list(header))).encode("utf-8")
    chunk: list[str] = []
    for row in rows:
        chunk.append(str(writer.writerow(row)))
        if len(chunk) >= 500:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def xlsx_bytes(header: Iterable[str], rows: Iterable[list[Any]]) -> bytes:
    """An XLSX workbook of one sheet (write-only: rows are not kept as objects)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("catalog")
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
