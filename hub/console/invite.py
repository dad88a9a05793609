"""Accepting an invitation from the e-mailed link.

The link is ``/console/invite#token=...`` (``hub.accounts.invites``): the
token is in the fragment, which the browser never sends. So the page is a
small form the console's script fills from the fragment and sends (POST,
so the token stays out of URLs and logs; the script also drops the
fragment from the address bar). Without the script the person pastes the
token. The answer says which organisation and role it is for and asks for a
username, a name and a password; accepting signs the new member in.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from hub.accounts import invites
from hub.accounts.schemas import InviteAccept, InviteDetails, InviteLookup
from hub.console.auth import Accounts, Client, Db
from hub.console.entry import signed_in_redirect
from hub.console.forms import Form, Problem, PublicForm, invalid, problem_of
from hub.console.pages import public_page, status_of
from hub.console.web import ConsoleRoute
from setledger.errors import SetLedgerError

router = APIRouter(route_class=ConsoleRoute)

_KEPT = ("username", "display_name")


def _open_page(request: Request, problem: Problem | None = None, status: int = 200) -> Response:
    return public_page(request, "invite_open.html", "Accept an invitation", status, problem=problem)


def _accept_page(
    request: Request,
    token: str,
    details: InviteDetails,
    form: Form,
    problem: Problem | None = None,
    status: int = 200,
) -> Response:
    return public_page(
        request,
        "invite_accept.html",
        f"Join {details.org_name}",
        status,
        token=token,
        details=details,
        form={name: form.get(name, "") for name in _KEPT},
        problem=problem,
    )


@router.get("/invite")
def invite_page(request: Request) -> Response:
    return _open_page(request)


@router.post("/invite/open")
def open_invite(request: Request, form: PublicForm, db: Db, ctx: Accounts) -> Response:
    try:
        token = InviteLookup.model_validate({"token": form.get("token", "").strip()}).token
        details = invites.lookup_invite(db, ctx, token)
    except ValidationError as err:
        problem = invalid(err)
        return _open_page(request, problem, status_of(problem))
    except SetLedgerError as err:
        return _open_page(request, problem_of(err), status_of(None, err))
    return _accept_page(request, token, details, {})


@router.post("/invite/accept")
def accept_invite(
    request: Request, form: PublicForm, db: Db, ctx: Accounts, client: Client
) -> Response:
    token = form.get("token", "").strip()
    fields = {
        "token": token,
        "username": form.get("username", ""),
        "password": form.get("password", ""),
        "display_name": form.get("display_name", ""),
        "session": "cookie",
    }
    try:
        issued = invites.accept_invite(db, ctx, InviteAccept.model_validate(fields), client)
    except (ValidationError, SetLedgerError) as err:
        problem = invalid(err) if isinstance(err, ValidationError) else problem_of(err)
        status = status_of(problem) if isinstance(err, ValidationError) else status_of(None, err)
        try:
            details = invites.lookup_invite(db, ctx, token)
        except (ValidationError, SetLedgerError):
            # Used, withdrawn or expired meanwhile (or no token at all).
            return _open_page(request, problem, status)
        return _accept_page(request, token, details, form, problem, status)
    return signed_in_redirect(issued, ctx)
