"""Reading console forms (CSRF checked first) and turning what went wrong
into something a person can act on, next to the field it is about.

Forms are plain ``application/x-www-form-urlencoded`` posts (the console has
no file uploads), read here with the standard library. Every value is then
validated by the same pydantic models the JSON API uses, so the console
accepts exactly what the API accepts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from pydantic import ValidationError

from hub.accounts.signin import check_rate
from hub.console import csrf
from hub.console.auth import SESSION_COOKIE, accounts_of, client_of
from hub.console.web import Refusal, Refused
from setledger.errors import SetLedgerError

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 32

CSRF_REFUSED = Refusal(
    403,
    "Form refused",
    "This form could not be accepted: its security token is missing or out of date.",
    "Go back, reload the page and send the form again. If you signed in or out in another "
    "tab meanwhile, that changed the token.",
)

Form = dict[str, str]


async def read_form(request: Request) -> Form:
    """The posted fields; anything that is not a plain HTML form reads as empty
    (and so fails the CSRF check)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        return {}
    body = await request.body()  # the app's body limit applies
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: value for name, value in pairs}


async def member_form(request: Request) -> Form:
    """A form posted by a signed-in browser: the token derived from its cookie."""
    form = await read_form(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    expected = csrf.member_token(cookie) if cookie else None
    if not csrf.matches(form.get(csrf.FIELD), expected):
        raise Refused(CSRF_REFUSED)
    return form


async def public_form(request: Request) -> Form:
    """A form posted before signing in: the double-submit cookie. These forms
    share the API's per-IP rate limit of its public routes."""
    ctx = accounts_of(request)
    check_rate(ctx, "ip", client_of(request).ip or "unknown", ctx.settings.rate_limit_ip)
    form = await read_form(request)
    if not csrf.matches(form.get(csrf.FIELD), request.cookies.get(csrf.PUBLIC_COOKIE)):
        raise Refused(CSRF_REFUSED)
    return form


MemberForm = Annotated[Form, Depends(member_form)]
PublicForm = Annotated[Form, Depends(public_form)]


def text(form: Form, name: str) -> str | None:
    """A field's value, None when left empty (optional fields)."""
    value = form.get(name, "").strip()
    return value or None


def read_id(form: Form, name: str, problems: dict[str, str]) -> uuid.UUID | None:
    """The id picked in a select (a supplier, a location); None and a problem when absent."""
    value = form.get(name, "").strip()
    try:
        return uuid.UUID(value)
    except ValueError:
        problems[name] = "Pick one from the list."
        return None


def form_id(form: Form, name: str, problems: dict[str, str], field: str, what: str) -> uuid.UUID:
    """The id a form was drawn with (a receipt's, a bill's, a count's: the same id sent
    twice records once). A missing or mangled one is a problem shown beside ``field``
    (a new id is returned so the caller can go on collecting problems)."""
    try:
        return uuid.UUID(form.get(name, ""))
    except ValueError:
        problems[field] = f"Reload the page and type {what} again."
        return uuid.uuid4()


@dataclass(frozen=True)
class Problem:
    """What went wrong with a form: a summary and, per field, what to fix."""

    message: str
    remediation: str | None = None
    code: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


HINTS: dict[str, str] = {
    "username": "3-32 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    "email": "An e-mail address such as name@example.in.",
    "org_state_code": "Pick the state or union territory of the business.",
    "org_gstin": "The 15 characters of the GSTIN, or leave it empty.",
    "code": "The 6-digit code from your authenticator app, or a backup code.",
    "backup_code": "One of your backup codes, such as abcd-efgh-jkmn.",
    "token": "Paste everything after '#token=' in the link from your e-mail.",
    "role": "Pick one of the roles in the list.",
}
"""Shown instead of pydantic's own words (which quote regular expressions)."""

FIELD_OF_CODE: dict[str, str] = {
    "PASSWORD_TOO_SHORT": "password",
    "PASSWORD_TOO_SIMPLE": "password",
    "PASSWORD_TOO_COMMON": "password",
    "PASSWORD_HAS_USERNAME": "password",
    "USERNAME_TAKEN": "username",
    "TOTP_CODE_WRONG": "code",
    "STATE_CODE_UNKNOWN": "org_state_code",
    "GSTIN_INVALID": "org_gstin",
    "GSTIN_STATE_MISMATCH": "org_gstin",
    "RECOVERY_CODE_WRONG": "backup_code",
}


def invalid(err: ValidationError) -> Problem:
    fields: dict[str, str] = {}
    for item in err.errors():
        # Form fields are named after the model's path: org.name is org_name.
        name = "_".join(str(part) for part in item["loc"])
        if item["type"] == "missing" or item.get("input") in ("", None):
            fields.setdefault(name, "This is required.")
        else:
            fields.setdefault(name, HINTS.get(name, str(item["msg"])))
    return Problem("Some fields need correcting.", fields=fields)


def problem_of(err: SetLedgerError, remediation: str | None = None) -> Problem:
    """The service's structured error. Remediations written for API callers
    (they name endpoints) are left out unless the route gives its own."""
    if remediation is None and "/api/" not in err.remediation:
        remediation = err.remediation
    fields = {}
    if err.code in FIELD_OF_CODE:
        fields[FIELD_OF_CODE[err.code]] = err.message
    return Problem(err.message, remediation, err.code, fields)
