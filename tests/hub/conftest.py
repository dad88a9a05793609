"""Every hub test that touches a database runs on SQLite and on PostgreSQL.

One database per backend per test module (migrated once by the first app);
tests stay apart by making their own org, which is also how tenants stay
apart in production. Tests that need an empty database (migrations,
triggers) ask for ``empty_database_url``. A missing PostgreSQL fails the
run (tests/services.py); it is never skipped.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.runtime import HubRuntime
from hub.settings import HubSettings
from tests.hub.accounts.smtp import SmtpServer
from tests.hub.harness import Hub, accounts_for_tests

BACKENDS = ["sqlite", "postgresql"]


def _new_database(request: pytest.FixtureRequest, directory: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{directory / 'hub.db'}"
    make_pg_database = request.getfixturevalue("make_pg_database")
    url: str = make_pg_database()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _new_database(request, tmp_path_factory.mktemp("hub"))


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _new_database(request, tmp_path)


def hub_settings(database_url: str) -> HubSettings:
    return HubSettings(database_url=database_url, accounts=accounts_for_tests())


@pytest.fixture
def hub(database_url: str) -> Iterator[Hub]:
    app = create_app(hub_settings(database_url))
    runtime = app.state.hub
    assert isinstance(runtime, HubRuntime)
    # The context manager runs the lifespan, which disposes the engine.
    with TestClient(app) as client:
        yield Hub(client, runtime)


@pytest.fixture
def broker_files() -> Iterator[Path]:
    """A folder for the broker's password file and ACL that Mosquitto can read.

    Run as root (as on these machines), Mosquitto drops to the ``mosquitto``
    user, which cannot enter pytest's private tmp folders (mode 0700).
    """
    directory = Path(tempfile.mkdtemp(prefix="setledger-broker-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port; what it receives is in its mailbox."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def hub_with_mail(database_url: str, smtp_server: SmtpServer) -> Iterator[Hub]:
    """The ``hub`` fixture's app with invitations delivered to a local SMTP server."""
    settings = HubSettings(database_url=database_url, accounts=accounts_for_tests(smtp_server.port))
    app = create_app(settings)
    runtime = app.state.hub
    assert isinstance(runtime, HubRuntime)
    with TestClient(app) as client:
        yield Hub(client, runtime, mailbox=smtp_server.mailbox)
