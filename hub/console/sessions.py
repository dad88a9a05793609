"""The member's own sessions: where they are signed in, signing one out,
signing out everywhere. Only the member's own sessions are ever listed or
revoked (the service looks the id up among them)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hub.accounts import self_service
from hub.console.auth import SIGN_IN, Accounts, Db, Member, drop_session
from hub.console.forms import MemberForm
from hub.console.pages import member_page
from hub.console.web import PREFIX, ConsoleRoute

router = APIRouter(route_class=ConsoleRoute)

SESSIONS = f"{PREFIX}/sessions"


def _signed_out(notice: str) -> Response:
    response = RedirectResponse(f"{SIGN_IN}?notice={notice}", status_code=303)
    drop_session(response)
    return response


@router.get("/sessions")
def sessions_page(request: Request, db: Db, ctx: Accounts, principal: Member) -> Response:
    listed = self_service.list_sessions(db, ctx, principal)
    return member_page(
        request, principal, "sessions.html", "Your sessions", sessions=listed.sessions
    )


@router.post("/sessions/{session_id}/revoke")
def revoke(
    _form: MemberForm, db: Db, ctx: Accounts, principal: Member, session_id: uuid.UUID
) -> Response:
    self_service.revoke_session(db, ctx, principal, session_id)  # SESSION_NOT_FOUND: 404 page
    if session_id == principal.session_id:
        return _signed_out("signed-out")
    return RedirectResponse(f"{SESSIONS}?notice=session-revoked", status_code=303)


@router.post("/sign-out-everywhere")
def sign_out_everywhere(_form: MemberForm, db: Db, ctx: Accounts, principal: Member) -> Response:
    self_service.sign_out_everywhere(db, ctx, principal)
    return _signed_out("signed-out-everywhere")
