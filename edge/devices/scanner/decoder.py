"""Kernel key events to scanned text: pure, no I/O.

Feed every event a scanner device produces (``EV_KEY`` presses and
releases, and the ``EV_SYN``/``EV_MSC`` events in between, which are
ignored); a terminator key ends the scan. A key this layout cannot turn
into a character, a held Ctrl/Alt/AltGr, or an over-long scan makes the
whole scan unreadable: the cashier is told to scan again, and a wrong
code never reaches the cart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from edge.devices.scanner.keys import (
    EV_KEY,
    KEY_CAPSLOCK,
    KEY_ENTER,
    KEY_KPENTER,
    LAYOUTS,
    OTHER_MODIFIERS,
    SHIFT_KEYS,
    TERMINATORS,
    US,
    Layout,
)

KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2
MAX_SCAN_LENGTH = 256
"""Longer than any 1D code or a GS1 QR a shop scans; more means a stuck key or noise."""


@dataclass(frozen=True)
class Scan:
    text: str


@dataclass(frozen=True)
class UnreadableScan:
    reason: str
    """``unmapped_key``, ``modifier_held``, ``too_long`` or ``undecodable_bytes``."""
    keys: tuple[int, ...] = ()
    """The ``KEY_*`` codes that no character matched (for the log, never shown as a code)."""


ScanResult = Scan | UnreadableScan


class ScanDecoder:
    """One scanner's key state: shift keys held, caps lock, the scan so far."""

    def __init__(
        self,
        layout: Layout = US,
        terminators: Iterable[int] = (KEY_ENTER, KEY_KPENTER),
        max_length: int = MAX_SCAN_LENGTH,
    ) -> None:
        self.layout = layout
        self.terminators = frozenset(terminators)
        self.max_length = max_length
        self.reset()

    @classmethod
    def named(cls, layout: str, terminators: Iterable[str] = ("enter", "kpenter")) -> ScanDecoder:
        return cls(LAYOUTS[layout], [TERMINATORS[name] for name in terminators])

    def reset(self) -> None:
        """Forget a half-read scan and the keys held (the device went away)."""
        self._shift: set[int] = set()
        self._other: set[int] = set()
        self._caps = False
        self._chars: list[str] = []
        self._bad: list[int] = []
        self._reason: str | None = None

    @property
    def pending(self) -> bool:
        return bool(self._chars or self._bad or self._reason)

    def feed(self, type_: int, code: int, value: int) -> ScanResult | None:
        """One kernel event; a finished scan (readable or not) when a terminator is pressed."""
        # Auto-repeat (value 2) is ignored: a scanner never holds a key that
        # long, and a repeated character would change the code.
        if type_ != EV_KEY or value == KEY_REPEAT:
            return None
        down = value == KEY_DOWN
        if code in SHIFT_KEYS:
            (self._shift.add if down else self._shift.discard)(code)
            return None
        if code in OTHER_MODIFIERS:
            (self._other.add if down else self._other.discard)(code)
            return None
        if not down:
            return None
        if code == KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in self.terminators:
            return self._finish()
        if self._other:
            self._reason = self._reason or "modifier_held"
            return None
        char = self.layout.char(code, shift=bool(self._shift), caps=self._caps)
        if char is None:
            self._bad.append(code)
            self._reason = self._reason or "unmapped_key"
        elif len(self._chars) >= self.max_length:
            self._reason = self._reason or "too_long"
        else:
            self._chars.append(char)
        return None

    def _finish(self) -> ScanResult | None:
        text, reason, bad = "".join(self._chars), self._reason, tuple(self._bad)
        self._chars, self._bad, self._reason = [], [], None
        if reason is not None:
            return UnreadableScan(reason, bad)
        if not text:
            return None  # a lone Enter is not a scan
        return Scan(text)


def decode(
    events: Iterable[tuple[int, int, int]], layout: Layout = US, terminators: Iterable[int] = ()
) -> list[ScanResult]:
    """Every scan in a sequence of (type, code, value) events."""
    decoder = ScanDecoder(layout, terminators or (KEY_ENTER, KEY_KPENTER))
    found = (decoder.feed(*event) for event in events)
    return [result for result in found if result is not None]


def decode_line(raw: bytes) -> ScanResult | None:
    """One line from a serial (CDC-ACM) scanner, which sends characters, not keys."""
    line = raw.rstrip(b"\r\n")
    if not line:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return UnreadableScan("undecodable_bytes")
    if len(text) > MAX_SCAN_LENGTH:
        return UnreadableScan("too_long")
    if not text.isprintable():
        return UnreadableScan("undecodable_bytes")
    return Scan(text)
