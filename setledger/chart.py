"""The Indian chart of accounts template, as data.

Every org gets the template accounts on its first posting. Two families
are made on demand, with codes derived from what they hold:

- cash in hand per store: ``1100-<store code>`` ("Cash in hand, <store>");
- sales per GST rate: ``4000-<rate in basis points, 4 digits>``
  (``4000-0500`` is "Sales @ 5%"), so the P&L already reads as the
  return's rate table.

Codes are stable identifiers (journal lines refer to them); names are for
people. Account names follow Odoo's l10n_in and India Compliance
(``../shared/reference/gst``): output tax is a liability, input tax an
asset, one account per head (CGST, SGST, UTGST, IGST, cess).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from setledger import errors


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    kind: AccountKind


A, L, Q, IN, X = (
    AccountKind.ASSET,
    AccountKind.LIABILITY,
    AccountKind.EQUITY,
    AccountKind.INCOME,
    AccountKind.EXPENSE,
)

CASH_PREFIX = "1100"
UPI_CLEARING = "1150"
CARD_CLEARING = "1160"
BANK = "1200"
RECEIVABLES = "1300"
INVENTORY = "1400"
INPUT_CGST, INPUT_SGST, INPUT_UTGST, INPUT_IGST, INPUT_CESS = (
    "1510",
    "1511",
    "1512",
    "1513",
    "1514",
)
PAYABLES = "2100"
GOODS_RECEIVED_NOT_INVOICED = "2150"
"""Goods in stock whose supplier's bill is not booked yet (cleared by the bill)."""
OUTPUT_CGST, OUTPUT_SGST, OUTPUT_UTGST, OUTPUT_IGST, OUTPUT_CESS = (
    "2210",
    "2211",
    "2212",
    "2213",
    "2214",
)
CAPITAL = "3000"
RETAINED_EARNINGS = "3100"
SALES_PREFIX = "4000"
SALES_RETURNS = "4100"
CASH_OVER = "4900"
ROUND_OFF = "4950"
COGS = "5000"
STOCK_ADJUSTMENTS = "5100"
CASH_SHORT = "5900"

OUTPUT_TAX: tuple[str, ...] = (OUTPUT_CGST, OUTPUT_SGST, OUTPUT_UTGST, OUTPUT_IGST, OUTPUT_CESS)
INPUT_TAX: tuple[str, ...] = (INPUT_CGST, INPUT_SGST, INPUT_UTGST, INPUT_IGST, INPUT_CESS)

TEMPLATE: tuple[Account, ...] = (
    Account(UPI_CLEARING, "UPI clearing", A),
    Account(CARD_CLEARING, "Card clearing", A),
    Account(BANK, "Bank", A),
    Account(RECEIVABLES, "Trade receivables", A),
    Account(INVENTORY, "Inventory", A),
    Account(INPUT_CGST, "Input tax CGST", A),
    Account(INPUT_SGST, "Input tax SGST", A),
    Account(INPUT_UTGST, "Input tax UTGST", A),
    Account(INPUT_IGST, "Input tax IGST", A),
    Account(INPUT_CESS, "Input tax cess", A),
    Account(PAYABLES, "Trade payables", L),
    Account(GOODS_RECEIVED_NOT_INVOICED, "Goods received, not invoiced", L),
    Account(OUTPUT_CGST, "Output tax CGST", L),
    Account(OUTPUT_SGST, "Output tax SGST", L),
    Account(OUTPUT_UTGST, "Output tax UTGST", L),
    Account(OUTPUT_IGST, "Output tax IGST", L),
    Account(OUTPUT_CESS, "Output tax cess", L),
    Account(CAPITAL, "Owner's capital", Q),
    Account(RETAINED_EARNINGS, "Retained earnings", Q),
    Account(SALES_RETURNS, "Sales returns", IN),
    Account(CASH_OVER, "Cash over", IN),
    Account(ROUND_OFF, "Round off", IN),
    Account(COGS, "Cost of goods sold", X),
    Account(STOCK_ADJUSTMENTS, "Stock adjustments", X),
    Account(CASH_SHORT, "Cash short", X),
)
"""Income and expense accounts hold either sign: round-off and returns are
contra amounts, shown where an accountant looks for them."""

_TEMPLATE_BY_CODE = {account.code: account for account in TEMPLATE}
_STORE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,24}$")


def cash_account(store_code: str) -> str:
    if not _STORE_CODE.match(store_code):
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=f"{CASH_PREFIX}-{store_code}")
    return f"{CASH_PREFIX}-{store_code}"


def sales_account(rate_bp: int) -> str:
    if not 0 <= rate_bp <= 9999:
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=f"{SALES_PREFIX}-{rate_bp}")
    return f"{SALES_PREFIX}-{rate_bp:04d}"


RATED: tuple[str, ...] = (*OUTPUT_TAX, SALES_RETURNS)
"""Accounts kept per GST rate (``2210-1800``: output CGST on 18% supplies),
like the ``Sales @ rate`` family: GSTR-3B and the liability report ask for
tax and returns per rate, and the journal is where they are read from."""


def rated_account(parent: str, rate_bp: int) -> str:
    """``parent`` at the supply's GST rate (the whole rate, not the head's half)."""
    if parent not in RATED or not 0 <= rate_bp <= 9999:
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=f"{parent}-{rate_bp}")
    return f"{parent}-{rate_bp:04d}"


def parent_of(code: str) -> str:
    """The template account a derived code belongs to (``2210-1800`` → ``2210``)."""
    return code.partition("-")[0]


def rate_of(code: str) -> int | None:
    """The GST rate a rated or sales account is kept for, in basis points."""
    prefix, _, rest = code.partition("-")
    if (prefix in RATED or prefix == SALES_PREFIX) and len(rest) == 4 and rest.isdigit():
        return int(rest)
    return None


def _percent(rate_bp: int) -> str:
    whole, part = divmod(rate_bp, 100)
    return f"{whole}%" if part == 0 else f"{whole}.{part:02d}".rstrip("0") + "%"


@cache
def account(code: str) -> Account:
    """The account a code names: from the template or a derived family.

    Cached: posting checks every line's code, and an org uses a few dozen.
    Unknown codes raise, and a raise is not cached."""
    if code in _TEMPLATE_BY_CODE:
        return _TEMPLATE_BY_CODE[code]
    prefix, _, rest = code.partition("-")
    if prefix == CASH_PREFIX and _STORE_CODE.match(rest):
        return Account(code, f"Cash in hand, {rest}", A)
    if prefix == SALES_PREFIX and len(rest) == 4 and rest.isdigit():
        return Account(code, f"Sales @ {_percent(int(rest))}", IN)
    if prefix in RATED and len(rest) == 4 and rest.isdigit():
        parent = _TEMPLATE_BY_CODE[prefix]
        return Account(code, f"{parent.name} @ {_percent(int(rest))}", parent.kind)
    raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=code)
