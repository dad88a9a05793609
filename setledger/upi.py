"""UPI payment links (R22) and the B2C dynamic QR content (R21).

Both are text; the QR image is drawn elsewhere. Values are percent-encoded
byte by byte (UTF-8), keeping only RFC 3986 unreserved characters, so a
payee name with a space or an invoice number with ``/`` survives every UPI
app's parser: ``tn=INV%2F24-25%2F0001``. The ``@`` of a VPA is kept, as
UPI apps print it.

Parameter order follows the rule (pa, pn, am, cu, tn, tr, mc). The amount
always has exactly two decimals, written from integer paise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from setledger.money import Paise, rupees_text

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_VPA_RE = re.compile(r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z0-9.\-]{2,64}$")
_MCC_RE = re.compile(r"^[0-9]{4}$")
_IFSC_RE = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")


def percent_encode(value: str, *, keep: str = "") -> str:
    """Percent-encode UTF-8 bytes, keeping unreserved characters (and ``keep``)."""
    kept = _UNRESERVED | frozenset(keep.encode())
    return "".join(chr(b) if b in kept else f"%{b:02X}" for b in value.encode("utf-8"))


def is_valid_vpa(vpa: str) -> bool:
    return _VPA_RE.match(vpa) is not None


def account_vpa(account: str, ifsc: str) -> str:
    """NPCI's address for a bank account without a VPA: ``<account>@<IFSC>.ifsc.npci``."""
    if not account.isdigit() or _IFSC_RE.match(ifsc) is None:
        raise ValueError("a bank account is digits and an IFSC is like SBIN0001234")
    return f"{account}@{ifsc}.ifsc.npci"


def _query(params: list[tuple[str, str | None]]) -> str:
    return "&".join(
        f"{key}={percent_encode(value, keep='@' if key == 'pa' else '')}"
        for key, value in params
        if value is not None
    )


def payment_link(
    vpa: str,
    payee_name: str,
    amount: Paise | None = None,
    *,
    note: str | None = None,
    reference: str | None = None,
    mcc: str | None = None,
) -> str:
    """``upi://pay?pa=..&pn=..&am=..&cu=INR&tn=..&tr=..&mc=..`` (R22).

    ``note`` (tn) is what the payer sees, usually the invoice number;
    ``reference`` (tr) is the merchant's transaction reference. Without an
    amount the payer types it in (india-compliance leaves ``am`` out from
    ₹1,00,000 up; the caller decides).
    """
    if not is_valid_vpa(vpa):
        raise ValueError(f"not a UPI address: {vpa!r}")
    if amount is not None and amount <= 0:
        raise ValueError("a UPI amount is positive")
    if mcc is not None and _MCC_RE.match(mcc) is None:
        raise ValueError("a merchant category code is 4 digits")
    params: list[tuple[str, str | None]] = [
        ("pa", vpa),
        ("pn", payee_name),
        ("am", None if amount is None else rupees_text(amount)),
        ("cu", "INR"),
        ("tn", note),
        ("tr", reference),
        ("mc", mcc),
    ]
    return f"upi://pay?{_query(params)}"


@dataclass(frozen=True)
class B2CQrContent:
    """What R21 asks a large seller to print as a dynamic QR on a B2C invoice.

    Supplier GSTIN, UPI address (a bank account + IFSC can stand in for
    it), invoice number and date, invoice value, and the GST split. It is
    encoded as a UPI link, so scanning it pays the invoice, with the GST
    details as extra parameters (``gstIn``, ``invoiceNo``, ``invoiceDate``,
    ``gstBrkUp``). The CBIC circular's exact layout is not confirmed
    (RULES.md R21, open questions); the names are the ones NPCI's GST
    invoice QR uses in practice and are easy to change here.
    """

    seller_gstin: str
    payee_name: str
    vpa: str
    invoice_no: str
    invoice_date: date
    total: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise

    def gst_breakup(self) -> str:
        heads = [("CGST", self.cgst), ("SGST", self.sgst), ("IGST", self.igst), ("CESS", self.cess)]
        parts = [f"GST:{rupees_text(self.cgst + self.sgst + self.igst + self.cess)}"]
        parts += [f"{name}:{rupees_text(amount)}" for name, amount in heads if amount]
        return "|".join(parts)

    def text(self) -> str:
        link = payment_link(self.vpa, self.payee_name, self.total, note=self.invoice_no)
        extra: list[tuple[str, str | None]] = [
            ("gstIn", self.seller_gstin),
            ("invoiceNo", self.invoice_no),
            ("invoiceDate", self.invoice_date.isoformat()),
            ("gstBrkUp", self.gst_breakup()),
        ]
        return f"{link}&{_query(extra)}"
