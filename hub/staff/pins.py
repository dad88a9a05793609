"""Which counter PINs are too easy to guess.

A PIN has at most a million values and its hash travels to every box of
the store, so the policy refuses the PINs people pick first: one digit
repeated, a run up or down the keypad, a pair repeated, and a short list
of well-known favourites (from the published analyses of leaked PINs).
"""

from __future__ import annotations

import itertools

from setledger import errors

_FAVOURITES = frozenset(
    {"1212", "2580", "0852", "1004", "2000", "2001", "1122", "1313", "6969", "4321", "1010",
     "112233", "121212", "123123", "159753", "696969", "654321", "101010", "131313", "777777"}
)  # fmt: skip


def _run(pin: str, step: int) -> bool:
    return all((int(b) - int(a)) % 10 == step for a, b in itertools.pairwise(pin))


def check_pin(pin: str) -> None:
    """Refuse a PIN that is not 4-6 digits or is among the first anyone would try."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 6):
        raise errors.PIN_TOO_WEAK.error(why="a PIN is 4 to 6 digits")
    if len(set(pin)) == 1:
        raise errors.PIN_TOO_WEAK.error(why="one digit repeated")
    if _run(pin, 1) or _run(pin, 9):
        raise errors.PIN_TOO_WEAK.error(why="digits in a row")
    if len(pin) % 2 == 0 and len(set(pin[i : i + 2] for i in range(0, len(pin), 2))) == 1:
        raise errors.PIN_TOO_WEAK.error(why="a pair of digits repeated")
    if pin in _FAVOURITES:
        raise errors.PIN_TOO_WEAK.error(why="one of the most common PINs")
