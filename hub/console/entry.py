"""Getting in and out: sign-up, sign-in, sign-out.

Each POST validates the form with the API's own request model, calls the
accounts service, and either redirects (303, so a reload never posts
twice) or shows the same form again with the problem next to its field.
Passwords are never put back into a form.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.accounts import self_service, signin, signup
from hub.accounts.context import AccountsContext
from hub.accounts.schemas import SignIn, SignUp
from hub.console.auth import (
    ENROL,
    HOME,
    SIGN_IN,
    Accounts,
    Client,
    Db,
    drop_session,
    hand_out,
    signed_in,
)
from hub.console.forms import Form, MemberForm, Problem, PublicForm, invalid, problem_of, text
from hub.console.pages import public_page, status_of
from hub.console.web import ConsoleRoute
from setledger.errors import SetLedgerError
from setledger.states import STATES, is_domestic

router = APIRouter(route_class=ConsoleRoute)

STATE_CHOICES: list[tuple[str, str]] = sorted(
    ((code, name) for code, (name, _) in STATES.items() if is_domestic(code)),
    key=lambda choice: choice[1],
)


def _already_in(request: Request) -> Response | None:
    """Signed-in browsers skip the sign-in and sign-up pages."""
    return RedirectResponse(HOME, status_code=303) if signed_in(request) is not None else None


def signed_in_redirect(issued: signin.Issued, ctx: AccountsContext) -> Response:
    target = ENROL if issued.response.mfa_enrolment_required else HOME
    response = RedirectResponse(target, status_code=303)
    hand_out(response, issued, ctx)
    return response


# Sign-up ---------------------------------------------------------------------------


def _sign_up_page(
    request: Request, form: Form, problem: Problem | None = None, status: int = 200
) -> Response:
    kept = {name: form.get(name, "") for name in _SIGN_UP_KEPT}
    return public_page(
        request,
        "sign_up.html",
        "Open an account for your business",
        status,
        form=kept,
        states=STATE_CHOICES,
        problem=problem,
    )


_SIGN_UP_KEPT = ("org_name", "org_state_code", "org_gstin", "username", "display_name", "email")


@router.get("/sign-up")
def sign_up_page(request: Request) -> Response:
    return _already_in(request) or _sign_up_page(request, {})


@router.post("/sign-up")
def sign_up(request: Request, form: PublicForm, db: Db, ctx: Accounts, client: Client) -> Response:
    fields: dict[str, Any] = {
        "org": {
            "name": form.get("org_name", ""),
            "state_code": form.get("org_state_code", ""),
            "gstin": text(form, "org_gstin"),
        },
        "username": form.get("username", ""),
        "password": form.get("password", ""),
        "display_name": form.get("display_name", ""),
        "email": form.get("email", ""),
        "session": "cookie",
    }
    try:
        issued = signup.sign_up(db, ctx, SignUp.model_validate(fields), client)
    except ValidationError as err:
        problem = invalid(err)
        return _sign_up_page(request, form, problem, status_of(problem))
    except SetLedgerError as err:
        return _sign_up_page(request, form, problem_of(err), status_of(None, err))
    return signed_in_redirect(issued, ctx)


# Sign-in ---------------------------------------------------------------------------


def _sign_in_page(
    request: Request, username: str = "", problem: Problem | None = None, status: int = 200
) -> Response:
    return public_page(
        request, "sign_in.html", "Sign in", status, username=username, problem=problem
    )


def _sign_in_problem(err: SetLedgerError, ctx: AccountsContext) -> Problem:
    retry = err.details.get("retry_after_s")
    if err.code in ("ACCOUNT_LOCKED", "RATE_LIMITED") and isinstance(retry, int):
        until = ctx.now() + timedelta(seconds=retry)
        minutes = max(1, -(-retry // 60))
        when = f"Try again after {until:%H:%M} UTC (in about {minutes} min)"
        if err.code == "ACCOUNT_LOCKED":
            return problem_of(err, f"{when}, or reset your password by e-mail.")
        return problem_of(err, f"{when}.")
    return problem_of(err)


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    return _already_in(request) or _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, form: PublicForm, db: Db, ctx: Accounts, client: Client) -> Response:
    username = form.get("username", "")
    fields = {
        "username": username,
        "password": form.get("password", ""),
        "code": text(form, "code"),
        "session": "cookie",
    }
    try:
        issued = signin.sign_in(db, ctx, SignIn.model_validate(fields), client)
    except ValidationError as err:
        problem = invalid(err)
        return _sign_in_page(request, username, problem, status_of(problem))
    except SetLedgerError as err:
        return _sign_in_page(request, username, _sign_in_problem(err, ctx), status_of(None, err))
    return signed_in_redirect(issued, ctx)


# Sign-out --------------------------------------------------------------------------


@router.post("/sign-out")
def sign_out(request: Request, _form: MemberForm, db: Db, ctx: Accounts) -> Response:
    # The CSRF token is checked against the cookie, valid or not: a browser
    # whose session already ended can still clear its cookie.
    principal = signed_in(request)
    if principal is not None:
        self_service.revoke_session(db, ctx, principal, principal.session_id)
    response = RedirectResponse(f"{SIGN_IN}?notice=signed-out", status_code=303)
    drop_session(response)
    return response
