"""The e-invoice queue on SQLite and PostgreSQL, with the sandbox IRP as connector.

B2B sales are queued once (org + IRN) after the product's validator
passed them, the worker records the IRP's IRN and acknowledgement, a lost
answer comes back as "duplicate IRN" and keeps the one IRN, a bad document
is refused before anything is queued, an outage is retried with back-off
(the clock is injected: no sleeps), and the offline export validates
against the INV-01 v1.1 Draft-07 schema.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.einvoice import EInvoice, EInvoiceAttempt
from hub.db.models import Org
from hub.einvoice.connector import IrpError, Outcome, Rejected, Unavailable
from hub.einvoice.queue import enqueue, prepare
from hub.einvoice.sandbox import SandboxConnector
from hub.einvoice.worker import LEASE, record, submit_due
from setledger.contracts.sales import Buyer
from setledger.einvoice import irn_of, validate_einvoice
from setledger.errors import SetLedgerError
from setledger.fiscal import IST
from setledger.invoice import DocType, OriginalInvoice, invoice_from_sale
from tests.hub.harness import API, Hub, error_code, make_gstin, ok
from tests.hub.sales_factory import SOLD_AT, Item, ReturnsDesk, Till
from tests.kernel import invoice_cases as cases

BUYER_GSTIN = make_gstin("29", "AABCB1234C")
BUYER = {
    "gstin": BUYER_GSTIN,
    "legal_name": "Buyer Stores LLP",
    "address1": "4 Residency Road",
    "location": "Bengaluru",
    "pin": 560025,
}
SHIRT = ("Cotton shirt", "611490", 100000, 1800)
# Later than any real "now" of the run (documents queued through the API are due
# at the real time of enqueueing), and fixed at import: the run may take minutes
# to reach this module.
T0 = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)
"""The worker's clock: after every enqueue of the run (the routes stamp real time)."""


class Shop:
    """An org with a tax profile, one store, one box; sells B2B (inter-state) and B2C."""

    def __init__(self, hub: Hub, *, profile: bool = True) -> None:
        self.hub = hub
        self.org = hub.org(gstin=make_gstin("27"))
        self.code = self.org["org_id"]
        self.org_id = uuid.UUID(self.org["uuid"])
        if profile:
            with hub.runtime.sessions.begin() as session:
                session.execute(
                    update(Org)
                    .where(Org.org_id == self.org_id)
                    .values(
                        legal_name="Sharma General Stores Private Limited",
                        address1="12 MG Road",
                        location="Pune",
                        pin=411001,
                    )
                )
        store = hub.store(self.org)
        self.till = Till(self.org, hub.device(self.org, store))
        self.shirt = hub.product(self.org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)

    def sell(self, *, b2b: bool = True) -> tuple[uuid.UUID, str]:
        """One sale (to the registered buyer in Karnataka, or a consumer); its id and number."""
        if b2b:
            sale = self.till.sale([Item(self.shirt)], place_of_supply="29")
            sale = sale.model_copy(update={"buyer": Buyer(name="Buyer", gstin=BUYER_GSTIN)})
        else:
            sale = self.till.sale([Item(self.shirt)])
        assert self.hub.apply(self.till.seal(sale)).outcome == "applied"
        return sale.sale_id, sale.invoice_no

    def add_buyer(self) -> None:
        ok(self.hub.client.post(f"{API}/orgs/{self.code}/einvoices/buyers", json=BUYER))

    def enqueue(self, **body: Any) -> dict[str, Any]:
        return ok(self.hub.client.post(f"{API}/orgs/{self.code}/einvoices", json=body))

    def queue(self) -> list[dict[str, Any]]:
        return list(ok(self.hub.get(f"/orgs/{self.code}/einvoices")))  # type: ignore[arg-type]

    def attempts(self) -> list[dict[str, Any]]:
        return list(ok(self.hub.get(f"/orgs/{self.code}/einvoices/attempts")))  # type: ignore[arg-type]

    def submit(self, connector: Any, at: datetime = T0) -> dict[str, int]:
        with self.hub.runtime.sessions() as session:
            return submit_due(session, self.org_id, connector, clock=lambda: at).counts


@pytest.fixture
def sandbox(tmp_path: Path) -> SandboxConnector:
    return SandboxConnector(tmp_path / "irp.db", clock=lambda: T0)


def test_enqueue_once_and_the_sandbox_issues_irn_and_ack(
    hub: Hub, sandbox: SandboxConnector
) -> None:
    shop = Shop(hub)
    sale_id, number = shop.sell()
    shop.sell(b2b=False)
    shop.add_buyer()
    first = shop.enqueue(sale_ids=[str(sale_id)])
    assert [(d["doc_no"], d["state"]) for d in first["queued"]] == [(number, "queued")]
    irn = first["queued"][0]["irn"]
    # Asking again, by sale or by month (the B2C sale is not e-invoiced): queued once.
    again = shop.enqueue(sale_ids=[str(sale_id)])
    month = shop.enqueue(period="2026-11")
    assert again["queued"] == month["queued"] == []
    assert [d["irn"] for d in again["already_queued"] + month["already_queued"]] == [irn, irn]

    assert shop.submit(sandbox) == {"accepted": 1}
    assert shop.submit(sandbox) == {}  # nothing left due
    (row,) = shop.queue()
    issued = sandbox.issued()
    assert list(issued) == [irn]
    assert row["state"] == "accepted"
    assert (row["issued_irn"], row["ack_no"], row["ack_dt"]) == (irn, *issued[irn])
    assert row["ack_dt"] == T0.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")
    assert row["next_attempt_at"] is None
    assert row["attempts"] == 1
    assert row["signed_qr"].count(".") == 2
    (attempt,) = shop.attempts()
    assert (attempt["irn"], attempt["outcome"], attempt["codes"]) == (irn, "accepted", [])
    # What was queued is the IRP's IRN for this document: seller GSTIN + FY + type + number.
    with hub.runtime.sessions() as session:
        stored = session.scalars(select(EInvoice.document).where(EInvoice.irn == irn)).one()
    assert irn_of(json.loads(stored)) == irn


def test_credit_and_debit_notes_are_queued_beside_their_invoice(
    hub: Hub, sandbox: SandboxConnector
) -> None:
    """Kernel documents straight into the queue: same number, three types, three IRNs."""
    shop = Shop(hub)
    original = OriginalInvoice("B1/2627/000041", date(2026, 11, 20))
    sourced = [
        (None, invoice_from_sale(cases.sale([SHIRT]), cases.seller(), cases.buyer())),
        *(
            (
                None,
                invoice_from_sale(
                    cases.sale([SHIRT]),
                    cases.seller(),
                    cases.buyer(),
                    doc_type=doc_type,
                    original=original,
                ),
            )
            for doc_type in (DocType.CREDIT_NOTE, DocType.DEBIT_NOTE)
        ),
    ]
    with hub.runtime.sessions.begin() as session:
        done = enqueue(session, shop.org_id, prepare(sourced), by="test", now=T0)
    assert len(set(done.queued)) == 3
    assert shop.submit(sandbox) == {"accepted": 3}
    rows = {row["doc_type"]: row for row in shop.queue()}
    assert sorted(rows) == ["CRN", "DBN", "INV"]
    assert {row["issued_irn"] for row in rows.values()} == set(sandbox.issued())
    # A B2C invoice is refused: it is never sent to the IRP (R19).
    b2c = invoice_from_sale(cases.sale([SHIRT], pos="27"), cases.seller())
    with pytest.raises(SetLedgerError) as refused:
        prepare([(None, b2c)])
    assert refused.value.code == "EINVOICE_NOT_APPLICABLE"


class CrashAfterSubmit:
    """The IRP accepts, then the worker dies before recording its answer."""

    name = "sandbox"

    def __init__(self, irp: SandboxConnector) -> None:
        self.irp = irp

    def submit(self, document: Mapping[str, Any]) -> Outcome:
        self.irp.submit(document)
        raise RuntimeError("killed after the IRP answered")


def test_a_lost_answer_comes_back_as_duplicate_and_keeps_one_irn(
    hub: Hub, sandbox: SandboxConnector, tmp_path: Path
) -> None:
    shop = Shop(hub)
    sale_id, _ = shop.sell()
    shop.add_buyer()
    irn = shop.enqueue(sale_ids=[str(sale_id)])["queued"][0]["irn"]
    with pytest.raises(RuntimeError, match="killed"):
        shop.submit(CrashAfterSubmit(sandbox))
    (row,) = shop.queue()
    assert (row["state"], row["attempts"], row["issued_irn"]) == ("queued", 0, None)
    assert shop.attempts() == []
    first = sandbox.issued()
    assert list(first) == [irn]
    # The dead worker's lease holds the document until it runs out.
    assert datetime.fromisoformat(row["next_attempt_at"]) == T0 + LEASE
    assert shop.submit(sandbox, T0 + LEASE - timedelta(seconds=1)) == {}
    # The IRP (restarted: a new instance on the same file) answers 2150 with the first IRN.
    restarted = SandboxConnector(tmp_path / "irp.db", clock=lambda: T0 + timedelta(hours=1))
    assert shop.submit(restarted, T0 + timedelta(hours=1)) == {"duplicate": 1}
    (row,) = shop.queue()
    assert row["state"] == "duplicate_resolved"
    assert (row["issued_irn"], row["ack_no"], row["ack_dt"]) == (irn, *first[irn])
    assert restarted.issued() == first  # one IRN, one acknowledgement
    (attempt,) = shop.attempts()
    assert (attempt["outcome"], attempt["codes"]) == ("duplicate", ["2150"])


def test_a_late_answer_is_logged_and_changes_nothing_once_settled(
    hub: Hub, sandbox: SandboxConnector
) -> None:
    shop = Shop(hub)
    sale_id, _ = shop.sell()
    shop.add_buyer()
    irn = shop.enqueue(sale_ids=[str(sale_id)])["queued"][0]["irn"]
    assert shop.submit(sandbox) == {"accepted": 1}
    (before,) = shop.queue()
    # A worker whose lease ran out answers after another one settled the document.
    with hub.runtime.sessions.begin() as session:
        row = session.get_one(EInvoice, (shop.org_id, irn))
        late = Unavailable("read timed out")
        assert record(session, row, late, connector="sandbox", now=T0) == "unavailable"
    (after,) = shop.queue()
    settled = ("state", "issued_irn", "ack_no", "ack_dt", "next_attempt_at")
    assert {k: after[k] for k in settled} == {k: before[k] for k in settled}
    assert after["attempts"] == 2
    logged = shop.attempts()
    assert [a["outcome"] for a in logged] == ["accepted", "unavailable"]
    assert logged[1]["message"] == "after it was settled: read timed out"


def test_a_bad_document_is_refused_at_enqueue_and_nothing_is_queued(hub: Hub) -> None:
    shop = Shop(hub)
    good, _ = shop.sell()
    consumer, consumer_no = shop.sell(b2b=False)
    # The buyer's address is not on file: the IRP requires BuyerDtls.Addr1 and Loc.
    url = f"{API}/orgs/{shop.code}/einvoices"
    response = hub.client.post(url, json={"sale_ids": [str(good)]})
    assert error_code(response, 422) == "EINVOICE_INVALID"
    details = response.json()["error"]["details"]
    good_no = details["invoice_no"]
    assert {(p["invoice_no"], p["path"]) for p in details["problems"]} == {
        (good_no, "BuyerDtls.Addr1"),
        (good_no, "BuyerDtls.Loc"),
    }
    assert details["buyers_without_address"] == [BUYER_GSTIN]
    assert good_no in response.json()["error"]["message"]
    # A buyer whose GSTIN fails its check character is not kept.
    bad_buyer = {**BUYER, "gstin": BUYER_GSTIN[:14] + ("A" if BUYER_GSTIN[14] != "A" else "B")}
    buyers = f"{API}/orgs/{shop.code}/einvoices/buyers"
    assert error_code(hub.client.post(buyers, json=bad_buyer), 422) == "GSTIN_INVALID"
    assert ok(hub.get(f"/orgs/{shop.code}/einvoices/buyers")) == []  # type: ignore[comparison-overlap]
    # A B2C sale is not e-invoiced (R19); with a good one, neither is queued.
    shop.add_buyer()
    response = hub.client.post(url, json={"sale_ids": [str(good), str(consumer)]})
    assert error_code(response, 422) == "EINVOICE_NOT_APPLICABLE"
    assert response.json()["error"]["details"]["invoice_no"] == consumer_no
    # Neither sale_ids nor period, or both: refused by the request's shape.
    assert error_code(hub.client.post(url, json={}), 422) == "REQUEST_INVALID"
    both = {"sale_ids": [str(good)], "period": "2026-11"}
    assert error_code(hub.client.post(url, json=both), 422) == "REQUEST_INVALID"
    assert shop.queue() == []
    assert len(shop.enqueue(sale_ids=[str(good)])["queued"]) == 1


def test_unavailable_twice_then_accepted_backs_off(hub: Hub, sandbox: SandboxConnector) -> None:
    shop = Shop(hub)
    sale_id, _ = shop.sell()
    shop.add_buyer()
    shop.enqueue(sale_ids=[str(sale_id)])
    sandbox.fail_next(2)
    assert shop.submit(sandbox, T0) == {"unavailable": 1}
    (row,) = shop.queue()
    assert row["state"] == "retrying"
    assert datetime.fromisoformat(row["next_attempt_at"]) == T0 + timedelta(seconds=30)
    assert shop.submit(sandbox, T0 + timedelta(seconds=29)) == {}  # not due yet
    assert shop.submit(sandbox, T0 + timedelta(seconds=30)) == {"unavailable": 1}
    (row,) = shop.queue()
    assert datetime.fromisoformat(row["next_attempt_at"]) == T0 + timedelta(seconds=90)
    assert shop.submit(sandbox, T0 + timedelta(seconds=89)) == {}
    assert shop.submit(sandbox, T0 + timedelta(seconds=90)) == {"accepted": 1}
    attempts = shop.attempts()
    assert [(a["attempt_no"], a["outcome"]) for a in attempts] == [
        (1, "unavailable"),
        (2, "unavailable"),
        (3, "accepted"),
    ]
    assert [datetime.fromisoformat(a["attempted_at"]) - T0 for a in attempts] == [
        timedelta(0),
        timedelta(seconds=30),
        timedelta(seconds=90),
    ]
    (row,) = shop.queue()
    assert (row["state"], row["attempts"]) == ("accepted", 3)
    assert row["issued_irn"] in sandbox.issued()


class Overlapping:
    """The sandbox, but each worker's first submission waits for the other's: both
    must hold a document at once, so neither may wait for the other's claim."""

    name = "sandbox"

    def __init__(self, irp: SandboxConnector) -> None:
        self.irp = irp
        self.barrier = threading.Barrier(2)
        self.waited: set[int] = set()
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def submit(self, document: Mapping[str, Any]) -> Outcome:
        me = threading.get_ident()
        if me not in self.waited:
            self.waited.add(me)
            self.barrier.wait(timeout=20)
        with self.lock:
            self.sent.append(document["DocDtls"]["No"])
        return self.irp.submit(document)


def test_two_workers_send_each_document_once(hub: Hub, sandbox: SandboxConnector) -> None:
    shop = Shop(hub)
    numbers = [shop.sell() for _ in range(4)]
    shop.add_buyer()
    shop.enqueue(sale_ids=[str(sale_id) for sale_id, _ in numbers])
    # No transaction is open while the IRP is called, so on SQLite too (one
    # writer) the second worker claims while the first one is sending.
    connector = Overlapping(sandbox)
    results: list[dict[str, int]] = []
    workers = [
        threading.Thread(target=lambda: results.append(shop.submit(connector))) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(connector.sent) == sorted(number for _, number in numbers)
    assert sum(r.get("accepted", 0) for r in results) == 4
    assert len(results) == 2
    assert all(results)  # both sent something, at the same time
    assert {row["state"] for row in shop.queue()} == {"accepted"}
    assert len(sandbox.issued()) == 4


class Refusing:
    """An IRP that refuses every document (e.g. the buyer's GSTIN is not active)."""

    name = "refusing"

    def submit(self, document: Mapping[str, Any]) -> Outcome:
        return Rejected((IrpError("2211", "Buyer GSTIN is not active"),))


def test_a_rejected_document_waits_for_a_retry(hub: Hub, sandbox: SandboxConnector) -> None:
    shop = Shop(hub)
    sale_id, _ = shop.sell()
    shop.add_buyer()
    irn = shop.enqueue(sale_ids=[str(sale_id)])["queued"][0]["irn"]
    assert shop.submit(Refusing()) == {"rejected": 1}
    (row,) = shop.queue()
    assert row["state"] == "rejected"
    assert row["last_error"] == [{"code": "2211", "message": "Buyer GSTIN is not active"}]
    assert shop.submit(sandbox, T0 + timedelta(days=1)) == {}  # never retried on its own
    url = f"{API}/orgs/{shop.code}/einvoices/retry"
    missing = hub.client.post(url, json={"irns": ["0" * 64]})
    assert error_code(missing, 404) == "EINVOICE_NOT_FOUND"
    response = hub.client.post(url, json={"irns": [irn]})
    assert response.status_code == 200, response.text
    (retried,) = response.json()
    assert retried["state"] == "queued"
    assert shop.submit(sandbox, T0 + timedelta(days=1)) == {"accepted": 1}
    assert [a["outcome"] for a in shop.attempts()] == ["rejected", "accepted"]


def test_the_attempt_log_is_append_only(hub: Hub, sandbox: SandboxConnector) -> None:
    shop = Shop(hub)
    sale_id, _ = shop.sell()
    shop.add_buyer()
    shop.enqueue(sale_ids=[str(sale_id)])
    shop.submit(sandbox)
    mine = EInvoiceAttempt.org_id == shop.org_id
    for statement in (
        update(EInvoiceAttempt).where(mine).values(outcome="rejected"),
        delete(EInvoiceAttempt).where(mine),
    ):
        with hub.runtime.sessions() as session, pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
            session.execute(statement)
    with hub.runtime.sessions() as session:
        outcomes = session.scalars(
            select(EInvoiceAttempt.outcome).where(EInvoiceAttempt.org_id == shop.org_id)
        ).all()
    assert outcomes == ["accepted"]


def test_an_org_sees_only_its_own_queue(hub: Hub, sandbox: SandboxConnector) -> None:
    shops = [Shop(hub), Shop(hub)]
    irns, numbers = [], []
    for shop in shops:
        sale_id, number = shop.sell()
        shop.add_buyer()
        irns.append(shop.enqueue(sale_ids=[str(sale_id)])["queued"][0]["irn"])
        numbers.append(number)
        shop.submit(sandbox)
    a, b = shops
    for path, mine, theirs in (
        ("einvoices", irns[0], irns[1]),
        ("einvoices/attempts", irns[0], irns[1]),
        ("einvoices/export?period=2026-11", numbers[0], numbers[1]),
    ):
        response = hub.client.get(f"{API}/orgs/{a.code}/{path}")
        assert response.status_code == 200, response.text
        assert mine in response.text, path
        assert theirs not in response.text, path
    response = hub.client.get(f"{API}/orgs/{a.code}/einvoices/attempts", params={"irn": irns[1]})
    assert response.json() == []
    retry = hub.client.post(f"{API}/orgs/{a.code}/einvoices/retry", json={"irns": [irns[1]]})
    assert error_code(retry, 404) == "EINVOICE_NOT_FOUND"
    assert [row["irn"] for row in b.queue()] == [irns[1]]


@pytest.fixture(scope="module")
def schema(reference_dir: Path) -> Draft7Validator:
    path = reference_dir / "gst" / "einvoice" / "einvoice_v1.1_schema_draft07.json"
    data = json.loads(path.read_text())
    Draft7Validator.check_schema(data)
    return Draft7Validator(data)


def test_the_offline_export_validates_against_the_schema(hub: Hub, schema: Draft7Validator) -> None:
    shop = Shop(hub)
    _, first = shop.sell()
    shop.sell(b2b=False)
    _, second = shop.sell()
    shop.add_buyer()
    # No connector is configured (the default) and nothing is queued.
    assert hub.runtime.settings.einvoice_connector == "none"
    response = hub.get(f"/orgs/{shop.code}/einvoices/export", period="2026-11")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        f'attachment; filename="einvoices-{shop.code}-2026-11.json"'
    )
    documents = response.json()
    assert [d["DocDtls"]["No"] for d in documents] == [first, second]
    for document in documents:
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(document)]
        assert problems == []
        assert validate_einvoice(document) == []
        assert document["BuyerDtls"]["Addr1"] == BUYER["address1"]
    assert '"TotInvVal":' in response.text
    assert "e+" not in response.text
    assert shop.queue() == []
    # Another month has nothing; a shop selling only to consumers needs no tax profile.
    assert ok(hub.get(f"/orgs/{shop.code}/einvoices/export", period="2026-10")) == []  # type: ignore[comparison-overlap]
    consumers = Shop(hub, profile=False)
    consumers.sell(b2b=False)
    assert ok(hub.get(f"/orgs/{consumers.code}/einvoices/export", period="2026-11")) == []  # type: ignore[comparison-overlap]


def test_the_einvoice_submit_command_drains_the_queue(
    hub: Hub, database_url: str, tmp_path: Path
) -> None:
    shop = Shop(hub)
    sale_id, _ = shop.sell()
    shop.add_buyer()
    irn = shop.enqueue(sale_ids=[str(sale_id)])["queued"][0]["irn"]

    def run(connector: str) -> dict[str, Any]:
        env = {
            **os.environ,
            "SETLEDGER_HUB_DATABASE_URL": database_url,
            "SETLEDGER_HUB_EINVOICE_CONNECTOR": connector,
        }
        command = [sys.executable, "-m", "hub.cli", "einvoice-submit", "--org", shop.code]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer

    assert run("none")["connector"] == "none"  # queue only: nothing is sent
    assert shop.queue()[0]["state"] == "queued"
    irp = tmp_path / "irp.db"
    assert run(f"sandbox:{irp}") == {
        "submitted": {shop.code: {"accepted": 1}},
        "connector": "sandbox",
    }
    assert shop.queue()[0]["state"] == "accepted"
    assert list(SandboxConnector(irp).issued()) == [irn]


def test_a_months_credit_and_debit_notes_are_queued_with_its_invoices(
    hub: Hub, sandbox: SandboxConnector
) -> None:
    shop = Shop(hub)
    sale = shop.till.sale([Item(shop.shirt)], place_of_supply="29")
    sale = sale.model_copy(update={"buyer": Buyer(name="Buyer", gstin=BUYER_GSTIN)})
    assert hub.apply(shop.till.seal(sale)).outcome == "applied"
    desk = ReturnsDesk(shop.org, shop.till.device)
    note = desk.give_back(sale, {1: 1000}, SOLD_AT + timedelta(days=1))
    assert hub.apply(desk.seal(note)).outcome == "applied"
    debit = {"debit_note_id": str(uuid.uuid4()), "reason": "price revised", "lines": []}
    debit["lines"] = [{"line_no": 1, "taxable": 10_000}]
    url = f"{API}/orgs/{shop.code}/sales/{sale.sale_id}/debit-notes"
    issued = ok(hub.client.post(url, json=debit), 201)
    shop.add_buyer()

    months = {sale.business_date.strftime("%Y-%m"), str(issued["business_date"])[:7]}
    queued = [doc for month in sorted(months) for doc in shop.enqueue(period=month)["queued"]]
    assert sorted((d["doc_type"], d["doc_no"]) for d in queued) == sorted(
        [("INV", sale.invoice_no), ("CRN", note.note_no), ("DBN", issued["note_no"])]
    )
    assert shop.submit(sandbox) == {"accepted": 3}
    assert {d["state"] for d in shop.queue()} == {"accepted"}
