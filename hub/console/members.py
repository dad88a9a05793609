"""Members and roles: the list, invitations, role changes, disabling and
enabling, resetting another member's two-factor sign-in.

The org is always the signed-in member's; a member code in the URL is only
looked up inside it (by the services), so another org's code answers the
404 page and changes nothing. Buttons are shown only where the role may use
them (the same rules the services enforce: the permission matrix, an admin
never acts on an owner, nobody acts on themselves); the services still
check every action.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.accounts import enrolment, invites, members
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal, Role
from hub.accounts.schemas import InviteCreate, InviteList, MemberPublic, RoleChange
from hub.console.auth import Accounts, Db, Member
from hub.console.forms import Form, MemberForm, Problem, invalid, problem_of
from hub.console.pages import member_page, status_of
from hub.console.web import PREFIX, ConsoleRoute
from setledger.errors import ErrorKind, SetLedgerError

router = APIRouter(route_class=ConsoleRoute)

MEMBERS = f"{PREFIX}/members"
MEMBER_CODE = r"^ORG-[0-9a-f]{8}-U-[0-9]{6}$"
MemberCode = Annotated[str, Path(pattern=MEMBER_CODE)]


@dataclass(frozen=True)
class MemberRow:
    member: MemberPublic
    manageable: bool
    """Whether this member's role, status and 2FA buttons are shown."""
    is_you: bool


def role_choices(principal: Principal) -> list[Role]:
    """The roles the member may give: only an owner gives ownership."""
    return [role for role in Role if role is not Role.OWNER or principal.role is Role.OWNER]


def _manageable(principal: Principal, member: MemberPublic) -> bool:
    return (
        allowed(principal.role, Permission.MEMBERS_MANAGE)
        and member.user_id != principal.user_code
        and (principal.role is Role.OWNER or member.role is not Role.OWNER)
    )


def _members_page(
    request: Request,
    db: Db,
    ctx: Accounts,
    principal: Principal,
    problem: Problem | None = None,
    status: int = 200,
    form: Form | None = None,
) -> Response:
    listed = members.list_members(db, principal)
    rows = [
        MemberRow(m, _manageable(principal, m), m.user_id == principal.user_code)
        for m in listed.members
    ]
    may_invite = allowed(principal.role, Permission.MEMBERS_INVITE)
    pending = invites.list_invites(db, ctx, principal) if may_invite else InviteList(invites=[])
    return member_page(
        request,
        principal,
        "members.html",
        "Members and roles",
        status,
        rows=rows,
        invites=pending.invites,
        may_invite=may_invite,
        roles=role_choices(principal),
        form={"email": (form or {}).get("email", ""), "role": (form or {}).get("role", "")},
        problem=problem,
    )


def _done(notice: str) -> Response:
    return RedirectResponse(f"{MEMBERS}?notice={notice}", status_code=303)


def _refused(
    request: Request, db: Db, ctx: Accounts, principal: Principal, err: SetLedgerError
) -> Response:
    """A refused action is shown on the list; an unknown member is the 404 page."""
    if err.kind is ErrorKind.NOT_FOUND:
        raise err
    return _members_page(request, db, ctx, principal, problem_of(err), status_of(None, err))


@router.get("/members")
def members_page(request: Request, db: Db, ctx: Accounts, principal: Member) -> Response:
    return _members_page(request, db, ctx, principal)


@router.post("/members/invite")
def invite(
    request: Request, form: MemberForm, db: Db, ctx: Accounts, principal: Member
) -> Response:
    fields = {"email": form.get("email", "").strip(), "role": form.get("role", "")}
    try:
        invites.create_invite(db, ctx, principal, InviteCreate.model_validate(fields))
    except ValidationError as err:
        problem = invalid(err)
        return _members_page(request, db, ctx, principal, problem, status_of(problem), form)
    except SetLedgerError as err:
        status = status_of(None, err)
        return _members_page(request, db, ctx, principal, problem_of(err), status, form)
    return _done("invited")


@router.post("/invites/{invite_id}/withdraw")
def withdraw_invite(
    request: Request,
    _form: MemberForm,
    db: Db,
    ctx: Accounts,
    principal: Member,
    invite_id: uuid.UUID,
) -> Response:
    try:
        invites.revoke_invite(db, ctx, principal, invite_id)
    except SetLedgerError as err:
        return _refused(request, db, ctx, principal, err)
    return _done("invite-withdrawn")


@router.post("/members/{member}/role")
def change_role(
    request: Request,
    form: MemberForm,
    db: Db,
    ctx: Accounts,
    principal: Member,
    member: MemberCode,
) -> Response:
    try:
        role = RoleChange.model_validate({"role": form.get("role", "")}).role
        members.change_role(db, ctx, principal, member, role)
    except ValidationError as err:
        problem = invalid(err)
        return _members_page(request, db, ctx, principal, problem, status_of(problem))
    except SetLedgerError as err:
        return _refused(request, db, ctx, principal, err)
    return _done("role-changed")


def _member_action(
    request: Request,
    db: Db,
    ctx: Accounts,
    principal: Principal,
    action: Callable[[], object],
    notice: str,
) -> Response:
    """Run one action on a member (the service checks the role); back to the list."""
    try:
        action()
    except SetLedgerError as err:
        return _refused(request, db, ctx, principal, err)
    return _done(notice)


@router.post("/members/{member}/disable")
def disable(
    request: Request,
    _form: MemberForm,
    db: Db,
    ctx: Accounts,
    principal: Member,
    member: MemberCode,
) -> Response:
    def act() -> object:
        return members.set_disabled(db, ctx, principal, member, disabled=True)

    return _member_action(request, db, ctx, principal, act, "disabled")


@router.post("/members/{member}/enable")
def enable(
    request: Request,
    _form: MemberForm,
    db: Db,
    ctx: Accounts,
    principal: Member,
    member: MemberCode,
) -> Response:
    def act() -> object:
        return members.set_disabled(db, ctx, principal, member, disabled=False)

    return _member_action(request, db, ctx, principal, act, "enabled")


@router.post("/members/{member}/totp-reset")
def reset_totp(
    request: Request,
    _form: MemberForm,
    db: Db,
    ctx: Accounts,
    principal: Member,
    member: MemberCode,
) -> Response:
    def act() -> object:
        return enrolment.reset_member_totp(db, ctx, principal, member)

    return _member_action(request, db, ctx, principal, act, "totp-reset")
