"""Invitations: an owner or admin invites by e-mail; the link is single-use
and expires (``SETLEDGER_HUB_INVITE_TTL_HOURS``, 72 h).

The link carries a random token (only its sha256 is kept) in the URL
fragment. Accepting picks a username and password and signs the new member
in; roles that need two-factor sign-in go on to enrol TOTP. The mail is
sent after the invitation is committed (no database lock is held while a
mail server answers); if it cannot be sent, the invitation is withdrawn
and the caller gets EMAIL_UNAVAILABLE.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor, actor_of
from hub.accounts.context import AccountsContext
from hub.accounts.locks import lock_org
from hub.accounts.mailer import MailError
from hub.accounts.members import (
    next_member_seq,
    own_user,
    require,
    username_taken,
)
from hub.accounts.passwords import check_password
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal, Role
from hub.accounts.schemas import (
    InviteAccept,
    InviteCreate,
    InviteDetails,
    InviteList,
    InvitePublic,
    Revoked,
)
from hub.accounts.sessions import ClientInfo, open_session
from hub.accounts.signin import Issued, issued
from hub.accounts.tokens import new_token, token_hash
from hub.db.accounts import Invite, User
from hub.db.registry import Org
from setledger import errors
from setledger.ids import new_id, user_code

log = logging.getLogger("hub.accounts.invites")

INVITE_PATH = "/console/invite"


def _public(invite: Invite, inviter_code: str) -> InvitePublic:
    return InvitePublic(
        invite_id=invite.invite_id,
        email=invite.email,
        role=Role(invite.role),
        invited_by=inviter_code,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
    )


def create_invite(
    session: Session, ctx: AccountsContext, principal: Principal, data: InviteCreate
) -> InvitePublic:
    require(principal, Permission.MEMBERS_INVITE, "invite members")
    if data.role is Role.OWNER and principal.role is not Role.OWNER:
        raise errors.ROLE_NOT_ALLOWED.error(role=principal.role.value, action="invite an owner")
    token = new_token()
    now = ctx.now()
    with session.begin():
        inviter = own_user(session, principal)
        org_name = session.scalars(select(Org.name).where(Org.org_id == principal.org_id)).one()
        invite = Invite(
            org_id=principal.org_id,
            invite_id=new_id(),
            token_hash=token_hash(token),
            email=data.email,
            role=data.role.value,
            invited_by=principal.user_id,
            created_at=now,
            expires_at=now + timedelta(hours=ctx.settings.invite_ttl_hours),
        )
        session.add(invite)
        audit.record(
            session,
            principal.org_id,
            "invite.created",
            at=now,
            actor=actor_of(principal),
            target=str(invite.invite_id),
            details={"email": data.email, "role": data.role.value},
        )
        inviter_name = inviter.display_name
    body = (
        f"{inviter_name} has invited you to {org_name} on setLedger, as {data.role.value}.\n\n"
        f"Accept the invitation here (the link works once, until "
        f"{invite.expires_at:%d %b %Y %H:%M} UTC):\n\n{ctx.link(INVITE_PATH, token)}\n\n"
        "If you were not expecting this, ignore this e-mail.\n"
    )
    try:
        ctx.send_mail(data.email, f"Join {org_name} on setLedger", body)
    except MailError as err:
        log.warning("invitation e-mail not sent: %s", err)
        _withdraw(session, ctx, principal, invite.invite_id, reason="mail_failed")
        raise errors.EMAIL_UNAVAILABLE.error(reason=type(err.__cause__ or err).__name__) from err
    return _public(invite, principal.user_code)


def _withdraw(
    session: Session,
    ctx: AccountsContext,
    principal: Principal,
    invite_id: uuid.UUID,
    reason: str,
) -> bool:
    now = ctx.now()
    with session.begin():
        invite = session.scalars(
            select(Invite)
            .where(
                Invite.org_id == principal.org_id,
                Invite.invite_id == invite_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if invite is None:
            return False
        invite.revoked_at = now
        audit.record(
            session,
            principal.org_id,
            "invite.revoked",
            at=now,
            actor=actor_of(principal),
            target=str(invite_id),
            details={"reason": reason},
        )
        return True


def list_invites(session: Session, ctx: AccountsContext, principal: Principal) -> InviteList:
    require(principal, Permission.MEMBERS_INVITE, "list invitations")
    now = ctx.now()
    with session.begin():
        rows = session.execute(
            select(Invite, User.user_code)
            .join(User, (User.org_id == Invite.org_id) & (User.user_id == Invite.invited_by))
            .where(
                Invite.org_id == principal.org_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
            .order_by(Invite.created_at)
        ).all()
        return InviteList(invites=[_public(invite, code) for invite, code in rows])


def revoke_invite(
    session: Session, ctx: AccountsContext, principal: Principal, invite_id: uuid.UUID
) -> Revoked:
    require(principal, Permission.MEMBERS_INVITE, "withdraw invitations")
    if not _withdraw(session, ctx, principal, invite_id, reason="withdrawn"):
        raise errors.INVITE_NOT_FOUND.error(invite_id=str(invite_id))
    return Revoked(revoked=1)


def _open_invite(session: Session, token: str, ctx: AccountsContext) -> Invite:
    invite = session.scalars(
        select(Invite)
        .where(Invite.token_hash == token_hash(token))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if (
        invite is None
        or invite.used_at is not None
        or invite.revoked_at is not None
        or invite.expires_at <= ctx.now()
    ):
        raise errors.INVITE_INVALID.error()
    return invite


def lookup_invite(session: Session, ctx: AccountsContext, token: str) -> InviteDetails:
    """What the acceptance page shows before the member picks a username."""
    with session.begin():
        invite = _open_invite(session, token, ctx)
        org_code, org_name = session.execute(
            select(Org.org_code, Org.name).where(Org.org_id == invite.org_id)
        ).one()
        return InviteDetails(
            org_id=org_code,
            org_name=org_name,
            email=invite.email,
            role=Role(invite.role),
            expires_at=invite.expires_at,
        )


def accept_invite(
    session: Session, ctx: AccountsContext, data: InviteAccept, client: ClientInfo
) -> Issued:
    check_password(data.password, data.username)
    password_hash = ctx.hashing.hash_password(data.password)  # outside the transaction
    now = ctx.now()
    try:
        with session.begin():
            invite = _open_invite(session, data.token, ctx)
            lock_org(session, invite.org_id)
            if username_taken(session, data.username):
                raise errors.USERNAME_TAKEN.error(username=data.username)
            org_code = session.scalars(
                select(Org.org_code).where(Org.org_id == invite.org_id)
            ).one()
            seq = next_member_seq(session, invite.org_id)
            user = User(
                org_id=invite.org_id,
                user_id=new_id(),
                member_seq=seq,
                user_code=user_code(org_code, seq),
                username=data.username,
                display_name=data.display_name,
                email=invite.email,
                role=invite.role,
                password_hash=password_hash,
                password_changed_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(user)
            session.flush()
            invite.used_at, invite.used_by = now, user.user_id
            row, token = open_session(session, user, data.session, now, ctx.session_ttl, client)
            audit.record(
                session,
                invite.org_id,
                "invite.accepted",
                at=now,
                actor=Actor(user.user_id, user.user_code),
                target=user.user_code,
                details={"invite_id": str(invite.invite_id), "role": invite.role},
            )
            return issued(session, user, row, token, data.session)
    except IntegrityError:
        # Only the global username can clash here (the org's lock orders member
        # numbers): someone in another org took it since our check.
        raise errors.USERNAME_TAKEN.error(username=data.username) from None
