"""Chaos: SIGKILL the box, a hub worker and the broker at random moments.

Each seeded scenario runs a whole deployment (the hub on PostgreSQL for
even seeds, on SQLite for odd ones) with two ingest workers, has two cashiers ring sales without pause, and kills a
random part at random moments (ten rounds a scenario: a deployment
that has already been killed and healed is killed again). Crash points make
the box die between a sale's commit and its hand-over to the replicator,
and workers die between their commit and their ack, moments a kill from
outside almost never lands on. Whatever died is started again. At the end
every sale the box confirmed is at the hub exactly once, the hub holds
exactly the box's sales, each stream's seqs are contiguous and nothing was
quarantined.

``SETLEDGER_CHAOS_SCENARIOS`` (default 5, i.e. 50 rounds) runs more.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.replication.harness import Deployment, Till, sigkill, wait_for

SCENARIOS = int(os.environ.get("SETLEDGER_CHAOS_SCENARIOS", "5"))
ROUNDS = 10


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(SCENARIOS))
def test_kills_lose_no_sale_and_duplicate_none(
    seed: int, tmp_path: Path, make_pg_database: Any
) -> None:
    rng = random.Random(seed)
    d = Deployment(
        root=tmp_path,
        database_url=make_pg_database() if seed % 2 == 0 else f"sqlite:///{tmp_path / 'hub.db'}",
        box_faults="box.after_commit_before_publish=0.004",
        worker_faults="hub.after_commit_before_ack=0.03",
        fault_seed=seed,
        workers_wanted=2,
    )
    try:
        d.up()
        assert d.broker is not None
        with Till(d.box_url, d.auth, clients=2, seed=seed) as till:
            for _ in range(ROUNDS):
                time.sleep(rng.uniform(0.2, 1.2))
                victim = rng.choice(["box", "worker", "broker"])
                if victim == "box":
                    sigkill(d.box)
                elif victim == "worker":
                    sigkill(d.workers[rng.choice(sorted(d.workers))])
                else:
                    d.broker.kill()
                time.sleep(rng.uniform(0.0, 0.6))
                d.heal()
        d.heal()
        assert till.confirmed, "no sale was confirmed; the scenario proves nothing"

        def healed_and_drained() -> bool:
            # Crash points keep firing while the backlog drains: with both workers
            # killed there, nobody would ack what the hub already holds.
            d.heal()
            return d.drained()

        wait_for(healed_and_drained, timeout=120, what="the box's outbox to drain")
        d.heal()  # a crash point may have fired during the drain

        at_hub = d.hub_sales()
        missing = set(till.confirmed) - set(at_hub)
        assert not missing, f"{len(missing)} confirmed sales are not at the hub"
        for sale_id, sale in till.confirmed.items():
            assert at_hub[sale_id] == (sale["invoice_no"], sale["totals"]["payable"])
        assert d.box_sale_count() == len(at_hub) == d.hub_count(), (
            "box and hub hold different sales"
        )
        assert set(at_hub) <= set(till.sent), "the hub holds a sale nobody rang"
        for key, top in d.max_seqs().items():
            assert d.cursors()[key] == top, f"seqs of {key} have a gap"
        assert d.quarantined() == 0
    finally:
        d.down()
