"""The ingest worker end to end: a fake box over a real, secured Mosquitto, the hub's database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest
from sqlalchemy import select

from hub.db.models import Device, QuarantinedEnvelope
from hub.ingest.worker import IngestWorker
from ops.broker import Broker
from setledger.contracts import Ack, Batch, ResendRequest
from setledger.hlc import HLCTimestamp, HybridClock, unix_ms
from tests.hub.harness import Hub, ok
from tests.hub.mqtt_harness import (
    FakeBox,
    connected,
    running_worker,
    secure_broker,
    wait_for,
    worker_settings,
)
from tests.hub.sales_factory import Item, Till


@dataclass
class Rig:
    hub: Hub
    org: dict[str, Any]
    device: dict[str, Any]
    product: dict[str, Any]
    box: FakeBox
    till: Till
    worker: IngestWorker

    def sales(self) -> int:
        count: int = ok(self.hub.get(f"/orgs/{self.org['org_id']}/sales"))["totals"]["count"]
        return count

    def sell(self, count: int) -> list[Any]:
        return [self.till.sell([Item(self.product)]) for _ in range(count)]

    def worker_metric(self, line: str) -> bool:
        return line in generate_latest(self.worker.registry).decode()


@pytest.fixture
def rig(hub: Hub, make_broker: Callable[..., Broker], broker_files: Path) -> Iterator[Rig]:
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    product = hub.product(org)
    broker = secure_broker(hub, make_broker, broker_files)
    with running_worker(worker_settings(hub, broker)) as worker:
        box = FakeBox.of(org, device, broker)
        with connected(box):
            box.listen_down()
            yield Rig(hub, org, device, product, box, Till(org, device), worker)


def test_batches_are_applied_once_and_acked(rig: Rig) -> None:
    first, second = rig.sell(3), rig.sell(2)
    assert not rig.box.send(first).is_failure
    assert not rig.box.send(second).is_failure
    rig.box.wait_acked(rig.till.epoch, 5)
    assert rig.sales() == 5
    ack = Ack.model_validate(rig.box.messages(f"/down/ack/{rig.till.epoch}/sales")[-1].json())
    assert (ack.device_id, ack.epoch, ack.stream) == (
        uuid.UUID(rig.device["device_id"]),
        rig.till.epoch,
        "sales",
    )
    # The hub's clock has seen the box's stamps: its ack orders after them.
    assert HLCTimestamp.decode(ack.hlc) > HLCTimestamp.decode(second[-1].hlc)
    # Duplicates (a whole batch again, and an overlapping one) change nothing
    # but are acked again, so the box can prune.
    acks = len(rig.box.messages("/down/ack/"))
    rig.box.send(first)
    rig.box.send(first[1:] + second)
    wait_for(lambda: len(rig.box.messages("/down/ack/")) >= acks + 2, "two more acks")
    assert rig.sales() == 5
    assert rig.box.acked(rig.till.epoch) == 5
    assert rig.worker_metric('hub_ingest_envelopes_total{outcome="duplicate"} 7.0')
    assert rig.worker_metric('hub_worker_messages_total{result="applied"} 4.0')
    # The retained ack is what a box reconnecting after a restart gets first.
    late = FakeBox.of(rig.org, rig.device, rig.box.broker)
    with connected(late):
        late.listen_down()
        late.wait_acked(rig.till.epoch, 5)
        assert all(m.retain for m in late.messages("/down/ack/"))


def test_a_gap_gets_a_resend_request(rig: Rig) -> None:
    envelopes = rig.sell(4)
    rig.box.send(envelopes[2:])
    wait_for(lambda: rig.box.acked(rig.till.epoch) == 0, "an ack of nothing contiguous")
    assert rig.sales() == 2  # parked seqs are applied, the cursor waits
    control = wait_for(lambda: rig.box.messages("/down/ctl"), "a resend request")
    request = ResendRequest.model_validate(control[0].json())
    assert (request.from_seq, request.epoch) == (1, rig.till.epoch)
    rig.box.send(envelopes[:2])
    rig.box.wait_acked(rig.till.epoch, 4)
    assert rig.sales() == 4
    assert rig.worker_metric("hub_worker_resend_requests_total 1.0")


def test_bad_messages_are_quarantined_and_ingest_carries_on(rig: Rig) -> None:
    good = rig.sell(4)
    until = 0

    def then_a_good_one() -> None:
        nonlocal until
        until += 1
        rig.box.send([good[until - 1]])
        rig.box.wait_acked(rig.till.epoch, until)

    rig.box.publish(rig.box.up_topic, b"{this is not json")
    then_a_good_one()
    batch = Batch(
        device_id=good[0].device_id,
        epoch=good[0].epoch,
        stream="sales",
        first_seq=1,
        last_seq=1,
        envelopes=[good[0]],
    ).model_dump_json()
    oversized = batch[:-1] + ',"padding":"' + "p" * 400_000 + '"}'
    assert 256 * 1024 < len(oversized) < 1024 * 1024
    rig.box.publish(rig.box.up_topic, oversized.encode())
    then_a_good_one()
    future = rig.till.sell([Item(rig.product)]).model_copy(update={"schema_version": 9})
    rig.box.send([future])  # seq 5: unknown version, waits in the box for a newer hub
    then_a_good_one()
    impostor = rig.till.seal(rig.till.sale([Item(rig.product)]), seq=1)  # seq 1, other content
    rig.box.send([impostor])
    then_a_good_one()
    assert rig.sales() == 4
    with rig.hub.runtime.sessions() as session:
        reasons = session.scalars(
            select(QuarantinedEnvelope.reason_code)
            .where(QuarantinedEnvelope.device_id == uuid.UUID(rig.device["device_id"]))
            .order_by(QuarantinedEnvelope.quarantine_id)
        ).all()
    assert reasons == ["malformed", "oversized", "unknown_schema", "seq_reused"]
    hub_metrics = rig.hub.client.get("/metrics").text
    for reason in ("malformed", "oversized", "unknown_schema", "seq_reused"):
        line = next(x for x in hub_metrics.splitlines() if f'entries{{reason="{reason}"}}' in x)
        assert float(line.split()[-1]) >= 1, line
    assert rig.worker_metric('hub_ingest_quarantined_total{reason="oversized"} 1.0')
    assert rig.worker_metric('hub_worker_messages_total{result="refused"} 2.0')


def test_a_box_at_1970_syncs_and_is_flagged(rig: Rig) -> None:
    boot = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)
    rig.till.clock = HybridClock(node=rig.till.clock.node, physical_ms=lambda: unix_ms(boot))
    sale = rig.till.seal(rig.till.sale([Item(rig.product)]), wall_time=boot)
    rig.box.send([sale])
    rig.box.wait_acked(rig.till.epoch, 1)
    assert rig.sales() == 1
    with rig.hub.runtime.sessions() as session:
        device = session.scalars(
            select(Device).where(Device.device_id == uuid.UUID(rig.device["device_id"]))
        ).one()
        assert device.clock_flagged_at is not None
        assert device.last_seen_at is not None
    ack = Ack.model_validate(rig.box.messages("/down/ack/")[-1].json())
    # What lets the box stamp its next sales after the hub's time.
    assert HLCTimestamp.decode(ack.hlc).wall_ms > unix_ms(datetime(2026, 1, 1, tzinfo=UTC))
    assert rig.worker_metric("hub_ingest_clock_skewed_batches_total 1.0")
    metrics = rig.hub.client.get("/metrics").text
    flagged = next(x for x in metrics.splitlines() if x.startswith("hub_devices_clock_flagged "))
    assert float(flagged.split()[-1]) >= 1


def test_a_box_clock_in_the_future_does_not_drag_the_hub(rig: Rig) -> None:
    future_ms = unix_ms(datetime(2099, 1, 1, tzinfo=UTC))
    rig.till.clock = HybridClock(node=rig.till.clock.node, physical_ms=lambda: future_ms)
    rig.box.send([rig.till.sell([Item(rig.product)])])
    rig.box.wait_acked(rig.till.epoch, 1)
    ack = json.loads(rig.box.messages("/down/ack/")[-1].payload)
    assert HLCTimestamp.decode(ack["hlc"]).wall_ms < future_ms
