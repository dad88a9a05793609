"""A real SMTP server for the tests (aiosmtpd on loopback) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from ops.broker import free_port

LINK_RE = re.compile(r"(https?://\S+#token=([A-Za-z0-9_-]+))")


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def for_address(self, to: str, timeout_s: float = 5.0) -> EmailMessage:
        """The newest message to ``to`` (waits a little: delivery is another thread)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                found = [m for m in self.messages if m["To"] == to]
            if found:
                return found[-1]
            time.sleep(0.02)
        raise AssertionError(f"no e-mail to {to}")

    def count(self, to: str) -> int:
        with self._lock:
            return sum(1 for m in self.messages if m["To"] == to)


def link_token(message: EmailMessage) -> tuple[str, str]:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = LINK_RE.search(body.get_content())
    assert match is not None, body.get_content()
    return match.group(1), match.group(2)


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
