"""Whole deployments for the replication tests, on PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.replication.harness import Deployment

BACKENDS = ["postgresql", "sqlite"]


@pytest.fixture(params=BACKENDS)
def hub_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("make_pg_database")()
    return url


@pytest.fixture
def deploy(tmp_path: Path, hub_database: str) -> Iterator[Callable[..., Deployment]]:
    """``deploy(**options)`` brings a whole deployment up; all of it goes down after."""
    made: list[Deployment] = []

    def make(**options: Any) -> Deployment:
        deployment = Deployment(
            root=tmp_path / f"d{len(made)}", database_url=hub_database, **options
        )
        deployment.root.mkdir(parents=True)
        made.append(deployment)
        return deployment.up()

    yield make
    for deployment in made:
        deployment.down()
