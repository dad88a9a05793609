"""Wire contracts: schema files match the models, money is strict, sales recompute."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from setledger import errors
from setledger.contracts import (
    MESSAGES,
    Ack,
    Batch,
    Envelope,
    SaleRecorded,
    json_schemas,
    parse_payload,
    seal,
    topics,
    validate_sale,
)
from setledger.gst import Rounding, SupplyKind, TaxableLine, tax_invoice

SCHEMAS = Path(__file__).resolve().parents[2] / "setledger" / "contracts" / "schemas"
NOW = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)


def a_sale() -> SaleRecorded:
    items = [
        TaxableLine(unit_price=28500, qty=2000, rate_bp=500, price_includes_tax=True),
        TaxableLine(unit_price=16000, qty=1250, rate_bp=0, price_includes_tax=True),
    ]
    tax = tax_invoice(items, SupplyKind.INTRA, Rounding.RUPEE)
    product_ids = [uuid.uuid4(), uuid.uuid4()]
    return SaleRecorded(
        sale_id=uuid.uuid4(),
        invoice_no="C1/2627/000001",
        financial_year="2026-27",
        sold_at=NOW,
        business_date=date(2026, 11, 24),
        seller_state="27",
        place_of_supply="27",
        supply_kind=SupplyKind.INTRA,
        rounding=Rounding.RUPEE,
        lines=[
            {
                "line_no": n,
                "product_id": pid,
                "sku": f"SKU{n}",
                "name": f"Item {n}",
                "unit": "PCS",
                "qty": item.qty,
                "unit_price": item.unit_price,
                "price_includes_tax": True,
                "rate_bp": item.rate_bp,
                "taxable": lt.taxable,
                "cgst": lt.cgst,
                "sgst": lt.sgst,
                "igst": lt.igst,
                "cess": lt.cess,
                "charged": lt.charged,
            }
            for n, (item, lt, pid) in enumerate(
                zip(items, tax.lines, product_ids, strict=True), start=1
            )
        ],
        tenders=[{"kind": "cash", "amount": 80000}],
        totals={
            "taxable": tax.taxable,
            "cgst": tax.cgst,
            "sgst": tax.sgst,
            "igst": tax.igst,
            "cess": tax.cess,
            "round_off": tax.round_off,
            "payable": tax.payable,
            "tendered": 80000,
            "change": 80000 - tax.payable,
        },
        stock_moves=[
            {"move_id": uuid.uuid4(), "product_id": pid, "qty": -item.qty, "reason": "sale"}
            for item, pid in zip(items, product_ids, strict=True)
        ],
    )


def envelope_fields() -> dict[str, Any]:
    return {
        "org_id": "ORG-1a2b3c4d",
        "store_id": uuid.uuid4(),
        "device_id": uuid.uuid4(),
        "epoch": "0" * 32,
        "stream": "sales",
        "seq": 1,
        "key": "k",
        "hlc": "000001790000000-000000-box",
        "wall_time": NOW,
    }


def test_committed_schema_files_match_the_models() -> None:
    generated = json_schemas()
    committed = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    assert set(committed) == set(generated), "run: setledger contracts export"
    for name, schema in generated.items():
        assert committed[name] == json.loads(json.dumps(schema)), f"{name} is stale"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_message_has_a_schema_name_and_version() -> None:
    names = {name for name, _ in MESSAGES}
    assert {"sale.recorded", "ack", "ctl.resend", "device.status", "catalog.manifest"} <= names


def test_a_sale_survives_the_wire_and_validates_against_its_json_schema() -> None:
    sale = a_sale()
    assert validate_sale(sale) == []
    envelope = seal(sale, **envelope_fields())
    wire = envelope.model_dump_json()
    received = Envelope.model_validate_json(wire)
    jsonschema.validate(json.loads(wire), json_schemas()["envelope.v1.json"])
    jsonschema.validate(received.payload, json_schemas()["sale.recorded.v1.json"])
    assert parse_payload(received) == sale


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic warns about the float we smuggle in
def test_money_as_a_float_is_refused_at_the_boundary() -> None:
    payload = a_sale().model_dump(mode="json")
    payload["totals"]["payable"] = float(payload["totals"]["payable"])
    with pytest.raises(ValidationError):
        SaleRecorded.model_validate(payload)
    with pytest.raises(TypeError, match="float"):
        seal(Ack.model_construct(**{"acked_seq": 1.0}), **envelope_fields())  # type: ignore[arg-type]


def test_a_tampered_payload_is_detected() -> None:
    envelope = seal(a_sale(), **envelope_fields())
    tampered = envelope.model_copy(update={"payload": {**envelope.payload, "invoice_no": "X1"}})
    with pytest.raises(errors.SetLedgerError) as caught:
        parse_payload(tampered)
    assert caught.value.code == "CONTRACT_HASH_MISMATCH"


def test_an_unknown_schema_is_a_structured_error() -> None:
    envelope = seal(a_sale(), **envelope_fields())
    future = envelope.model_copy(update={"schema_version": 99})
    with pytest.raises(errors.SetLedgerError) as caught:
        parse_payload(future)
    assert caught.value.code == "CONTRACT_UNKNOWN"


def test_validate_sale_finds_inconsistent_amounts() -> None:
    sale = a_sale()
    data = sale.model_dump()
    data["lines"][0]["cgst"] += 1
    data["totals"]["payable"] += 100
    data["totals"]["change"] -= 1
    problems = validate_sale(SaleRecorded.model_validate(data))
    assert any("line 1" in p for p in problems)
    assert any("totals.payable" in p for p in problems)
    assert any("totals.change" in p for p in problems)


def test_intra_state_tax_on_an_inter_state_supply_is_caught() -> None:
    data = a_sale().model_dump()
    data["place_of_supply"] = "29"
    assert any("inter-state" in p for p in validate_sale(SaleRecorded.model_validate(data)))


def test_unknown_fields_are_refused() -> None:
    data = a_sale().model_dump(mode="json")
    data["discount_code"] = "FREE"
    with pytest.raises(ValidationError):
        SaleRecorded.model_validate(data)


def test_a_batch_holds_contiguous_envelopes_of_one_stream() -> None:
    fields = envelope_fields()
    sealed = [seal(a_sale(), **{**fields, "seq": seq, "key": f"k{seq}"}) for seq in (3, 4, 5)]
    batch = Batch(
        device_id=fields["device_id"],
        epoch=fields["epoch"],
        stream="sales",
        first_seq=3,
        last_seq=5,
        envelopes=sealed,
    )
    wire = Batch.model_validate_json(batch.model_dump_json())
    assert [e.seq for e in wire.envelopes] == [3, 4, 5]
    jsonschema.validate(json.loads(batch.model_dump_json()), json_schemas()["batch.v1.json"])
    with pytest.raises(ValidationError, match="contiguous"):
        Batch(**{**batch.model_dump(), "envelopes": [sealed[0], sealed[2]], "last_seq": 4})
    other = seal(a_sale(), **{**fields, "seq": 6, "device_id": uuid.uuid4()})
    with pytest.raises(ValidationError, match="another device"):
        Batch(**{**batch.model_dump(), "envelopes": [*sealed, other], "last_seq": 6})


def test_uplink_topics_parse_back() -> None:
    org, store, device = "ORG-1a2b3c4d", uuid.uuid4(), uuid.uuid4()
    parsed = topics.parse_up(topics.up(org, store, device, "sales"))
    assert parsed == topics.UpTopic(org, store, device, "sales")
    assert topics.parse_up(topics.status(org, store, device)) is None
    assert topics.parse_up("setledger/v1/ORG-1a2b3c4d/x/y/up/sales") is None
    assert topics.INGEST_SHARED_FILTER == "$share/hub/setledger/v1/+/+/+/up/+"


def test_canonical_json_names_where_a_float_hides() -> None:
    from setledger.canonical import canonical_json, digest

    assert digest({"b": [1, {"z": None}], "a": "₹"}) == digest({"a": "₹", "b": [1, {"z": None}]})
    with pytest.raises(TypeError, match=r"float at \$\.a\[1\]\.b"):
        canonical_json({"a": [1, {"b": 2.5}]})
