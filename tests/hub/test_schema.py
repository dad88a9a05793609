"""The migrations make exactly the models' schema, and history cannot be rewritten."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from appkit.migrations import alembic_config, current_revision
from hub.db import SCRIPT_LOCATION, code_head, make_engine, migrate
from hub.db.append_only import APPEND_ONLY_TABLES, REFUSAL_MESSAGE
from hub.db.models import metadata
from tests.conftest import REPO
from tests.hub.conftest import hub_settings

ORG_TABLE = metadata.tables["org"]


def schema_diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diff: list[Any] = compare_metadata(context, metadata)
    return diff


def run_alembic(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config(SCRIPT_LOCATION)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


@pytest.fixture
def engine(empty_database_url: str) -> Any:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def test_migrations_make_exactly_the_models(engine: Engine, empty_database_url: str) -> None:
    migrate(hub_settings(empty_database_url), engine)
    assert current_revision(engine) == code_head()
    assert schema_diff(engine) == []
    # The comparison is not vacuous: a missing index is reported.
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_sale_org_id_business_date"))
    assert [d[0] for d in schema_diff(engine)] == ["add_index"]


def test_downgrade_to_nothing_and_upgrade_again(engine: Engine, empty_database_url: str) -> None:
    migrate(hub_settings(empty_database_url), engine)
    migrate(hub_settings(empty_database_url), engine)  # idempotent
    run_alembic(engine, "downgrade", "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    run_alembic(engine, "upgrade", "head")
    assert schema_diff(engine) == []
    assert set(inspect(engine).get_table_names()) == {"alembic_version", *metadata.tables}


def test_every_table_is_keyed_by_org(engine: Engine, empty_database_url: str) -> None:
    migrate(hub_settings(empty_database_url), engine)
    inspector = inspect(engine)
    for table in metadata.tables:
        key = inspector.get_pk_constraint(table)["constrained_columns"]
        assert key[0] == "org_id", table


def test_instants_come_back_aware_utc(engine: Engine, empty_database_url: str) -> None:
    migrate(hub_settings(empty_database_url), engine)
    ist = timezone(timedelta(hours=5, minutes=30))
    created = datetime(2026, 4, 1, 0, 15, tzinfo=ist)  # still 31 March in UTC
    with engine.begin() as conn:
        conn.execute(
            ORG_TABLE.insert().values(
                org_id=uuid.uuid4(),
                org_code="ORG-0000abcd",
                name="Clock test",
                slug="clock-test",
                state_code="27",
                catalog_version=1,
                created_at=created,
            )
        )
    with engine.connect() as conn:
        stored = conn.execute(ORG_TABLE.select()).one().created_at
    assert stored == created
    assert stored.tzinfo == UTC
    with engine.begin() as conn, pytest.raises(Exception, match="naive datetime"):
        conn.execute(ORG_TABLE.update().values(created_at=datetime(2026, 4, 1)))


def test_append_only_tables_refuse_update_and_delete(
    engine: Engine, empty_database_url: str
) -> None:
    migrate(hub_settings(empty_database_url), engine)
    _fill_append_only_tables(engine)
    for name in APPEND_ONLY_TABLES:
        table = metadata.tables[name]
        assert rows(engine, table) >= 1, name
        refused = (table.update().values(org_id=table.c.org_id), table.delete())
        for statement in refused:
            with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE), engine.begin() as conn:
                conn.execute(statement)
        if engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE), engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {name} CASCADE"))
        assert rows(engine, table) >= 1, name


def rows(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _fill_append_only_tables(engine: Engine) -> None:
    """One row in each append-only table, through the real app and ingest."""
    from fastapi.testclient import TestClient

    from hub.app import create_app
    from tests.hub.harness import Hub
    from tests.hub.sales_factory import Item, Till

    app = create_app(hub_settings(str(engine.url.render_as_string(hide_password=False))))
    with TestClient(app) as client:
        hub = Hub(client, app.state.hub)
        org = hub.org()
        device = hub.device(org, hub.store(org))
        product = hub.product(org)
        till = Till(org, device)
        assert hub.apply(till.sell([Item(product)])).outcome == "applied"


@pytest.mark.slow
def test_concurrent_starts_migrate_once(empty_database_url: str) -> None:
    """Hub processes starting at once on an empty database all come up."""
    # Each process imports first, then all start at one instant: an overlap, not a queue.
    start_at = time.time() + 4.0
    script = (
        "import sys, time; from hub.db import migrate; from hub.settings import HubSettings; "
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); "
        "migrate(HubSettings(database_url=sys.argv[1]))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, empty_database_url, repr(start_at)], cwd=REPO
        )
        for _ in range(3)
    ]
    assert [p.wait(timeout=60) for p in processes] == [0, 0, 0]
    _assert_migrated(empty_database_url)


def test_concurrent_threads_migrate_once(empty_database_url: str) -> None:
    settings = hub_settings(empty_database_url)
    start = threading.Barrier(3)

    def start_one() -> None:
        start.wait()
        migrate(settings)

    with ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(start_one) for _ in range(3)]:
            future.result(timeout=60)
    _assert_migrated(empty_database_url)


def _assert_migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) == code_head()
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_0002_keeps_the_quarantine_and_takes_raw_messages(engine: Engine) -> None:
    run_alembic(engine, "upgrade", "0001")
    org_id, device_id, store_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    row = {
        "org_id": org_id,
        "quarantine_id": uuid.uuid4(),
        "org_code": "ORG-00000001",
        "store_id": store_id,
        "device_id": device_id,
        "epoch": "e" * 32,
        "stream": "sales",
        "seq": 1,
        "key": "k",
        "schema_name": "sale.recorded",
        "schema_version": 9,
        "payload_sha256": "0" * 64,
        "reason_code": "unknown_schema",
        "reason": "kept across the upgrade",
        "envelope": {"seq": 1},
        "received_at": datetime.now(UTC),
    }
    quarantine = metadata.tables["quarantine"]
    with engine.begin() as conn:
        conn.execute(quarantine.insert().values(row))
    run_alembic(engine, "upgrade", "head")
    assert schema_diff(engine) == []
    raw = {
        "org_id": org_id,
        "quarantine_id": uuid.uuid4(),
        "org_code": "ORG-00000001",
        "store_id": store_id,
        "device_id": device_id,
        "reason_code": "malformed",
        "reason": "not JSON",
        "raw_payload": b"{not json",
        "raw_size": 9,
        "received_at": datetime.now(UTC),
    }
    with engine.begin() as conn:
        conn.execute(quarantine.insert().values(raw))
        kept = conn.execute(
            select(quarantine.c.reason, quarantine.c.envelope, quarantine.c.raw_payload).order_by(
                quarantine.c.reason_code
            )
        ).all()
    assert [tuple(r) for r in kept] == [
        ("not JSON", None, b"{not json"),
        ("kept across the upgrade", {"seq": 1}, None),
    ]
    run_alembic(engine, "downgrade", "0001")  # raw rows cannot stay under the old schema
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(quarantine)).scalar_one() == 1


def test_the_head_is_the_newest_migration_file() -> None:
    """What the tests above compare with is the last migration written, not a stale name."""
    versions = sorted(
        p.name for p in (REPO / "hub" / "db" / "migrations" / "versions").glob("0*.py")
    )
    assert code_head() == versions[-1].split("_", 1)[0]
