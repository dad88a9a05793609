"""Business documents as PDF: an invoice model in, PDF bytes out.

Shared by the hub and the store box, like ``labels`` (whose PDF writer it
uses). No database, no HTTP, no files. Invariants: every amount printed
is the invoice's own integer paise in the kernel's Indian formatting (no
recomputation); the payment QR encodes exactly ``setledger.upi``'s text
(case kept); equal inputs give equal bytes.
"""

from __future__ import annotations

from documents.invoice_pdf import (
    InvoicePdfOptions,
    PaperSize,
    payment_qr_text,
    render_invoice_pdf,
)

__all__ = ["InvoicePdfOptions", "PaperSize", "payment_qr_text", "render_invoice_pdf"]
