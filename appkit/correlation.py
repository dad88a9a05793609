"""Correlation ids: one id follows a request through logs, errors and messages.

A client may send ``X-Correlation-ID`` (the POS UI does, so a sale keeps one
id from the counter to the hub); otherwise we make one. It is echoed in the
response header, put in every log line and every error body, and stored
with the sale so the outbox carries it on.
"""

from __future__ import annotations

import logging
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appkit.context import bind, unbind
from appkit.errors import send_json_error
from setledger import errors
from setledger.ids import new_id

HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
log = logging.getLogger("appkit.requests")


class CorrelationMiddleware:
    """Outermost app middleware: binds the id and turns crashes into a 500 body.

    Starlette's own 500 handler runs outside user middleware, where the id
    is already gone; catching here keeps the id in the log and the body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-correlation-id"), ""
        )
        cid = incoming if _VALID.match(incoming) else str(new_id())
        token = bind(cid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message).append("X-Correlation-ID", cid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await send_json_error(send_with_id, errors.INTERNAL_ERROR.error(), cid)
        finally:
            unbind(token)
