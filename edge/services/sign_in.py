"""Signing in at the counter with a PIN, offline: the roster's hash decides.

Works with no network at all: the roster (with argon2id PIN hashes) came
with provisioning or the last sync, and the session lives in the box's
own database.
"""

from __future__ import annotations

from edge.runtime import BoxRuntime
from edge.services import pins, sessions, staff
from edge.services.sessions import Session
from setledger import errors


def sign_in(box: BoxRuntime, user_id: str, pin: str) -> tuple[str, Session]:
    """A new session for the member whose PIN this is: (token, session)."""
    try:
        member = pins.check_pin(box, user_id, pin)
    except pins.PinLocked as err:
        raise errors.PIN_LOCKED.error(retry_after_s=err.retry_after_s) from None
    except pins.PinRefused:
        raise errors.PIN_REFUSED.error() from None
    now = box.now()
    # Sessions are not worth a disk flush (a power cut means signing in
    # again), so they commit on the drafts engine like carts.
    with box.db.drafts.begin() as conn:
        token, _ = sessions.start(conn, member.user_id, now, box.settings.session_hours)
        session = sessions.resolve(conn, token, now)
    if session is None:  # the roster disabled the member in between
        raise errors.PIN_REFUSED.error()
    return token, session


def current(box: BoxRuntime, token: str) -> Session | None:
    with box.db.reader.connect() as conn:
        return sessions.resolve(conn, token, box.now())


def sign_out(box: BoxRuntime, token: str) -> bool:
    with box.db.drafts.begin() as conn:
        return sessions.end(conn, token, "signed out", box.now())


def sign_in_list(box: BoxRuntime) -> list[staff.Member]:
    with box.db.reader.connect() as conn:
        return staff.sign_in_list(conn)
