"""Counter staff: members who work the till with a PIN and nothing else.

A kirana's cashier often has no e-mail address, so a manager adds them
here with a name, a role (cashier or store manager) and a PIN. They get a
member id like everyone (``ORG-…-U-000007``) but cannot sign in to the
console: their password is a random secret nobody is told. An owner or
admin can invite them properly later.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import actor_of
from hub.accounts.context import AccountsContext
from hub.accounts.locks import lock_org
from hub.accounts.members import next_member_seq, require, to_public
from hub.accounts.permissions import Permission
from hub.accounts.principal import Principal, Role
from hub.accounts.schemas import MemberPublic
from hub.db.accounts import User
from hub.db.models import Org
from hub.staff.pins import check_pin
from setledger.ids import new_id, user_code


class CounterMemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(min_length=1, max_length=200)
    role: Literal["cashier", "store_manager"] = "cashier"
    pin: str = Field(pattern=r"^[0-9]{4,6}$")


def add_counter_member(
    session: Session, ctx: AccountsContext, principal: Principal, data: CounterMemberCreate
) -> MemberPublic:
    """Add a PIN-only member to the principal's org (one transaction, audited)."""
    if data.role == Role.CASHIER.value:
        require(principal, Permission.PINS_SET_OTHERS, "add a cashier")
    else:
        require(principal, Permission.MEMBERS_INVITE, "add a store manager")
    check_pin(data.pin)
    # Both hashes before the transaction: argon2 is slow on purpose.
    pin_hash = ctx.hashing.hash_pin(data.pin)
    unusable = ctx.hashing.hash_password(secrets.token_urlsafe(32))
    now = ctx.now()
    with session.begin():
        lock_org(session, principal.org_id)
        org_code = session.scalars(select(Org.org_code).where(Org.org_id == principal.org_id)).one()
        seq = next_member_seq(session, principal.org_id)
        code = user_code(org_code, seq)
        user = User(
            org_id=principal.org_id,
            user_id=new_id(),
            member_seq=seq,
            user_code=code,
            username=code.lower(),
            display_name=data.display_name,
            email="",
            role=data.role,
            password_hash=unusable,
            password_changed_at=now,
            pin_hash=pin_hash,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            principal.org_id,
            "member.counter_added",
            at=now,
            actor=actor_of(principal),
            target=code,
            details={"role": data.role},
        )
        return to_public(user, principal.org_code)
