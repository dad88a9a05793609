"""Identifiers: UUIDv7 record ids and the human ids of orgs and users.

Records get UUIDv7 keys (RFC 9562): time-ordered, so new rows land at the
end of B-tree indexes and ids sort in creation order within a process.
People see ``ORG-<8hex>`` for an organisation and ``ORG-<8hex>-U-<6 digits>``
for a member; the UUID stays the primary key.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections.abc import Callable

ORG_CODE_RE = re.compile(r"^ORG-[0-9a-f]{8}$")
USER_CODE_RE = re.compile(r"^(ORG-[0-9a-f]{8})-U-([0-9]{6})$")
MAX_MEMBER_SEQ = 999_999

_COUNTER_BITS = 12
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1


def uuid7_from_parts(unix_ms: int, counter: int, tail: int) -> uuid.UUID:
    """Assemble a UUIDv7 from a 48-bit time, a 12-bit counter and 62 random bits."""
    if not 0 <= unix_ms < 1 << 48:
        raise ValueError("unix_ms out of range for UUIDv7")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (counter & _COUNTER_MAX) << 64
    value |= 0b10 << 62
    value |= tail & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def uuid7_unix_ms(value: uuid.UUID) -> int:
    return value.int >> 80


class UUIDv7Factory:
    """Makes UUIDv7s that strictly increase within this factory.

    Uses RFC 9562 method 1: the 12-bit ``rand_a`` field is a counter, seeded
    with random bits each new millisecond. A clock that steps back or a
    counter overflow borrows the next millisecond instead of going back.
    """

    def __init__(
        self,
        clock_ms: Callable[[], int] | None = None,
        random_bits: Callable[[int], int] | None = None,
    ) -> None:
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._random_bits = random_bits or (lambda n: int.from_bytes(os.urandom(8)) >> (64 - n))
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def __call__(self) -> uuid.UUID:
        with self._lock:
            now = self._clock_ms()
            if now > self._last_ms:
                self._last_ms = now
                # Leave headroom so a burst within one millisecond rarely overflows.
                self._counter = self._random_bits(_COUNTER_BITS - 1)
            else:
                self._counter += 1
                if self._counter > _COUNTER_MAX:
                    self._last_ms += 1
                    self._counter = 0
            return uuid7_from_parts(self._last_ms, self._counter, self._random_bits(62))


_default_factory: UUIDv7Factory | None = None
_default_lock = threading.Lock()


def new_id() -> uuid.UUID:
    """A new UUIDv7 from the process-wide factory."""
    global _default_factory
    if _default_factory is None:
        with _default_lock:
            if _default_factory is None:
                _default_factory = UUIDv7Factory()
    return _default_factory()


def org_code(org_uuid: uuid.UUID) -> str:
    """``ORG-<8hex>`` from an org's UUIDv4 (its first 32 bits)."""
    return f"ORG-{org_uuid.hex[:8]}"


def is_org_code(value: str) -> bool:
    return ORG_CODE_RE.match(value) is not None


def user_code(org: str, member_seq: int) -> str:
    """``ORG-<8hex>-U-<6 digits>`` for the org's ``member_seq``-th member."""
    if not is_org_code(org):
        raise ValueError(f"not an org code: {org!r}")
    if not 1 <= member_seq <= MAX_MEMBER_SEQ:
        raise ValueError(f"member sequence out of range: {member_seq}")
    return f"{org}-U-{member_seq:06d}"


def parse_user_code(value: str) -> tuple[str, int]:
    """Split a user id into (org code, member sequence)."""
    match = USER_CODE_RE.match(value)
    if match is None:
        raise ValueError(f"not a user id: {value!r}")
    return match.group(1), int(match.group(2))
