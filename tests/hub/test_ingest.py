"""Ingest: each envelope applied exactly once, or quarantined whole."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hub.db.models import (
    UNKNOWN_ORG,
    Device,
    DeviceCursor,
    InboxEntry,
    QuarantinedEnvelope,
    Sale,
    SaleLine,
    SaleTender,
    StockMove,
)
from hub.ingest import ApplyOutcome, Outcome, QuarantineReason, apply_envelope
from setledger.canonical import digest
from setledger.contracts import Ack, Envelope, SaleRecorded
from setledger.tenders import Tender, TenderKind
from tests.hub.harness import Hub, ok
from tests.hub.sales_factory import Item, Till

APPLIED, DUPLICATE, QUARANTINED = Outcome.APPLIED, Outcome.DUPLICATE, Outcome.QUARANTINED


@pytest.fixture
def shop(hub: Hub) -> dict[str, Any]:
    """An org with one store, one box and two products."""
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    salt = hub.product(org, sku="SALT", name="Tata Salt 1kg", price=2800)
    oil = hub.product(
        org, sku="OIL", name="Fortune Oil 1L", gst_rate_bp=500, price=16550, hsn="1512"
    )
    return {"org": org, "store": store, "device": device, "salt": salt, "oil": oil}


def till(shop: dict[str, Any]) -> Till:
    return Till(shop["org"], shop["device"])


def counts(hub: Hub, org: dict[str, Any]) -> dict[str, int]:
    org_id = uuid.UUID(org["uuid"])
    with hub.runtime.sessions() as session:
        return {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(model.org_id == org_id)
            )
            or 0
            for model in (Sale, SaleLine, SaleTender, StockMove, InboxEntry, QuarantinedEnvelope)
        }


def quarantined(hub: Hub, outcome: ApplyOutcome) -> QuarantinedEnvelope:
    with hub.runtime.sessions() as session:
        row = session.scalars(
            select(QuarantinedEnvelope).where(
                QuarantinedEnvelope.quarantine_id == outcome.quarantine_id
            )
        ).one()
        session.expunge(row)
        return row


def test_a_sale_is_applied_whole(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    sale = box.sale(
        [Item(shop["salt"], qty=2000), Item(shop["oil"], discount=550)],
        tenders=[Tender(TenderKind.UPI, 10_000, "UPI-4471"), Tender(TenderKind.CASH, 20_000)],
    )
    envelope = box.seal(sale, correlation_id="till-7f3a")
    received = datetime(2026, 11, 20, 5, 1, 2, tzinfo=UTC)
    outcome = hub.apply(envelope, received)
    assert outcome == ApplyOutcome(
        outcome=APPLIED,
        org_id=shop["org"]["org_id"],
        device_id=envelope.device_id,
        epoch=box.epoch,
        stream="sales",
        seq=1,
        key=str(sale.sale_id),
        cursor=1,
    )
    detail = ok(hub.get(f"/orgs/{shop['org']['org_id']}/sales/{sale.sale_id}"))
    assert detail["invoice_no"] == sale.invoice_no == f"{box.prefix}/2627/000001"
    assert detail["financial_year"] == "2026-27"
    assert detail["business_date"] == "2026-11-20"
    assert detail["payable"] == sale.totals.payable == 2 * 2800 + 16000
    assert detail["change"] == 30_000 - sale.totals.payable
    for name in ("taxable", "cgst", "sgst", "igst", "cess", "round_off", "tendered"):
        assert detail[name] == getattr(sale.totals, name), name
    assert detail["cgst"] == detail["sgst"] > 0
    assert detail["lines"] == [line.model_dump(mode="json") for line in sale.lines]
    assert [(t["kind"], t["amount"], t["reference"]) for t in detail["tenders"]] == [
        ("upi", 10_000, "UPI-4471"),
        ("cash", 20_000, None),
    ]
    assert sorted((m["product_id"], m["qty"]) for m in detail["stock_moves"]) == sorted(
        [(shop["salt"]["product_id"], -2000), (shop["oil"]["product_id"], -1000)]
    )
    assert (detail["device_id"], detail["store_id"]) == (
        shop["device"]["device_id"],
        shop["store"]["store_id"],
    )
    assert (detail["epoch"], detail["seq"], detail["correlation_id"]) == (box.epoch, 1, "till-7f3a")
    assert datetime.fromisoformat(detail["received_at"]) == received
    assert datetime.fromisoformat(detail["sold_at"]) == sale.sold_at
    assert detail["hlc"] == envelope.hlc
    assert counts(hub, shop["org"]) == {
        "sale": 1,
        "sale_line": 2,
        "sale_tender": 2,
        "stock_move": 2,
        "inbox": 1,
        "quarantine": 0,
    }


def test_the_same_envelope_twice_is_one_sale(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    envelope = box.sell([Item(shop["salt"])])
    assert hub.apply(envelope).outcome is APPLIED
    again = hub.apply(envelope)
    assert (again.outcome, again.cursor, again.reason_code) == (DUPLICATE, 1, None)
    assert counts(hub, shop["org"])["sale"] == 1
    assert counts(hub, shop["org"])["inbox"] == 1


def test_a_resent_sale_under_a_new_seq_or_epoch_is_a_duplicate(
    hub: Hub, shop: dict[str, Any]
) -> None:
    box = till(shop)
    sale = box.sale([Item(shop["salt"])])
    assert hub.apply(box.seal(sale)).outcome is APPLIED
    # The box restored a backup (new epoch) and sends the sale again.
    restored = Till(shop["org"], shop["device"])
    again = hub.apply(restored.seal(sale))
    assert (again.outcome, again.cursor) == (DUPLICATE, 1)  # the new stream moves on
    resent = hub.apply(box.seal(sale))  # same epoch, next seq
    assert (resent.outcome, resent.cursor) == (DUPLICATE, 2)
    assert counts(hub, shop["org"])["sale"] == 1


def test_same_seq_other_payload_is_quarantined(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    first = box.sell([Item(shop["salt"])])
    assert hub.apply(first).outcome is APPLIED
    before = counts(hub, shop["org"])
    impostor = box.seal(box.sale([Item(shop["oil"])]), seq=1)
    outcome = hub.apply(impostor)
    assert (outcome.outcome, outcome.reason_code, outcome.cursor) == (
        QUARANTINED,
        QuarantineReason.SEQ_REUSED,
        1,
    )
    after = counts(hub, shop["org"])
    assert after == {**before, "quarantine": 1}
    row = quarantined(hub, outcome)
    assert row.envelope == impostor.model_dump(mode="json")
    assert (row.seq, row.key, row.reason_code) == (1, impostor.key, "seq_reused")
    sales = ok(hub.get(f"/orgs/{shop['org']['org_id']}/sales"))["sales"]
    assert [s["sale_id"] for s in sales] == [first.key]


def test_same_key_other_content_is_quarantined(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    sale = box.sale([Item(shop["salt"])])
    assert hub.apply(box.seal(sale)).outcome is APPLIED
    edited = sale.model_copy(update={"cashier": "Ravi"})
    outcome = hub.apply(box.seal(edited))
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.KEY_REUSED)
    assert outcome.cursor == 2  # the hub holds it, so the box may prune it
    assert counts(hub, shop["org"])["sale"] == 1


def test_an_unknown_schema_waits_in_the_box(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    ack = Ack(
        device_id=uuid.UUID(shop["device"]["device_id"]),
        epoch=box.epoch,
        stream="sales",
        acked_seq=0,
        hub_time=datetime.now(UTC),
        hlc="000000000000001-000000-hub",
    )
    outcome = hub.apply(box.seal(ack))
    assert (outcome.outcome, outcome.reason_code, outcome.cursor) == (
        QUARANTINED,
        QuarantineReason.UNKNOWN_SCHEMA,
        0,  # not passed: an upgraded hub must still get it from the box
    )
    future = box.sell([Item(shop["salt"])]).model_copy(update={"schema_version": 2})
    outcome = hub.apply(future)
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.UNKNOWN_SCHEMA)
    later = hub.apply(box.sell([Item(shop["salt"])]))
    assert (later.outcome, later.cursor, later.gap_from) == (APPLIED, 0, 1)
    assert counts(hub, shop["org"]) == {
        "sale": 1,
        "sale_line": 1,
        "sale_tender": 1,
        "stock_move": 1,
        "inbox": 1,
        "quarantine": 2,
    }


def test_a_resent_refusal_is_quarantined_once(hub: Hub, shop: dict[str, Any]) -> None:
    envelope = till(shop).sell([Item(shop["salt"])])
    stray = envelope.model_copy(update={"device_id": uuid.uuid4()})
    outcomes = [hub.apply(stray) for _ in range(3)]
    assert {o.reason_code for o in outcomes} == {QuarantineReason.UNKNOWN_DEVICE}
    assert len({o.quarantine_id for o in outcomes}) == 1
    assert counts(hub, shop["org"])["quarantine"] == 1


def test_tampered_amounts_are_quarantined(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    sale = box.sale([Item(shop["oil"])])
    cheaper = sale.totals.model_copy(update={"payable": sale.totals.payable - 100})
    tampered = sale.model_copy(update={"totals": cheaper})
    outcome = hub.apply(box.seal(tampered))  # resealed: the hash matches, the sums do not
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.SALE_INVALID)
    assert outcome.reason is not None
    assert "totals.payable" in outcome.reason
    line = sale.lines[0].model_copy(update={"cgst": sale.lines[0].cgst - 1})
    outcome = hub.apply(box.seal(sale.model_copy(update={"lines": [line]})))
    assert outcome.reason_code is QuarantineReason.SALE_INVALID
    assert counts(hub, shop["org"])["sale"] == 0
    assert counts(hub, shop["org"])["quarantine"] == 2


def with_payload(envelope: Envelope, payload: dict[str, Any], *, rehash: bool) -> Envelope:
    """The envelope carrying ``payload``; its hash recomputed or left as it was."""
    update: dict[str, Any] = {"payload": payload}
    if rehash:
        update["payload_sha256"] = digest(payload)
    return envelope.model_copy(update=update)


def test_a_payload_not_matching_its_hash_is_quarantined(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    envelope = box.sell([Item(shop["salt"])])
    changed = with_payload(envelope, {**envelope.payload, "cashier": "Mallory"}, rehash=False)
    outcome = hub.apply(changed)
    assert (outcome.outcome, outcome.reason_code, outcome.cursor) == (
        QUARANTINED,
        QuarantineReason.HASH_MISMATCH,
        0,
    )
    # The corrupted copy did not take the seq: the true one, resent, applies.
    resent = hub.apply(envelope)
    assert (resent.outcome, resent.cursor) == (APPLIED, 1)
    assert counts(hub, shop["org"])["sale"] == 1
    totals = {**envelope.payload["totals"], "payable": 28.0}
    floats = with_payload(
        box.sell([Item(shop["salt"])]), {**envelope.payload, "totals": totals}, rehash=False
    )
    outcome = hub.apply(floats)  # the kernel refuses to even hash a float
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.PAYLOAD_INVALID)
    assert counts(hub, shop["org"])["sale"] == 1
    assert counts(hub, shop["org"])["quarantine"] == 2


def test_malformed_payloads_and_wrong_keys_are_quarantined(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    sale = box.sale([Item(shop["salt"])])
    payload = sale.model_dump(mode="json")
    del payload["invoice_no"]
    outcome = hub.apply(with_payload(box.seal(sale), payload, rehash=True))
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.PAYLOAD_INVALID)
    assert outcome.reason is not None
    assert "invoice_no" in outcome.reason
    outcome = hub.apply(box.seal(sale, key="not-the-sale-id"))
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.KEY_MISMATCH)
    assert counts(hub, shop["org"])["sale"] == 0
    assert counts(hub, shop["org"])["inbox"] == 2


def test_senders_are_checked_before_anything_is_recorded(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    envelope = box.sell([Item(shop["salt"])])
    other_store = hub.store(shop["org"])
    cases: list[tuple[dict[str, Any], QuarantineReason]] = [
        ({"org_id": "ORG-00000000"}, QuarantineReason.UNKNOWN_ORG),
        ({"device_id": uuid.uuid4()}, QuarantineReason.UNKNOWN_DEVICE),
        ({"store_id": uuid.UUID(other_store["store_id"])}, QuarantineReason.WRONG_STORE),
    ]
    for change, reason in cases:
        outcome = hub.apply(envelope.model_copy(update=change))
        assert (outcome.outcome, outcome.reason_code, outcome.cursor) == (
            QUARANTINED,
            reason,
            None,
        )
        row = quarantined(hub, outcome)
        expected_org = (
            UNKNOWN_ORG
            if reason is QuarantineReason.UNKNOWN_ORG
            else uuid.UUID(shop["org"]["uuid"])
        )
        assert (row.org_id, row.org_code) == (expected_org, change.get("org_id", envelope.org_id))
    # A box of another org cannot write into this one.
    stranger = hub.org()
    stranger_box = Till(stranger, hub.device(stranger, hub.store(stranger)))
    sale = SaleRecorded.model_validate(envelope.payload)
    outcome = hub.apply(stranger_box.seal(sale, org_id=shop["org"]["org_id"]))
    assert outcome.reason_code is QuarantineReason.UNKNOWN_DEVICE
    # A revoked box is refused.
    with hub.runtime.sessions.begin() as session:
        session.execute(
            update(Device)
            .where(Device.device_id == uuid.UUID(shop["device"]["device_id"]))
            .values(revoked_at=datetime.now(UTC))
        )
    outcome = hub.apply(envelope)
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.DEVICE_REVOKED)
    assert counts(hub, shop["org"])["inbox"] == 0
    assert counts(hub, shop["org"])["sale"] == 0
    with hub.runtime.sessions() as session:
        cursors = select(func.count()).where(DeviceCursor.org_id == uuid.UUID(shop["org"]["uuid"]))
        assert session.scalar(cursors) == 0


def test_invoice_rules_are_enforced(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    first = box.sale([Item(shop["salt"])])
    assert hub.apply(box.seal(first)).outcome is APPLIED
    # A different sale reusing the invoice number (a restore gone wrong).
    box.next_serial = 1
    reused = box.sale([Item(shop["oil"])])
    assert reused.invoice_no == first.invoice_no
    outcome = hub.apply(box.seal(reused))
    assert (outcome.outcome, outcome.reason_code) == (QUARANTINED, QuarantineReason.INVOICE_REUSED)
    # Another box's series.
    foreign = box.sale([Item(shop["salt"])]).model_copy(update={"invoice_no": "ZZ/2627/000009"})
    outcome = hub.apply(box.seal(foreign))
    assert outcome.reason_code is QuarantineReason.SALE_INVALID
    # The financial year must be that of the business date.
    wrong_fy = box.sale([Item(shop["salt"])]).model_copy(update={"financial_year": "2025-26"})
    outcome = hub.apply(box.seal(wrong_fy))
    assert outcome.reason_code is QuarantineReason.SALE_INVALID
    # The seller is the store: its state, not another.
    moved = box.sale([Item(shop["salt"])], seller_state="29")
    outcome = hub.apply(box.seal(moved))
    assert outcome.reason_code is QuarantineReason.SALE_INVALID
    # Stock move ids are once only.
    again = box.sale([Item(shop["salt"])])
    again = again.model_copy(update={"stock_moves": first.stock_moves})
    outcome = hub.apply(box.seal(again))
    assert outcome.reason_code is QuarantineReason.MOVE_REUSED
    assert counts(hub, shop["org"])["sale"] == 1
    assert hub.apply(box.sell([Item(shop["salt"])])).outcome is APPLIED


def test_out_of_order_seqs_apply_but_the_cursor_waits(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    envelopes = [box.sell([Item(shop["salt"])]) for _ in range(5)]
    one, two, three, four, five = envelopes
    assert (hub.apply(one).cursor, hub.apply(one).gap_from) == (1, None)
    got = hub.apply(three)
    assert (got.outcome, got.cursor, got.gap_from) == (APPLIED, 1, 2)
    got = hub.apply(five)
    assert (got.outcome, got.cursor, got.gap_from) == (APPLIED, 1, 2)
    assert counts(hub, shop["org"])["sale"] == 3  # parked seqs are applied, not held back
    got = hub.apply(two)
    assert (got.cursor, got.gap_from) == (3, 4)
    got = hub.apply(four)
    assert (got.cursor, got.gap_from) == (5, None)
    assert hub.apply(three).outcome is DUPLICATE
    assert counts(hub, shop["org"])["sale"] == 5
    # Another stream and another epoch have cursors of their own.
    other = Till(shop["org"], shop["device"])
    assert hub.apply(other.sell([Item(shop["salt"])])).cursor == 1


def test_ingest_counts_outcomes_in_the_app_registry(hub: Hub, shop: dict[str, Any]) -> None:
    box = till(shop)
    envelope = box.sell([Item(shop["salt"])])
    hub.apply(envelope)
    hub.apply(envelope)
    hub.apply(envelope.model_copy(update={"org_id": "ORG-00000000"}))
    metrics = hub.client.get("/metrics").text
    assert 'hub_ingest_envelopes_total{outcome="applied"} 1.0' in metrics
    assert 'hub_ingest_envelopes_total{outcome="duplicate"} 1.0' in metrics
    assert 'hub_ingest_envelopes_total{outcome="quarantined"} 1.0' in metrics
    assert 'hub_ingest_quarantined_total{reason="unknown_org"} 1.0' in metrics


def test_received_at_must_be_aware(hub: Hub, shop: dict[str, Any]) -> None:
    envelope = till(shop).sell([Item(shop["salt"])])
    with pytest.raises(ValueError, match="aware"):
        apply_envelope(hub.runtime.engine, envelope, datetime(2026, 11, 20))
    assert apply_envelope(hub.runtime.engine, envelope, datetime.now(UTC)).outcome is APPLIED
