"""The console's plumbing: templates, rendering, redirects, headers, assets.

Console routes use :class:`ConsoleRoute`, which turns what a route raises
into pages instead of the API's JSON: :class:`Redirect` into a 303, a
:class:`Refused` into its page (e.g. 403 for a missing CSRF token), a
structured error nobody caught into an error page with the API's status.
Every console response gets the same security headers: pages carry CSRF
tokens and sometimes secrets (a TOTP secret, backup codes), so they are
never cached and never framed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from appkit.context import current
from appkit.errors import STATUS
from setledger.errors import SetLedgerError

PREFIX = "/console"
ASSETS: dict[str, str] = {"console.css": "text/css", "console.js": "text/javascript"}

SECURITY_HEADERS: dict[str, str] = {
    # No inline script or style anywhere: the one script is a file of ours.
    # data: images are the TOTP QR code (an SVG data URI from the service).
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Redirect(Exception):
    """Send the browser elsewhere (303), e.g. to sign in; optionally dropping a
    session cookie that no longer works."""

    def __init__(self, location: str, *, drop_session: str | None = None) -> None:
        super().__init__(location)
        self.location = location
        self.drop_session = drop_session


@dataclass(frozen=True)
class Refusal:
    status: int
    title: str
    message: str
    remediation: str


class Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


NOT_FOUND = Refusal(
    404,
    "Page not found",
    "There is no such page in the console.",
    "Start again from the home page.",
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str


@cache
def asset(name: str) -> Asset:
    body = resources.files("hub.console").joinpath("static", name).read_bytes()
    return Asset(body, ASSETS[name], hashlib.sha256(body).hexdigest()[:12])


def asset_url(name: str) -> str:
    # The content hash in the URL lets browsers keep the file for a long time.
    return f"{PREFIX}/static/{name}?v={asset(name).version}"


@cache
def templates() -> Environment:
    """Built on first use, not at import (the composition-root rule)."""
    environment = Environment(
        loader=PackageLoader("hub.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["asset"] = asset_url
    environment.filters["when"] = when
    return environment


def when(instant: datetime | None) -> str:
    """An instant as people read it in the console (the hub keeps UTC)."""
    return "" if instant is None else f"{instant:%d %b %Y %H:%M} UTC"


def render(template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    html = templates().get_template(template).render(context)
    return HTMLResponse(html, status_code=status)


def error_page(refusal: Refusal, headers: dict[str, str] | None = None) -> HTMLResponse:
    context = {
        "title": refusal.title,
        "refusal": refusal,
        "correlation_id": current(),
        "nav": None,
        "csrf_token": "",
        "notice": None,
        "problem": None,
        "prefix": PREFIX,
    }
    response = render("error.html", context, refusal.status)
    response.headers.update(headers or {})
    return response


def refusal_of(err: SetLedgerError) -> Refusal:
    return Refusal(STATUS[err.kind], "Something went wrong", err.message, err.remediation)


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class ConsoleRoute(APIRoute):
    """An APIRoute answering in HTML: see the module docstring."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            response: Response
            try:
                response = await handler(request)
            except Redirect as redirect:
                response = RedirectResponse(redirect.location, status_code=303)
                if redirect.drop_session:
                    response.delete_cookie(redirect.drop_session, path="/")
            except Refused as refused:
                response = error_page(refused.refusal)
            except RequestValidationError:
                # Only path parameters reach here (forms are validated in the
                # routes): a malformed member or session id is no such page.
                response = error_page(NOT_FOUND)
            except SetLedgerError as err:
                retry = err.details.get("retry_after_s")
                headers = {"Retry-After": str(retry)} if isinstance(retry, int) else None
                response = error_page(refusal_of(err), headers)
            return _secure(response)

        return console_handler
