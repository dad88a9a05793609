"""consistent_read on PostgreSQL: the transaction reads one snapshot, and a report
that asks again inside a page's snapshot reads that one, with no warning."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.accounts.unit import unit_of_work
from hub.db import make_engine
from hub.db.session import consistent_read


def test_asking_again_in_the_same_transaction_keeps_its_snapshot(
    make_pg_database: Callable[[], str],
) -> None:
    engine = make_engine(make_pg_database())
    try:
        with warnings.catch_warnings(), Session(engine) as session:
            warnings.simplefilter("error")  # "execution_options ignored" would fail here
            with unit_of_work(session):
                consistent_read(session)
                with unit_of_work(session):  # a report inside the page's transaction
                    consistent_read(session)
                    level = session.execute(text("SHOW transaction_isolation")).scalar()
                    assert level == "repeatable read"
            with unit_of_work(session):  # the next transaction asks afresh
                assert session.execute(text("SHOW transaction_isolation")).scalar() == (
                    "read committed"
                )
            with unit_of_work(session):
                consistent_read(session)
                assert session.execute(text("SHOW transaction_isolation")).scalar() == (
                    "repeatable read"
                )
    finally:
        engine.dispose()
