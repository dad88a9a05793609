"""Dependencies every route shares: the runtime, a database session, the caller.

Authentication is one dependency per kind of caller: ``require_admin``
(today a bearer admin token from the settings; accounts with TOTP replace
it later without touching the routes) and, for the few routes a store box
calls, ``require_device_or_admin`` (the box's own device token).
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import Device
from hub.registry.devices import hash_token
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


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _is_admin(runtime: HubRuntime, token: str) -> bool:
    expected = runtime.settings.admin_token.get_secret_value()
    # compare_digest on bytes: constant time, and no TypeError on non-ASCII input.
    return hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))


def require_admin(
    runtime: Runtime, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    token = _bearer(authorization)
    if token is None or not _is_admin(runtime, token):
        raise errors.UNAUTHENTICATED.error()
    return ADMIN


Admin = Annotated[Principal, Depends(require_admin)]


@dataclass(frozen=True)
class Caller:
    """The administrator (``org_id`` None: every org) or a store box of one org."""

    kind: str
    org_id: uuid.UUID | None
    device_id: uuid.UUID | None = None


def require_device_or_admin(
    runtime: Runtime, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    token = _bearer(authorization)
    if token is None:
        raise errors.UNAUTHENTICATED.error()
    if _is_admin(runtime, token):
        return Caller(kind="admin", org_id=None)
    # Looked up by the token's sha256 (what the registry keeps): a random
    # 32-byte token's hash leaks nothing through the index lookup's timing.
    with runtime.sessions() as session:
        device = session.scalars(
            select(Device).where(
                Device.token_hash == hash_token(token), Device.revoked_at.is_(None)
            )
        ).first()
    if device is None:
        raise errors.UNAUTHENTICATED.error()
    return Caller(kind="device", org_id=device.org_id, device_id=device.device_id)
