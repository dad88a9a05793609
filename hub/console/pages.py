"""Rendering a console page with what every page needs: the title, the
navigation of the signed-in member, the CSRF token of its forms, a notice,
and the problem to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from appkit.errors import STATUS
from hub.accounts.context import of_app
from hub.accounts.permissions import Permission, allowed
from hub.accounts.principal import Principal, Role
from hub.console import csrf
from hub.console.auth import SESSION_COOKIE, needs_enrolment
from hub.console.forms import Problem
from hub.console.stock_access import may_open_stock_pages
from hub.console.web import PREFIX, render
from setledger.errors import SetLedgerError

NOTICES: dict[str, str] = {
    "signed-out": "You are signed out.",
    "signed-out-everywhere": "You are signed out on every device.",
    "password-reset": "Your password is changed. Sign in with it.",
    "password-reset-totp": (
        "Your password is changed and two-factor sign-in is off. Sign in, then set up your "
        "authenticator app again."
    ),
    "codes-shown": "Backup codes are shown only once, when they are made.",
    "invited": "Invitation sent.",
    "role-changed": "Role changed.",
    "disabled": "Member disabled; their sessions are signed out.",
    "enabled": "Member enabled.",
    "totp-reset": "Two-factor sign-in reset; the member sets it up again at their next sign-in.",
    "invite-withdrawn": "Invitation withdrawn.",
    "session-revoked": "Session signed out.",
    "saved": "Product saved.",
}
"""Notices a redirect names in ``?notice=`` (only these: no text from a URL is shown)."""


def role_label(role: Role | str) -> str:
    return Role(role).value.replace("_", " ")


@dataclass(frozen=True)
class Nav:
    user_code: str
    org_code: str
    role: str
    members: bool
    """Whether the Members link is shown (the role may list members)."""
    enrolling: bool
    books: bool = False
    """Whether the Books link is shown (the role may read the books)."""
    stock: bool = False
    """Whether the Stock link is shown (``stock_access``: back-office roles)."""
    purchasing: bool = False
    """Whether the Purchasing link is shown (the role may read purchasing)."""


def nav_of(principal: Principal) -> Nav:
    return Nav(
        user_code=principal.user_code,
        org_code=principal.org_code,
        role=role_label(principal.role),
        members=allowed(principal.role, Permission.MEMBERS_READ),
        enrolling=needs_enrolment(principal),
        books=allowed(principal.role, Permission.BOOKS_READ),
        stock=may_open_stock_pages(principal.role),
        purchasing=allowed(principal.role, Permission.PURCHASING_READ),
    )


def status_of(problem: Problem | None, err: SetLedgerError | None = None) -> int:
    if err is not None:
        return STATUS[err.kind]
    return 422 if problem is not None else 200


def _base(request: Request, title: str, context: dict[str, Any]) -> dict[str, Any]:
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return {
        "title": title,
        "notice": notice,
        "problem": None,
        "prefix": PREFIX,
        "role_label": role_label,
        **context,
    }


def member_page(
    request: Request,
    principal: Principal,
    template: str,
    title: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    page = _base(request, title, context)
    page.update(nav=nav_of(principal), csrf_token=csrf.member_token(cookie))
    return render(template, page, status)


def public_page(
    request: Request, template: str, title: str, status: int = 200, **context: Any
) -> HTMLResponse:
    existing = request.cookies.get(csrf.PUBLIC_COOKIE, "")
    fresh = not 20 <= len(existing) <= 128
    token = csrf.new_public_token() if fresh else existing
    page = _base(request, title, context)
    page.update(nav=None, csrf_token=token)
    response = render(template, page, status)
    if fresh:
        response.set_cookie(
            csrf.PUBLIC_COOKIE,
            token,
            path=PREFIX,
            secure=of_app(request.app).settings.cookie_secure,
            httponly=True,
            samesite="strict",
        )
    return response
