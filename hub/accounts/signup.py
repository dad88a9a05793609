"""Org sign-up (public): a new org and its owner, ``ORG-<8hex>-U-000001``.

The owner is signed in at once, but ``owner`` needs two-factor sign-in
(``MFA_REQUIRED``): until a TOTP enrolment is confirmed, the session can
only enrol (see ``hub.api.accounts``).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.accounts import audit
from hub.accounts.audit import Actor
from hub.accounts.context import AccountsContext
from hub.accounts.members import username_taken
from hub.accounts.passwords import check_password
from hub.accounts.principal import Role
from hub.accounts.schemas import SignUp
from hub.accounts.sessions import ClientInfo, open_session
from hub.accounts.signin import Issued, issued
from hub.db.accounts import User
from hub.registry.orgs import MAX_CREATE_ATTEMPTS, add_org
from hub.registry.schemas import OrgCreate
from setledger import errors
from setledger.ids import new_id, user_code

OWNER_SEQ = 1


def sign_up(session: Session, ctx: AccountsContext, data: SignUp, client: ClientInfo) -> Issued:
    check_password(data.password, data.username)
    password_hash = ctx.hashing.hash_password(data.password)  # outside the transaction
    org_data = OrgCreate(name=data.org.name, state_code=data.org.state_code, gstin=data.org.gstin)
    for attempt in range(1, MAX_CREATE_ATTEMPTS + 1):
        now = ctx.now()
        try:
            with session.begin():
                if username_taken(session, data.username):
                    raise errors.USERNAME_TAKEN.error(username=data.username)
                org = add_org(session, org_data)
                user = User(
                    org_id=org.org_id,
                    user_id=new_id(),
                    member_seq=OWNER_SEQ,
                    user_code=user_code(org.org_code, OWNER_SEQ),
                    username=data.username,
                    display_name=data.display_name,
                    email=data.email,
                    role=Role.OWNER.value,
                    password_hash=password_hash,
                    password_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
                session.add(user)
                session.flush()
                row, token = open_session(session, user, data.session, now, ctx.session_ttl, client)
                audit.record(
                    session,
                    org.org_id,
                    "org.signed_up",
                    at=now,
                    actor=Actor(user.user_id, user.user_code),
                    target=org.org_code,
                    details={
                        "username": user.username,
                        "session_id": str(row.session_id),
                        "ip": row.ip,
                    },
                )
                return issued(session, user, row, token, data.session)
        except IntegrityError:
            # A concurrent sign-up took the org code, slug or username between our
            # check and our insert; the next attempt sees its commit.
            if attempt == MAX_CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")
