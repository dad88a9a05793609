"""Linux input event codes a barcode scanner sends, and the layouts that map them to text.

The numbers are the kernel's ABI (``linux/input-event-codes.h``), kept here
so the decoder needs no evdev import (a test checks them against
``evdev.ecodes``). A USB HID scanner sends HID usage codes, which the
kernel reports as the same ``KEY_*`` codes whatever keyboard layout the
operating system uses; what the codes *mean* depends on the layout the
scanner itself was programmed for, so that layout is a setting here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

EV_SYN = 0
EV_KEY = 1
EV_MSC = 4
SYN_REPORT = 0
MSC_SCAN = 4

KEY_ESC = 1
KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0 = range(2, 12)
KEY_MINUS = 12
KEY_EQUAL = 13
KEY_BACKSPACE = 14
KEY_TAB = 15
KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P = range(16, 26)
KEY_LEFTBRACE = 26
KEY_RIGHTBRACE = 27
KEY_ENTER = 28
KEY_LEFTCTRL = 29
KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L = range(30, 39)
KEY_SEMICOLON = 39
KEY_APOSTROPHE = 40
KEY_GRAVE = 41
KEY_LEFTSHIFT = 42
KEY_BACKSLASH = 43
KEY_Z, KEY_X, KEY_C, KEY_V, KEY_B, KEY_N, KEY_M = range(44, 51)
KEY_COMMA = 51
KEY_DOT = 52
KEY_SLASH = 53
KEY_RIGHTSHIFT = 54
KEY_KPASTERISK = 55
KEY_LEFTALT = 56
KEY_SPACE = 57
KEY_CAPSLOCK = 58
KEY_KP7, KEY_KP8, KEY_KP9 = 71, 72, 73
KEY_KPMINUS = 74
KEY_KP4, KEY_KP5, KEY_KP6 = 75, 76, 77
KEY_KPPLUS = 78
KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP0 = 79, 80, 81, 82
KEY_KPDOT = 83
KEY_102ND = 86
KEY_KPENTER = 96
KEY_RIGHTCTRL = 97
KEY_KPSLASH = 98
KEY_RIGHTALT = 100

SHIFT_KEYS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
OTHER_MODIFIERS = frozenset({KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_LEFTALT, KEY_RIGHTALT})
"""Ctrl, Alt and AltGr: a scan typed with one held cannot be read as plain text."""

TERMINATORS: Mapping[str, int] = {"enter": KEY_ENTER, "kpenter": KEY_KPENTER, "tab": KEY_TAB}

_LETTERS = "qwertyuiopasdfghjklzxcvbnm"
_LETTER_CODES = (*range(16, 26), *range(30, 39), *range(44, 51))
LETTER_KEYS: Mapping[str, int] = dict(zip(_LETTERS, _LETTER_CODES, strict=True))
"""``KEY_*`` code of each letter as printed on a US keyboard."""

_HID_DIGITS = {KEY_1 + i: 0x1E + i for i in range(10)}  # KEY_1..KEY_0 -> 1..0
_HID_OTHER = {
    KEY_ENTER: 0x28, KEY_ESC: 0x29, KEY_BACKSPACE: 0x2A, KEY_TAB: 0x2B, KEY_SPACE: 0x2C,
    KEY_MINUS: 0x2D, KEY_EQUAL: 0x2E, KEY_LEFTBRACE: 0x2F, KEY_RIGHTBRACE: 0x30,
    KEY_BACKSLASH: 0x31, KEY_SEMICOLON: 0x33, KEY_APOSTROPHE: 0x34, KEY_GRAVE: 0x35,
    KEY_COMMA: 0x36, KEY_DOT: 0x37, KEY_SLASH: 0x38, KEY_CAPSLOCK: 0x39,
    KEY_KPSLASH: 0x54, KEY_KPASTERISK: 0x55, KEY_KPMINUS: 0x56, KEY_KPPLUS: 0x57,
    KEY_KPENTER: 0x58, KEY_KP1: 0x59, KEY_KP2: 0x5A, KEY_KP3: 0x5B, KEY_KP4: 0x5C,
    KEY_KP5: 0x5D, KEY_KP6: 0x5E, KEY_KP7: 0x5F, KEY_KP8: 0x60, KEY_KP9: 0x61,
    KEY_KP0: 0x62, KEY_KPDOT: 0x63, KEY_102ND: 0x64,
    KEY_LEFTCTRL: 0xE0, KEY_LEFTSHIFT: 0xE1, KEY_LEFTALT: 0xE2,
    KEY_RIGHTCTRL: 0xE4, KEY_RIGHTSHIFT: 0xE5, KEY_RIGHTALT: 0xE6,
}  # fmt: skip
HID_USAGE: Mapping[int, int] = {
    **{code: 0x04 + ord(letter) - ord("a") for letter, code in LETTER_KEYS.items()},
    **_HID_DIGITS,
    **_HID_OTHER,
}
"""HID keyboard usage (page 7) of each key: the ``MSC_SCAN`` value is ``0x70000 | usage``."""

# Keypad keys (num lock on) mean the same in every layout; some scanners
# are set to send digits from the keypad.
_KEYPAD = {
    KEY_KP0: "0", KEY_KP1: "1", KEY_KP2: "2", KEY_KP3: "3", KEY_KP4: "4", KEY_KP5: "5",
    KEY_KP6: "6", KEY_KP7: "7", KEY_KP8: "8", KEY_KP9: "9", KEY_KPDOT: ".",
    KEY_KPSLASH: "/", KEY_KPASTERISK: "*", KEY_KPMINUS: "-", KEY_KPPLUS: "+",
}  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """What each key gives, unshifted and shifted, on a scanner set to this layout.

    A key missing here (or a dead key, listed with ``""``) gives no character:
    the decoder reports the scan as unreadable rather than guess.
    """

    name: str
    keys: Mapping[int, tuple[str, str]]
    _reverse: dict[str, tuple[int, bool]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        reverse: dict[str, tuple[int, bool]] = {}
        for code, (plain, shifted) in sorted(self.keys.items()):
            for char, shift in ((plain, False), (shifted, True)):
                if char and char not in reverse:
                    reverse[char] = (code, shift)
        object.__setattr__(self, "_reverse", reverse)

    def char(self, code: int, *, shift: bool, caps: bool) -> str | None:
        pair = self.keys.get(code)
        if pair is None:
            return None
        plain, shifted = pair
        # Caps lock shifts letters only (the digit row keeps its meaning).
        if caps and plain.isalpha() and shifted == plain.upper():
            shift = not shift
        return (shifted if shift else plain) or None

    def key_for(self, char: str) -> tuple[int, bool] | None:
        """The key and shift state that type ``char``: what a scanner sends for it."""
        return self._reverse.get(char)

    @property
    def characters(self) -> frozenset[str]:
        return frozenset(self._reverse)


def _letters(swap: Mapping[str, str] | None = None) -> dict[int, tuple[str, str]]:
    """Letter keys: the US letter, or the one this layout prints on that key."""
    swap = swap or {}
    keys: dict[int, tuple[str, str]] = {}
    for letter, code in LETTER_KEYS.items():
        printed = swap.get(letter, letter)
        keys[code] = (printed, printed.upper())
    return keys


def _row(codes: tuple[int, ...], plain: str, shifted: str) -> dict[int, tuple[str, str]]:
    """Keys along a row; a space in ``plain``/``shifted`` marks a dead or empty position."""
    return {code: (p.strip(), s.strip()) for code, p, s in zip(codes, plain, shifted, strict=True)}


_DIGIT_ROW = (KEY_GRAVE, *range(KEY_1, KEY_0 + 1), KEY_MINUS, KEY_EQUAL)
_TOP_ROW_END = (KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_BACKSLASH)
_HOME_ROW_END = (KEY_SEMICOLON, KEY_APOSTROPHE)
_BOTTOM_ROW_END = (KEY_COMMA, KEY_DOT, KEY_SLASH)
_COMMON = {KEY_SPACE: (" ", " "), **{code: (char, char) for code, char in _KEYPAD.items()}}

US = Layout(
    "us",
    {
        **_letters(),
        **_row(_DIGIT_ROW, "`1234567890-=", "~!@#$%^&*()_+"),
        **_row(_TOP_ROW_END, "[]\\", "{}|"),
        **_row(_HOME_ROW_END, ";'", ':"'),
        **_row(_BOTTOM_ROW_END, ",./", "<>?"),
        **_COMMON,
    },
)

DE = Layout(
    "de",  # QWERTZ: Y and Z swapped, umlauts, ^ and accents are dead keys
    {
        **_letters({"y": "z", "z": "y"}),
        **_row(_DIGIT_ROW, " 1234567890ß ", '°!"§$%&/()=? '),
        **_row(_TOP_ROW_END, "ü+#", "Ü*'"),
        **_row(_HOME_ROW_END, "öä", "ÖÄ"),
        **_row(_BOTTOM_ROW_END, ",.-", ";:_"),
        KEY_102ND: ("<", ">"),
        **_COMMON,
    },
)

FR = Layout(
    "fr",  # AZERTY: digits need shift; A/Q, Z/W swapped; M beside L; ^ is dead
    {
        **_letters({"a": "q", "q": "a", "z": "w", "w": "z"}),
        KEY_SEMICOLON: ("m", "M"),
        KEY_M: (",", "?"),
        **_row(_DIGIT_ROW, "²&é\"'(-è_çà)=", " 1234567890°+"),
        **_row(_TOP_ROW_END, " $*", " £µ"),
        KEY_APOSTROPHE: ("ù", "%"),
        KEY_COMMA: (";", "."),
        KEY_DOT: (":", "/"),
        KEY_SLASH: ("!", "§"),
        KEY_102ND: ("<", ">"),
        **_COMMON,
    },
)

LAYOUTS: Mapping[str, Layout] = {layout.name: layout for layout in (US, DE, FR)}
