"""Two-factor sign-in: enrolling an authenticator app with the QR code,
confirming it with a code, the backup codes (shown once) and making new ones.

Starting an enrolment makes a new secret, so it is a POST (a reload or a
prefetch of a GET must not replace a secret the member just scanned). The
secret, QR and backup codes are only ever in the body of a POST's answer
(``no-store``), never in a URL. A wrong confirmation code shows the code form
again without the QR: the secret is not readable again, and the member has
it in the app already (or starts again with a new one).
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from hub.accounts import enrolment, self_service
from hub.accounts.principal import Principal
from hub.accounts.schemas import TotpConfirm, TotpEnrolment
from hub.console.auth import Accounts, Db, EnrollingMember, Member, needs_enrolment
from hub.console.forms import Form, MemberForm, Problem, invalid, problem_of
from hub.console.pages import member_page, status_of
from hub.console.web import ConsoleRoute
from setledger.errors import SetLedgerError

router = APIRouter(route_class=ConsoleRoute)

TITLE = "Two-factor sign-in"


def _code_of(form: Form) -> TotpConfirm:
    return TotpConfirm.model_validate({"code": form.get("code", "").strip()})


def _overview(
    request: Request,
    db: Db,
    principal: Principal,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    me = self_service.me(db, principal)
    return member_page(
        request,
        principal,
        "totp.html",
        TITLE,
        status,
        me=me,
        required=needs_enrolment(principal),
        problem=problem,
    )


def _scan_page(
    request: Request,
    principal: Principal,
    started: TotpEnrolment | None,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    return member_page(
        request, principal, "totp_scan.html", TITLE, status, started=started, problem=problem
    )


@router.get("/totp")
def totp_page(request: Request, db: Db, principal: EnrollingMember) -> Response:
    return _overview(request, db, principal)


@router.post("/totp/start")
def start(
    request: Request, _form: MemberForm, db: Db, ctx: Accounts, principal: EnrollingMember
) -> Response:
    try:
        started = enrolment.start_enrolment(db, ctx, principal)
    except SetLedgerError as err:
        return _overview(request, db, principal, problem_of(err), status_of(None, err))
    return _scan_page(request, principal, started)


@router.post("/totp/confirm")
def confirm(
    request: Request, form: MemberForm, db: Db, ctx: Accounts, principal: EnrollingMember
) -> Response:
    try:
        codes = enrolment.confirm_enrolment(db, ctx, principal, _code_of(form).code)
    except ValidationError as err:
        problem = invalid(err)
        return _scan_page(request, principal, None, problem, status_of(problem))
    except SetLedgerError as err:
        if err.code == "TOTP_ALREADY_ENROLLED":
            return _overview(request, db, principal, problem_of(err), status_of(None, err))
        return _scan_page(request, principal, None, problem_of(err), status_of(None, err))
    # The principal was resolved before the confirmation: it is enrolled now.
    principal = replace(principal, mfa_enrolled=True)
    return member_page(
        request,
        principal,
        "backup_codes.html",
        "Your backup codes",
        codes=codes.codes,
        enrolled_now=True,
    )


@router.post("/totp/backup-codes")
def regenerate(
    request: Request, form: MemberForm, db: Db, ctx: Accounts, principal: Member
) -> Response:
    try:
        codes = enrolment.regenerate_backup_codes(db, ctx, principal, _code_of(form).code)
    except ValidationError as err:
        problem = invalid(err)
        return _overview(request, db, principal, problem, status_of(problem))
    except SetLedgerError as err:
        return _overview(request, db, principal, problem_of(err), status_of(None, err))
    return member_page(
        request,
        principal,
        "backup_codes.html",
        "Your backup codes",
        codes=codes.codes,
        enrolled_now=False,
    )
