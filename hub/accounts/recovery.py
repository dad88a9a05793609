"""Account recovery: an e-mailed link (single-use, 30 minutes) plus, for a member
with TOTP, one backup code, resets the password and turns TOTP off (the
member enrols again; the old secret is never shown).

Asking for a link answers the same whether or not the username exists (or
the mail could be sent): only the mailbox owner learns anything. A wrong
backup code counts towards the sign-in lockout of that username. Completing
a recovery revokes every session of the member.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit, lockout
from hub.accounts.audit import Actor
from hub.accounts.context import AccountsContext
from hub.accounts.enrolment import clear_totp, use_backup_code
from hub.accounts.locks import lock_org
from hub.accounts.mailer import MailError
from hub.accounts.passwords import check_password
from hub.accounts.schemas import RecoveryComplete, RecoveryDone, RecoveryRequest
from hub.accounts.sessions import ClientInfo, revoke_sessions
from hub.accounts.signin import check_rate
from hub.accounts.tokens import new_token, token_hash
from hub.db.accounts import Recovery, User
from setledger import errors
from setledger.ids import new_id

log = logging.getLogger("hub.accounts.recovery")

RECOVERY_PATH = "/console/recover"


def request_recovery(
    session: Session, ctx: AccountsContext, data: RecoveryRequest, client: ClientInfo
) -> None:
    check_rate(ctx, "account", data.username, ctx.settings.rate_limit_account)
    token = new_token()
    now = ctx.now()
    ttl = timedelta(minutes=ctx.settings.recovery_ttl_minutes)
    with session.begin():
        user = session.scalars(
            select(User).where(User.username == data.username, User.disabled_at.is_(None))
        ).one_or_none()
        if user is None:
            return
        session.add(
            Recovery(
                org_id=user.org_id,
                recovery_id=new_id(),
                user_id=user.user_id,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + ttl,
            )
        )
        audit.record(
            session,
            user.org_id,
            "recovery.requested",
            at=now,
            actor=audit.ANONYMOUS_ACTOR,
            target=user.user_code,
            details={"ip": client.clean().ip},
        )
        email, name, username = user.email, user.display_name, user.username
    body = (
        f"Hello {name},\n\nsomeone (we hope you) asked to reset the password of the setLedger "
        f"account {username!r}. The link works once, for {ctx.settings.recovery_ttl_minutes} "
        f"minutes:\n\n{ctx.link(RECOVERY_PATH, token)}\n\n"
        "If two-factor sign-in is on, you will also need one of your backup codes.\n"
        "If you did not ask, ignore this e-mail; your password stays as it is.\n"
    )
    try:
        ctx.send_mail(email, "Reset your setLedger password", body)
    except MailError as err:
        log.warning("recovery e-mail not sent: %s", err)


def _open_recovery(session: Session, token: str, ctx: AccountsContext) -> tuple[Recovery, User]:
    found = session.execute(
        select(Recovery, User)
        .join(User, (User.org_id == Recovery.org_id) & (User.user_id == Recovery.user_id))
        .where(Recovery.token_hash == token_hash(token))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise errors.RECOVERY_INVALID.error()
    recovery, user = found
    if recovery.used_at is not None or recovery.expires_at <= ctx.now() or user.disabled_at:
        raise errors.RECOVERY_INVALID.error()
    return recovery, user


def complete_recovery(
    session: Session, ctx: AccountsContext, data: RecoveryComplete, client: ClientInfo
) -> RecoveryDone:
    with session.begin():
        _, user = _open_recovery(session, data.token, ctx)
        org_id, username = user.org_id, user.username
        locked = lockout.seconds_locked(session, org_id, username, ctx.now())
    if locked is not None:
        raise errors.ACCOUNT_LOCKED.error(retry_after_s=locked)
    check_password(data.new_password, username)
    new_hash = ctx.hashing.hash_password(data.new_password)  # outside the transaction
    now = ctx.now()
    done: RecoveryDone | None = None
    with session.begin():
        lock_org(session, org_id)
        recovery, user = _open_recovery(session, data.token, ctx)
        actor = Actor(user.user_id, user.user_code)
        had_totp = user.totp_enabled_at is not None
        code_ok = not had_totp or (
            data.backup_code is not None and use_backup_code(session, user, data.backup_code, now)
        )
        if not code_ok:
            lockout.record_failure(session, org_id, username, now, ctx.settings)
            audit.record(
                session,
                org_id,
                "recovery.failed",
                at=now,
                actor=audit.ANONYMOUS_ACTOR,
                target=user.user_code,
                details={"reason": "backup_code", "ip": client.clean().ip},
            )
        else:
            if had_totp:
                audit.record(
                    session, org_id, "backup_code.used", at=now, actor=actor, target=user.user_code
                )
            clear_totp(session, user)
            user.password_hash = new_hash
            user.password_changed_at = user.updated_at = now
            recovery.used_at = now
            revoked = revoke_sessions(session, org_id, user.user_id, now)
            lockout.clear(session, org_id, username)
            audit.record(
                session,
                org_id,
                "recovery.completed",
                at=now,
                actor=actor,
                target=user.user_code,
                details={
                    "totp_reset": had_totp,
                    "sessions_revoked": revoked,
                    "ip": client.clean().ip,
                },
            )
            done = RecoveryDone(username=username, totp_reset=had_totp, sessions_revoked=revoked)
    if done is None:
        raise errors.RECOVERY_CODE_WRONG.error()
    return done
