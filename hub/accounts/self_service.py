"""What a signed-in member does to their own account: who am I, password,
sessions, signing out. Each service is one transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit, lockout
from hub.accounts.audit import actor_of
from hub.accounts.context import AccountsContext
from hub.accounts.locks import lock_org
from hub.accounts.members import own_user, to_public
from hub.accounts.passwords import check_password
from hub.accounts.principal import Principal
from hub.accounts.schemas import (
    MemberPublic,
    PasswordChange,
    Revoked,
    SessionList,
    SessionPublic,
)
from hub.accounts.sessions import open_sessions, revoke_sessions
from hub.db.accounts import User, UserSession
from setledger import errors


def me(session: Session, principal: Principal) -> MemberPublic:
    with session.begin():
        user = session.get(User, (principal.org_id, principal.user_id))
        if user is None:
            raise errors.UNAUTHENTICATED.error()
        return to_public(user, principal.org_code)


def change_password(
    session: Session, ctx: AccountsContext, principal: Principal, data: PasswordChange
) -> Revoked:
    """A new password; every other session of the member is revoked."""
    with session.begin():
        user = session.get(User, (principal.org_id, principal.user_id))
        if user is None:
            raise errors.UNAUTHENTICATED.error()
        stored, username = user.password_hash, user.username
    check_password(data.new_password, username)
    current_ok = ctx.hashing.verify_password(stored, data.current_password)
    new_hash = ctx.hashing.hash_password(data.new_password) if current_ok else None
    now = ctx.now()
    revoked = 0
    with session.begin():
        lock_org(session, principal.org_id)
        user = own_user(session, principal)
        actor = actor_of(principal)
        if new_hash is None:
            # Someone at an unlocked screen guessing: counts like a failed sign-in.
            lockout.record_failure(session, principal.org_id, username, now, ctx.settings)
            audit.record(
                session,
                principal.org_id,
                "password.change_refused",
                at=now,
                actor=actor,
                target=user.user_code,
            )
        else:
            user.password_hash = new_hash
            user.password_changed_at = now
            revoked = revoke_sessions(
                session, user.org_id, user.user_id, now, keep=principal.session_id
            )
            audit.record(
                session,
                principal.org_id,
                "password.changed",
                at=now,
                actor=actor,
                target=user.user_code,
                details={"sessions_revoked": revoked},
            )
    if new_hash is None:
        raise errors.CURRENT_PASSWORD_WRONG.error()
    return Revoked(revoked=revoked)


def list_sessions(session: Session, ctx: AccountsContext, principal: Principal) -> SessionList:
    now = ctx.now()
    with session.begin():
        rows = open_sessions(session, principal, now)
        return SessionList(
            sessions=[
                SessionPublic(
                    session_id=row.session_id,
                    kind="cookie" if row.kind == "cookie" else "bearer",
                    created_at=row.created_at,
                    last_seen_at=row.last_seen_at,
                    expires_at=row.expires_at,
                    ip=row.ip,
                    user_agent=row.user_agent,
                    current=row.session_id == principal.session_id,
                )
                for row in rows
            ]
        )


def revoke_session(
    session: Session, ctx: AccountsContext, principal: Principal, session_id: uuid.UUID
) -> Revoked:
    now = ctx.now()
    with session.begin():
        row = session.scalars(
            select(UserSession).where(
                UserSession.org_id == principal.org_id,
                UserSession.user_id == principal.user_id,
                UserSession.session_id == session_id,
                UserSession.revoked_at.is_(None),
            )
        ).one_or_none()
        if row is None:
            raise errors.SESSION_NOT_FOUND.error(session_id=str(session_id))
        row.revoked_at = now
        audit.record(
            session,
            principal.org_id,
            "session.revoked",
            at=now,
            actor=actor_of(principal),
            target=str(session_id),
            details={"current": session_id == principal.session_id},
        )
    return Revoked(revoked=1)


def sign_out_everywhere(session: Session, ctx: AccountsContext, principal: Principal) -> Revoked:
    """Every session of the member, this one included."""
    now = ctx.now()
    with session.begin():
        revoked = revoke_sessions(session, principal.org_id, principal.user_id, now)
        audit.record(
            session,
            principal.org_id,
            "sessions.revoked_all",
            at=now,
            actor=actor_of(principal),
            target=principal.user_code,
            details={"sessions_revoked": revoked},
        )
    return Revoked(revoked=revoked)
