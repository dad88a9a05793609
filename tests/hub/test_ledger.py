"""The books on the hub, on SQLite and PostgreSQL.

Sales ingested from a box are posted once, the trial balance sums to zero
and agrees with hledger reading our export, a locked period refuses
entries, the database refuses to rewrite the journal, and the chain check
finds an entry changed behind its back.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.ledger import chain, journal, reports
from hub.ledger.sales import post_all_pending_sales
from setledger import chart
from setledger.errors import SetLedgerError
from setledger.postings import (
    SETTLEABLE,
    PaymentDocument,
    ReturnDocument,
    TaxedAmounts,
    TrialBalance,
    gst_payable,
    post_payment,
    post_return,
    reverse,
)
from setledger.tenders import Tender, TenderKind
from tests.hub.harness import API, Hub, ok
from tests.hub.sales_factory import Item, Till


def shop(hub: Hub, sales: int = 6) -> dict[str, Any]:
    """An org with one store whose box sold ``sales`` times (cash, UPI, card, two rates)."""
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    salt = hub.product(org)
    shirt = hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)
    till = Till(org, device)
    tenders: list[list[Tender] | None] = [None]
    for n in range(sales):
        items = [Item(salt, qty=1000 + 500 * n), Item(shirt)]
        sale = till.sale(items)
        payable = sale.totals.payable
        how = n % 3
        paid = (
            None
            if how == 0
            else [Tender(TenderKind.UPI if how == 1 else TenderKind.CARD, payable, f"R{n}")]
        )
        tenders.append(paid)
        envelope = till.sell(items, tenders=paid) if paid else till.seal(sale)
        assert hub.apply(envelope).outcome == "applied"
    return {"org": org, "store": store, "org_id": uuid.UUID(org["uuid"])}


def balances(hub: Hub, org_id: uuid.UUID, **kw: Any) -> dict[str, int]:
    with hub.runtime.sessions() as session:
        return {b.code: b.balance for b in reports.trial_balance(session, org_id, **kw)}


def test_sales_are_posted_once_and_the_books_balance(hub: Hub) -> None:
    books = shop(hub)
    org_id = books["org_id"]
    with hub.runtime.sessions() as session:
        assert post_all_pending_sales(session, org_id) == 6
        assert post_all_pending_sales(session, org_id) == 0  # idempotent
        assert chain.verify_chain(session, org_id) == []
    tb = balances(hub, org_id)
    assert sum(tb.values()) == 0
    sales = ok(hub.get(f"/orgs/{books['org']['org_id']}/sales"))["totals"]
    heads = (chart.OUTPUT_CGST, chart.OUTPUT_SGST)
    output = -sum(amount for code, amount in tb.items() if chart.parent_of(code) in heads)
    assert output == sales["cgst"] + sales["sgst"]
    assert gst_payable(tb) == sales["cgst"] + sales["sgst"] + sales["igst"] + sales["cess"]
    assert tb[f"1100-{books['store']['code']}"] > 0
    assert tb[chart.UPI_CLEARING] > 0
    assert tb[chart.CARD_CLEARING] > 0
    # Through the API, the same figures.
    answer = ok(hub.get(f"/orgs/{books['org']['org_id']}/ledger/trial-balance"))
    assert answer["total"] == 0
    assert {a["code"]: a["balance"] for a in answer["accounts"]} == tb
    rows = ok(hub.get(f"/orgs/{books['org']['org_id']}/ledger/accounts/4000-1200/entries"))
    assert len(rows) == 6
    assert sum(r["amount"] for r in rows) == tb["4000-1200"]


def hledger_balances(journal_text: str, tmp_path: Path) -> dict[str, int]:
    assert shutil.which("hledger"), "hledger is missing: make test installs it (ops/sh)"
    path = tmp_path / "export.journal"
    path.write_text(journal_text)
    out = subprocess.run(
        ["hledger", "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    found: dict[str, int] = {}
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        account, amount = row[0], row[1]
        commodity, _, number = amount.partition(" ")
        assert commodity == "INR", amount
        rupees, _, paise = number.lstrip("-").partition(".")
        value = int(rupees.replace(",", "")) * 100 + int(paise or "0")
        found[account.split(":", 1)[1]] = -value if number.startswith("-") else value
    return found


def test_hledger_reads_our_export_with_our_balances(hub: Hub, tmp_path: Path) -> None:
    books = shop(hub, sales=9)
    org_id = books["org_id"]
    with hub.runtime.sessions() as session:
        # Batches of 4: a backlog, so PostgreSQL's statistics are refreshed between them.
        assert post_all_pending_sales(session, org_id, batch=4) == 9
        with session.begin():
            journal.post(
                session,
                org_id,
                [
                    post_payment(
                        PaymentDocument(
                            uuid.uuid4(), date(2026, 11, 21), 12_345, chart.UPI_CLEARING
                        )
                    )
                ],
            )
    response = hub.get(f"/orgs/{books['org']['org_id']}/ledger/export.journal")
    assert response.status_code == 200
    assert "INR" in response.text
    ours = {code: amount for code, amount in balances(hub, org_id).items() if amount}
    assert hledger_balances(response.text, tmp_path) == ours


def test_a_locked_period_refuses_entries_and_late_sales_roll_forward(hub: Hub) -> None:
    books = shop(hub, sales=2)  # sold on 2026-11-20
    org_id, code = books["org_id"], books["org"]["org_id"]
    lock = hub.client.post(f"{API}/orgs/{code}/ledger/lock", json={"locked_through": "2026-11-20"})
    assert ok(lock, 201) == {"locked_through": "2026-11-20"}
    back = hub.client.post(f"{API}/orgs/{code}/ledger/lock", json={"locked_through": "2026-11-01"})
    assert back.status_code == 409
    assert back.json()["error"]["code"] == "LEDGER_LOCK_BACKWARDS"
    late = post_payment(PaymentDocument(uuid.uuid4(), date(2026, 11, 20), 100))
    with hub.runtime.sessions() as session:
        with pytest.raises(SetLedgerError) as refused, session.begin():
            journal.post(session, org_id, [late])
        assert refused.value.code == "LEDGER_PERIOD_LOCKED"
        assert post_all_pending_sales(session, org_id) == 2
    tb_on_lock_day = balances(hub, org_id, as_of=date(2026, 11, 20))
    assert tb_on_lock_day == {}  # the sales went to the 21st, the first open day
    assert sum(balances(hub, org_id, as_of=date(2026, 11, 21)).values()) == 0


def test_a_reversal_undoes_an_entry_and_names_it(hub: Hub) -> None:
    org_id = uuid.UUID(hub.org()["uuid"])
    payment = post_payment(PaymentDocument(uuid.uuid4(), date(2026, 11, 22), 5_000))
    with hub.runtime.sessions() as session, session.begin():
        first = journal.post(session, org_id, [payment]).entry_ids[0]
        undo = reverse(first, payment.postings, date(2026, 11, 23), "posted to the wrong account")
        journal.post(session, org_id, [undo])
        again = journal.post(session, org_id, [undo])  # a second reversal is the same one
        assert again.skipped == 1
    assert balances(hub, org_id) == {}
    with hub.runtime.sessions() as session:
        assert chain.verify_chain(session, org_id) == []


def _postgres(hub: Hub) -> bool:
    return hub.backend == "postgresql"


def test_the_database_refuses_to_rewrite_the_journal(hub: Hub) -> None:
    org_id = uuid.UUID(hub.org()["uuid"])
    with hub.runtime.sessions() as session, session.begin():
        journal.post(
            session, org_id, [post_payment(PaymentDocument(uuid.uuid4(), date(2026, 11, 22), 700))]
        )
    for statement in (
        "UPDATE journal_line SET amount = amount + 1 WHERE org_id = :org",
        "DELETE FROM journal_line WHERE org_id = :org",
        "UPDATE journal_entry SET narration = 'x' WHERE org_id = :org",
        "DELETE FROM journal_entry WHERE org_id = :org",
    ):
        with hub.runtime.engine.connect() as conn:
            with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
                conn.execute(text(statement), {"org": _org_param(hub, org_id)})
            conn.rollback()


def _org_param(hub: Hub, org_id: uuid.UUID) -> Any:
    return org_id if _postgres(hub) else org_id.hex


def _tamper(hub: Hub, statement: str, params: dict[str, Any]) -> None:
    """Change the journal as someone with the table owner's rights would, triggers off."""
    with hub.runtime.engine.begin() as conn:
        if _postgres(hub):
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(statement), params)
            return
        table = "journal_line" if "journal_line" in statement else "journal_entry"
        action = "update" if statement.startswith("UPDATE") else "delete"
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = :n"),
            {"n": f"{table}_no_{action}"},
        ).scalar_one()
        conn.execute(text(f"DROP TRIGGER {table}_no_{action}"))
        conn.execute(text(statement), params)
        conn.execute(text(sql))


def test_the_chain_check_finds_tampering(hub: Hub) -> None:
    org_id = uuid.UUID(hub.org()["uuid"])
    drafts = [
        post_payment(PaymentDocument(uuid.uuid4(), date(2026, 11, 22), 100 * n))
        for n in range(1, 5)
    ]
    with hub.runtime.sessions() as session, session.begin():
        ids = journal.post(session, org_id, drafts).entry_ids
    org = _org_param(hub, org_id)
    entry = ids[1] if _postgres(hub) else ids[1].hex
    _tamper(
        hub,
        "UPDATE journal_line SET amount = amount * 2 WHERE org_id = :org AND entry_id = :e",
        {"org": org, "e": entry},
    )
    with hub.runtime.sessions() as session:
        problems = chain.verify_chain(session, org_id)
    assert [(p.seq, p.problem) for p in problems] == [(2, "hash_mismatch")]
    third = ids[2] if _postgres(hub) else ids[2].hex  # a whole entry goes
    for statement in (
        "DELETE FROM journal_line WHERE org_id = :org AND entry_id = :e",
        "DELETE FROM journal_entry WHERE org_id = :org AND entry_id = :e",
    ):
        _tamper(hub, statement, {"org": org, "e": third})
    with hub.runtime.sessions() as session:
        found = [(p.seq, p.problem) for p in chain.verify_chain(session, org_id)]
    assert found == [(2, "hash_mismatch"), (4, "seq_gap"), (4, "broken_link")]


returns_and_payments = st.lists(
    st.one_of(
        st.tuples(
            st.just("return"),
            st.sampled_from([500, 1200, 1800]),
            st.integers(1, 2_000_000),
            st.booleans(),
        ),
        st.tuples(st.just("payment"), st.sampled_from(sorted(SETTLEABLE)), st.integers(1, 10**7)),
    ),
    min_size=1,
    max_size=8,
)


def test_random_documents_posted_to_the_database_keep_the_books(hub: Hub) -> None:
    books = shop(hub, sales=3)
    org_id, store = books["org_id"], books["store"]
    with hub.runtime.sessions() as session:
        post_all_pending_sales(session, org_id)
    expected = TrialBalance(dict(balances(hub, org_id)))
    output_before = gst_payable(expected.balances)
    reversed_tax = 0

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(returns_and_payments)
    def run(steps: list[tuple[Any, ...]]) -> None:
        nonlocal reversed_tax
        drafts = []
        for step in steps:
            if step[0] == "return":
                _, rate, taxable, inter = step
                half = taxable * rate // 20_000
                line = (
                    TaxedAmounts(rate, taxable, igst=2 * half)
                    if inter
                    else TaxedAmounts(rate, taxable, cgst=half, sgst=half)
                )
                refund = taxable + 2 * half
                drafts.append(
                    post_return(
                        ReturnDocument(
                            uuid.uuid4(),
                            date(2026, 11, 22),
                            "CN",
                            uuid.UUID(store["store_id"]),
                            store["code"],
                            (line,),
                            0,
                            (("cash", refund),),
                        )
                    )
                )
                reversed_tax += 2 * half
            else:
                _, settles, amount = step
                drafts.append(
                    post_payment(PaymentDocument(uuid.uuid4(), date(2026, 11, 22), amount, settles))
                )
        with hub.runtime.sessions() as session, session.begin():
            journal.post(session, org_id, drafts)
        for draft in drafts:
            expected.add(draft.postings)
        tb = balances(hub, org_id)
        assert sum(tb.values()) == 0
        assert tb == {k: v for k, v in expected.balances.items() if v}
        assert gst_payable(tb) == output_before - reversed_tax

    run()
    with hub.runtime.sessions() as session:
        assert chain.verify_chain(session, org_id) == []
