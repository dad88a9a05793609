"""Checking a member's PIN against the roster's argon2id hash, with lockout.

A PIN has few digits, so guessing must be slow: after ``pin_max_failures``
wrong PINs in a row the member is locked at this box for
``pin_lockout_s``, doubling with each further lock (up to
``pin_lockout_max_s``) until a right PIN. The attempt is counted *before*
the hash is checked, in its own committed transaction, so parallel
guesses cannot slip past the limit while argon2 runs, and argon2 runs
outside any transaction, so it never holds the write lock a sale needs.
"""

from __future__ import annotations

import logging
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select

from edge.runtime import BoxRuntime
from edge.services import staff
from edge.services.staff import Member
from edge.settings import BoxSettings
from edge.store import tables as t
from setledger import errors
from setledger.hlc import unix_ms

log = logging.getLogger("edge.pins")

_hasher = PasswordHasher()
"""Only verifies: the parameters come from each hash (the hub chose them)."""


class PinRefused(Exception):
    """Wrong PIN, unknown member, or one who may not sign in."""


class PinLocked(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"locked for {retry_after_s} s")
        self.retry_after_s = retry_after_s


def verify_hash(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except InvalidHashError:
        log.warning("a PIN hash from the roster is not an argon2 hash; PIN refused")
        return False
    except VerificationError:
        return False


def check_pin(box: BoxRuntime, user_id: str, pin: str) -> Member:
    """The member if ``pin`` is theirs; else PinRefused or PinLocked."""
    now = box.now()
    with box.db.drafts.begin() as conn:
        found = staff.member(conn, user_id)
        if found is None or not found.can_sign_in:
            raise PinRefused
        _count_attempt(conn, user_id, now, box.settings)
    assert found.pin_hash is not None
    if not verify_hash(found.pin_hash, pin):
        log.info("wrong PIN", extra={"user_id": user_id})
        raise PinRefused
    with box.db.drafts.begin() as conn:
        conn.execute(t.pin_guard.delete().where(t.pin_guard.c.user_id == user_id))
    return found


def sign_in_error(err: PinRefused | PinLocked) -> errors.SetLedgerError:
    if isinstance(err, PinLocked):
        return errors.PIN_LOCKED.error(retry_after_s=err.retry_after_s)
    return errors.PIN_REFUSED.error()


def _count_attempt(conn: Connection, user_id: str, now: datetime, settings: BoxSettings) -> None:
    """Refuse while locked; otherwise count this attempt as a failure until the
    PIN proves right. The attempt that reaches the limit sets the lock for the
    next one (and the lock is lifted again if this attempt's PIN is right)."""
    now_ms = unix_ms(now)
    row = conn.execute(select(t.pin_guard).where(t.pin_guard.c.user_id == user_id)).first()
    failures, lockouts, locked_until = (0, 0, 0) if row is None else row[1:]
    if locked_until > now_ms:
        raise PinLocked(retry_after_s=-(-(locked_until - now_ms) // 1000))
    failures += 1
    if failures >= settings.pin_max_failures:
        lock_s = min(settings.pin_lockout_s * 2 ** min(lockouts, 16), settings.pin_lockout_max_s)
        failures, lockouts, locked_until = 0, lockouts + 1, now_ms + lock_s * 1000
        log.warning("member locked out at this box", extra={"user_id": user_id, "for_s": lock_s})
    values = {"failures": failures, "lockouts": lockouts, "locked_until_ms": locked_until}
    if row is None:
        conn.execute(insert(t.pin_guard).values(user_id=user_id, **values))
    else:
        conn.execute(t.pin_guard.update().where(t.pin_guard.c.user_id == user_id).values(**values))
