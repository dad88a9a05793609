"""Box sessions: what a cashier gets for a right PIN, for one shift at most.

The token is random (256 bits) and only its sha256 is stored. Every
request checks the session against the current roster as well, so a
member the newest roster disables is refused at once, even in a session
that was not ended explicitly.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select

from edge.store import tables as t
from setledger.hlc import from_unix_ms, unix_ms
from setledger.ids import new_id


@dataclass(frozen=True)
class Session:
    session_id: str
    user_id: str
    user_code: str
    display_name: str
    role: str
    expires_at: datetime


@dataclass(frozen=True)
class Who:
    """The signed-in member a request acts for (all None on a box with sign-in off)."""

    user_id: str | None = None
    user_code: str | None = None
    name: str | None = None

    @staticmethod
    def of(session: Session | None) -> Who:
        if session is None:
            return Who()
        return Who(session.user_id, session.user_code, session.display_name)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(conn: Connection, user_id: str, now: datetime, hours: int) -> tuple[str, str]:
    """A new session for ``user_id``: returns (token, session id). Never commits."""
    token = secrets.token_urlsafe(32)
    session_id = str(new_id())
    conn.execute(
        insert(t.box_session).values(
            token_sha256=token_digest(token),
            session_id=session_id,
            user_id=user_id,
            started_at=now.isoformat(),
            expires_at_ms=unix_ms(now + timedelta(hours=hours)),
        )
    )
    return token, session_id


def resolve(conn: Connection, token: str, now: datetime) -> Session | None:
    """The live session of ``token``: not ended, not expired, its member still
    active with a PIN in the current roster. None otherwise."""
    s, m = t.box_session, t.staff_member
    row = conn.execute(
        select(
            s.c.session_id,
            s.c.expires_at_ms,
            m.c.user_id,
            m.c.user_code,
            m.c.display_name,
            m.c.role,
        )
        .join(m, m.c.user_id == s.c.user_id)
        .where(
            s.c.token_sha256 == token_digest(token),
            s.c.ended_at.is_(None),
            s.c.expires_at_ms > unix_ms(now),
            m.c.active.is_(True),
            m.c.pin_hash.is_not(None),
        )
    ).first()
    if row is None:
        return None
    return Session(
        session_id=row.session_id,
        user_id=row.user_id,
        user_code=row.user_code,
        display_name=row.display_name,
        role=row.role,
        expires_at=from_unix_ms(row.expires_at_ms),
    )


def end(conn: Connection, token: str, reason: str, now: datetime) -> bool:
    """End the session of ``token``; False if there was none to end."""
    done = conn.execute(
        t.box_session.update()
        .where(
            t.box_session.c.token_sha256 == token_digest(token), t.box_session.c.ended_at.is_(None)
        )
        .values(ended_at=now.isoformat(), end_reason=reason)
    ).rowcount
    return bool(done)


def end_for_members(conn: Connection, user_ids: Iterable[str], reason: str, now: datetime) -> int:
    """End every open session of these members (e.g. disabled by a roster)."""
    ids = list(user_ids)
    if not ids:
        return 0
    return int(
        conn.execute(
            t.box_session.update()
            .where(t.box_session.c.user_id.in_(ids), t.box_session.c.ended_at.is_(None))
            .values(ended_at=now.isoformat(), end_reason=reason)
        ).rowcount
    )
