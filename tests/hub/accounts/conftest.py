"""Fixtures of the accounts tests: an app with cheap argon2, a clock the test
moves, a real local SMTP server, and a driver for the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from hub.accounts.context import AccountsContext, install
from hub.app import create_app
from hub.runtime import HubRuntime
from hub.settings import HubSettings
from tests.hub.accounts.driver import Driver, FakeClock
from tests.hub.accounts.smtp import SmtpServer
from tests.hub.harness import accounts_for_tests


def make_driver(
    database_url: str, smtp: SmtpServer, clock: FakeClock, **overrides: object
) -> Driver:
    settings = HubSettings(
        database_url=database_url,
        accounts=accounts_for_tests(smtp.port, **overrides),
    )
    app = create_app(settings)
    runtime = app.state.hub
    assert isinstance(runtime, HubRuntime)
    context = install(
        app, AccountsContext(settings=settings.accounts, public_url="http://hub.test", clock=clock)
    )
    return Driver(TestClient(app), runtime, context, clock, smtp.mailbox)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def accounts(database_url: str, smtp_server: SmtpServer, clock: FakeClock) -> Iterator[Driver]:
    driver = make_driver(database_url, smtp_server, clock)
    with driver.client:
        yield driver


MakeDriver = Callable[..., Driver]


@pytest.fixture
def accounts_factory(
    database_url: str, smtp_server: SmtpServer, clock: FakeClock
) -> Iterator[MakeDriver]:
    """Apps on the same database with other settings (keys, limits); all closed after."""
    made: list[Driver] = []

    def make(**overrides: object) -> Driver:
        driver = make_driver(database_url, smtp_server, clock, **overrides)
        driver.client.__enter__()
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.client.__exit__(None, None, None)
