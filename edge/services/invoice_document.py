"""The tax invoice of a sale recorded at this box, as a PDF, with no hub needed.

The box rebuilds the sale from its own rows and hands it to the kernel's
:func:`setledger.invoice.invoice_from_sale`, as the hub does with the copy
it ingested, so both print the same document. The seller is what the
provisioning bundle told the box: org name, state and GSTIN, and the org's
tax profile (address, contact, turnover for the HSN digit rule R14, UPI
address for the payment QR) when the bundle carried it. A box provisioned
without a profile prints the name only and applies the HSN rule of the
smallest turnover band.
"""

from __future__ import annotations

from sqlalchemy import Connection

from documents.invoice_pdf import InvoicePdfOptions, PaperSize, render_invoice_pdf
from edge.services.checkout import load_sale
from edge.services.identity import BoxIdentity, SellerProfile, require_identity
from setledger import errors
from setledger.gst_thresholds import needs_b2c_dynamic_qr
from setledger.invoice import Invoice, Party, Seller, invoice_from_sale


def seller_of(identity: BoxIdentity) -> Seller:
    profile = identity.seller or SellerProfile()
    party = Party(
        legal_name=profile.legal_name or identity.org_name,
        trade_name=profile.trade_name,
        state=identity.seller_state,
        gstin=identity.seller_gstin,
        address1=profile.address1,
        address2=profile.address2,
        location=profile.location,
        pin=profile.pin,
        phone=profile.phone,
        email=profile.email,
    )
    return Seller(party=party, aato=profile.aato or 0, sandbox=profile.gst_sandbox)


def pdf_options(identity: BoxIdentity, invoice: Invoice, paper: PaperSize) -> InvoicePdfOptions:
    """As the hub prints it (``hub.gst.invoice_pdf``): the UPI QR when the profile has a VPA."""
    profile = identity.seller or SellerProfile()
    return InvoicePdfOptions(
        size=paper,
        upi_vpa=profile.upi_vpa,
        payee_name=profile.upi_payee,
        b2c_dynamic_qr=needs_b2c_dynamic_qr(profile.aato or 0, invoice.date),
    )


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
    options = pdf_options(require_identity(conn), invoice, paper)
    return invoice, render_invoice_pdf(invoice, options)
