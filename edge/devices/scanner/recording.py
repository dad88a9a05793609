"""Recorded scanner input: the kernel's 24-byte event records, made and read back.

A record is ``struct input_event`` on a 64-bit kernel: seconds, microseconds,
type, code, value (``"llHHi"``). :func:`typing_events` produces what a USB
HID scanner programmed for a layout makes the kernel emit for a text: per
HID report an ``EV_MSC``/``MSC_SCAN`` with the key's usage before each key
event, then ``EV_SYN``/``SYN_REPORT``; shift pressed in the same report as
the key. These recordings feed the fake device in tests and the demo.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from edge.devices.scanner.keys import (
    EV_KEY,
    EV_MSC,
    EV_SYN,
    HID_USAGE,
    KEY_CAPSLOCK,
    KEY_ENTER,
    KEY_LEFTSHIFT,
    MSC_SCAN,
    SYN_REPORT,
    Layout,
)

RECORD = struct.Struct("llHHi")
assert RECORD.size == 24


@dataclass(frozen=True)
class InputEvent:
    """One kernel input event, shaped like ``evdev.InputEvent`` (sec, usec, type, code, value)."""

    sec: int
    usec: int
    type: int
    code: int
    value: int


class CannotType(ValueError):
    """The layout has no key for a character of the text."""


def _report(keys: list[tuple[int, int]], sec: int, usec: int) -> list[InputEvent]:
    events: list[InputEvent] = []
    for code, value in keys:
        events.append(InputEvent(sec, usec, EV_MSC, MSC_SCAN, 0x70000 | HID_USAGE[code]))
        events.append(InputEvent(sec, usec, EV_KEY, code, value))
    events.append(InputEvent(sec, usec, EV_SYN, SYN_REPORT, 0))
    return events


def typing_events(
    text: str,
    layout: Layout,
    *,
    start_us: int = 1_764_000_000_000_000,
    step_us: int = 1_000,
    caps_lock: bool = False,
    terminator: int = KEY_ENTER,
) -> list[InputEvent]:
    """The events a scanner set to ``layout`` makes for ``text`` (a final ``\\n`` is the terminator).

    ``caps_lock``: the scanner toggles caps lock around the scan and types
    capital letters without shift, as some are configured to.
    """
    body = text[:-1] if text.endswith("\n") else text
    strokes: list[tuple[int, bool]] = []
    for char in body:
        key = layout.key_for(char)
        if key is None:
            raise CannotType(f"layout {layout.name!r} cannot type {char!r}")
        code, shift = key
        plain, shifted = layout.keys[code]
        if caps_lock and plain.isalpha() and shifted == plain.upper():
            shift = not shift  # caps lock already gives the capital
        strokes.append((code, shift))
    presses: list[list[tuple[int, int]]] = []
    if caps_lock:
        presses += [[(KEY_CAPSLOCK, 1)], [(KEY_CAPSLOCK, 0)]]
    for code, shift in strokes:
        presses.append([(KEY_LEFTSHIFT, 1), (code, 1)] if shift else [(code, 1)])
        presses.append([(code, 0), (KEY_LEFTSHIFT, 0)] if shift else [(code, 0)])
    if caps_lock:
        presses += [[(KEY_CAPSLOCK, 1)], [(KEY_CAPSLOCK, 0)]]
    if text.endswith("\n"):
        presses += [[(terminator, 1)], [(terminator, 0)]]
    events: list[InputEvent] = []
    for n, keys in enumerate(presses):
        at = start_us + n * step_us
        events += _report(keys, at // 1_000_000, at % 1_000_000)
    return events


def to_records(events: Iterable[InputEvent]) -> bytes:
    return b"".join(RECORD.pack(e.sec, e.usec, e.type, e.code, e.value) for e in events)


def from_records(data: bytes) -> Iterator[InputEvent]:
    if len(data) % RECORD.size:
        raise ValueError(f"{len(data)} bytes is not a whole number of {RECORD.size}-byte records")
    for fields in RECORD.iter_unpack(data):
        yield InputEvent(*fields)
