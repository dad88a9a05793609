"""Members of an org: listing, roles, disabling, counter PINs, the store roster.

Who may do what: the permission matrix (``hub.accounts.permissions``:
``members.read``, ``members.manage``, ``pins.set_others``), plus what no
matrix says: an admin never acts on an owner nor makes one; an org always
keeps at least one active owner; nobody disables themselves. A PIN is set
by its member, or for a cashier by a role with ``pins.set_others``. Each service is one transaction and audits what
it changed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import actor_of
from hub.accounts.context import AccountsContext
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal, Role
from hub.accounts.schemas import MemberList, MemberPublic
from hub.accounts.sessions import revoke_sessions
from hub.accounts.unit import unit_of_work
from hub.db.accounts import User
from hub.db.registry import Store
from hub.staff.pins import check_pin
from setledger import errors
from setledger.contracts.staff import StaffMember


def to_public(user: User, org_code: str) -> MemberPublic:
    return MemberPublic(
        user_id=user.user_code,
        uuid=user.user_id,
        org_id=org_code,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        role=Role(user.role),
        mfa_enrolled=user.totp_enabled_at is not None,
        has_pin=user.pin_hash is not None,
        disabled=user.disabled_at is not None,
        created_at=user.created_at,
    )


def require(principal: Principal, permission: Permission, action: str) -> None:
    """The role's permission from the matrix (``hub.accounts.permissions``)."""
    if not allowed(principal.role, permission):
        raise errors.ROLE_NOT_ALLOWED.error(role=principal.role.value, action=action)


def own_user(session: Session, principal: Principal) -> User:
    """The caller's own row, locked for update (PostgreSQL) for read-modify-write."""
    user = session.scalars(
        select(User)
        .where(User.org_id == principal.org_id, User.user_id == principal.user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if user is None:  # resolve() just found it; only a concurrent delete gets here
        raise errors.UNAUTHENTICATED.error()
    return user


def find_member(session: Session, org_id: uuid.UUID, user_code: str) -> User:
    user = session.scalars(
        select(User)
        .where(User.org_id == org_id, User.user_code == user_code)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if user is None:
        raise errors.MEMBER_NOT_FOUND.error(member=user_code)
    return user


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.user_id).where(User.username == username)) is not None


def next_member_seq(session: Session, org_id: uuid.UUID) -> int:
    """The org's next member number (the caller holds ``lock_org``)."""
    highest = session.scalar(select(func.max(User.member_seq)).where(User.org_id == org_id))
    return 1 if highest is None else int(highest) + 1


def _active_owners(session: Session, org_id: uuid.UUID) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.org_id == org_id, User.role == Role.OWNER.value, User.disabled_at.is_(None))
    )
    return int(count or 0)


def _keep_an_owner(session: Session, user: User) -> None:
    """Refuse to take away the org's last active owner."""
    if (
        user.role == Role.OWNER.value
        and user.disabled_at is None
        and _active_owners(session, user.org_id) <= 1
    ):
        raise errors.LAST_OWNER.error(member=user.user_code)


def _may_manage(principal: Principal, target: User, action: str) -> None:
    require(principal, Permission.MEMBERS_MANAGE, action)
    if principal.role is not Role.OWNER and target.role == Role.OWNER.value:
        raise errors.ROLE_NOT_ALLOWED.error(role=principal.role.value, action=f"{action} an owner")


def list_members(session: Session, principal: Principal) -> MemberList:
    require(principal, Permission.MEMBERS_READ, "list members")
    with session.begin():
        users = session.scalars(
            select(User).where(User.org_id == principal.org_id).order_by(User.member_seq)
        ).all()
        return MemberList(members=[to_public(user, principal.org_code) for user in users])


def change_role(
    session: Session, ctx: AccountsContext, principal: Principal, user_code: str, role: Role
) -> MemberPublic:
    now = ctx.now()
    with session.begin():
        target = find_member(session, principal.org_id, user_code)
        _may_manage(principal, target, "change the role of")
        if role is Role.OWNER and principal.role is not Role.OWNER:
            raise errors.ROLE_NOT_ALLOWED.error(role=principal.role.value, action="make an owner")
        previous = target.role
        if previous != role.value:
            if role is not Role.OWNER:
                _keep_an_owner(session, target)
            target.role = role.value
            target.updated_at = now
            audit.record(
                session,
                principal.org_id,
                "member.role_changed",
                at=now,
                actor=actor_of(principal),
                target=target.user_code,
                details={"from": previous, "to": role.value},
            )
        return to_public(target, principal.org_code)


def set_disabled(
    session: Session,
    ctx: AccountsContext,
    principal: Principal,
    user_code: str,
    disabled: bool,
) -> MemberPublic:
    """Disable (sessions revoked, sign-in refused, off the box rosters) or enable."""
    now = ctx.now()
    action = "disable" if disabled else "enable"
    with session.begin():
        target = find_member(session, principal.org_id, user_code)
        _may_manage(principal, target, action)
        if target.user_id == principal.user_id:
            raise errors.NOT_ON_YOURSELF.error(action=action)
        if disabled and target.disabled_at is None:
            _keep_an_owner(session, target)
            target.disabled_at = now
            target.updated_at = now
            revoked = revoke_sessions(session, target.org_id, target.user_id, now)
            audit.record(
                session,
                principal.org_id,
                "member.disabled",
                at=now,
                actor=actor_of(principal),
                target=target.user_code,
                details={"sessions_revoked": revoked},
            )
        elif not disabled and target.disabled_at is not None:
            target.disabled_at = None
            target.updated_at = now
            audit.record(
                session,
                principal.org_id,
                "member.enabled",
                at=now,
                actor=actor_of(principal),
                target=target.user_code,
            )
        return to_public(target, principal.org_code)


def set_pin(
    session: Session, ctx: AccountsContext, principal: Principal, user_code: str, pin: str
) -> MemberPublic:
    """Set a member's counter PIN (argon2id; the boxes get the hash in the roster)."""
    check_pin(pin)
    pin_hash = ctx.hashing.hash_pin(pin)  # ~125 ms: not inside the transaction
    now = ctx.now()
    with session.begin():
        target = find_member(session, principal.org_id, user_code)
        if target.user_id != principal.user_id:
            require(principal, Permission.PINS_SET_OTHERS, "set another member's PIN")
            if target.role != Role.CASHIER.value:
                raise errors.ROLE_NOT_ALLOWED.error(
                    role=principal.role.value, action="set the PIN of a member who is not a cashier"
                )
        target.pin_hash = pin_hash
        target.updated_at = now
        audit.record(
            session,
            principal.org_id,
            "member.pin_set",
            at=now,
            actor=actor_of(principal),
            target=target.user_code,
        )
        return to_public(target, principal.org_code)


def roster_for_store(session: Session, org_id: uuid.UUID, store_id: uuid.UUID) -> list[StaffMember]:
    """Who may sign in at the store's boxes, for the staff roster.

    For now every member with a PIN is on every store's roster; disabled
    members stay on it with ``active=False`` and no PIN hash, so a box that
    cached them refuses them from the next roster on. Raises STORE_NOT_FOUND
    for a store of another org. Joins the caller's transaction if any.
    """
    with unit_of_work(session):
        store = session.get(Store, (org_id, store_id))
        if store is None:
            raise errors.STORE_NOT_FOUND.error(store_id=str(store_id))
        users = session.scalars(
            select(User)
            .where(User.org_id == org_id, User.pin_hash.is_not(None))
            .order_by(User.member_seq)
        ).all()
        return [
            StaffMember(
                user_id=user.user_id,
                user_code=user.user_code,
                display_name=user.display_name,
                role=Role(user.role).value,
                pin_hash=None if user.disabled_at is not None else user.pin_hash,
                active=user.disabled_at is None,
            )
            for user in users
        ]
