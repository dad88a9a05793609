"""The tax invoice of a sale recorded at this box, as a PDF, with no hub needed.

The box rebuilds the sale from its own rows and hands it to the kernel's
:func:`setledger.invoice.invoice_from_sale`, as the hub does with the copy
it ingested, so both print the same document. The seller is what the
provisioning bundle told the box (org name, state, GSTIN); the address,
turnover and UPI address live in the org's tax profile on the hub, which
the bundle does not carry, so the box's invoice prints without them and
applies the HSN rule of the smallest turnover band (R14).
"""

from __future__ import annotations

from sqlalchemy import Connection

from documents.invoice_pdf import InvoicePdfOptions, PaperSize, render_invoice_pdf
from edge.services.checkout import load_sale
from edge.services.identity import BoxIdentity, require_identity
from setledger import errors
from setledger.invoice import Invoice, Party, Seller, invoice_from_sale


def seller_of(identity: BoxIdentity) -> Seller:
    party = Party(
        legal_name=identity.org_name, state=identity.seller_state, gstin=identity.seller_gstin
    )
    return Seller(party=party, aato=0)


def sale_invoice(conn: Connection, sale_id: str) -> Invoice:
    """The invoice of a sale of this box; SALE_NOT_FOUND for a sale it never recorded."""
    identity = require_identity(conn)
    sale = load_sale(conn, sale_id)
    if not identity.seller_gstin:
        raise errors.INVOICE_INCONSISTENT.error(
            invoice_no=sale.invoice_no,
            reason="this box was provisioned without the seller's GSTIN",
            field="seller.gstin",
        )
    return invoice_from_sale(sale, seller_of(identity))


def sale_invoice_pdf(conn: Connection, sale_id: str, paper: PaperSize) -> tuple[Invoice, bytes]:
    invoice = sale_invoice(conn, sale_id)
    return invoice, render_invoice_pdf(invoice, InvoicePdfOptions(size=paper))
