"""API models of accounts (requests refuse unknown fields; responses are never rows).

Free text that is stored (names, e-mail addresses) refuses control
characters: PostgreSQL cannot store NUL, and a newline in an address would
be a header injection in the mail we send.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from hub.accounts.principal import Role
from hub.schemas import Request, Response

_NO_CONTROL = r"^[^\x00-\x1f\x7f]+$"

Username = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$", to_lower=True)
]
"""3-32 of letters, digits, '.', '_', '-' (stored lower case): no look-alike Unicode."""
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
"""Checked by ``hub.accounts.passwords.check_password`` where one is set; 1024 caps
the work a single request can ask of argon2."""
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]
Email = Annotated[
    str,
    StringConstraints(
        max_length=254, pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
    ),
]
OrgName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]
StateCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
Gstin = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{15}$", to_upper=True)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9 -]+$")]
"""A TOTP code (6 digits) or a backup code (``xxxx-xxxx-xxxx``)."""
LinkToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{20,128}$")]
Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,6}$")]
SessionKind = Literal["cookie", "bearer"]


class SignUpOrg(Request):
    name: OrgName
    state_code: StateCode
    gstin: Gstin | None = None


class SignUp(Request):
    org: SignUpOrg
    username: Username
    password: Password
    display_name: DisplayName
    email: Email
    session: SessionKind = "bearer"


class SignIn(Request):
    username: Username
    password: Password
    code: Code | None = None
    """The authenticator's current code or a backup code, once TOTP is enrolled."""
    session: SessionKind = "bearer"


class MemberPublic(Response):
    user_id: str = Field(description="ORG-<8hex>-U-<6 digits>")
    uuid: uuid.UUID
    org_id: str
    username: str
    display_name: str
    email: str
    role: Role
    mfa_enrolled: bool
    has_pin: bool
    disabled: bool
    created_at: datetime


class MemberList(Response):
    members: list[MemberPublic]


class SessionIssued(Response):
    session_id: uuid.UUID
    kind: SessionKind
    expires_at: datetime
    token: str | None = None
    """The bearer token (shown once); cookie sessions get it in Set-Cookie only."""


class SignedIn(Response):
    member: MemberPublic
    org_name: str
    session: SessionIssued
    mfa_enrolment_required: bool
    """True: this session can only enrol TOTP (and sign out) until it is confirmed."""


class TotpEnrolment(Response):
    secret: str
    """Base32, for typing in by hand. Shown now and never again."""
    otpauth_uri: str
    qr_svg: str
    """The URI as a QR code, an SVG ``data:`` URI."""


class TotpConfirm(Request):
    code: Code


class BackupCodes(Response):
    codes: list[str]
    """Shown once; each works once."""


class PasswordChange(Request):
    current_password: Password
    new_password: Password


class PinSet(Request):
    pin: Pin


class RoleChange(Request):
    role: Role


class InviteCreate(Request):
    email: Email
    role: Role


class InvitePublic(Response):
    invite_id: uuid.UUID
    email: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime


class InviteList(Response):
    invites: list[InvitePublic]


class InviteLookup(Request):
    token: LinkToken


class InviteDetails(Response):
    org_id: str
    org_name: str
    email: str
    role: Role
    expires_at: datetime


class InviteAccept(Request):
    token: LinkToken
    username: Username
    password: Password
    display_name: DisplayName
    session: SessionKind = "bearer"


class RecoveryRequest(Request):
    username: Username


class RecoveryComplete(Request):
    token: LinkToken
    new_password: Password
    backup_code: Code | None = None
    """Required when the member has TOTP enrolled."""


class RecoveryDone(Response):
    username: str
    totp_reset: bool
    """True: two-factor sign-in was turned off; enrol again after signing in."""
    sessions_revoked: int


class SessionPublic(Response):
    session_id: uuid.UUID
    kind: SessionKind
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool


class SessionList(Response):
    sessions: list[SessionPublic]


class Revoked(Response):
    revoked: int


class AuditEntry(Response):
    seq: int
    at: datetime
    actor_id: uuid.UUID | None
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(Response):
    entries: list[AuditEntry]
    next_after_seq: int | None
    """Pass as ``after_seq`` for the next page; None at the end."""


class AuditProblemPublic(Response):
    seq: int
    problem: str
    detail: str


class AuditVerification(Response):
    intact: bool
    problems: list[AuditProblemPublic]
