"""GSTR-1 from a month of invoices and notes: sections, totals, keys, CSV.

Expected totals are worked out by hand in each test from the documents
built there, never from the code under test.
"""

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from setledger import errors
from setledger.einvoice import to_json
from setledger.gstr1 import CSV_COLUMNS, SectionTotal, build_gstr1, section_csv, section_totals
from setledger.invoice import DocType, Invoice, OriginalInvoice, Party, invoice_from_sale
from tests.kernel.invoice_cases import buyer, sale, seller

SELLER = seller("27")
GSTIN = SELLER.party.gstin or ""
WALK_IN_29 = Party(legal_name="Walk-in customer", state="29")
REGISTERED_29 = buyer("29")
REGISTERED_27 = buyer("27")


def invoice(
    number: str,
    day: date,
    item: tuple[str, str, int, int],
    *,
    pos: str,
    to: Party | None = None,
    note_on: tuple[str, date] | None = None,
) -> Invoice:
    """One-line document; ``note_on`` (number, date) makes it a credit note."""
    original = OriginalInvoice(*note_on) if note_on else None
    return invoice_from_sale(
        sale([item], pos=pos, number=number, day=day),
        SELLER,
        to,
        doc_type=DocType.CREDIT_NOTE if original else DocType.INVOICE,
        original=original,
    )


SHIRT_1000 = ("Cotton shirt", "611490", 1000_00, 1800)
SHIRT_500 = ("Cotton shirt", "611490", 500_00, 1800)
SHIRT_RETURN_200 = ("Cotton shirt", "611490", 200_00, 1800)
TROUSERS_2000 = ("Trousers", "620520", 2000_00, 1200)
RICE_150000 = ("Basmati rice, 100 bags", "100630", 1_50_000_00, 500)
RICE_1000 = ("Basmati rice", "100630", 1000_00, 500)
RICE_RETURN_10000 = ("Basmati rice, returned", "100630", 10_000_00, 500)

AUG = date(2024, 8, 1)


def august_2024() -> list[Invoice]:
    return [
        invoice("B1/2425/0001", AUG.replace(day=5), SHIRT_1000, pos="29", to=REGISTERED_29),
        invoice("B1/2425/0002", AUG.replace(day=6), TROUSERS_2000, pos="27", to=REGISTERED_27),
        invoice("B1/2425/0003", AUG.replace(day=10), RICE_150000, pos="29", to=WALK_IN_29),
        invoice("B1/2425/0004", AUG.replace(day=11), SHIRT_500, pos="29", to=WALK_IN_29),
        invoice("B1/2425/0005", AUG.replace(day=12), RICE_1000, pos="27"),
        invoice(
            "CN/2425/0001",
            AUG.replace(day=20),
            SHIRT_RETURN_200,
            pos="29",
            to=REGISTERED_29,
            note_on=("B1/2425/0001", AUG.replace(day=5)),
        ),
        invoice(
            "CN/2425/0002",
            AUG.replace(day=25),
            RICE_RETURN_10000,
            pos="29",
            to=WALK_IN_29,
            note_on=("B1/2425/0003", AUG.replace(day=10)),
        ),
    ]


def total(count: int, txval: int, iamt: int = 0, camt: int = 0, samt: int = 0) -> SectionTotal:
    return SectionTotal(count, txval, iamt, camt, samt, 0)


@pytest.fixture
def august() -> dict[str, Any]:
    return build_gstr1(
        GSTIN, "082024", august_2024(), cancelled=[(DocType.INVOICE, "B1/2425/0006")]
    )


def test_august_2024_section_totals(august: dict[str, Any]) -> None:
    """Hand totals (paise): B2B 1000@18% inter + 2000@12% intra; B2CL 1,50,000@5%
    inter (value 1,57,500 > ₹1 lakh from 1 Aug 2024); B2CS 500@18% inter and
    1000@5% intra; credit notes 200@18% (registered) and 10,000@5% (on the B2CL)."""
    totals = section_totals(august)
    assert totals["b2b"] == total(2, 3000_00, iamt=180_00, camt=120_00, samt=120_00)
    assert totals["b2cl"] == total(1, 1_50_000_00, iamt=7500_00)
    assert totals["b2cs"] == total(2, 1500_00, iamt=90_00, camt=25_00, samt=25_00)
    assert totals["cdnr"] == total(1, 200_00, iamt=36_00)
    assert totals["cdnur"] == total(1, 10_000_00, iamt=500_00)
    assert totals["exp"] == total(0, 0)
    # HSN nets the credit notes: 1,50,000 + 1000 - 10,000 rice; 1000 + 500 - 200
    # shirts; 2000 trousers.
    assert totals["hsn"] == total(3, 1_44_300_00, iamt=7234_00, camt=145_00, samt=145_00)
    assert "hsn_b2b" not in august["hsn"]


def test_august_2024_rows(august: dict[str, Any]) -> None:
    assert august["gstin"] == GSTIN
    assert august["fp"] == "082024"
    b2b_intra = august["b2b"][0]
    assert b2b_intra["ctin"] == REGISTERED_27.gstin
    assert b2b_intra["inv"][0] == {
        "inum": "B1/2425/0002",
        "idt": "06-08-2024",
        "val": Decimal("2240.00"),
        "pos": "27",
        "rchrg": "N",
        "inv_typ": "R",
        "itms": [
            {
                "num": 1,
                "itm_det": {
                    "rt": Decimal(12),
                    "txval": Decimal("2000.00"),
                    "iamt": Decimal("0.00"),
                    "camt": Decimal("120.00"),
                    "samt": Decimal("120.00"),
                    "csamt": Decimal("0.00"),
                },
            }
        ],
    }
    assert august["b2cl"][0]["pos"] == "29"
    assert august["b2cl"][0]["inv"][0]["val"] == Decimal("157500.00")
    assert [(r["pos"], r["sply_ty"], r["rt"], r["typ"]) for r in august["b2cs"]] == [
        ("27", "INTRA", 5, "OE"),
        ("29", "INTER", 18, "OE"),
    ]
    note = august["cdnur"][0]
    assert (note["typ"], note["ntty"], note["nt_num"], note["nt_dt"], note["pos"]) == (
        "B2CL", "C", "CN/2425/0002", "25-08-2024", "29",
    )  # fmt: skip
    assert august["cdnr"][0]["nt"][0]["ntty"] == "C"
    rice = august["hsn"]["data"][0]
    assert (rice["hsn_sc"], rice["uqc"], rice["qty"], rice["rt"]) == (
        "100630", "NOS", Decimal("1.000"), 5,
    )  # fmt: skip


def test_doc_issue_counts_ranges_and_cancelled(august: dict[str, Any]) -> None:
    assert august["doc_issue"] == {
        "doc_det": [
            {
                "doc_num": 1,
                "docs": [
                    {
                        "num": 1,
                        "from": "B1/2425/0001",
                        "to": "B1/2425/0006",
                        "totnum": 6,
                        "cancel": 1,
                        "net_issue": 5,
                    }
                ],
            },
            {
                "doc_num": 5,
                "docs": [
                    {
                        "num": 1,
                        "from": "CN/2425/0001",
                        "to": "CN/2425/0002",
                        "totnum": 2,
                        "cancel": 0,
                        "net_issue": 2,
                    }
                ],
            },
        ]
    }


def test_july_2024_same_value_is_b2cs() -> None:
    """RULES.md example 7: ₹1,50,000 inter-state B2C dated 15 Jul 2024 is B2CS
    (limit ₹2.5 lakh then); intra-state ₹5,00,000 is B2CS in any month."""
    docs = [
        invoice("B1/2425/0001", date(2024, 7, 15), RICE_150000, pos="29", to=WALK_IN_29),
        invoice("B1/2425/0002", date(2024, 7, 16), ("Rice", "100630", 5_00_000_00, 500), pos="27"),
    ]
    totals = section_totals(build_gstr1(GSTIN, "072024", docs))
    assert totals["b2cl"] == total(0, 0)
    assert totals["b2cs"] == total(2, 6_50_000_00, iamt=7500_00, camt=12_500_00, samt=12_500_00)


def test_b2c_credit_note_on_a_b2cs_invoice_nets_into_b2cs() -> None:
    docs = [
        invoice("B1/2425/0001", AUG.replace(day=5), SHIRT_1000, pos="27"),
        invoice(
            "CN/2425/0001",
            AUG.replace(day=6),
            SHIRT_RETURN_200,
            pos="27",
            note_on=("B1/2425/0001", AUG.replace(day=5)),
        ),
    ]
    gstr1 = build_gstr1(GSTIN, "082024", docs)
    assert gstr1["cdnur"] == []
    assert section_totals(gstr1)["b2cs"] == total(1, 800_00, camt=72_00, samt=72_00)


def test_earlier_b2cl_invoice_note_goes_to_cdnur() -> None:
    note = invoice(
        "CN/2425/0001",
        date(2024, 9, 2),
        RICE_RETURN_10000,
        pos="29",
        to=WALK_IN_29,
        note_on=("B1/2425/0003", AUG.replace(day=10)),
    )
    gstr1 = build_gstr1(GSTIN, "092024", [note], b2cl_originals={"B1/2425/0003"})
    assert section_totals(gstr1)["cdnur"] == total(1, 10_000_00, iamt=500_00)
    assert build_gstr1(GSTIN, "092024", [note])["cdnur"] == []


@pytest.mark.parametrize(
    ("fp", "day", "split"),
    [("042025", date(2025, 4, 30), False), ("052025", date(2025, 5, 1), True)],
)
def test_hsn_is_split_from_the_may_2025_period(fp: str, day: date, split: bool) -> None:
    docs = [
        invoice("B1/2526/0001", day, SHIRT_1000, pos="29", to=REGISTERED_29),
        invoice("B1/2526/0002", day, RICE_1000, pos="27"),
    ]
    gstr1 = build_gstr1(GSTIN, fp, docs)
    totals = section_totals(gstr1)
    if split:
        assert set(gstr1["hsn"]) == {"hsn_b2b", "hsn_b2c"}
        assert totals["hsn_b2b"] == total(1, 1000_00, iamt=180_00)
        assert totals["hsn_b2c"] == total(1, 1000_00, camt=25_00, samt=25_00)
    else:
        assert set(gstr1["hsn"]) == {"data"}
        assert totals["hsn"] == total(2, 2000_00, iamt=180_00, camt=25_00, samt=25_00)


def test_refuses_documents_outside_the_period_or_of_another_gstin() -> None:
    doc = invoice("B1/2425/0001", AUG.replace(day=5), SHIRT_1000, pos="29", to=REGISTERED_29)
    with pytest.raises(errors.SetLedgerError, match="outside return period 092024"):
        build_gstr1(GSTIN, "092024", [doc])
    with pytest.raises(errors.SetLedgerError, match="not 29"):
        build_gstr1(REGISTERED_29.gstin or "", "082024", [doc])
    with pytest.raises(ValueError, match="MMYYYY"):
        build_gstr1(GSTIN, "2024-08", [doc])


def test_json_writes_exact_two_place_numbers(august: dict[str, Any]) -> None:
    text = to_json(august)
    assert '"val":2240.00' in text
    assert '"txval":150000.00' in text
    assert '"rt":18,' in text
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed["b2cl"][0]["inv"][0]["val"] == Decimal("157500.00")


def _paths(node: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{prefix}{key}"
            yield from _paths(value, f"{prefix}{key}.")
    elif isinstance(node, list):
        for item in node:
            yield from _paths(item, prefix)


OPTIONAL_KEYS = {"diff_percent", "etin", "sbpcode", "sbnum", "sbdt"}
# The example HSN rows are IGST-only; R18 lists camt and samt in every row.
EXTRA_KEYS = {"hsn": {"data.camt", "data.samt"}}


def test_keys_match_the_government_json(august: dict[str, Any], reference_dir: Path) -> None:
    folder = reference_dir / "gst" / "gstr1"
    keys = json.loads((folder / "gstr1_gov_json_keys.json").read_text())
    examples = json.loads((folder / "gstr1_section_examples.json").read_text())
    known = set(keys["sections"].values()) | set(keys["fields"].values())
    known |= {"gstin", "fp", "hsn_b2b", "hsn_b2c"}
    ours = {path.rsplit(".", 1)[-1] for path in _paths(august)}
    assert ours <= known, ours - known

    exp = [invoice("E1/2425/0001", AUG.replace(day=7), SHIRT_1000, pos="96")]
    with_exports = build_gstr1(GSTIN, "082024", exp)
    sections = {**august, "exp": with_exports["exp"]}
    for section in ("b2b", "b2cl", "exp", "b2cs", "cdnr", "cdnur", "hsn", "doc_issue"):
        theirs = {p for p in _paths(examples[section]) if p.rsplit(".", 1)[-1] not in OPTIONAL_KEYS}
        theirs |= EXTRA_KEYS.get(section, set())
        mine = set(_paths(sections[section]))
        assert mine, section
        assert mine == theirs, (section, mine ^ theirs)


def test_split_hsn_rows_have_the_example_row_shape(reference_dir: Path) -> None:
    examples = json.loads((reference_dir / "gst/gstr1/gstr1_section_examples.json").read_text())
    row_keys = set(examples["hsn"]["data"][0]) | {"camt", "samt"}
    docs = [invoice("B1/2526/0001", date(2025, 5, 2), SHIRT_1000, pos="29", to=REGISTERED_29)]
    hsn = build_gstr1(GSTIN, "052025", docs)["hsn"]
    assert set(hsn["hsn_b2b"][0]) == row_keys
    assert hsn["hsn_b2c"] == []


def test_csv_per_section(august: dict[str, Any]) -> None:
    lines = section_csv(august, "b2b").splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS["b2b"])
    assert len(lines) == 3
    assert lines[2] == (
        f"{REGISTERED_29.gstin},B1/2425/0001,05-08-2024,1180.00,29,N,R,18,1000.00,180.00,0.00,0.00,0.00"
    )
    hsn = section_csv(august, "hsn").splitlines()
    assert hsn[1].startswith("data,1,100630,")
    assert section_csv(august, "doc_issue").splitlines()[1] == (
        "1,1,B1/2425/0001,B1/2425/0006,6,1,5"
    )


MILK_300 = ("Fresh milk", "0401", 300_00, 0)
MILK_RETURN_100 = ("Fresh milk", "0401", 100_00, 0)
ZERO = Decimal("0.00")


def test_nil_rated_rows_go_to_table_8(reference_dir: Path) -> None:
    """0% rows leave b2b/b2cs for ``nil``: a mixed B2B invoice keeps only its
    18% row (value still 1180 + 300); B2C milk 300 less a 100 credit note."""
    docs = [
        invoice_from_sale(
            sale([SHIRT_1000, MILK_300], pos="29", number="B1/2425/0001", day=AUG),
            SELLER,
            REGISTERED_29,
        ),
        invoice("B1/2425/0002", AUG.replace(day=2), MILK_300, pos="27"),
        invoice(
            "CN/2425/0001",
            AUG.replace(day=3),
            MILK_RETURN_100,
            pos="27",
            note_on=("B1/2425/0002", AUG.replace(day=2)),
        ),
    ]
    gstr1 = build_gstr1(GSTIN, "082024", docs)
    totals = section_totals(gstr1)
    assert totals["b2b"] == total(1, 1000_00, iamt=180_00)
    assert gstr1["b2b"][0]["inv"][0]["val"] == Decimal("1480.00")
    assert gstr1["b2cs"] == []
    assert gstr1["nil"]["inv"] == [
        {"sply_ty": "INTRAB2C", "expt_amt": ZERO, "nil_amt": Decimal("200.00"), "ngsup_amt": ZERO},
        {"sply_ty": "INTRB2B", "expt_amt": ZERO, "nil_amt": Decimal("300.00"), "ngsup_amt": ZERO},
    ]
    assert totals["nil"] == total(2, 500_00)
    assert totals["hsn"] == total(2, 1500_00, iamt=180_00)  # milk 300 + 300 - 100
    examples = json.loads((reference_dir / "gst/gstr1/gstr1_section_examples.json").read_text())
    assert set(_paths(gstr1["nil"])) == set(_paths(examples["nil"]))
