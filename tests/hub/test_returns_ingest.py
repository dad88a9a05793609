"""Returns from a box at the hub, on SQLite and PostgreSQL: ingest, books, GSTR-1.

A box sells (Till) and takes returns on its own stream (ReturnsDesk):
credit notes are applied once, restock, may arrive before their sale,
post as sales returns (tax liability drops by the returned tax, to the
paisa) and are filed in GSTR-1 as cdnr, cdnur or netted into b2cs.
Expected figures are summed from the notes and sales made, never typed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import SaleReturn, SaleReturnLine, SaleReturnRefund, StockMove
from hub.ledger import reports
from hub.ledger.sales import post_all_pending_sales, post_every_org
from setledger import chart, fiscal
from setledger.contracts import ReturnRecorded, SaleRecorded
from setledger.contracts.sales import Buyer
from tests.hub.harness import Hub, make_gstin
from tests.hub.sales_factory import Item, ReturnsDesk, Till

SOLD = datetime(2026, 11, 10, 11, 0, tzinfo=fiscal.IST)
RETURNED = datetime(2026, 11, 12, 16, 0, tzinfo=fiscal.IST)
HEADS = {"txval": "taxable", "iamt": "igst", "camt": "cgst", "samt": "sgst", "csamt": "cess"}
TAX_ACCOUNTS = {
    "cgst": chart.OUTPUT_CGST,
    "sgst": chart.OUTPUT_SGST,
    "igst": chart.OUTPUT_IGST,
    "cess": chart.OUTPUT_CESS,
}


@dataclass
class Shop:
    org: dict[str, Any]
    org_id: uuid.UUID
    till: Till
    desk: ReturnsDesk
    products: dict[str, dict[str, Any]]


def open_shop(hub: Hub) -> Shop:
    org = hub.org(gstin=make_gstin("27"))
    store = hub.store(org)
    device = hub.device(org, store)
    products = {
        "salt": hub.product(org),  # 5%
        "shirt": hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900),
        "tv": hub.product(org, name="LED TV", hsn="8528", gst_rate_bp=1800, price=45_000_00),
    }
    till = Till(org, device)
    return Shop(org, uuid.UUID(org["uuid"]), till, ReturnsDesk(org, device), products)


def sell(hub: Hub, shop: Shop, items: list[Item], **extra: Any) -> SaleRecorded:
    buyer = extra.pop("buyer", None)
    sale = shop.till.sale(items, SOLD, **extra).model_copy(update={"buyer": buyer})
    assert hub.apply(shop.till.seal(sale)).outcome == "applied"
    return sale


def send(hub: Hub, shop: Shop, note: ReturnRecorded, **seal: Any) -> Any:
    return hub.apply(shop.desk.seal(note, **seal))


def on_hand(hub: Hub, shop: Shop, product: str) -> int:
    with hub.runtime.sessions() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(StockMove.qty), 0)).where(
                StockMove.org_id == shop.org_id,
                StockMove.product_id == uuid.UUID(shop.products[product]["product_id"]),
            )
        )
    return int(total or 0)


def test_a_return_is_applied_once_and_restocks(hub: Hub) -> None:
    shop = open_shop(hub)
    sale = sell(hub, shop, [Item(shop.products["salt"], qty=2500), Item(shop.products["shirt"])])
    first = shop.desk.give_back(sale, {1: 1200}, RETURNED)
    envelope = shop.desk.seal(first)
    assert hub.apply(envelope).outcome == "applied"
    assert hub.apply(envelope).outcome == "duplicate"
    assert on_hand(hub, shop, "salt") == -2500 + 1200
    # The same return id with other content is refused, never applied twice.
    changed = first.model_copy(update={"reason": "changed afterwards"})
    reused = send(hub, shop, changed)
    assert (reused.outcome, reused.reason_code) == ("quarantined", "key_reused")
    # More than is left of the line (1.3 kg) is refused: the box would never send it.
    over = shop.desk.give_back(sale, {1: 1400}, RETURNED)  # as if nothing came back before
    refused = send(hub, shop, over)
    assert (refused.outcome, refused.reason_code) == ("quarantined", "sale_invalid")
    assert "more qty" in (refused.reason or "")
    # A note number outside the box's credit note series is refused too.
    stray = shop.desk.give_back(sale, {2: 1000}, RETURNED).model_copy(
        update={"note_no": sale.invoice_no.replace("/0000", "/X000")}
    )
    outside = send(hub, shop, stray)
    assert (outside.outcome, outside.reason_code) == ("quarantined", "sale_invalid")
    assert "series" in (outside.reason or "")
    with hub.runtime.sessions() as session:
        notes = session.scalars(select(SaleReturn.note_no).where(SaleReturn.org_id == shop.org_id))
        assert list(notes) == [first.note_no]
    assert on_hand(hub, shop, "salt") == -1300
    # Credit notes are append-only: the database refuses to rewrite or remove them.
    for table in (SaleReturn, SaleReturnLine, SaleReturnRefund):
        for statement in (
            update(table).where(table.org_id == shop.org_id).values(org_id=table.org_id),
            delete(table).where(table.org_id == shop.org_id),
        ):
            with hub.runtime.engine.connect() as conn:
                with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
                    conn.execute(statement)
                conn.rollback()


def test_a_return_that_arrives_before_its_sale_is_kept(hub: Hub) -> None:
    shop = open_shop(hub)
    sale = shop.till.sale([Item(shop.products["shirt"], qty=2000)], SOLD)
    note = shop.desk.give_back(sale, {1: 2000}, RETURNED)
    assert send(hub, shop, note).outcome == "applied"
    assert hub.apply(shop.till.seal(sale)).outcome == "applied"
    assert on_hand(hub, shop, "shirt") == 0
    # The whole sale came back: the note refunds exactly what was paid.
    assert note.totals.payable == sale.totals.payable


def tax_balances(hub: Hub, org_id: uuid.UUID) -> dict[str, int]:
    """Output tax per head, credit balances as positive paise."""
    with hub.runtime.sessions() as session:
        balances = reports.trial_balance(session, org_id)
    return {
        head: -sum(b.balance for b in balances if b.code.split("-")[0] == account)
        for head, account in TAX_ACCOUNTS.items()
    }


def fetch(hub: Hub, shop: Shop, **params: Any) -> Any:
    response = hub.get(f"/orgs/{shop.org['org_id']}/gst/gstr1", period="2026-11", **params)
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


def sums(documents: list[SaleRecorded] | list[ReturnRecorded]) -> dict[str, int]:
    return {head: sum(getattr(d.totals, name) for d in documents) for head, name in HEADS.items()}


def test_returns_post_once_and_are_filed_as_credit_notes(hub: Hub) -> None:
    shop = open_shop(hub)
    salt, shirt, tv = (shop.products[name] for name in ("salt", "shirt", "tv"))
    b2b = Buyer(name="Traders", gstin=make_gstin("27", "AABCP1234C"), state="27")
    small = sell(hub, shop, [Item(salt, qty=3000), Item(shirt)])
    registered = sell(hub, shop, [Item(shirt, qty=4000)], buyer=b2b)
    large = sell(hub, shop, [Item(tv, qty=3000)], place_of_supply="29")  # B2CL
    with hub.runtime.sessions() as session:
        post_all_pending_sales(session, shop.org_id)
    before = tax_balances(hub, shop.org_id)

    part = shop.desk.give_back(small, {1: 1000}, RETURNED)
    rest = shop.desk.give_back(
        small,
        {1: 2000, 2: 1000},
        RETURNED,
        before={1: 1000},
        refunded_before=part.totals.payable,
    )
    notes = {
        "b2cs": [part, rest],
        "cdnr": [shop.desk.give_back(registered, {1: 1000}, RETURNED)],
        "cdnur": [shop.desk.give_back(large, {1: 1000}, RETURNED)],
    }
    every = [note for group in notes.values() for note in group]
    for note in every:
        assert send(hub, shop, note).outcome == "applied"
    # The small sale came back whole, in two notes: together they refund it exactly.
    assert sum(n.totals.payable for n in notes["b2cs"]) == small.totals.payable

    written = post_every_org(hub.runtime.sessions, shop.org["org_id"])
    assert written == {shop.org["org_id"]: len(every)}
    assert post_every_org(hub.runtime.sessions, shop.org["org_id"]) == {shop.org["org_id"]: 0}
    with hub.runtime.sessions() as session:
        assert sum(b.balance for b in reports.trial_balance(session, shop.org_id)) == 0
    after = tax_balances(hub, shop.org_id)
    for head in TAX_ACCOUNTS:
        returned = sum(getattr(n.totals, head) for n in every)
        assert before[head] - after[head] == returned, head

    totals = fetch(hub, shop, format="totals")
    for section in ("cdnr", "cdnur"):
        assert {h: totals[section][h] for h in HEADS} == sums(notes[section]), section
        assert totals[section]["count"] == len(notes[section])
    # Notes on small B2C invoices are netted into b2cs: the small sale is cancelled out.
    assert {h: totals["b2cs"][h] for h in HEADS} == {
        h: sums([small])[h] - sums(notes["b2cs"])[h] for h in HEADS
    }
    gstr1 = fetch(hub, shop)
    [group] = gstr1["cdnr"]
    assert group["ctin"] == b2b.gstin
    assert [nt["nt_num"] for nt in group["nt"]] == [notes["cdnr"][0].note_no]
    [cdnur] = gstr1["cdnur"]
    assert (cdnur["typ"], cdnur["nt_num"]) == ("B2CL", notes["cdnur"][0].note_no)
    natures = {row["doc_num"]: row["docs"] for row in gstr1["doc_issue"]["doc_det"]}
    assert natures[5][0]["totnum"] == len(every)
