"""GSTR-3B outward supplies from the same month of documents as GSTR-1."""

from datetime import date
from decimal import Decimal

from setledger.gstr3b import build_gstr3b
from tests.kernel.test_gstr1 import GSTIN, SHIRT_1000, august_2024, invoice

ZERO = Decimal("0.00")


def test_august_2024_outward_supplies_net_of_credit_notes() -> None:
    """Hand sums of the GSTR-1 August month plus one export (zero-rated) and
    one 0% sale (nil-rated): taxable 3000 + 1,50,000 + 1500 - 200 - 10,000."""
    docs = [
        *august_2024(),
        invoice("E1/2425/0001", date(2024, 8, 7), SHIRT_1000, pos="96"),
        invoice("B1/2425/0009", date(2024, 8, 8), ("Fresh milk", "0401", 300_00, 0), pos="27"),
    ]
    summary = build_gstr3b(GSTIN, "082024", docs)
    assert summary["sup_details"] == {
        "osup_det": {
            "txval": Decimal("144300.00"),
            "iamt": Decimal("7234.00"),
            "camt": Decimal("145.00"),
            "samt": Decimal("145.00"),
            "csamt": ZERO,
        },
        "osup_zero": {"txval": Decimal("1000.00"), "iamt": Decimal("180.00"), "csamt": ZERO},
        "osup_nil_exmp": {"txval": Decimal("300.00")},
    }
    # 3.2: inter-state B2C to Karnataka: 1,50,000 + 500 - 10,000 returned.
    assert summary["inter_sup"]["unreg_details"] == [
        {"pos": "29", "txval": Decimal("140500.00"), "iamt": Decimal("7090.00")}
    ]
    assert (summary["gstin"], summary["ret_period"]) == (GSTIN, "082024")
