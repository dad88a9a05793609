"""Signing in: username + password (+ TOTP or a backup code once enrolled) → a session.

One answer for every wrong part (SIGN_IN_FAILED, 401): the response never
says whether the username exists, the password was right, or a code was
missing. Unknown usernames cost a real argon2 verification too, so the
timing does not tell either. Order of work:

1. a short read: the member (if any) and whether the username is locked;
2. argon2 *outside* any transaction (~125 ms), so it never holds a lock;
3. one transaction under the org's lock: check the lock again (a parallel
   failure may have set it), the member's state and second factor, then
   either open the session (clearing the failure count, re-hashing the
   password if the parameters changed) or count the failure (maybe
   locking), and audit what happened.

A TOTP code the hub cannot check (key missing) answers 503 with a clear
error and is not counted as a failure: it is the hub's fault, not the
member's. A backup code still works then.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit, lockout
from hub.accounts.audit import ANONYMOUS_ACTOR, Actor
from hub.accounts.context import AccountsContext
from hub.accounts.enrolment import second_factor
from hub.accounts.locks import lock_org
from hub.accounts.members import to_public
from hub.accounts.principal import MFA_REQUIRED, Role
from hub.accounts.schemas import SessionIssued, SignedIn, SignIn
from hub.accounts.sessions import ClientInfo, SessionKind, open_session
from hub.db.accounts import User, UserSession
from hub.db.ingest import UNKNOWN_ORG
from hub.db.registry import Org
from setledger import errors
from setledger.errors import SetLedgerError


@dataclass(frozen=True)
class Issued:
    """A new session: the response, and the token (for the cookie or the body)."""

    response: SignedIn
    token: str


def issued(session: Session, user: User, row: UserSession, token: str, kind: SessionKind) -> Issued:
    org_code, org_name = session.execute(
        select(Org.org_code, Org.name).where(Org.org_id == user.org_id)
    ).one()
    response = SignedIn(
        member=to_public(user, org_code),
        org_name=org_name,
        session=SessionIssued(
            session_id=row.session_id,
            kind=kind,
            expires_at=row.expires_at,
            token=token if kind == "bearer" else None,
        ),
        mfa_enrolment_required=Role(user.role) in MFA_REQUIRED and user.totp_enabled_at is None,
    )
    return Issued(response, token)


def check_rate(ctx: AccountsContext, scope: str, key: str, limit: int) -> None:
    retry = ctx.limiter.hit(
        f"{scope}:{key}", limit, ctx.settings.rate_limit_window_s, ctx.now().timestamp()
    )
    if retry is not None:
        raise errors.RATE_LIMITED.error(scope=scope, retry_after_s=retry)


def sign_in(session: Session, ctx: AccountsContext, data: SignIn, client: ClientInfo) -> Issued:
    username = data.username
    check_rate(ctx, "account", username, ctx.settings.rate_limit_account)
    now = ctx.now()

    with session.begin():
        found = session.scalars(select(User).where(User.username == username)).one_or_none()
        org_id = UNKNOWN_ORG if found is None else found.org_id
        locked = lockout.seconds_locked(session, org_id, username, now)
        stored_hash = None if found is None else found.password_hash
    if locked is not None:
        raise errors.ACCOUNT_LOCKED.error(retry_after_s=locked)

    if stored_hash is None:
        ctx.hashing.burn_time(data.password)
        password_ok, new_hash = False, None
    else:
        password_ok = ctx.hashing.verify_password(stored_hash, data.password)
        rehash = password_ok and ctx.hashing.needs_rehash(stored_hash)
        new_hash = ctx.hashing.hash_password(data.password) if rehash else None

    key_error: SetLedgerError | None = None
    result: Issued | None = None
    with session.begin():
        lock_org(session, org_id)
        user = None
        if found is not None:
            user = session.scalars(
                select(User)
                .where(User.org_id == found.org_id, User.user_id == found.user_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).one_or_none()
        locked = lockout.seconds_locked(session, org_id, username, now)
        reason = "locked" if locked is not None else _failure(user, password_ok, data.code)
        method = "password"
        if reason is None and user is not None and user.totp_enabled_at is not None:
            assert data.code is not None  # _failure() demanded one
            try:
                factor = second_factor(session, ctx, user, data.code, now)
            except SetLedgerError as err:
                key_error, reason = err, "totp_key_unavailable"
            else:
                reason = None if factor is not None else "code"
                method = factor or method
        if reason is None and user is not None:
            result = _succeed(session, ctx, user, data.session, client, method, new_hash)
        elif reason != "locked":
            _fail(session, ctx, username, user, reason or "unknown", client, key_error is None)

    if result is not None:
        return result
    if key_error is not None:
        raise key_error
    if locked is not None:
        raise errors.ACCOUNT_LOCKED.error(retry_after_s=locked)
    raise errors.SIGN_IN_FAILED.error()


def _failure(user: User | None, password_ok: bool, code: str | None) -> str | None:
    """Why the first factor fails (None: it passes)."""
    if user is None:
        return "unknown_username"
    if not password_ok:
        return "password"
    if user.disabled_at is not None:
        return "disabled"
    if user.totp_enabled_at is not None and not code:
        return "code_missing"
    return None


def _succeed(
    session: Session,
    ctx: AccountsContext,
    user: User,
    kind: SessionKind,
    client: ClientInfo,
    method: str,
    new_hash: str | None,
) -> Issued:
    now = ctx.now()
    lockout.clear(session, user.org_id, user.username)
    if new_hash is not None:
        user.password_hash = new_hash  # the parameters changed; same password
    row, token = open_session(session, user, kind, now, ctx.session_ttl, client)
    actor = Actor(user.user_id, user.user_code)
    if method == "backup_code":
        audit.record(
            session, user.org_id, "backup_code.used", at=now, actor=actor, target=user.user_code
        )
    audit.record(
        session,
        user.org_id,
        "sign_in.succeeded",
        at=now,
        actor=actor,
        target=user.user_code,
        details={
            "method": method,
            "session_id": str(row.session_id),
            "kind": kind,
            "ip": row.ip,
            "rehashed": new_hash is not None,
        },
    )
    return issued(session, user, row, token, kind)


def _fail(
    session: Session,
    ctx: AccountsContext,
    username: str,
    user: User | None,
    reason: str,
    client: ClientInfo,
    count: bool,
) -> None:
    """Count the failure towards the lockout (if ``count``) and audit it."""
    now = ctx.now()
    org_id = UNKNOWN_ORG if user is None else user.org_id
    just_locked = count and lockout.record_failure(session, org_id, username, now, ctx.settings)
    if user is None:
        return  # no org to audit in; the lockout row still counts it
    ip = client.clean().ip
    audit.record(
        session,
        user.org_id,
        "sign_in.failed",
        at=now,
        actor=ANONYMOUS_ACTOR,
        target=user.user_code,
        details={"reason": reason, "ip": ip},
    )
    if just_locked:
        audit.record(
            session,
            user.org_id,
            "account.locked",
            at=now,
            actor=Actor(None, audit.SYSTEM),
            target=user.user_code,
            details={"minutes": ctx.settings.lockout_minutes, "ip": ip},
        )
