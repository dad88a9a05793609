"""A forgotten password: ask for a link by username, then set a new password
from the e-mailed link (``/console/recover#token=...``, with a backup code
when two-factor sign-in is on).

Asking answers the same whether or not the username exists, as the service
does. As with invitations, the console's script moves the token from the
link's fragment into the form.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.accounts import recovery
from hub.accounts.schemas import RecoveryComplete, RecoveryRequest
from hub.console.auth import SIGN_IN, Accounts, Client, Db
from hub.console.forms import Problem, PublicForm, invalid, problem_of, text
from hub.console.pages import public_page, status_of
from hub.console.web import ConsoleRoute
from setledger.errors import SetLedgerError

router = APIRouter(route_class=ConsoleRoute)


def _forgot_page(
    request: Request,
    username: str = "",
    problem: Problem | None = None,
    status: int = 200,
    sent: bool = False,
) -> Response:
    return public_page(
        request,
        "forgot.html",
        "Forgot your password",
        status,
        username=username,
        problem=problem,
        sent=sent,
    )


@router.get("/forgot")
def forgot_page(request: Request) -> Response:
    return _forgot_page(request)


@router.post("/forgot")
def ask_for_link(
    request: Request, form: PublicForm, db: Db, ctx: Accounts, client: Client
) -> Response:
    username = form.get("username", "").strip()
    try:
        data = RecoveryRequest.model_validate({"username": username})
        recovery.request_recovery(db, ctx, data, client)
    except ValidationError as err:
        problem = invalid(err)
        return _forgot_page(request, username, problem, status_of(problem))
    except SetLedgerError as err:
        return _forgot_page(request, username, problem_of(err), status_of(None, err))
    return _forgot_page(request, sent=True)


def _recover_page(
    request: Request, token: str = "", problem: Problem | None = None, status: int = 200
) -> Response:
    # The token goes back into the form when it is shown again: the fragment
    # it came from is gone by then.
    return public_page(
        request, "recover.html", "Set a new password", status, token=token, problem=problem
    )


@router.get("/recover")
def recover_page(request: Request) -> Response:
    return _recover_page(request)


@router.post("/recover")
def recover(request: Request, form: PublicForm, db: Db, ctx: Accounts, client: Client) -> Response:
    fields = {
        "token": form.get("token", "").strip(),
        "new_password": form.get("new_password", ""),
        "backup_code": text(form, "backup_code"),
    }
    try:
        done = recovery.complete_recovery(db, ctx, RecoveryComplete.model_validate(fields), client)
    except ValidationError as err:
        problem = invalid(err)
        return _recover_page(request, fields["token"] or "", problem, status_of(problem))
    except SetLedgerError as err:
        kept = "" if err.code == "RECOVERY_INVALID" else fields["token"] or ""
        return _recover_page(request, kept, problem_of(err), status_of(None, err))
    notice = "password-reset-totp" if done.totp_reset else "password-reset"
    return RedirectResponse(f"{SIGN_IN}?notice={notice}", status_code=303)
