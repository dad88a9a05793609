"""Routes of accounts: ``/auth/...`` (sign-up, sign-in, TOTP, sessions, recovery,
invitations) and ``/orgs/{org}/members|invites|audit``.

Who may call what is declared per route with the dependencies of
``hub.api.deps``: ``Public`` (rate-limited per IP), ``EnrollingMember`` for
the few routes a member whose role needs TOTP may use before enrolling,
``Member`` for the caller's own account, and ``allow(permission)`` for org
routes (another org's code answers 404, as if it did not exist).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import StreamingResponse

from hub.accounts import (
    audit,
    enrolment,
    invites,
    members,
    recovery,
    self_service,
    signin,
    signup,
)
from hub.accounts.context import AccountsContext
from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.accounts.schemas import (
    AuditEntry,
    AuditPage,
    AuditProblemPublic,
    AuditVerification,
    BackupCodes,
    InviteAccept,
    InviteCreate,
    InviteDetails,
    InviteList,
    InviteLookup,
    InvitePublic,
    MemberList,
    MemberPublic,
    PasswordChange,
    PinSet,
    RecoveryComplete,
    RecoveryDone,
    RecoveryRequest,
    Revoked,
    RoleChange,
    SessionList,
    SignedIn,
    SignIn,
    SignUp,
    TotpConfirm,
    TotpEnrolment,
)
from hub.accounts.signin import Issued
from hub.api.deps import (
    COOKIE_NAME,
    Accounts,
    Client,
    DbSession,
    EnrollingMember,
    Member,
    Public,
    Runtime,
    allow,
    set_session_cookie,
)

AUDIT_PAGE_MAX = 500
MEMBER_CODE = r"^ORG-[0-9a-f]{8}-U-[0-9]{6}$"
MemberCode = Annotated[str, Path(pattern=MEMBER_CODE)]

router = APIRouter(tags=["accounts"])


def _hand_out(issued: Issued, response: Response, ctx: AccountsContext) -> SignedIn:
    """Cookie sessions get the token as an HttpOnly cookie, never in the body."""
    if issued.response.session.kind == "cookie":
        set_session_cookie(response, issued.token, ctx)
    return issued.response


# Public --------------------------------------------------------------------


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, dependencies=Public)
def sign_up(
    session: DbSession, ctx: Accounts, client: Client, body: SignUp, response: Response
) -> SignedIn:
    return _hand_out(signup.sign_up(session, ctx, body, client), response, ctx)


@router.post("/auth/sign-in", dependencies=Public)
def sign_in(
    session: DbSession, ctx: Accounts, client: Client, body: SignIn, response: Response
) -> SignedIn:
    return _hand_out(signin.sign_in(session, ctx, body, client), response, ctx)


@router.post("/auth/recovery", status_code=status.HTTP_202_ACCEPTED, dependencies=Public)
def request_recovery(
    session: DbSession, ctx: Accounts, client: Client, body: RecoveryRequest
) -> dict[str, str]:
    recovery.request_recovery(session, ctx, body, client)
    return {"status": "If the account exists, a link is on its way to its e-mail address."}


@router.post("/auth/recovery/complete", dependencies=Public)
def complete_recovery(
    session: DbSession, ctx: Accounts, client: Client, body: RecoveryComplete
) -> RecoveryDone:
    return recovery.complete_recovery(session, ctx, body, client)


@router.post("/auth/invites/lookup", dependencies=Public)
def lookup_invite(session: DbSession, ctx: Accounts, body: InviteLookup) -> InviteDetails:
    return invites.lookup_invite(session, ctx, body.token)


@router.post("/auth/invites/accept", status_code=status.HTTP_201_CREATED, dependencies=Public)
def accept_invite(
    session: DbSession, ctx: Accounts, client: Client, body: InviteAccept, response: Response
) -> SignedIn:
    return _hand_out(invites.accept_invite(session, ctx, body, client), response, ctx)


# Signed in, before TOTP enrolment too ----------------------------------------


@router.get("/auth/me")
def me(session: DbSession, principal: EnrollingMember) -> MemberPublic:
    return self_service.me(session, principal)


@router.post("/auth/sign-out")
def sign_out(
    session: DbSession, ctx: Accounts, principal: EnrollingMember, response: Response
) -> Revoked:
    revoked = self_service.revoke_session(session, ctx, principal, principal.session_id)
    response.delete_cookie(COOKIE_NAME, path="/")
    return revoked


@router.post("/auth/totp/enrol")
def start_totp_enrolment(
    session: DbSession, ctx: Accounts, principal: EnrollingMember
) -> TotpEnrolment:
    return enrolment.start_enrolment(session, ctx, principal)


@router.post("/auth/totp/confirm")
def confirm_totp_enrolment(
    session: DbSession, ctx: Accounts, principal: EnrollingMember, body: TotpConfirm
) -> BackupCodes:
    return enrolment.confirm_enrolment(session, ctx, principal, body.code)


# Signed in ---------------------------------------------------------------------


@router.post("/auth/sign-out-everywhere")
def sign_out_everywhere(
    session: DbSession, ctx: Accounts, principal: Member, response: Response
) -> Revoked:
    response.delete_cookie(COOKIE_NAME, path="/")
    return self_service.sign_out_everywhere(session, ctx, principal)


@router.get("/auth/sessions")
def list_sessions(session: DbSession, ctx: Accounts, principal: Member) -> SessionList:
    return self_service.list_sessions(session, ctx, principal)


@router.delete("/auth/sessions/{session_id}")
def revoke_session(
    session: DbSession, ctx: Accounts, principal: Member, session_id: uuid.UUID
) -> Revoked:
    return self_service.revoke_session(session, ctx, principal, session_id)


@router.post("/auth/password")
def change_password(
    session: DbSession, ctx: Accounts, principal: Member, body: PasswordChange
) -> Revoked:
    return self_service.change_password(session, ctx, principal, body)


@router.post("/auth/backup-codes")
def regenerate_backup_codes(
    session: DbSession, ctx: Accounts, principal: Member, body: TotpConfirm
) -> BackupCodes:
    return enrolment.regenerate_backup_codes(session, ctx, principal, body.code)


@router.put("/auth/pin")
def set_own_pin(session: DbSession, ctx: Accounts, principal: Member, body: PinSet) -> MemberPublic:
    return members.set_pin(session, ctx, principal, principal.user_code, body.pin)


# An org's members, invitations and audit log --------------------------------------


@router.get("/orgs/{org}/members")
def list_members(
    session: DbSession, principal: Annotated[Principal, allow(P.MEMBERS_READ)]
) -> MemberList:
    return members.list_members(session, principal)


@router.put("/orgs/{org}/members/{member}/role")
def change_role(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.MEMBERS_MANAGE)],
    member: MemberCode,
    body: RoleChange,
) -> MemberPublic:
    return members.change_role(session, ctx, principal, member, body.role)


@router.post("/orgs/{org}/members/{member}/disable")
def disable_member(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.MEMBERS_MANAGE)],
    member: MemberCode,
) -> MemberPublic:
    return members.set_disabled(session, ctx, principal, member, disabled=True)


@router.post("/orgs/{org}/members/{member}/enable")
def enable_member(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.MEMBERS_MANAGE)],
    member: MemberCode,
) -> MemberPublic:
    return members.set_disabled(session, ctx, principal, member, disabled=False)


@router.put("/orgs/{org}/members/{member}/pin")
def set_member_pin(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.PINS_SET_OTHERS)],
    member: MemberCode,
    body: PinSet,
) -> MemberPublic:
    return members.set_pin(session, ctx, principal, member, body.pin)


@router.post("/orgs/{org}/members/{member}/totp-reset")
def reset_member_totp(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.MEMBERS_MANAGE)],
    member: MemberCode,
) -> MemberPublic:
    return enrolment.reset_member_totp(session, ctx, principal, member)


@router.post("/orgs/{org}/invites", status_code=status.HTTP_201_CREATED)
def create_invite(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.MEMBERS_INVITE)],
    body: InviteCreate,
) -> InvitePublic:
    return invites.create_invite(session, ctx, principal, body)


@router.get("/orgs/{org}/invites")
def list_invites(
    session: DbSession, ctx: Accounts, principal: Annotated[Principal, allow(P.MEMBERS_INVITE)]
) -> InviteList:
    return invites.list_invites(session, ctx, principal)


@router.delete("/orgs/{org}/invites/{invite_id}")
def revoke_invite(
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.MEMBERS_INVITE)],
    invite_id: uuid.UUID,
) -> Revoked:
    return invites.revoke_invite(session, ctx, principal, invite_id)


@router.get("/orgs/{org}/audit")
def read_audit(
    session: DbSession,
    principal: Annotated[Principal, allow(P.AUDIT_READ)],
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=AUDIT_PAGE_MAX)] = 100,
) -> AuditPage:
    with session.begin():
        records = audit.page(session, principal.org_id, after_seq, limit)
    entries = [AuditEntry.model_validate(record) for record in records]
    return AuditPage(
        entries=entries, next_after_seq=entries[-1].seq if len(entries) == limit else None
    )


@router.get("/orgs/{org}/audit/verify")
def verify_audit(
    session: DbSession, principal: Annotated[Principal, allow(P.AUDIT_READ)]
) -> AuditVerification:
    problems = audit.verify_chain(session, principal.org_id)
    return AuditVerification(
        intact=not problems,
        problems=[
            AuditProblemPublic(seq=p.seq, problem=p.problem, detail=p.detail) for p in problems
        ],
    )


@router.get("/orgs/{org}/audit/export")
def export_audit(
    runtime: Runtime,
    session: DbSession,
    ctx: Accounts,
    principal: Annotated[Principal, allow(P.AUDIT_READ)],
) -> StreamingResponse:
    """The org's whole log as JSON lines, hashes included, to verify and keep elsewhere."""
    with session.begin():
        audit.record(
            session,
            principal.org_id,
            "audit.exported",
            at=ctx.now(),
            actor=audit.actor_of(principal),
            target=principal.org_code,
        )

    def lines() -> Iterator[bytes]:
        # Its own session: the request's is closed before a streamed body is sent.
        with runtime.sessions() as own, own.begin():
            for record in audit.iter_records(own, principal.org_id):
                yield json.dumps(record, ensure_ascii=False, sort_keys=True).encode() + b"\n"

    filename = f"audit-{principal.org_code}.jsonl"
    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
