"""GSTIN format and check character (RULES.md R12, R13)."""

from __future__ import annotations

import re

from setledger.states import is_state_code

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# State code, PAN (5 letters, 4 digits, 1 letter), entity number, Z, check.
_NORMAL_RE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
# The e-invoice schema's looser shape: NIC sandbox GSTINs such as
# 01AMBPG7773M002 have neither the entity character nor the Z (R13).
_SANDBOX_RE = re.compile(r"^[0-9]{2}[0-9A-Z]{13}$")


def check_character(first14: str) -> str:
    """The mod-36 check character over the first 14 characters."""
    total = 0
    for i, char in enumerate(first14.upper()):
        product = (1 if i % 2 == 0 else 2) * _ALPHABET.index(char)
        total += product // 36 + product % 36
    return _ALPHABET[(36 - total % 36) % 36]


def normalise(gstin: str) -> str:
    return gstin.strip().upper()


def is_valid_gstin(gstin: str, *, sandbox: bool = False) -> bool:
    """Format, state code and check character of a normal taxpayer's GSTIN.

    ``sandbox=True`` skips the check character and accepts the schema's
    looser shape: the NIC sandbox issues GSTINs that fail both (R13) and
    its IRP accepts them anyway.
    """
    value = normalise(gstin)
    if not is_state_code(value[:2]):
        return False
    if sandbox:
        return _SANDBOX_RE.match(value) is not None
    return _NORMAL_RE.match(value) is not None and check_character(value[:14]) == value[14]


def state_of(gstin: str) -> str:
    """The state code a GSTIN is registered in (its first two digits)."""
    return normalise(gstin)[:2]
