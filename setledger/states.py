"""GST state codes (RULES.md R8) and which of them collect UTGST.

Union territories without a legislature levy UTGST in place of SGST; the
amount sits in the same column (e-invoice ``SgstAmt``), only the head's
name on documents changes.
"""

from __future__ import annotations

from enum import StrEnum


class StateKind(StrEnum):
    STATE = "state"
    UT_WITH_LEGISLATURE = "ut_with_legislature"
    UT_WITHOUT_LEGISLATURE = "ut_without_legislature"
    FOREIGN = "foreign"
    OTHER_TERRITORY = "other_territory"
    LEGACY = "legacy"


_S = StateKind.STATE
_UL = StateKind.UT_WITH_LEGISLATURE
_UT = StateKind.UT_WITHOUT_LEGISLATURE

STATES: dict[str, tuple[str, StateKind]] = {
    "01": ("Jammu and Kashmir", _UL),
    "02": ("Himachal Pradesh", _S),
    "03": ("Punjab", _S),
    "04": ("Chandigarh", _UT),
    "05": ("Uttarakhand", _S),
    "06": ("Haryana", _S),
    "07": ("Delhi", _UL),
    "08": ("Rajasthan", _S),
    "09": ("Uttar Pradesh", _S),
    "10": ("Bihar", _S),
    "11": ("Sikkim", _S),
    "12": ("Arunachal Pradesh", _S),
    "13": ("Nagaland", _S),
    "14": ("Manipur", _S),
    "15": ("Mizoram", _S),
    "16": ("Tripura", _S),
    "17": ("Meghalaya", _S),
    "18": ("Assam", _S),
    "19": ("West Bengal", _S),
    "20": ("Jharkhand", _S),
    "21": ("Odisha", _S),
    "22": ("Chhattisgarh", _S),
    "23": ("Madhya Pradesh", _S),
    "24": ("Gujarat", _S),
    "26": ("Dadra and Nagar Haveli and Daman and Diu", _UT),
    "27": ("Maharashtra", _S),
    "29": ("Karnataka", _S),
    "30": ("Goa", _S),
    "31": ("Lakshadweep Islands", _UT),
    "32": ("Kerala", _S),
    "33": ("Tamil Nadu", _S),
    "34": ("Puducherry", _UL),
    "35": ("Andaman and Nicobar Islands", _UT),
    "36": ("Telangana", _S),
    "37": ("Andhra Pradesh", _S),
    "38": ("Ladakh", _UT),
    "96": ("Other Countries", StateKind.FOREIGN),
    "97": ("Other Territory", StateKind.OTHER_TERRITORY),
    "25": ("Daman and Diu", StateKind.LEGACY),
    "28": ("Andhra Pradesh (old)", StateKind.LEGACY),
}

EXPORT_PLACE_OF_SUPPLY = "96"


def is_state_code(code: str) -> bool:
    """A code a current document may carry (legacy 25 and 28 are refused)."""
    entry = STATES.get(code)
    return entry is not None and entry[1] is not StateKind.LEGACY


def is_domestic(code: str) -> bool:
    entry = STATES.get(code)
    return entry is not None and entry[1] not in (StateKind.FOREIGN, StateKind.LEGACY)


def state_tax_head(code: str) -> str:
    """The state head: UTGST in UTs without a legislature, else SGST."""
    entry = STATES.get(code)
    if entry is not None and entry[1] is StateKind.UT_WITHOUT_LEGISLATURE:
        return "UTGST"
    return "SGST"


def state_name(code: str) -> str:
    entry = STATES.get(code)
    if entry is None:
        raise KeyError(f"unknown GST state code {code!r}")
    return entry[0]
