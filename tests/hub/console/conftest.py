"""Fixtures of the console tests: the hub on a real port, a local SMTP
server, Chromium contexts (closed after each test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.hub.accounts.smtp import SmtpServer
from tests.hub.console.support import ConsoleServer


@pytest.fixture(scope="session")
def console_mail() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def console(database_url: str, console_mail: SmtpServer) -> Iterator[ConsoleServer]:
    server = ConsoleServer(database_url, console_mail.port, console_mail.mailbox).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_console(make_pg_database: Any, console_mail: SmtpServer) -> Iterator[ConsoleServer]:
    """The console on a PostgreSQL database of its own, whatever the module's backend."""
    server = ConsoleServer(make_pg_database(), console_mail.port, console_mail.mailbox).start()
    try:
        yield server
    finally:
        server.stop()


NewContext = Callable[..., Any]


@pytest.fixture
def new_context(chromium: Any, console: ConsoleServer) -> Iterator[NewContext]:
    """Fresh browser contexts (separate cookie jars: separate people or devices)."""
    made: list[Any] = []

    def make(token: str | None = None) -> Any:
        context = chromium.new_context(base_url=console.base_url)
        if token is not None:
            context.add_cookies([console.cookie(token)])
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
