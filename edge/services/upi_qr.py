"""The UPI QR the customer scans at the counter, for the amount being paid.

The text is the kernel's UPI link (``setledger.upi.payment_link``, as the
invoice PDF's payment QR): the shop's VPA and payee name from the
provisioning bundle's seller profile, the amount, ``cu=INR`` and the bill's
reference as the note. The code is drawn from zxing-cpp's matrix
(``labels.qr.exact_qr_matrix``, the invoice PDF's encoder, ~0.1 ms a code;
PITFALLS "QR and PDF") as one SVG path, with a 4-module quiet zone so
phone cameras lock on from across the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from edge.runtime import BoxRuntime
from edge.services.carts import view_cart
from edge.services.identity import SellerProfile, require_identity
from labels.qr import exact_qr_matrix
from setledger import errors
from setledger.upi import is_valid_vpa, payment_link

QUIET = 4


@dataclass(frozen=True)
class UpiQr:
    text: str
    amount: int
    svg: bytes


def bill_reference(cart_id: str) -> str:
    """What the customer's UPI app shows as the note: the bill, before its invoice number."""
    return f"BILL-{cart_id.replace('-', '')[-8:].upper()}"


def cart_upi_qr(box: BoxRuntime, cart_id: str, amount: int | None) -> UpiQr:
    """The QR for ``amount`` paise of the cart (default: all it asks)."""
    view = view_cart(box, cart_id)
    if view.bill is None:
        raise errors.CART_EMPTY.error(cart_id=cart_id)
    payable = view.bill.tax.payable
    paise = payable if amount is None else amount
    if paise <= 0:
        raise errors.TENDER_NOT_POSITIVE.error(index=1, amount=paise)
    if paise > payable:
        raise errors.TENDER_NONCASH_OVER.error(noncash=paise, payable=payable)
    with box.db.reader.connect() as conn:
        identity = require_identity(conn)
    profile = identity.seller or SellerProfile()
    if not profile.upi_vpa or not is_valid_vpa(profile.upi_vpa):
        raise errors.UPI_NOT_CONFIGURED.error(vpa=profile.upi_vpa)
    payee = profile.upi_payee or profile.trade_name or profile.legal_name or identity.org_name
    text = payment_link(profile.upi_vpa, payee, paise, note=bill_reference(cart_id))
    return UpiQr(text=text, amount=paise, svg=qr_svg(text))


def qr_svg(text: str) -> bytes:
    matrix = exact_qr_matrix(text)
    side = matrix.size + 2 * QUIET
    path = "".join(f"M{c + QUIET} {r + QUIET}h{n}v1h-{n}z" for r, c, n in matrix.runs())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'shape-rendering="crispEdges"><title>{escape(text)}</title>'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    ).encode()
