"""The printable invoice of a stored sale (a read service).

Payment QR: a UPI link to the org's VPA when the tax profile has one
(R22); on B2C invoices the R21 dynamic QR instead when the org's turnover
is above that rule's limit. The turnover the profile keeps is the previous
year's (AATO); R21 reads the highest of any year since 2017-18, which is at
least that, so an org whose AATO is above the limit is never missed.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from documents.invoice_pdf import InvoicePdfOptions, PaperSize, render_invoice_pdf
from hub.db.models import Org
from hub.gst.invoices import invoice_for_sale
from setledger import errors
from setledger.gst_thresholds import needs_b2c_dynamic_qr
from setledger.invoice import Invoice


def pdf_options(org: Org, invoice: Invoice, paper: PaperSize) -> InvoicePdfOptions:
    return InvoicePdfOptions(
        size=paper,
        upi_vpa=org.upi_vpa,
        payee_name=org.upi_payee,
        b2c_dynamic_qr=needs_b2c_dynamic_qr(org.aato or 0, invoice.date),
    )


def sale_invoice_pdf(
    session: Session, org_id: uuid.UUID, sale_id: uuid.UUID, paper: PaperSize
) -> tuple[Invoice, bytes]:
    """The sale's invoice and its PDF on ``paper``."""
    with session.begin():
        invoice = invoice_for_sale(session, org_id, sale_id)
        org = session.get(Org, org_id)
        if org is None:
            raise errors.ORG_NOT_FOUND.error(org_id=str(org_id))
        options = pdf_options(org, invoice, paper)
    return invoice, render_invoice_pdf(invoice, options)
