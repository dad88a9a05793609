"""The one place structured errors become HTTP responses."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from appkit.context import current
from setledger import errors
from setledger.errors import ErrorKind, SetLedgerError

log = logging.getLogger("appkit.errors")

STATUS: dict[ErrorKind, int] = {
    ErrorKind.MALFORMED: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.METHOD_NOT_ALLOWED: 405,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.INVALID: 422,
    ErrorKind.INTERNAL: 500,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.LOCKED: 423,
    ErrorKind.RATE_LIMITED: 429,
}


def error_response(err: SetLedgerError) -> JSONResponse:
    # A lockout or a rate limit says when to come back (RFC 9110 Retry-After).
    retry_after = err.details.get("retry_after_s")
    headers = {"Retry-After": str(retry_after)} if isinstance(retry_after, int) else None
    return JSONResponse(err.body(current()), status_code=STATUS[err.kind], headers=headers)


async def send_json_error(send: Send, err: SetLedgerError, correlation_id: str | None) -> None:
    """Answer from plain ASGI code (middleware), outside FastAPI's handlers."""
    body = json.dumps(err.body(correlation_id)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": STATUS[err.kind],
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in e.get("loc", ())),
            "problem": e.get("msg"),
            "type": e.get("type"),
        }
        for e in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    async def on_setledger_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SetLedgerError)
        if exc.kind is ErrorKind.INTERNAL:
            log.error("internal error %s: %s", exc.code, exc.message)
        return error_response(exc)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        fields = _field_errors(exc)
        if any(f["type"] == "json_invalid" for f in fields):
            return error_response(errors.REQUEST_MALFORMED.error(fields=fields))
        return error_response(errors.REQUEST_INVALID.error(count=len(fields), fields=fields))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        carried = getattr(exc, "error", None)
        if isinstance(carried, SetLedgerError):
            return error_response(carried)
        where = {"method": request.method, "path": request.url.path}
        if exc.status_code == 404:
            return error_response(errors.ROUTE_NOT_FOUND.error(**where))
        if exc.status_code == 405:
            return error_response(errors.METHOD_NOT_ALLOWED.error(**where))
        err = SetLedgerError(
            f"HTTP_{exc.status_code}",
            ErrorKind.INVALID,
            str(exc.detail),
            "See the API docs at /docs.",
        )
        return JSONResponse(err.body(current()), status_code=exc.status_code)

    app.add_exception_handler(SetLedgerError, on_setledger_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
