"""The e-invoice queue's own errors (the documents' are the kernel's ``EINVOICE_*``)."""

from __future__ import annotations

from setledger.errors import ErrorKind, ErrorSpec

EINVOICE_NOT_FOUND = ErrorSpec(
    "EINVOICE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "No e-invoice with IRN {irn} in this org's queue.",
    "List the queue (GET /orgs/{org}/einvoices) for the IRNs it holds; enqueue the sale first.",
)
EINVOICE_IRN_CHANGED = ErrorSpec(
    "EINVOICE_IRN_CHANGED",
    ErrorKind.CONFLICT,
    "Invoice {invoice_no} now has IRN {irn}, not {queued_irn}: its GSTIN, type, number or "
    "financial year changed since it was queued.",
    "Enqueue the sale again as a new document; the old queue entry stays as it was.",
)
