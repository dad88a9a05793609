"""The worker's decisions without a broker: retries, a message that breaks the hub, gap timing."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from prometheus_client import generate_latest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from hub.db.models import QuarantinedEnvelope
from hub.ingest import worker as worker_module
from hub.ingest.gaps import MAX_WAIT_S, GapWatch, StreamRef
from hub.ingest.worker import Delivery, IngestWorker
from setledger.contracts import Batch, topics
from tests.hub.harness import Hub
from tests.hub.sales_factory import Item, Till


@pytest.fixture
def worker(hub: Hub) -> IngestWorker:
    # Never connected: publications are queued by paho and dropped with it.
    return IngestWorker(hub.runtime.settings, name="unit", engine=hub.runtime.engine)


def delivery(hub: Hub) -> tuple[Delivery, dict[str, Any]]:
    org = hub.org()
    device = hub.device(org, hub.store(org))
    envelope = Till(org, device).sell([Item(hub.product(org))])
    batch = Batch(
        device_id=envelope.device_id,
        epoch=envelope.epoch,
        stream="sales",
        first_seq=1,
        last_seq=1,
        envelopes=[envelope],
    )
    topic = topics.up(org["org_id"], device["store_id"], device["device_id"], "sales")
    return Delivery(topic, batch.model_dump_json().encode(), 7, 1, 1), device


def metric(worker: IngestWorker, line: str) -> bool:
    return line in generate_latest(worker.registry).decode()


def test_a_database_outage_is_waited_out(
    hub: Hub, worker: IngestWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = worker_module.ingest_message
    failures = iter([True, True])

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if next(failures, False):
            raise OperationalError("SELECT 1", None, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "ingest_message", flaky)
    monkeypatch.setattr(worker_module, "DB_RETRY_MIN_S", 0.01)
    message, _device = delivery(hub)
    worker._handle(message, threading.Event())
    assert metric(worker, "hub_worker_db_retries_total 2.0")
    assert metric(worker, 'hub_ingest_envelopes_total{outcome="applied"} 1.0')


def test_stopping_while_the_database_is_away_leaves_the_message_to_the_box(
    hub: Hub, worker: IngestWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT 1", None, Exception("connection refused"))

    monkeypatch.setattr(worker_module, "ingest_message", down)
    stop = threading.Event()
    stop.set()
    message, _device = delivery(hub)
    worker._handle(message, stop)
    assert metric(worker, "hub_worker_acks_total 0.0")
    assert metric(worker, 'hub_worker_messages_total{result="applied"} 0.0')


def test_a_message_that_breaks_the_hub_is_quarantined_and_ingest_goes_on(
    hub: Hub, worker: IngestWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(worker_module, "ingest_message", broken)
    message, device = delivery(hub)
    worker._handle(message, threading.Event())
    with hub.runtime.sessions() as session:
        row = session.scalars(
            select(QuarantinedEnvelope).where(
                QuarantinedEnvelope.device_id == uuid.UUID(device["device_id"])
            )
        ).one()
    assert (row.reason_code, row.raw_payload, row.topic) == (
        "ingest_error",
        message.payload,
        message.topic,
    )
    assert "KeyError" in row.reason
    assert metric(worker, 'hub_worker_messages_total{result="refused"} 1.0')


def test_a_gap_is_reported_late_and_then_less_and_less_often() -> None:
    ref = StreamRef("ORG-00000001", uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "e" * 32, "sales")
    gaps = GapWatch(after_s=2.0)
    gaps.note(ref, 5, now=100.0)
    assert gaps.due(101.9) == []
    assert gaps.due(102.0) == [ref]
    gaps.reported(ref, 5, now=102.0)
    assert gaps.due(105.9) == []
    assert gaps.due(106.0) == [ref]  # twice as long
    gaps.note(ref, 5, now=106.0)  # the same gap seen again does not restart the clock
    assert gaps.due(106.0) == [ref]
    gaps.note(ref, 9, now=107.0)  # a new gap: reported after the first wait again
    assert gaps.due(108.9) == []
    assert gaps.due(109.0) == [ref]
    for n in range(20):
        gaps.reported(ref, 9, now=float(n))
    assert gaps.due(19.0 + MAX_WAIT_S - 1) == []
    assert gaps.due(19.0 + MAX_WAIT_S) == [ref]
    gaps.note(ref, None, now=500.0)
    assert len(gaps) == 0
