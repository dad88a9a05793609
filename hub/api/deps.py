"""Dependencies every route shares: the runtime, a database session, the caller.

Authentication is one dependency (``require_admin``): today a bearer admin
token from the settings; accounts with TOTP replace it later without
touching the routes.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from hub.runtime import HubRuntime
from setledger import errors


def get_runtime(request: Request) -> HubRuntime:
    runtime = request.app.state.hub
    assert isinstance(runtime, HubRuntime)
    return runtime


Runtime = Annotated[HubRuntime, Depends(get_runtime)]


def get_session(runtime: Runtime) -> Iterator[Session]:
    """A session for the request; the service called opens its one transaction."""
    with runtime.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Principal:
    """Who is calling. Only the hub administrator exists until accounts land."""

    kind: str


ADMIN = Principal(kind="admin")


def require_admin(
    runtime: Runtime, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    expected = runtime.settings.admin_token.get_secret_value()
    # compare_digest on bytes: constant time, and no TypeError on non-ASCII input.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode("utf-8"), expected.encode("utf-8")
    ):
        raise errors.UNAUTHENTICATED.error()
    return ADMIN


Admin = Annotated[Principal, Depends(require_admin)]
