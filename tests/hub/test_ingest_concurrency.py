"""Concurrent delivery: the same envelope from many workers is still one sale."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from hub.ingest import ApplyOutcome, apply_envelope
from setledger.contracts import Envelope
from tests.hub.harness import Hub, ok
from tests.hub.sales_factory import Item, Till

WORKERS = 4


def race(hub: Hub, envelopes: list[Envelope]) -> list[ApplyOutcome]:
    """Apply each envelope from its own thread, all released at once."""
    start = threading.Barrier(len(envelopes))

    def work(envelope: Envelope) -> Callable[[], ApplyOutcome]:
        def run() -> ApplyOutcome:
            start.wait()
            return apply_envelope(hub.runtime.engine, envelope, datetime.now(UTC))

        return run

    with ThreadPoolExecutor(len(envelopes)) as pool:
        futures = [pool.submit(work(envelope)) for envelope in envelopes]
        return [future.result(timeout=60) for future in futures]


def sales_count(hub: Hub, org: dict[str, Any]) -> int:
    count: int = ok(hub.get(f"/orgs/{org['org_id']}/sales"))["totals"]["count"]
    return count


def test_one_envelope_from_four_workers_is_one_sale(hub: Hub) -> None:
    org = hub.org()
    box = Till(org, hub.device(org, hub.store(org)))
    envelope = box.sell([Item(hub.product(org))])
    outcomes = race(hub, [envelope] * WORKERS)
    assert Counter(o.outcome.value for o in outcomes) == {"applied": 1, "duplicate": WORKERS - 1}
    assert {o.cursor for o in outcomes} == {1}
    assert sales_count(hub, org) == 1


def test_one_sale_from_four_epochs_at_once_is_one_sale(hub: Hub) -> None:
    # Different streams do not share a cursor lock: the sale's own key decides.
    org = hub.org()
    device = hub.device(org, hub.store(org))
    sale = Till(org, device).sale([Item(hub.product(org))])
    envelopes = [Till(org, device).seal(sale) for _ in range(WORKERS)]
    outcomes = race(hub, envelopes)
    assert Counter(o.outcome.value for o in outcomes) == {"applied": 1, "duplicate": WORKERS - 1}
    assert {o.cursor for o in outcomes} == {1}
    assert sales_count(hub, org) == 1


def test_four_seqs_of_one_stream_at_once_leave_a_whole_cursor(hub: Hub) -> None:
    org = hub.org()
    box = Till(org, hub.device(org, hub.store(org)))
    product = hub.product(org)
    envelopes = [box.sell([Item(product)]) for _ in range(WORKERS)]
    random.Random(7).shuffle(envelopes)
    outcomes = race(hub, envelopes)
    assert {o.outcome.value for o in outcomes} == {"applied"}
    assert max(o.cursor or 0 for o in outcomes) == WORKERS
    assert sales_count(hub, org) == WORKERS
    # The cursor never went back: a re-delivery reports the whole prefix.
    assert hub.apply(envelopes[0]).cursor == WORKERS
