"""Locking a username after repeated failed sign-ins (kept in the database).

``lockout_failures`` failures within ``lockout_minutes`` lock the username
for ``lockout_minutes``; a success clears the count. While locked, no
password is even checked. Usernames nobody has are counted too (under
``UNKNOWN_ORG``), so "locked" never tells an attacker that a name exists.
Helpers only: the caller holds :func:`hub.accounts.locks.lock_org` for the
org so two failures never race on one counter.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from hub.accounts.settings import AccountsSettings
from hub.db.accounts import LoginLockout


def _row(session: Session, org_id: uuid.UUID, username: str) -> LoginLockout | None:
    # Fresh from the database, locked: the session may hold a copy from an
    # earlier transaction of the same request (see hub.accounts.locks).
    return session.get(
        LoginLockout, (org_id, username), populate_existing=True, with_for_update=True
    )


def seconds_locked(session: Session, org_id: uuid.UUID, username: str, now: datetime) -> int | None:
    """Whole seconds the username stays locked, or None."""
    row = _row(session, org_id, username)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return max(1, math.ceil((row.locked_until - now).total_seconds()))


def record_failure(
    session: Session,
    org_id: uuid.UUID,
    username: str,
    now: datetime,
    settings: AccountsSettings,
) -> bool:
    """Count one failure; True when this one locked the username."""
    period = timedelta(minutes=settings.lockout_minutes)
    row = _row(session, org_id, username)
    if row is None:
        row = LoginLockout(org_id=org_id, username=username, failures=0, updated_at=now)
        session.add(row)
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_until = None  # an expired lock starts a fresh count
        row.failures = 0
    if row.first_failure_at is None or row.failures == 0 or now - row.first_failure_at > period:
        row.failures, row.first_failure_at = 0, now
    row.failures += 1
    row.updated_at = now
    if row.failures >= settings.lockout_failures and row.locked_until is None:
        row.locked_until = now + period
        return True
    return False


def clear(session: Session, org_id: uuid.UUID, username: str) -> None:
    session.execute(
        delete(LoginLockout).where(LoginLockout.org_id == org_id, LoginLockout.username == username)
    )
