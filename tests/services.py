"""Real services for the tests: PostgreSQL databases and Mosquitto brokers.

Nothing is mocked here. PostgreSQL is the machine's server (127.0.0.1:5432,
trust auth); if it is down we start it with ``pg_ctlcluster``. Every test
session gets fresh databases it drops afterwards. A missing service fails
the test; it is never skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ops.broker import Broker, free_port

PG_HOST = os.environ.get("SETLEDGER_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("SETLEDGER_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("SETLEDGER_TEST_PG_USER", "postgres")


def _pg_admin_dsn() -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres"


def _pg_reachable() -> bool:
    try:
        with psycopg.connect(_pg_admin_dsn(), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _start_pg_cluster() -> None:
    """Start the local cluster the way these machines do (no systemd)."""
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    if not versions or shutil.which("pg_ctlcluster") is None:
        return
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start"],
        check=False,
        capture_output=True,
        timeout=60,
    )
    for _ in range(60):
        if _pg_reachable():
            return
        time.sleep(0.5)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin DSN of a running PostgreSQL server (started if it was down)."""
    if not _pg_reachable():
        _start_pg_cluster()
    if not _pg_reachable():
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}. Start it with "
            "'pg_ctlcluster --skip-systemctl-redirect 15 main start'."
        )
    return _pg_admin_dsn()


@pytest.fixture(scope="session")
def make_pg_database(postgres_server: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases; returns SQLAlchemy URLs."""
    created: list[str] = []

    def make() -> str:
        name = f"setledger_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"

    yield make
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Broker]]:
    """A factory of Mosquitto brokers with the repo's config, each on a free port.

    ``make_broker(password_file=..., acl_file=...)`` runs the secured
    configuration (per-device credentials and ACL); without them the
    broker is anonymous on loopback. Every broker is stopped at the end.
    """
    brokers: list[Broker] = []

    def make(password_file: Path | None = None, acl_file: Path | None = None) -> Broker:
        broker = Broker(
            tmp_path_factory.mktemp("broker"),
            free_port(),
            password_file=password_file,
            acl_file=acl_file,
        )
        brokers.append(broker.start())
        return broker

    yield make
    for broker in brokers:
        broker.kill()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (``make test`` installs it); never downloaded."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run 'sudo apt-get install -y chromium' (make test does)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
