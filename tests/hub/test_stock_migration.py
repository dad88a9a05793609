"""Migration 0015 on a hub that already has stores and box sales' stock moves."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from hub.db import make_engine
from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import metadata
from setledger.stock import NO_LOT
from tests.hub.test_schema import run_alembic

NOW = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


@pytest.fixture
def engine(empty_database_url: str) -> Any:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def test_0015_gives_stores_their_location_and_moves_their_levels(engine: Engine) -> None:
    run_alembic(engine, "upgrade", "0014")
    org_id, store_id, salt, oil = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    t = metadata.tables
    with engine.begin() as conn:
        conn.execute(t["org"].insert().values(
            org_id=org_id, org_code="ORG-0000abcd", name="Shop", slug="shop", state_code="27",
            catalog_version=0, created_at=NOW,
        ))  # fmt: skip
        conn.execute(t["store"].insert().values(
            org_id=org_id, store_id=store_id, name="Andheri", code="AND", state_code="27",
            created_at=NOW,
        ))  # fmt: skip
        for product, qty in ((salt, -2000), (salt, -1000), (oil, 5000)):
            conn.execute(t["stock_move"].insert().values(
                org_id=org_id, move_id=uuid.uuid4(), store_id=store_id, product_id=product,
                qty=qty, reason="sale", moved_at=NOW, business_date=date(2026, 11, 20),
                received_at=NOW,
            ))  # fmt: skip
    run_alembic(engine, "upgrade", "0015")
    with engine.connect() as conn:
        location = conn.execute(select(t["stock_location"])).one()
        assert (location.location_id, location.kind, location.store_id, location.code) == (
            store_id, "store", store_id, "AND",
        )  # fmt: skip
        moved = conn.execute(select(t["stock_move"].c.location_id).distinct()).scalars().all()
        assert moved == [store_id]
        levels = conn.execute(
            select(
                t["stock_level"].c.product_id, t["stock_level"].c.lot_key, t["stock_level"].c.qty
            )
        ).all()
        assert sorted(tuple(r) for r in levels) == sorted(
            [(salt, NO_LOT, -3000), (oil, NO_LOT, 5000)]
        )
    # The moves are still append-only (SQLite copied the table to add its keys).
    with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE), engine.begin() as conn:
        conn.execute(text("UPDATE stock_move SET qty = 0"))
    run_alembic(engine, "downgrade", "0014")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t["stock_move"])).scalar_one() == 3
    with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE), engine.begin() as conn:
        conn.execute(text("DELETE FROM stock_move"))
