"""A batch of envelopes in one transaction, and a raw MQTT message from bytes to effects."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hub.db.models import Device, QuarantinedEnvelope
from hub.ingest import Outcome, QuarantineReason
from hub.ingest.apply import apply_batch
from hub.ingest.message import ingest_message
from setledger.contracts import MAX_MESSAGE_BYTES, Batch, Envelope, topics
from setledger.hlc import HLCTimestamp, HybridClock, unix_ms
from tests.hub.harness import Hub, ok
from tests.hub.sales_factory import Item, Till

APPLIED, DUPLICATE, QUARANTINED = Outcome.APPLIED, Outcome.DUPLICATE, Outcome.QUARANTINED


@pytest.fixture
def shop(hub: Hub) -> dict[str, Any]:
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    return {"org": org, "store": store, "device": device, "salt": hub.product(org)}


def sales(hub: Hub, org: dict[str, Any]) -> int:
    count: int = ok(hub.get(f"/orgs/{org['org_id']}/sales"))["totals"]["count"]
    return count


def batch_of(envelopes: list[Envelope]) -> Batch:
    first = envelopes[0]
    return Batch(
        device_id=first.device_id,
        epoch=first.epoch,
        stream=first.stream,
        first_seq=first.seq,
        last_seq=envelopes[-1].seq,
        envelopes=envelopes,
    )


def test_a_refused_envelope_does_not_hold_back_its_batch(hub: Hub, shop: dict[str, Any]) -> None:
    box = Till(shop["org"], shop["device"])
    good = box.sell([Item(shop["salt"])])
    sale = box.sale([Item(shop["salt"])])
    cheaper = sale.totals.model_copy(update={"payable": sale.totals.payable - 1})
    tampered = box.seal(sale.model_copy(update={"totals": cheaper}))
    again = box.seal(box.sale([Item(shop["salt"])]), key="wrong-key")
    last = box.sell([Item(shop["salt"])])
    result = apply_batch(hub.runtime.sessions, [good, tampered, again, last], datetime.now(UTC))
    assert [o.outcome for o in result.outcomes] == [APPLIED, QUARANTINED, QUARANTINED, APPLIED]
    assert [o.reason_code for o in result.outcomes][1:3] == [
        QuarantineReason.SALE_INVALID,
        QuarantineReason.KEY_MISMATCH,
    ]
    # Content refusals are held (the box must not resend them for ever).
    assert (result.cursor, result.gap_from) == (4, None)
    assert sales(hub, shop["org"]) == 2


def test_sales_of_one_batch_are_checked_against_each_other(hub: Hub, shop: dict[str, Any]) -> None:
    box = Till(shop["org"], shop["device"])
    sale = box.sale([Item(shop["salt"])])
    first = box.seal(sale)
    resent = box.seal(sale)  # the same sale at the next seq: a duplicate
    edited = box.seal(sale.model_copy(update={"cashier": "Ravi"}))
    box.next_serial -= 1
    reuses_invoice = box.seal(
        box.sale([Item(shop["salt"])]).model_copy(update={"invoice_no": sale.invoice_no})
    )
    reuses_moves = box.seal(
        box.sale([Item(shop["salt"])]).model_copy(update={"stock_moves": sale.stock_moves})
    )
    result = apply_batch(
        hub.runtime.sessions,
        [first, resent, edited, reuses_invoice, reuses_moves],
        datetime.now(UTC),
    )
    assert [(o.outcome, o.reason_code) for o in result.outcomes] == [
        (APPLIED, None),
        (DUPLICATE, None),
        (QUARANTINED, QuarantineReason.KEY_REUSED),
        (QUARANTINED, QuarantineReason.INVOICE_REUSED),
        (QUARANTINED, QuarantineReason.MOVE_REUSED),
    ]
    assert result.cursor == 5
    assert sales(hub, shop["org"]) == 1


def test_a_batch_resent_is_all_duplicates(hub: Hub, shop: dict[str, Any]) -> None:
    box = Till(shop["org"], shop["device"])
    envelopes = [box.sell([Item(shop["salt"])]) for _ in range(50)]
    first = apply_batch(hub.runtime.sessions, envelopes, datetime.now(UTC))
    assert {o.outcome for o in first.outcomes} == {APPLIED}
    again = apply_batch(hub.runtime.sessions, envelopes[10:], datetime.now(UTC))
    assert {o.outcome for o in again.outcomes} == {DUPLICATE}
    assert (first.cursor, again.cursor) == (50, 50)
    assert sales(hub, shop["org"]) == 50


def test_a_batch_must_be_one_stream(hub: Hub, shop: dict[str, Any]) -> None:
    one, other = Till(shop["org"], shop["device"]), Till(shop["org"], shop["device"])
    with pytest.raises(ValueError, match="one org, store, device, epoch and stream"):
        apply_batch(
            hub.runtime.sessions,
            [one.sell([Item(shop["salt"])]), other.sell([Item(shop["salt"])])],
            datetime.now(UTC),
        )
    with pytest.raises(ValueError, match="at least one"):
        apply_batch(hub.runtime.sessions, [], datetime.now(UTC))


# -- clocks ------------------------------------------------------------------------------


def device_row(hub: Hub, device: dict[str, Any]) -> Device:
    with hub.runtime.sessions() as session:
        row = session.scalars(
            select(Device).where(Device.device_id == uuid.UUID(device["device_id"]))
        ).one()
        session.expunge(row)
        return row


def test_a_box_at_1970_is_applied_and_flagged_then_cleared(hub: Hub, shop: dict[str, Any]) -> None:
    box = Till(shop["org"], shop["device"])
    now = datetime.now(UTC)
    boot = datetime(1970, 1, 1, 0, 3, tzinfo=UTC)
    # A box with no RTC: both its wall clock and its HLC are at 1970.
    box.clock = HybridClock(node=box.clock.node, physical_ms=lambda: unix_ms(boot))
    result = apply_batch(
        hub.runtime.sessions, [box.seal(box.sale([Item(shop["salt"])]), wall_time=boot)], now
    )
    assert result.outcomes[0].outcome is APPLIED
    assert result.clock is not None
    assert result.clock.off
    row = device_row(hub, shop["device"])
    assert row.clock_flagged_at == now
    assert row.clock_skew_ms is not None
    assert row.clock_skew_ms < -50 * 365 * 24 * 3600 * 1000
    assert row.last_seen_at == now
    metrics = hub.client.get("/metrics").text
    assert "hub_devices_clock_flagged" in metrics
    # Fixed (NTP): a live reading in bounds clears the flag.
    box.clock = HybridClock(node=box.clock.node)
    later = datetime.now(UTC)
    apply_batch(
        hub.runtime.sessions, [box.seal(box.sale([Item(shop["salt"])]), wall_time=later)], later
    )
    row = device_row(hub, shop["device"])
    assert row.clock_flagged_at is None
    assert row.clock_skew_ms is not None
    assert abs(row.clock_skew_ms) < 5000


def test_clock_rules(hub: Hub, shop: dict[str, Any]) -> None:
    box = Till(shop["org"], shop["device"])
    now = datetime.now(UTC)
    with hub.runtime.sessions.begin() as session:
        session.execute(
            update(Device)
            .where(Device.device_id == uuid.UUID(shop["device"]["device_id"]))
            .values(created_at=now - timedelta(days=30))
        )
    # A backlog of old sales is no evidence of a wrong clock.
    old = now - timedelta(days=3)
    box.clock = HybridClock(node=box.clock.node, physical_ms=lambda: unix_ms(old))
    result = apply_batch(
        hub.runtime.sessions, [box.seal(box.sale([Item(shop["salt"])]), wall_time=old)], now
    )
    assert result.clock is None
    assert device_row(hub, shop["device"]).clock_flagged_at is None
    # A clock ahead of the hub is.
    ahead = now + timedelta(minutes=7)
    result = apply_batch(
        hub.runtime.sessions, [box.seal(box.sale([Item(shop["salt"])]), wall_time=ahead)], now
    )
    assert result.clock is not None
    assert result.clock.off
    assert result.clock.skew_ms == 7 * 60 * 1000
    # So is an HLC (which heard the hub's acks) far ahead of the wall clock.
    behind = now - timedelta(minutes=20)
    envelope = box.seal(box.sale([Item(shop["salt"])]), wall_time=behind)
    stamped = envelope.model_copy(update={"hlc": HLCTimestamp(unix_ms(now), 0, "box").encode()})
    result = apply_batch(hub.runtime.sessions, [stamped], now)
    assert result.clock is not None
    assert result.clock.skew_ms == -20 * 60 * 1000


# -- raw messages -------------------------------------------------------------------------


def topic_of(shop: dict[str, Any]) -> str:
    device = shop["device"]
    return topics.up(shop["org"]["org_id"], device["store_id"], device["device_id"], "sales")


def quarantine_rows(hub: Hub, shop: dict[str, Any]) -> list[QuarantinedEnvelope]:
    with hub.runtime.sessions() as session:
        rows = session.scalars(
            select(QuarantinedEnvelope)
            .where(QuarantinedEnvelope.device_id == uuid.UUID(shop["device"]["device_id"]))
            .order_by(QuarantinedEnvelope.quarantine_id)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def test_raw_messages_are_refused_with_a_reason(hub: Hub, shop: dict[str, Any]) -> None:
    box = Till(shop["org"], shop["device"])
    topic = topic_of(shop)
    now = datetime.now(UTC)
    good = batch_of([box.sell([Item(shop["salt"])])])
    stranger = hub.device(shop["org"], shop["store"])
    foreign = batch_of([Till(shop["org"], stranger).sell([Item(shop["salt"])])])
    stock = Till(shop["org"], shop["device"], stream="stock")
    other_stream = batch_of([stock.sell([Item(shop["salt"])])])
    v2 = {**json.loads(good.model_dump_json()), "schema_version": 2}
    cases: list[tuple[bytes, QuarantineReason]] = [
        (b"{not json", QuarantineReason.MALFORMED),
        (b"\xff\xfe", QuarantineReason.MALFORMED),
        (b'{"schema_name": "batch", "schema_version": 1}', QuarantineReason.MALFORMED),
        (json.dumps(v2).encode(), QuarantineReason.UNKNOWN_SCHEMA),
        (b"x" * (MAX_MESSAGE_BYTES + 1), QuarantineReason.OVERSIZED),
        (foreign.model_dump_json().encode(), QuarantineReason.TOPIC_MISMATCH),
        (other_stream.model_dump_json().encode(), QuarantineReason.TOPIC_MISMATCH),
    ]
    for payload, reason in cases:
        result = ingest_message(hub.runtime.sessions, topic, payload, now)
        assert (result.refused, result.applied) == (reason, None), payload[:40]
    # The same bad message again is kept once.
    ingest_message(hub.runtime.sessions, topic, b"{not json", now)
    rows = quarantine_rows(hub, shop)
    assert sorted(r.reason_code for r in rows) == sorted(reason.value for _, reason in cases)
    malformed = next(r for r in rows if r.raw_payload == b"{not json")
    assert (malformed.topic, malformed.raw_size, malformed.envelope, malformed.seq) == (
        topic,
        9,
        None,
        None,
    )
    assert str(malformed.store_id) == shop["device"]["store_id"]
    assert malformed.org_id == uuid.UUID(shop["org"]["uuid"])
    # And the next good message is applied.
    result = ingest_message(hub.runtime.sessions, topic, good.model_dump_json().encode(), now)
    assert result.applied is not None
    assert result.applied.cursor == 1
    metrics = hub.client.get("/metrics").text
    for reason in ("malformed", "oversized", "topic_mismatch", "unknown_schema"):
        assert f'hub_quarantine_entries{{reason="{reason}"}}' in metrics
    assert "hub_ingest_alerts_up 1.0" in metrics


def test_a_topic_that_is_not_an_uplink_is_dropped(hub: Hub) -> None:
    def held() -> int:
        with hub.runtime.sessions() as session:
            return session.scalar(select(func.count()).select_from(QuarantinedEnvelope)) or 0

    before = held()
    result = ingest_message(
        hub.runtime.sessions, "setledger/v1/x/y/z/up/sales", b"{}", datetime.now(UTC)
    )
    assert (result.topic, result.applied, result.refused) == (None, None, None)
    assert held() == before
