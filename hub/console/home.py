"""The home page: who is signed in, in which organisation, and where to go."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hub.accounts import self_service
from hub.console.auth import HOME, Db, Member
from hub.console.pages import member_page
from hub.console.web import NOT_FOUND, ConsoleRoute, Refused

router = APIRouter(route_class=ConsoleRoute)


@router.get("")
def console_root() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/")
def home_page(request: Request, db: Db, principal: Member) -> Response:
    me = self_service.me(db, principal)
    return member_page(request, principal, "home.html", "Home", me=me)


fallback = APIRouter(route_class=ConsoleRoute)
"""Included last: any other GET under /console is the console's 404 page
(not the API's JSON), including a GET of a form's POST address."""


@fallback.get("/{path:path}")
def not_found(path: str) -> Response:
    raise Refused(NOT_FOUND)
