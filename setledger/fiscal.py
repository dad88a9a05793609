"""Financial years (1 April to 31 March), business dates and invoice numbers.

Invoice numbers follow the IRP's rule (R2), stricter than the CGST rule:
at most 16 characters of letters, digits, ``/`` and ``-``, the first one a
letter or 1-9. Each box has its own series per financial year, so two
boxes of one GSTIN never issue the same number:

    <box prefix>/<FY as 2526>/<running number, at least 6 digits>

e.g. ``B1/2526/000042``. With a 4-character prefix that leaves room for
999,999 invoices a box a year; shorter prefixes leave more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from setledger import errors

IST = timezone(timedelta(hours=5, minutes=30), "IST")
"""India has one time zone and no daylight saving."""

INVOICE_NUMBER_RE = re.compile(r"^[a-zA-Z1-9][a-zA-Z0-9/-]{0,15}$")
BOX_PREFIX_RE = re.compile(r"^[A-Z1-9][A-Z0-9]{0,3}$")
MAX_INVOICE_NUMBER_LENGTH = 16
MIN_SERIAL_DIGITS = 6
DEBIT_NOTE_PREFIX = "DN"
"""The hub numbers its debit notes ``DN/<FY short>/<serial>`` per org, so no box
may take ``DN`` as its prefix."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    @property
    def label(self) -> str:
        """The label, e.g. 2025-26, as in GST returns and IRN computation."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def short(self) -> str:
        """The short form, e.g. 2526, as inside invoice numbers."""
        return f"{self.start_year % 100:02d}{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 3, 31)


def financial_year(day: date) -> FinancialYear:
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


def business_date(instant: datetime) -> date:
    """The calendar date in India of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("business_date needs an aware datetime")
    return instant.astimezone(IST).date()


def is_valid_invoice_number(number: str) -> bool:
    return INVOICE_NUMBER_RE.match(number) is not None


def check_box_prefix(prefix: str) -> None:
    if BOX_PREFIX_RE.match(prefix) is None:
        raise errors.INVOICE_PREFIX_INVALID.error(prefix=prefix)
    if prefix == DEBIT_NOTE_PREFIX:
        raise errors.INVOICE_PREFIX_RESERVED.error(prefix=prefix)


def parse_invoice_number(number: str) -> tuple[str, str, int]:
    """(box prefix, FY short form, serial) of a number made by :func:`invoice_number`."""
    prefix, year, serial = number.split("/")
    return prefix, year, int(serial)


def invoice_number(prefix: str, year: FinancialYear, serial: int) -> str:
    """The ``serial``-th invoice (from 1) of a box's series for ``year``."""
    check_box_prefix(prefix)
    if serial < 1:
        raise ValueError("invoice serials start at 1")
    number = f"{prefix}/{year.short}/{serial:0{MIN_SERIAL_DIGITS}d}"
    if len(number) > MAX_INVOICE_NUMBER_LENGTH:
        raise errors.INVOICE_SERIES_EXHAUSTED.error(number=number)
    return number
