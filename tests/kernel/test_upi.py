"""UPI payment links (R22) and the B2C dynamic QR content (R21)."""

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from setledger.upi import B2CQrContent, account_vpa, payment_link, percent_encode


def test_rules_example_11_upi_link() -> None:
    """RULES.md worked example 11."""
    link = payment_link("shop@okbank", "Sample Traders", 118000, note="INV/24-25/0001")
    assert (
        link
        == "upi://pay?pa=shop@okbank&pn=Sample%20Traders&am=1180.00&cu=INR&tn=INV%2F24-25%2F0001"
    )


def test_amount_always_has_two_decimals_and_optional_fields_follow_the_rule() -> None:
    link = payment_link(
        "a.b-c@ybl", "Chai & Co", 5, note="B1/2526/000001", reference="S-9", mcc="5411"
    )
    assert link == (
        "upi://pay?pa=a.b-c@ybl&pn=Chai%20%26%20Co&am=0.05&cu=INR"
        "&tn=B1%2F2526%2F000001&tr=S-9&mc=5411"
    )
    assert payment_link("shop@okbank", "X") == "upi://pay?pa=shop@okbank&pn=X&cu=INR"


def test_values_decode_back_with_a_standard_parser() -> None:
    name = "Śrī Traders = 100% & co/op"
    link = payment_link("shop@okbank", name, 123456789, note="A#1?x")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("upi", "pay")
    query = dict(parse_qsl(parts.query))
    assert query == {
        "pa": "shop@okbank", "pn": name, "am": "1234567.89", "cu": "INR", "tn": "A#1?x",
    }  # fmt: skip


@pytest.mark.parametrize("vpa", ["shop", "@bank", "shop@", "sh op@bank"])
def test_bad_addresses_are_refused(vpa: str) -> None:
    with pytest.raises(ValueError, match="not a UPI address"):
        payment_link(vpa, "X", 100)


def test_zero_or_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        payment_link("shop@okbank", "X", 0)


def test_percent_encode_is_utf8_bytes() -> None:
    assert percent_encode("₹") == "%E2%82%B9"
    assert percent_encode("a-b_c.d~e") == "a-b_c.d~e"


def test_bank_account_address() -> None:
    assert account_vpa("1234567890", "SBIN0001234") == "1234567890@SBIN0001234.ifsc.npci"
    with pytest.raises(ValueError, match="IFSC"):
        account_vpa("12AB", "SBIN0001234")


def test_r21_b2c_dynamic_qr_carries_gstin_invoice_and_gst_split() -> None:
    qr = B2CQrContent(
        seller_gstin="27AAPFU0939F1ZV",
        payee_name="Sample Traders",
        vpa="shop@okbank",
        invoice_no="B1/2526/000042",
        invoice_date=date(2026, 11, 24),
        total=118000,
        cgst=9000,
        sgst=9000,
        igst=0,
        cess=0,
    )
    text = qr.text()
    assert text.startswith("upi://pay?pa=shop@okbank&pn=Sample%20Traders&am=1180.00&cu=INR")
    query = dict(parse_qsl(urlsplit(text).query))
    assert query["gstIn"] == "27AAPFU0939F1ZV"
    assert query["invoiceNo"] == query["tn"] == "B1/2526/000042"
    assert query["invoiceDate"] == "2026-11-24"
    assert query["gstBrkUp"] == "GST:180.00|CGST:90.00|SGST:90.00"
