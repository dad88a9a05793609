"""Signing in at the counter: the staff list, PIN sign-in, who am I, sign out.

All of it works with the hub unreachable: the roster is on the box.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from edge.api.deps import Box, SignedIn, Token
from edge.api.schemas import Body
from edge.services import sign_in
from edge.services.sessions import Session

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class StaffOut(BaseModel):
    user_id: str
    display_name: str
    role: str


class PinIn(Body):
    user_id: UUID
    pin: str = Field(min_length=1, max_length=64)


class MemberOut(BaseModel):
    user_id: str
    user_code: str
    display_name: str
    role: str


class SessionOut(BaseModel):
    session_id: str
    expires_at: datetime
    member: MemberOut
    token: str | None = None
    """Only in the answer to the sign-in: send it as 'Authorization: Bearer <token>'."""

    @classmethod
    def of(cls, session: Session, token: str | None = None) -> SessionOut:
        return cls(
            session_id=session.session_id,
            expires_at=session.expires_at,
            member=MemberOut(
                user_id=session.user_id,
                user_code=session.user_code,
                display_name=session.display_name,
                role=session.role,
            ),
            token=token,
        )


@router.get("/staff", response_model=list[StaffOut])
def staff_list(box: Box) -> list[StaffOut]:
    """Who can sign in at this box (active, with a PIN): for the sign-in screen."""
    return [
        StaffOut(user_id=m.user_id, display_name=m.display_name, role=m.role)
        for m in sign_in.sign_in_list(box)
    ]


@router.post("/pin", response_model=SessionOut)
def pin_sign_in(box: Box, body: PinIn) -> SessionOut:
    """A member's PIN for a box session (a shift). Locked after repeated wrong PINs."""
    token, session = sign_in.sign_in(box, str(body.user_id), body.pin)
    return SessionOut.of(session, token)


@router.get("/me", response_model=SessionOut)
def me(session: SignedIn) -> SessionOut:
    return SessionOut.of(session)


@router.post("/logout", status_code=204)
def logout(box: Box, token: Token) -> Response:
    """End this session. Safe to repeat."""
    sign_in.sign_out(box, token)
    return Response(status_code=204)
