"""Sign-in sessions: opening, resolving a token to a Principal, listing, revoking.

A session is a random 32-byte token given to the client once; the database
keeps only its sha256. ``cookie`` sessions (the console: HttpOnly, Secure,
SameSite=Lax) and ``bearer`` sessions (the API) are told apart: a token is
only accepted the way it was issued, so a bearer token planted in a cookie
(or the reverse) does nothing. A session ends at ``expires_at`` (absolute),
after the idle timeout, when revoked, or when its member is disabled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from hub.accounts.principal import Principal, Role
from hub.accounts.tokens import new_token, token_hash
from hub.accounts.unit import unit_of_work
from hub.db.accounts import User, UserSession
from hub.db.registry import Org
from setledger.ids import new_id

SessionKind = Literal["cookie", "bearer"]
DEFAULT_IDLE_TIMEOUT = timedelta(hours=2)
LAST_SEEN_EVERY = timedelta(seconds=60)
"""``last_seen_at`` is rewritten at most this often: not a write per request."""
MAX_TOKEN_LENGTH = 256
IP_LENGTH = 64
USER_AGENT_LENGTH = 256


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, as recorded on sessions and in the audit log."""

    ip: str | None = None
    user_agent: str | None = None

    def clean(self) -> ClientInfo:
        # Headers are the client's to fill: keep them short and printable.
        def printable(value: str | None, limit: int) -> str | None:
            if value is None:
                return None
            kept = "".join(c for c in value if c.isprintable())[:limit]
            return kept or None

        return ClientInfo(
            printable(self.ip, IP_LENGTH), printable(self.user_agent, USER_AGENT_LENGTH)
        )


def open_session(
    session: Session,
    user: User,
    kind: SessionKind,
    now: datetime,
    ttl: timedelta,
    client: ClientInfo,
) -> tuple[UserSession, str]:
    """A new session row and its token (the only time the token exists)."""
    token = new_token()
    client = client.clean()
    row = UserSession(
        org_id=user.org_id,
        session_id=new_id(),
        user_id=user.user_id,
        token_hash=token_hash(token),
        kind=kind,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ttl,
        revoked_at=None,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    session.add(row)
    session.flush()
    return row, token


def resolve(
    session: Session,
    token: str,
    via: SessionKind,
    now: datetime,
    *,
    idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT,
) -> Principal | None:
    """The member a session token signs in, or None (unknown, issued for the
    other transport, expired, idle too long, revoked, or member disabled).

    Updates ``last_seen_at``. Joins the caller's transaction if there is one,
    otherwise commits its own.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    with unit_of_work(session):
        found = session.execute(
            select(UserSession, User, Org.org_code)
            .join(
                User,
                and_(User.org_id == UserSession.org_id, User.user_id == UserSession.user_id),
            )
            .join(Org, Org.org_id == UserSession.org_id)
            .where(UserSession.token_hash == token_hash(token))
        ).first()
        if found is None:
            return None
        row, user, org_code = found
        if (
            row.kind != via
            or row.revoked_at is not None
            or row.expires_at <= now
            or now - row.last_seen_at > idle_timeout
            or user.disabled_at is not None
        ):
            return None
        if now - row.last_seen_at >= LAST_SEEN_EVERY:
            row.last_seen_at = now
        return Principal(
            user_id=user.user_id,
            org_id=user.org_id,
            org_code=org_code,
            user_code=user.user_code,
            role=Role(user.role),
            session_id=row.session_id,
            via=via,
            mfa_enrolled=user.totp_enabled_at is not None,
        )


def revoke_sessions(
    session: Session,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
    *,
    keep: uuid.UUID | None = None,
) -> int:
    """Revoke the member's open sessions (but ``keep``); how many were open."""
    statement = (
        update(UserSession)
        .where(
            UserSession.org_id == org_id,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    if keep is not None:
        statement = statement.where(UserSession.session_id != keep)
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


def open_sessions(session: Session, principal: Principal, now: datetime) -> list[UserSession]:
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.org_id == principal.org_id,
                UserSession.user_id == principal.user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
            .order_by(UserSession.created_at.desc())
        )
    )
