"""What routes ask for, as Annotated aliases so signatures say it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from appkit.context import current
from edge.runtime import BoxRuntime
from edge.services import sign_in
from edge.services.approvals import Actor
from edge.services.sessions import Session
from setledger import errors


def _box(request: Request) -> BoxRuntime:
    box: BoxRuntime = request.app.state.box
    return box


Box = Annotated[BoxRuntime, Depends(_box)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="box session",
    description="The token from POST /api/v1/auth/pin (a cashier's PIN at this box).",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _token(credentials: Credentials) -> str:
    if credentials is None:
        raise errors.SIGN_IN_REQUIRED.error(reason="no box token sent")
    return credentials.credentials


Token = Annotated[str, Depends(_token)]


def _session(box: Box, token: Token) -> Session:
    session = sign_in.current(box, token)
    if session is None:
        raise errors.SIGN_IN_REQUIRED.error(reason="the session has ended or expired")
    return session


SignedIn = Annotated[Session, Depends(_session)]
"""A live box session (for the auth routes themselves)."""


def _cashier(box: Box, credentials: Credentials) -> Session | None:
    if credentials is None and not box.settings.require_sign_in:
        return None  # sign-in turned off: anonymous selling, as before sign-in existed
    return _session(box, _token(credentials))


Cashier = Annotated[Session | None, Depends(_cashier)]
"""Who sells: required unless the box's ``require_sign_in`` is off. A token
that is sent is always checked, even then."""


def actor_of(cashier: Session | None) -> Actor:
    return Actor(user_id=None if cashier is None else cashier.user_id, correlation_id=current())
