"""Dependencies every route shares: the runtime, a database session, the caller.

Every route declares exactly one kind of access, and a test walks every
route to check it does (``tests/hub/test_tenancy.py``):

- ``Public``: anyone (sign-up, sign-in, recovery, invitations), rate-limited
  per IP;
- ``EnrollingMember`` / ``Member``: a signed-in member acting on their own
  account (their sessions, password, TOTP, PIN) and nothing of anyone else;
- ``Allowed(permission)``: a member of the org named in the path whose role
  has ``permission`` in :data:`hub.accounts.permissions.MATRIX`. Another
  org's code answers 404 ``ORG_NOT_FOUND``, exactly as an org that does not
  exist, so codes cannot be probed. The request's database session is then
  marked as acting for that org (:func:`hub.db.tenancy.act_for_org`): on
  PostgreSQL row-level security refuses any row of another org even if a
  query forgot its ``WHERE org_id``;
- ``DeviceOrMember``: a store box's device token, or a member (catalog blobs).

Callers are resolved with :func:`hub.accounts.sessions.resolve` (the
``setledger_session`` cookie or ``Authorization: Bearer``) in a database
session of their own, so the route's session starts clean.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.context import AccountsContext, of_app
from hub.accounts.members import require
from hub.accounts.permissions import Permission
from hub.accounts.principal import MFA_REQUIRED, Principal
from hub.accounts.sessions import ClientInfo, SessionKind, resolve
from hub.accounts.signin import check_rate
from hub.db.models import Device
from hub.db.tenancy import act_for_org
from hub.registry.devices import hash_token
from hub.runtime import HubRuntime
from setledger import errors

COOKIE_NAME = "setledger_session"


class Access(StrEnum):
    PUBLIC = "public"
    SELF = "self"
    """The caller's own account only."""
    ORG = "org"
    """A member of the org in the path, with a permission."""
    DEVICE = "device"
    """A store box's token (or a member of its org)."""


def _declares(access: Access, permission: Permission | None = None) -> Callable[[Any], Any]:
    """Label a dependency with the access it grants, for :func:`access_of`."""

    def label(dependency: Any) -> Any:
        dependency.access = access
        dependency.permission = permission
        return dependency

    return label


def access_of(route: APIRoute) -> tuple[Access, Permission | None] | None:
    """The access a route declares through its dependencies (None: none declared)."""
    found: list[tuple[Access, Permission | None]] = []

    def walk(dependant: Any) -> None:
        for sub in dependant.dependencies:
            access = getattr(sub.call, "access", None)
            if access is not None:
                found.append((access, sub.call.permission))
            walk(sub)

    walk(route.dependant)
    # The most specific wins: an org permission builds on a signed-in member.
    for wanted in (Access.ORG, Access.DEVICE, Access.PUBLIC, Access.SELF):
        for access, permission in found:
            if access == wanted:
                return access, permission
    return None


# The runtime and the database ------------------------------------------------


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


def get_accounts(request: Request) -> AccountsContext:
    return of_app(request.app)


Accounts = Annotated[AccountsContext, Depends(get_accounts)]


def get_client(request: Request) -> ClientInfo:
    host = request.client.host if request.client else None
    return ClientInfo(ip=host, user_agent=request.headers.get("user-agent")).clean()


Client = Annotated[ClientInfo, Depends(get_client)]


def set_session_cookie(response: Response, token: str, ctx: AccountsContext) -> None:
    """A cookie session: HttpOnly (no script reads it), SameSite=Lax, Secure in production.

    The API (``session: "cookie"``) and the console hand sessions out alike.
    """
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(ctx.session_ttl.total_seconds()),
        path="/",
        secure=ctx.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


# Anyone ------------------------------------------------------------------------


@_declares(Access.PUBLIC)
def limit_per_ip(ctx: Accounts, client: Client) -> None:
    check_rate(ctx, "ip", client.ip or "unknown", ctx.settings.rate_limit_ip)


Public = [Depends(limit_per_ip)]


# A member ------------------------------------------------------------------------


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _token(request: Request, authorization: str | None) -> tuple[str, SessionKind] | None:
    """The bearer token if there is one, else the session cookie."""
    bearer = _bearer(authorization)
    if bearer is not None:
        return bearer, "bearer"
    cookie = request.cookies.get(COOKIE_NAME)
    return (cookie, "cookie") if cookie else None


def _resolve(
    request: Request, runtime: HubRuntime, ctx: AccountsContext, authorization: str | None
) -> Principal | None:
    found = _token(request, authorization)
    if found is None:
        return None
    token, via = found
    with runtime.sessions() as session:
        return resolve(session, token, via, ctx.now(), idle_timeout=ctx.idle_timeout)


@_declares(Access.SELF)
def require_signed_in(
    request: Request,
    runtime: Runtime,
    ctx: Accounts,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    principal = _resolve(request, runtime, ctx, authorization)
    if principal is None:
        raise errors.UNAUTHENTICATED.error()
    return principal


EnrollingMember = Annotated[Principal, Depends(require_signed_in)]
"""Any signed-in member, TOTP enrolled or not (the enrolment routes, sign-out)."""


def _enrolled(principal: Principal) -> Principal:
    if principal.role in MFA_REQUIRED and not principal.mfa_enrolled:
        raise errors.MFA_ENROLMENT_REQUIRED.error(role=principal.role.value)
    return principal


@_declares(Access.SELF)
def require_member(principal: EnrollingMember) -> Principal:
    return _enrolled(principal)


Member = Annotated[Principal, Depends(require_member)]
"""A signed-in member, with TOTP enrolled where the role needs it."""


def allow(permission: Permission) -> Any:
    """The dependency of an org route: a member of ``{org}`` whose role has ``permission``."""

    @_declares(Access.ORG, permission)
    def dependency(principal: Member, session: DbSession, org: str) -> Principal:
        if org != principal.org_code:
            # As if it did not exist: another org's code is not confirmed.
            raise errors.ORG_NOT_FOUND.error(org_id=org[:40])
        require(principal, permission, permission.value)
        act_for_org(session, principal.org_id)
        return principal

    dependency.__name__ = f"allow_{permission.name.lower()}"
    return Depends(dependency)


# A store box ------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """A store box of one org, or a member of it."""

    kind: str
    org_id: uuid.UUID
    device_id: uuid.UUID | None = None


@_declares(Access.DEVICE)
def require_device_or_member(
    request: Request,
    runtime: Runtime,
    ctx: Accounts,
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    token = _bearer(authorization)
    if token is not None:
        # Looked up by the token's sha256 (what the registry keeps): a random
        # 32-byte token's hash leaks nothing through the index lookup's timing.
        with runtime.sessions() as session:
            device = session.scalars(
                select(Device).where(
                    Device.token_hash == hash_token(token), Device.revoked_at.is_(None)
                )
            ).first()
        if device is not None:
            return Caller(kind="device", org_id=device.org_id, device_id=device.device_id)
    principal = _resolve(request, runtime, ctx, authorization)
    if principal is None:
        raise errors.UNAUTHENTICATED.error()
    principal = _enrolled(principal)
    require(principal, Permission.CATALOG_READ, Permission.CATALOG_READ.value)
    return Caller(kind="member", org_id=principal.org_id)
