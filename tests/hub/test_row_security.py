"""Row-level security: a session acting for one org cannot see or touch another's.

Two orgs get a row in every org table (generated from the models, so a new
table is filled and checked without touching this file). On PostgreSQL a
session marked with ``act_for_org`` then sees only its org in a bare
``SELECT``, and the database refuses its writes to the other org. On
SQLite the mark must change nothing: there the application's own scoping
is the only line, and the embedded hub must keep working.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, Engine, Table, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from appkit.migrations import alembic_config
from hub.db import SCRIPT_LOCATION, act_for_org, make_engine, migrate
from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import metadata
from hub.db.tenancy import TENANT_ROLE
from tests.hub.conftest import hub_settings

ORG_TABLES = [t for t in metadata.sorted_tables if "org_id" in t.c]
ORG_A = uuid.UUID("0190b6d2-0000-7000-8000-00000000000a")
ORG_B = uuid.UUID("0190b6d2-0000-7000-8000-00000000000b")

Row = dict[str, Any]
_SERIAL = itertools.count(1)


def _value(table: Table, column: str) -> Any:
    """A fresh value of the column's type (unique where it matters)."""
    col = table.c[column]
    column_type = col.type.impl_instance if isinstance(col.type, TypeDecorator) else col.type
    if isinstance(column_type, JSON):
        return {}
    kind = column_type.python_type
    if kind is uuid.UUID:
        return uuid.uuid4()
    if kind is str:
        length = getattr(column_type, "length", None) or 32
        return uuid.uuid4().hex[:length]
    if kind is bool:
        return False
    if kind is int:
        return next(_SERIAL)
    if kind is datetime:
        return datetime.now(UTC)
    if kind is date:
        return date(2026, 11, 24)
    if kind is bytes:
        return b"x"
    raise AssertionError(f"no test value for {table.name}.{column} ({kind})")


def make_row(table: Table, org_id: uuid.UUID, parents: dict[str, Row]) -> Row:
    """A row of ``table`` for ``org_id`` whose foreign keys point at ``parents``."""
    row: Row = {}
    for col in table.c:
        if col.name == "org_id":
            row[col.name] = org_id
        elif col.foreign_keys:
            target = next(iter(col.foreign_keys)).column
            row[col.name] = parents[target.table.name][target.name]
        else:
            row[col.name] = _value(table, col.name)
    return row


def fill_org(
    engine: Engine, org_id: uuid.UUID, only: tuple[str, ...] | None = None
) -> dict[str, Row]:
    """One row in every org table (or ``only`` those) for ``org_id``, inserted as
    the owner (unmarked)."""
    rows: dict[str, Row] = {}
    with engine.begin() as conn:
        for table in ORG_TABLES:
            if only is not None and table.name not in only:
                continue
            rows[table.name] = make_row(table, org_id, rows)
            conn.execute(table.insert().values(rows[table.name]))
    return rows


def ancestors(table: Table) -> tuple[str, ...]:
    """The tables ``table`` refers to, directly or through others."""
    found: set[str] = set()
    todo = [table]
    while todo:
        for key in todo.pop().foreign_keys:
            parent = key.column.table
            if parent.name not in found:
                found.add(parent.name)
                todo.append(parent)
    return tuple(found)


def org_ids(session: Session, table: Table) -> list[uuid.UUID]:
    """Every row's org, by a bare SELECT: no WHERE, nothing but the database to scope it."""
    return list(session.scalars(select(table.c.org_id)))


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(hub_settings(database_url), engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def orgs(engine: Engine) -> dict[uuid.UUID, dict[str, Row]]:
    return {org_id: fill_org(engine, org_id) for org_id in (ORG_A, ORG_B)}


def on_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def test_every_org_table_is_filled_for_both_orgs(engine: Engine, orgs: Any) -> None:
    # Guards the tests below against passing on empty tables.
    assert len(ORG_TABLES) >= 20
    with Session(engine) as session:
        for table in ORG_TABLES:
            assert {ORG_A, ORG_B} <= set(org_ids(session, table)), table.name


@pytest.mark.parametrize("table", ORG_TABLES, ids=lambda t: t.name)
def test_a_marked_session_sees_only_its_org(engine: Engine, orgs: Any, table: Table) -> None:
    with Session(engine) as session:
        act_for_org(session, ORG_A)
        seen = org_ids(session, table)
    if on_postgresql(engine):
        assert seen == [ORG_A]
    else:
        assert {ORG_A, ORG_B} <= set(seen)  # as before: no second line on SQLite


def test_marking_applies_to_a_transaction_already_begun(engine: Engine, orgs: Any) -> None:
    store = metadata.tables["store"]
    with Session(engine) as session:
        session.execute(select(1))  # the transaction and its connection exist
        act_for_org(session, ORG_B)
        seen_now = set(org_ids(session, store))
        session.commit()
        seen_next = set(org_ids(session, store))  # a new transaction, marked as it begins
    expected = {ORG_B} if on_postgresql(engine) else {ORG_A, ORG_B}
    assert seen_now == seen_next == expected


@pytest.mark.parametrize("table", ORG_TABLES, ids=lambda t: t.name)
def test_an_insert_for_another_org_is_refused(engine: Engine, orgs: Any, table: Table) -> None:
    # Org C: the table's ancestors hold rows of C (made by the owner), the
    # table itself none, so the row is valid in every way but its org.
    other = uuid.uuid4()
    parents = fill_org(engine, other, only=ancestors(table)) if table.name != "org" else {}
    row = make_row(table, other, parents)
    with Session(engine) as session:
        act_for_org(session, ORG_A)
        if on_postgresql(engine):
            with pytest.raises(DBAPIError, match="violates row-level security policy"):
                session.execute(table.insert().values(row))
        else:
            session.execute(table.insert().values(row))  # as before
        session.rollback()


@pytest.mark.parametrize("table", ORG_TABLES, ids=lambda t: t.name)
def test_updates_and_deletes_aimed_at_another_org_touch_nothing(
    engine: Engine, orgs: Any, table: Table
) -> None:
    aimed_at_b = table.c.org_id == ORG_B
    statements = {
        "UPDATE": update(table).where(aimed_at_b).values(org_id=table.c.org_id),
        "DELETE": delete(table).where(aimed_at_b),
    }
    if not on_postgresql(engine):
        # As before: the UPDATE reaches org B (or the append-only trigger refuses it).
        with Session(engine) as session:
            act_for_org(session, ORG_A)
            if append_only_on_sqlite(session, table):
                with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
                    session.execute(statements["UPDATE"])
            else:
                touched = session.execute(statements["UPDATE"]).rowcount  # type: ignore[attr-defined]
                assert touched >= 1, table.name
            session.rollback()
        return
    before = count(engine, table, ORG_B)
    for action, statement in statements.items():
        with Session(engine) as session:
            act_for_org(session, ORG_A)
            if may(engine, action, table):
                touched = session.execute(statement).rowcount  # type: ignore[attr-defined]
                assert touched == 0, (action, table.name)
            else:
                # Append-only tables: the tenant may only read and insert.
                with pytest.raises(DBAPIError, match="permission denied"):
                    session.execute(statement)
            session.rollback()
    assert count(engine, table, ORG_B) == before >= 1


def test_a_row_cannot_be_moved_to_another_org(engine: Engine, orgs: Any) -> None:
    lockout = metadata.tables["login_lockout"]  # no table refers to it
    move = update(lockout).where(lockout.c.org_id == ORG_A).values(org_id=ORG_B)
    with Session(engine) as session:
        act_for_org(session, ORG_A)
        if on_postgresql(engine):
            with pytest.raises(DBAPIError, match="violates row-level security policy"):
                session.execute(move)
        else:
            assert session.execute(move).rowcount == 1  # type: ignore[attr-defined]
        session.rollback()


def test_an_unmarked_session_sees_everything_and_the_pool_stays_clean(
    engine: Engine, orgs: Any
) -> None:
    with Session(engine) as marked:
        act_for_org(marked, ORG_A)
        marked.execute(select(1))
        marked.commit()
    with Session(engine) as session:
        for table in ORG_TABLES:
            assert {ORG_A, ORG_B} <= set(org_ids(session, table)), table.name
        if on_postgresql(engine):
            # SET LOCAL ROLE and set_config(..., true) ended with the marked transaction.
            assert session.scalar(text("SELECT current_user")) != TENANT_ROLE
            assert not session.scalar(text("SELECT current_setting('setledger.org_id', true)"))


def count(engine: Engine, table: Table, org_id: uuid.UUID) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(table).where(table.c.org_id == org_id)
        return int(conn.execute(query).scalar_one())


def append_only_on_sqlite(session: Session, table: Table) -> bool:
    triggers = session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
        {"t": table.name},
    )
    return bool(triggers)


def may(engine: Engine, action: str, table: Table) -> bool:
    with engine.connect() as conn:
        granted = conn.scalar(
            text("SELECT has_table_privilege(:role, :table, :action)"),
            {"role": TENANT_ROLE, "table": f'"{table.name}"', "action": action},
        )
    return bool(granted)


# The catalog, on PostgreSQL only (SQLite has no row-level security to inspect).


@pytest.fixture
def pg_engine(make_pg_database: Any) -> Iterator[Engine]:
    url = make_pg_database()
    engine = make_engine(url)
    migrate(hub_settings(url), engine)
    yield engine
    engine.dispose()


def policies(engine: Engine) -> dict[str, tuple[bool, str, list[str], str, str]]:
    """Per table: RLS enabled, and the tenant_isolation policy's command, roles, tests."""
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, p.cmd, p.roles::text[], p.qual, p.with_check "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_policies p ON p.schemaname = n.nspname AND p.tablename = c.relname "
                "WHERE n.nspname = current_schema() AND p.policyname = 'tenant_isolation'"
            )
        ).all()
    return {
        name: (enabled, cmd, roles, qual, check) for name, enabled, cmd, roles, qual, check in found
    }


def test_every_org_table_has_the_tenant_policy(pg_engine: Engine) -> None:
    found = policies(pg_engine)
    assert set(found) == {t.name for t in ORG_TABLES}
    for name, (enabled, cmd, roles, qual, check) in found.items():
        assert enabled, name
        assert (cmd, roles) == ("ALL", [TENANT_ROLE]), name
        assert "setledger.org_id" in qual, name
        assert qual == check, name


def test_downgrade_drops_the_policies_and_keeps_the_role(pg_engine: Engine) -> None:
    config = alembic_config(SCRIPT_LOCATION)
    with pg_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert policies(pg_engine) == {}
    with pg_engine.connect() as conn:
        protected = conn.scalar(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relrowsecurity"
            )
        )
        assert protected == 0
        assert conn.scalar(
            text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": TENANT_ROLE}
        )
    migrate(hub_settings(pg_engine.url.render_as_string(hide_password=False)), pg_engine)
    assert set(policies(pg_engine)) == {t.name for t in ORG_TABLES}
