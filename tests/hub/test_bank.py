"""Payments and the bank on the hub, on SQLite and PostgreSQL.

Statements of the four preset layouts import exactly; a saved mapping is
reused; a bad file is refused whole with every bad row named; importing
again doubles nothing. A day of UPI and card sales settled T+1 is matched
to the right clearing lines, reconciled (the clearing accounts drop to
zero to the paisa, the books still balance), undone by a reversal and
reconciled again; a payment settles receivables and its bank line is tied
to it without a second posting.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from hub.ledger import chain, reports
from hub.ledger.sales import post_all_pending_sales
from setledger import chart
from setledger.money import format_rupees
from setledger.tenders import Tender, TenderKind
from tests.hub.harness import API, Hub, error_code, ok
from tests.hub.sales_factory import Item, Till

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
SBI_HEADER = "Txn Date,Value Date,Description,Ref No./Cheque No.,Debit,Credit,Balance\n"


def open_account(hub: Hub, code: str, name: str = "HDFC current") -> dict[str, Any]:
    body = {"name": name, "account_number": "50200012341234", "ifsc": "HDFC0001234"}
    return ok(hub.client.post(f"{API}/orgs/{code}/bank-accounts", json=body), 201)


def upload(
    hub: Hub, code: str, account: dict[str, Any], content: bytes, mapping: str | None = None
) -> Any:
    return hub.client.post(
        f"{API}/orgs/{code}/bank-accounts/{account['account_id']}/statements",
        files={"file": ("statement.csv", content, "text/csv")},
        data={"mapping": mapping} if mapping else None,
    )


def lines_of(hub: Hub, code: str, account: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(
        hub.get(f"/orgs/{code}/bank-accounts/{account['account_id']}/lines", **params)
    )  # type: ignore[assignment]
    return found


def balances(hub: Hub, org_id: uuid.UUID) -> dict[str, int]:
    with hub.runtime.sessions() as session:
        return {b.code: b.balance for b in reports.trial_balance(session, org_id)}


def test_each_preset_imports_and_importing_again_doubles_nothing(hub: Hub) -> None:
    org = hub.org()
    code = org["org_id"]
    expected = [(12_345_678, 22_345_678), (500_000, 22_845_678), (-1_770, 22_843_908)]
    for preset in ("HDFC", "ICICI", "SBI", "Axis"):
        account = open_account(hub, code, preset)
        assert account["number_masked"] == "XXXXXXXXXX1234"
        content = (FIXTURES / f"{preset.lower()}.csv").read_bytes()
        imported = ok(upload(hub, code, account, content), 201)
        assert (imported["mapping"], imported["lines_new"]) == (preset, 3)
        lines = lines_of(hub, code, account, suggest=False)
        assert [(line["amount"], line["balance"]) for line in lines] == expected
        assert {line["state"] for line in lines} == {"unreconciled"}
    # The same file again: answered, nothing new.
    again = ok(upload(hub, code, account, content), 200)
    assert (again["repeated"], again["lines_new"]) == (True, 0)
    # An overlapping export (two old lines, one new) adds only the new one.
    head = "\n".join(content.decode().splitlines()[:5])  # title, blank, header, 2 lines
    overlap = head + "\n23-11-2026,,INTEREST,,12.00,228451.08,1234\n"
    added = ok(upload(hub, code, account, overlap.encode()), 201)
    assert (added["lines_read"], added["lines_new"]) == (3, 1)
    assert len(lines_of(hub, code, account, suggest=False)) == 4
    assert [m["name"] for m in ok(hub.get(f"/orgs/{code}/bank-mappings"))][:4] == [  # type: ignore[index]
        "HDFC",
        "ICICI",
        "SBI",
        "Axis",
    ]


def test_a_saved_mapping_is_reused_and_a_bad_file_stores_nothing(hub: Hub) -> None:
    org = hub.org()
    code = org["org_id"]
    account = open_account(hub, code)
    content = (FIXTURES / "custom.csv").read_bytes()
    assert error_code(upload(hub, code, account, content), 422) == "BANK_STATEMENT_UNRECOGNISED"
    columns = {
        "date": ["When"],
        "description": ["What"],
        "reference": ["UTR"],
        "amount": ["Amount (Rs)"],
        "balance": ["Running"],
    }
    saved = {"name": "Co-op bank", "columns": columns}
    ok(hub.client.post(f"{API}/orgs/{code}/bank-mappings", json=saved), 201)
    half = {"name": "Half", "columns": {"date": ["When"], "description": ["What"]}}
    refused = hub.client.post(f"{API}/orgs/{code}/bank-mappings", json=half)
    assert error_code(refused, 422) == "BANK_MAPPING_INVALID"
    imported = ok(upload(hub, code, account, content, mapping="Co-op bank"), 201)
    assert imported["mapping"] == "Co-op bank"
    assert [line["amount"] for line in lines_of(hub, code, account, suggest=False)] == [
        12_345_678,
        500_000,
        -1_770,
    ]
    unknown = upload(hub, code, account, content, mapping="Nope")
    assert error_code(unknown, 404) == "BANK_MAPPING_NOT_FOUND"

    other = open_account(hub, code, "SBI current")
    bad = upload(hub, code, other, (FIXTURES / "bad.csv").read_bytes())
    assert error_code(bad, 422) == "BANK_STATEMENT_INVALID"
    problems = bad.json()["error"]["details"]["problems"]
    assert sorted((p["line"], p["column"]) for p in problems) == [
        (3, "Txn Date"),
        (4, "Debit/Credit"),
        (5, "Credit"),
        (6, "Credit"),
    ]
    assert lines_of(hub, code, other) == []  # the good line 2 was not stored either


def day_of_sales(hub: Hub) -> dict[str, Any]:
    """Sales of 2026-11-20: two UPI, one card, one cash; posted to the books."""
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    salt = hub.product(org)
    shirt = hub.product(org, name="Shirt", hsn="6205", gst_rate_bp=1200, price=79_900)
    till = Till(org, device)
    for n, kind in enumerate([TenderKind.UPI, TenderKind.UPI, TenderKind.CARD, None]):
        items = [Item(salt, qty=1000 + 500 * n), Item(shirt)]
        sale = till.sale(items)
        if kind is None:
            envelope = till.seal(sale)
        else:
            paid = [Tender(kind, sale.totals.payable, f"4321000000{n:02d}")]
            envelope = till.sell(items, tenders=paid)
        assert hub.apply(envelope).outcome == "applied"
    org_id = uuid.UUID(org["uuid"])
    with hub.runtime.sessions() as session:
        assert post_all_pending_sales(session, org_id) == 4
    return {"code": org["org_id"], "org_id": org_id, "store": store}


def statement(*rows: tuple[str, str, str, int]) -> bytes:
    """An SBI-layout statement: (date, description, reference, signed paise)."""
    out = SBI_HEADER
    for day, description, reference, amount in rows:
        money = format_rupees(abs(amount), symbol=False)
        debit, credit = ("", money) if amount > 0 else (money, "")
        out += f'{day},{day},{description},{reference},"{debit}","{credit}",\n'
    return out.encode()


def test_upi_and_card_settlements_clear_the_clearing_accounts(hub: Hub) -> None:
    books = day_of_sales(hub)
    code, org_id = books["code"], books["org_id"]
    before = balances(hub, org_id)
    upi, card = before[chart.UPI_CLEARING], before[chart.CARD_CLEARING]
    assert upi > 0
    assert card > 0
    account = open_account(hub, code)
    content = statement(
        ("21 Nov 2026", "UPI SETTLEMENT 21NOV", "UTR632514789012", upi),
        ("21 Nov 2026", "POS SETTLEMENT MERCHANT 0042", "432100000002", card),
        ("22 Nov 2026", "ATM WDL OWNER DRAWINGS", "", -500_000),
    )
    ok(upload(hub, code, account, content), 201)
    upi_line, card_line, drawings = lines_of(hub, code, account, state="unreconciled")
    best = upi_line["suggestions"][0]
    assert best["account"] == chart.UPI_CLEARING
    assert len(best["lines"]) == 2
    assert best["amount"] == upi
    assert best["reasons"][:2] == ["sum of 2 lines equal", "1 day later"]
    assert card_line["suggestions"][0]["account"] == chart.CARD_CLEARING
    assert card_line["suggestions"][0]["reasons"] == [
        "amount equal",
        "1 day later",
        "reference matches (432100000002)",  # the card tender's reference on the box
        "narration says POS",
    ]
    assert drawings["suggestions"] == []

    def accept(line: dict[str, Any]) -> Any:
        chosen = [
            {"entry_id": c["entry_id"], "line_no": c["line_no"]}
            for c in line["suggestions"][0]["lines"]
        ]
        url = f"{API}/orgs/{code}/bank-lines/{line['line_id']}/reconcile"
        return hub.client.post(url, json={"match": chosen})

    done = ok(accept(upi_line), 201)
    assert done["entry_id"] is not None
    assert len(done["cleared"]) == 2
    assert error_code(accept(upi_line), 409) == "BANK_LINE_RECONCILED"
    ok(accept(card_line), 201)
    url = f"{API}/orgs/{code}/bank-lines/{drawings['line_id']}/reconcile"
    to_itself = hub.client.post(url, json={"account": chart.BANK, "narration": "?"})
    assert error_code(to_itself, 422) == "BANK_MATCH_INVALID"
    direct = {"account": chart.CAPITAL, "narration": "Owner's drawings"}
    ok(hub.client.post(url, json=direct), 201)
    after = balances(hub, org_id)
    assert sum(after.values()) == 0
    assert after.get(chart.UPI_CLEARING, 0) == 0
    assert after.get(chart.CARD_CLEARING, 0) == 0
    assert after[chart.BANK] == upi + card - 500_000
    assert lines_of(hub, code, account, state="unreconciled") == []
    # The cleared sales no longer suggest themselves to another line of that amount.
    ok(upload(hub, code, account, statement(("21 Nov 2026", "UPI AGAIN", "", upi))), 201)
    (twin,) = lines_of(hub, code, account, state="unreconciled")
    assert twin["suggestions"] == []

    # Undo: a reversing entry, the line and its clearing lines open again.
    undone = ok(hub.client.post(f"{API}/orgs/{code}/bank-lines/{upi_line['line_id']}/undo"))
    assert undone["undo_entry_id"] is not None
    assert balances(hub, org_id)[chart.UPI_CLEARING] == upi
    again = ok(hub.get(f"/orgs/{code}/bank-lines/{upi_line['line_id']}"))
    assert again["state"] == "unreconciled"
    assert again["suggestions"][0]["lines"] == best["lines"]
    redo = ok(accept(again), 201)
    assert redo["entry_id"] not in {None, done["entry_id"]}
    final = balances(hub, org_id)
    assert final.get(chart.UPI_CLEARING, 0) == 0
    assert sum(final.values()) == 0
    undo_twice = hub.client.post(f"{API}/orgs/{code}/bank-lines/{twin['line_id']}/undo")
    assert error_code(undo_twice, 409) == "BANK_LINE_NOT_RECONCILED"
    with hub.runtime.sessions() as session:
        assert chain.verify_chain(session, org_id) == []


def test_a_payment_settles_receivables_and_its_bank_line_posts_nothing_more(hub: Hub) -> None:
    org = hub.org()
    code, org_id = org["org_id"], uuid.UUID(org["uuid"])
    payment = {
        "payment_id": str(uuid.uuid4()),
        "received_on": "2026-11-21",
        "amount": 500_000,
        "reference": "N325261234567890",
    }
    first = ok(hub.client.post(f"{API}/orgs/{code}/payments", json=payment), 201)
    same = ok(hub.client.post(f"{API}/orgs/{code}/payments", json=payment), 200)
    assert same["entry_id"] == first["entry_id"]
    assert same["created"] is False
    changed = hub.client.post(f"{API}/orgs/{code}/payments", json={**payment, "amount": 1})
    assert error_code(changed, 409) == "PAYMENT_ID_REUSED"
    tb = balances(hub, org_id)
    assert (tb[chart.BANK], tb[chart.RECEIVABLES]) == (500_000, -500_000)

    account = open_account(hub, code)
    content = (FIXTURES / "hdfc.csv").read_bytes()
    ok(upload(hub, code, account, content), 201)
    neft = lines_of(hub, code, account)[1]
    (only,) = neft["suggestions"]
    assert only["account"] == chart.BANK
    assert "reference matches (N325261234567890)" in only["reasons"]
    chosen = [{"entry_id": c["entry_id"], "line_no": c["line_no"]} for c in only["lines"]]
    url = f"{API}/orgs/{code}/bank-lines/{neft['line_id']}/reconcile"
    tied = ok(hub.client.post(url, json={"match": chosen}), 201)
    assert tied["entry_id"] is None
    assert balances(hub, org_id) == tb  # tied, not posted twice
    wrong = hub.client.post(
        f"{API}/orgs/{code}/bank-lines/{lines_of(hub, code, account)[0]['line_id']}/reconcile",
        json={"match": chosen},
    )
    assert error_code(wrong, 422) == "BANK_MATCH_INVALID"
