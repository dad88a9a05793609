"""Refuse request bodies over a limit before they are read into memory."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appkit.context import current
from appkit.errors import send_json_error
from setledger import errors
from setledger.errors import SetLedgerError


class BodyTooLarge(HTTPException):
    """Raised inside the app's body read. FastAPI turns any other exception
    from reading the body into a plain 400; an HTTPException passes through
    to our handler, which answers with the structured error it carries."""

    def __init__(self, error: SetLedgerError) -> None:
        super().__init__(status_code=413, detail=error.message)
        self.error = error


class BodyLimitMiddleware:
    """``max_bytes`` for every request, unless ``upload_limit(path)`` names a
    larger limit for that path (file uploads such as a catalog import)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_limit: Callable[[str], int | None] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        larger = self.upload_limit(scope["path"]) if self.upload_limit else None
        max_bytes = larger or self.max_bytes
        too_large = errors.REQUEST_TOO_LARGE.error(limit=max_bytes)
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await send_json_error(send, too_large, current())
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge(too_large)
            return message

        await self.app(scope, counting_receive, send)
