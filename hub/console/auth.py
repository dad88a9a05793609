"""Who is at the browser: the ``setledger_session`` cookie, resolved with the
accounts service, and the dependencies console routes declare.

``EnrollingMember``: any signed-in member (the TOTP pages and signing out).
``Member``: signed in, and TOTP enrolled where the role needs it; an owner
or admin who has not enrolled yet is sent to the enrolment page, as the API
answers them MFA_ENROLMENT_REQUIRED. A cookie that no longer resolves
(expired, revoked, member disabled) sends the browser to sign in and is
dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from hub.accounts.context import AccountsContext, of_app
from hub.accounts.principal import MFA_REQUIRED, Principal
from hub.accounts.sessions import ClientInfo, resolve
from hub.accounts.signin import Issued
from hub.api.deps import COOKIE_NAME, set_session_cookie
from hub.console.web import PREFIX, Redirect
from hub.runtime import HubRuntime

SESSION_COOKIE = COOKIE_NAME
"""The cookie ``hub.api.accounts`` issues too: one session serves both."""
SIGN_IN = f"{PREFIX}/sign-in"
ENROL = f"{PREFIX}/totp"
HOME = f"{PREFIX}/"


def runtime_of(request: Request) -> HubRuntime:
    runtime = request.app.state.hub
    assert isinstance(runtime, HubRuntime)
    return runtime


def accounts_of(request: Request) -> AccountsContext:
    return of_app(request.app)


Accounts = Annotated[AccountsContext, Depends(accounts_of)]


def database(request: Request) -> Iterator[Session]:
    """A session for the route; each service it calls owns its transaction."""
    with runtime_of(request).sessions() as session:
        yield session


Db = Annotated[Session, Depends(database)]


def client_of(request: Request) -> ClientInfo:
    host = request.client.host if request.client else None
    return ClientInfo(ip=host, user_agent=request.headers.get("user-agent")).clean()


Client = Annotated[ClientInfo, Depends(client_of)]


def signed_in(request: Request) -> Principal | None:
    """The member the cookie signs in, or None. Its own database session, so
    the route's session starts clean (as in the API)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    ctx = accounts_of(request)
    with runtime_of(request).sessions() as session:
        return resolve(session, token, "cookie", ctx.now(), idle_timeout=ctx.idle_timeout)


def require_signed_in(request: Request) -> Principal:
    principal = signed_in(request)
    if principal is None:
        stale = SESSION_COOKIE if SESSION_COOKIE in request.cookies else None
        raise Redirect(SIGN_IN, drop_session=stale)
    return principal


EnrollingMember = Annotated[Principal, Depends(require_signed_in)]


def require_member(principal: EnrollingMember) -> Principal:
    if needs_enrolment(principal):
        raise Redirect(ENROL)
    return principal


Member = Annotated[Principal, Depends(require_member)]


def needs_enrolment(principal: Principal) -> bool:
    return principal.role in MFA_REQUIRED and not principal.mfa_enrolled


def hand_out(response: Response, issued: Issued, ctx: AccountsContext) -> None:
    """The new session as the console's cookie (the same attributes as the API's)."""
    set_session_cookie(response, issued.token, ctx)


def drop_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
