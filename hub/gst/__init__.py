"""GST documents from the hub's ingested sales: invoices, GSTR-1, GSTR-3B, invoice PDFs.

Glue between the stored sales (:mod:`hub.db.sales`) and the pure kernel
(:mod:`setledger.invoice`, :mod:`setledger.gstr1`, :mod:`setledger.gstr3b`,
:mod:`documents.invoice_pdf`). Invariants:

- a stored sale is turned back into the very ``SaleRecorded`` the box sent
  and then into an invoice by the kernel's ``invoice_from_sale``, so the
  counter's printout and the hub's documents are the same document;
- the seller is the org's tax profile (``hub.db.registry.Org``), with the
  store's own GSTIN when it has one;
- a sale that cannot be an invoice is a structured error naming its
  invoice number, never silently left out of a return.
"""
